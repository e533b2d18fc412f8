-- wrk script: POST one body with fixed headers; print a JSON summary at the end.
-- Env: BENCH_BODY (file), BENCH_TYPE (content type), BENCH_AUTH, BENCH_PURPOSE.
local f = assert(io.open(os.getenv("BENCH_BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = os.getenv("BENCH_TYPE")
local auth = os.getenv("BENCH_AUTH")
if auth and auth ~= "" then
  wrk.headers["Authorization"] = auth
  wrk.headers["X-Purpose"] = os.getenv("BENCH_PURPOSE")
  wrk.headers["X-Actor"] = "bench-ib"
end

function done(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "errors_status": %d, "errors_other": %d, ' ..
    '"p50_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
