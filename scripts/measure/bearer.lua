-- bearer.lua: one authenticated request shape, repeated.
--   BENCH_TOKEN=<jwt> BENCH_METHOD=GET BENCH_PATH='/api/tasks?limit=50' wrk ... -s bearer.lua URL
--   BENCH_METHOD=POST BENCH_PATH=/api/tasks BENCH_BODY='{"title":"Load %d","priority":"low","tags":["load"]}'
-- In BENCH_BODY, %d becomes a per-thread counter and %s the thread id (unique titles).
dofile((os.getenv("MEASURE_DIR") or ".") .. "/report.lua")

local method = os.getenv("BENCH_METHOD") or "GET"
local path = os.getenv("BENCH_PATH") or "/api/tasks?limit=50"
local body_t = os.getenv("BENCH_BODY")
local token = os.getenv("BENCH_TOKEN") or error("bearer.lua: set BENCH_TOKEN")
local headers = { ["Authorization"] = "Bearer " .. token, ["Accept"] = "application/json" }
if body_t then headers["Content-Type"] = "application/json" end
local n = 0

function request()
   if body_t then
      n = n + 1
      local body = string.gsub(string.gsub(body_t, "%%d", tostring(n)), "%%s", tostring(thread_id or 0))
      return wrk.format(method, path, headers, body)
   end
   return wrk.format(method, path, headers)
end
