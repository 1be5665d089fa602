-- One wrk script for every concurrency run. Environment:
--   BENCH_MODE   get | transition | comment | create | alert     BENCH_PATH  path for get ("{id}" is replaced)
--   BENCH_TOKEN  bearer token (optional)        BENCH_IDS   comma-separated incident ids
--   BENCH_SERVICE_ID  the service new incidents open on (create)
-- done() prints one JSON line that bench.py parses.
local mode = os.getenv("BENCH_MODE") or "get"
local path = os.getenv("BENCH_PATH") or "/"
local token = os.getenv("BENCH_TOKEN")
local ids = {}
for id in string.gmatch(os.getenv("BENCH_IDS") or "", "[^,]+") do ids[#ids + 1] = id end
local i = 0
local mitigated = {}

wrk.headers["Content-Type"] = "application/json"
if token and token ~= "" then wrk.headers["Authorization"] = "Bearer " .. token end

local function next_id()
  i = i % #ids + 1
  return ids[i]
end

request = function()
  if mode == "transition" then
    local id = next_id()
    local target = mitigated[id] and "Investigating" or "Mitigated"
    mitigated[id] = not mitigated[id]
    return wrk.format("POST", "/incidents/" .. id .. "/status", nil,
                      '{"status":"' .. target .. '"}')
  elseif mode == "alert" then
    i = i + 1
    local fp = (os.getenv("BENCH_TAG") or "t") .. "-single-" .. i
    local svc = os.getenv("BENCH_SERVICE") or "checkout-api"
    return wrk.format("POST", "/alerts/alertmanager", nil,
      '{"version":"4","status":"firing","groupKey":"' .. (os.getenv("BENCH_GROUP") or "g") ..
      '","alerts":[{"status":"firing","fingerprint":"' .. fp .. '","labels":{"alertname":' ..
      '"BenchDiskFull","service":"' .. svc .. '","severity":"warning"},"annotations":' ..
      '{"summary":"Disk almost full"}}]}')
  elseif mode == "create" then
    return wrk.format("POST", "/incidents", nil,
                      '{"title":"bench: created under load","severity":"SEV3","service_id":' ..
                      (os.getenv("BENCH_SERVICE_ID") or "1") .. '}')
  elseif mode == "comment" then
    return wrk.format("POST", "/incidents/" .. next_id() .. "/comments", nil,
                      '{"body":"bench: still watching error rates"}')
  elseif #ids > 0 then
    return wrk.format("GET", (string.gsub(path, "{id}", next_id())))
  end
  return wrk.format("GET", path)
end

done = function(summary, latency, requests)
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"non2xx":%d,"socket_errors":%d,' ..
    '"p50_us":%d,"p99_us":%d,"mean_us":%.1f}\n',
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99), latency.mean))
end
