-- wrk reporting script shared by every HTTP measurement in bench/ (ours and the peers'), so all are timed
-- by the same tool. Optional: COOKIE in the environment is sent with every request (a signed-in session).
-- At the end it prints one JSON line: requests, non-2xx/3xx responses, socket errors and latency
-- percentiles in milliseconds.
local cookie = os.getenv("COOKIE")
if cookie and cookie ~= "" then
  wrk.headers["Cookie"] = cookie
end

done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_s": %.3f, "rps": %.1f, "bad_status": %d, "socket_errors": %d, ' ..
    '"p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f, "mean_ms": %.2f}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6), errors.status,
    errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, latency.mean / 1000))
end
