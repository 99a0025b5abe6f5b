-- wrk script for the publicity benchmark: GET one path (BENCH_PATH), print one RESULT line.
local path = os.getenv("BENCH_PATH") or "/news/1"

function request()
  return wrk.format("GET", path)
end

function done(summary, latency, requests)
  local s = summary
  local errors = s.errors.connect + s.errors.read + s.errors.write + s.errors.status + s.errors.timeout
  io.write(string.format(
    "RESULT rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f requests=%d non2xx=%d errors=%d\n",
    s.requests / (s.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, s.requests, s.errors.status, errors))
end
