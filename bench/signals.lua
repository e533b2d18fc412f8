-- wrk script: register a signal per request, each for another child, so that every
-- request makes a match. Env: BENCH_CHILDREN (file, "child,parent" BSNs a line), BENCH_AUTH,
-- BENCH_THREADS (wrk -t). Each thread takes its own stripe of the children.
local counter = 0
local threads = {}

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local step = tonumber(os.getenv("BENCH_THREADS"))
  children, n = {}, 0
  local index = 0
  for line in io.lines(os.getenv("BENCH_CHILDREN")) do
    if index % step == id then
      n = n + 1
      children[n] = line
    end
    index = index + 1
  end
  next_child = 1
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = os.getenv("BENCH_AUTH")
  wrk.headers["X-Purpose"] = "verwijsindex.signaal"
  wrk.headers["X-Actor"] = "bench-prof"
end

function request()
  local child, parent = children[next_child]:match("([^,]+),([^,]+)")
  next_child = next_child % n + 1
  local body = '{"subject":"' .. child .. '","household":[{"bsn":"' .. parent .. '"}],' ..
    '"contact":{"name":"Bench Prof","phone":"+31 78 123 4567","email":"prof@example.org"}}'
  return wrk.format("POST", "/v1/signals", nil, body)
end

function done(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "errors_status": %d, "errors_other": %d, ' ..
    '"p50_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
