-- report.lua: status counting and the machine-readable BENCH line, shared by the other scripts
-- (loaded with dofile from the same directory; MEASURE_DIR must be set in the environment).
local threads = {}
counts = {}
non2xx = 0

function setup(thread)
   thread:set("thread_id", #threads)
   table.insert(threads, thread)
end

function response(status, headers, body)
   counts[status] = (counts[status] or 0) + 1
   if status < 200 or status > 299 then
      non2xx = non2xx + 1
      if non2xx <= 3 then io.stderr:write("non-2xx " .. status .. ": " .. string.sub(body or "", 1, 300) .. "\n") end
   end
end

function done(summary, latency, requests)
   local total, bad = {}, 0
   for _, t in ipairs(threads) do
      for status, k in pairs(t:get("counts") or {}) do total[status] = (total[status] or 0) + k end
      bad = bad + (t:get("non2xx") or 0)
   end
   local keys = {}
   for status in pairs(total) do table.insert(keys, status) end
   table.sort(keys)
   local parts = {}
   for _, status in ipairs(keys) do table.insert(parts, string.format("%d=%d", status, total[status])) end
   local secs = summary.duration / 1e6
   local e = summary.errors
   local sock = e.connect + e.read + e.write + e.timeout
   io.write(string.format("status counts: %s\n", table.concat(parts, " ")))
   io.write(string.format(
      "BENCH requests=%d duration_s=%.2f rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f non2xx=%d socket_errors=%d\n",
      summary.requests, secs, summary.requests / secs,
      latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
      latency.max / 1000, bad, sock))
end
