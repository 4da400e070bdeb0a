-- Appended to every scenario script: numbers each thread (setup runs before its init) and
-- prints one line the benchmark driver reads: totals, latency percentiles in microseconds,
-- and the flows finished and unexpected answers counted by the flow script.
local bench_threads = {}

function setup(thread)
  thread:set("id", #bench_threads)
  table.insert(bench_threads, thread)
end

function done(summary, latency, requests)
  local flows, unexpected, note = 0, 0, ""
  for _, t in ipairs(bench_threads) do
    flows = flows + (t:get("flows") or 0)
    unexpected = unexpected + (t:get("unexpected") or 0)
    if (t:get("last_unexpected") or "") ~= "" then
      note = t:get("last_unexpected")
    end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"socket_errors":%d,"http_errors":%d,"flows":%d,"unexpected":%d,"note":"%s"}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status, flows, unexpected, note))
end
