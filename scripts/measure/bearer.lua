-- bearer.lua: one authenticated request shape, repeated.
--   BENCH_TOKEN=<jwt> BENCH_METHOD=GET BENCH_PATH='/api/tasks?limit=50' wrk ... -s bearer.lua URL
--   BENCH_METHOD=POST BENCH_PATH=/api/tasks BENCH_BODY='{"title":"Load %d","priority":"low","tags":["load"]}'
-- In BENCH_BODY, %d becomes a per-thread counter and %s the thread id (unique titles).
dofile((os.getenv("MEASURE_DIR") or ".") .. "/report.lua")

local method = os.getenv("BENCH_METHOD") or "GET"
local path = os.getenv("BENCH_PATH") or "/api/tasks?limit=50"
local body_t = os.getenv("BENCH_BODY")
-- BENCH_TOKENS_FILE (one token per line) spreads the requests over several users, in turn.
local tokens = {}
local tfile = os.getenv("BENCH_TOKENS_FILE")
if tfile and tfile ~= "" then
   for line in io.lines(tfile) do if line ~= "" then table.insert(tokens, line) end end
else
   table.insert(tokens, os.getenv("BENCH_TOKEN") or error("bearer.lua: set BENCH_TOKEN or BENCH_TOKENS_FILE"))
end
local all_headers = {}
for i, token in ipairs(tokens) do
   all_headers[i] = { ["Authorization"] = "Bearer " .. token, ["Accept"] = "application/json" }
   if body_t then all_headers[i]["Content-Type"] = "application/json" end
end
local headers = all_headers[1]
local n = 0

function request()
   if #all_headers > 1 then headers = all_headers[(n + (thread_id or 0)) % #all_headers + 1] end
   if body_t then
      local body = string.gsub(string.gsub(body_t, "%%d", tostring(n)), "%%s", tostring(thread_id or 0))
      n = n + 1
      return wrk.format(method, path, headers, body)
   end
   n = n + 1
   return wrk.format(method, path, headers)
end
