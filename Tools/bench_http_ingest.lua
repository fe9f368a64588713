-- wrk script for Tools/bench_http.py: POST /v1/ingest with LINES unique NDJSON lines per request.
-- Environment: TOKEN (an ingest token), LINES (lines per request, default 10).
local counter = 0
local lines_per_request = tonumber(os.getenv("LINES") or "10")

function setup(thread)
  thread:set("prefix", tostring(math.random(1, 1000000000)))
end

function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-ndjson"
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
end

function request()
  local lines = {}
  for i = 1, lines_per_request do
    counter = counter + 1
    lines[i] = '{"text":"wrk ' .. prefix .. ' sample ' .. counter .. '","license":"MIT","source":"bench"}\n'
  end
  return wrk.format(nil, "/v1/ingest", nil, table.concat(lines))
end

function done(summary, latency, requests)
  io.write(string.format("WRK requests=%d errors=%d seconds=%.3f p50_ms=%.2f p99_ms=%.2f\n",
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout,
    summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
