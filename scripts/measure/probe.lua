-- probe.lua: a low-rate GET (BENCH_PATH, default /health): each connection waits
-- BENCH_DELAY_MS (default 10) between requests, so 2 connections send about 200 requests/s.
dofile((os.getenv("MEASURE_DIR") or ".") .. "/report.lua")
local path = os.getenv("BENCH_PATH") or "/health"
local wait = tonumber(os.getenv("BENCH_DELAY_MS") or "10")
function request() return wrk.format("GET", path) end
function delay() return wait end
