-- wrk script for bench_server.py: one GET with a Bearer token, optional think time, and the
-- figures wrk's own summary leaves out (p95) on one line that the benchmark parses.
--
-- Environment: AIFILM_BENCH_TOKEN (access token or API key), AIFILM_BENCH_WAIT (mean think
-- time in seconds between a client's requests; 0: none). Think times are drawn uniformly
-- from [0, 2 x mean] so that clients do not march in step.

local token = os.getenv("AIFILM_BENCH_TOKEN") or ""
local think_ms = (tonumber(os.getenv("AIFILM_BENCH_WAIT") or "0") or 0) * 1000
local counter = 0

wrk.headers["Authorization"] = "Bearer " .. token

function setup(thread)
  counter = counter + 1
  thread:set("seed", counter)
end

function init(args)
  math.randomseed(os.time() + (seed or 0) * 7919)
end

if think_ms > 0 then
  function delay()
    return math.random() * 2 * think_ms
  end
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "AIFILM-WRK requests=%d errors=%d status_errors=%d duration_us=%d p50_us=%d p95_us=%d p99_us=%d max_us=%d\n",
    summary.requests, errors.connect + errors.read + errors.write + errors.timeout,
    errors.status, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max))
end
