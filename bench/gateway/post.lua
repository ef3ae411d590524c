-- wrk script: POST a small chat completion, with the headers named in WRK_HEADERS
-- ("Name: value|Name: value").
wrk.method = "POST"
wrk.body = '{"model":"gpt-4.1","messages":[{"role":"user","content":"write a haiku about gateways"}]}'
wrk.headers["Content-Type"] = "application/json"
local extra = os.getenv("WRK_HEADERS") or ""
for pair in string.gmatch(extra, "[^|]+") do
  local name, value = string.match(pair, "^%s*([^:]+):%s*(.*)$")
  if name then wrk.headers[name] = value end
end

-- Count answers that are not 200, so a benchmark of errors cannot pass for one of successes.
local bad = 0
response = function(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d errors=%d non200=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
