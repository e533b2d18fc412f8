-- wrk script: GET with fixed headers; print a JSON summary at the end.
-- Env: BENCH_AUTH, BENCH_PURPOSE.
wrk.method = "GET"
wrk.headers["Authorization"] = os.getenv("BENCH_AUTH")
wrk.headers["X-Purpose"] = os.getenv("BENCH_PURPOSE")
wrk.headers["X-Actor"] = "bench-reader"

function done(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "errors_status": %d, "errors_other": %d, ' ..
    '"p50_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
