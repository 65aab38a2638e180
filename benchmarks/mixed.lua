-- A mixed workload for wrk: each request is a line of the plan file (session cookie, tab, path),
-- chosen at random; lines repeat in proportion to how often people open the page.
-- wrk -s benchmarks/mixed.lua http://127.0.0.1:PORT -- PLAN_FILE
local plan = {}

function init(args)
  for line in io.lines(args[1]) do
    local cookie, path = line:match("^([^\t]+)\t(.+)$")
    if cookie then
      plan[#plan + 1] = {cookie = cookie, path = path}
    end
  end
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end

function request()
  local item = plan[math.random(#plan)]
  return wrk.format("GET", item.path, {["Cookie"] = item.cookie})
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "RESULT {\"requests\": %d, \"duration_us\": %d, \"p50_us\": %d, \"p95_us\": %d, " ..
    "\"p99_us\": %d, \"max_us\": %d, \"non_2xx\": %d, \"socket_errors\": %d, \"timeouts\": %d}\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, errors.status,
    errors.connect + errors.read + errors.write, errors.timeout))
end
