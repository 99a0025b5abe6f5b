-- wrk script for the people list (GET /api/people): sends the session cookie and rotates
-- realistic filters over pages 1..50, the way the RuoYi-style list page is used:
--   * name search of a common surname (王, 李, 张: thousands of matches each at 100k people)
--   * category filter (民警 / 辅警 / 文职)
--   * unit subtree filter (a department with squads, a station with a squad, the whole bureau)
--   * combinations (unit + category, unit + name) and the unfiltered list
--
-- Environment (set by run.sh):
--   BENCH_PATH    path of the list, "/api/people" (or "/people" for bare_axum)
--   BENCH_COOKIE  "bastion_session=…" (empty for bare_axum)
--   BENCH_UNITS   comma-separated unit ids to use for unit_id= (subtree filters)
--
-- done() prints one machine-readable line, RESULT rps=… p50_ms=… p99_ms=… …, for run.sh.

local path = os.getenv("BENCH_PATH") or "/api/people"
local cookie = os.getenv("BENCH_COOKIE") or ""
local units = {}
for id in string.gmatch(os.getenv("BENCH_UNITS") or "", "[^,]+") do
  units[#units + 1] = id
end
if #units == 0 then
  units = { "1" }
end

-- Percent-encoded UTF-8 of the Chinese filter values.
local function urlencode(s)
  return (s:gsub("[^%w%-_%.~]", function(c)
    return string.format("%%%02X", string.byte(c))
  end))
end

local surnames = { "王", "李", "张" }
local categories = { "民警", "辅警", "文职" }

local filters = {}
for _, s in ipairs(surnames) do
  filters[#filters + 1] = "name=" .. urlencode(s)
end
for _, c in ipairs(categories) do
  filters[#filters + 1] = "category=" .. urlencode(c)
end
for _, u in ipairs(units) do
  filters[#filters + 1] = "unit_id=" .. u
end
filters[#filters + 1] = "unit_id=" .. units[1] .. "&category=" .. urlencode("民警")
filters[#filters + 1] = "unit_id=" .. units[#units] .. "&name=" .. urlencode("王")
filters[#filters + 1] = ""

-- Precompute the request paths: every filter crossed with pages 1..50, shuffled with a fixed seed
-- so each wrk thread walks the same mix in a different order.
local paths = {}
for _, f in ipairs(filters) do
  for page = 1, 50 do
    local q = "page=" .. page .. "&size=10"
    if f ~= "" then
      q = f .. "&" .. q
    end
    paths[#paths + 1] = path .. "?" .. q
  end
end

local headers = { ["Accept"] = "application/json" }
if cookie ~= "" then
  headers["Cookie"] = cookie
end

local counter = 0
local threads_made = 0

-- setup() runs in the main Lua state; thread:set() gives each thread its own global thread_no.
function setup(thread)
  thread:set("thread_no", threads_made)
  threads_made = threads_made + 1
end

function init(args)
  math.randomseed(1000 + (rawget(_G, "thread_no") or 0))
  for i = #paths, 2, -1 do
    local j = math.random(i)
    paths[i], paths[j] = paths[j], paths[i]
  end
end

function request()
  counter = counter + 1
  if counter > #paths then
    counter = 1
  end
  return wrk.format("GET", paths[counter], headers)
end

function done(summary, latency, requests)
  local s = summary
  local errors = s.errors.connect + s.errors.read + s.errors.write + s.errors.status + s.errors.timeout
  io.write(string.format(
    "RESULT rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f requests=%d non2xx=%d errors=%d filters=%d\n",
    s.requests / (s.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, s.requests, s.errors.status, errors, #filters))
end
