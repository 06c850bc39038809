-- login.lua: POST /api/auth/login for one existing user (BENCH_EMAIL, BENCH_PASSWORD).
dofile((os.getenv("MEASURE_DIR") or ".") .. "/report.lua")
local body = string.format('{"email":"%s","password":"%s"}',
   os.getenv("BENCH_EMAIL") or error("login.lua: set BENCH_EMAIL"), os.getenv("BENCH_PASSWORD") or "bench-password-1")
local headers = { ["Content-Type"] = "application/json", ["Accept"] = "application/json" }
function request() return wrk.format("POST", "/api/auth/login", headers, body) end
