-- wrk: POST /api/checkpoints/registrations with a fresh client id per request (UUID shape).
-- Env: BENCH_COOKIE (bastion_session=…), BENCH_CHECKPOINT (checkpoint id).
local cookie = os.getenv("BENCH_COOKIE") or ""
local cp = os.getenv("BENCH_CHECKPOINT") or "1"
local counter = 0
local thread_tag = 0

function setup(thread)
  thread_tag = thread_tag + 1
  thread:set("tag", thread_tag)
end

function init(args)
  math.randomseed(os.time() + (tag or 0) * 7919)
  prefix = string.format("%08x", math.random(0, 0x7fffffff))
end

local ids = {"11010519491231002X", "370101190102039973", "34052419800101001X"}

function request()
  counter = counter + 1
  local id = string.format("%s-%04x-4000-8%03x-%012x", prefix, (tag or 0), counter % 4096, counter)
  local body = '{"id":"' .. id .. '","checkpoint_id":' .. cp ..
    ',"name":"林晓风","doc_type":"id_card","doc_number":"' .. ids[counter % 3 + 1] ..
    '","phone":"13900001111","plate":"赣G12345","vehicle_type":"car","origin":"武汉市","destination":"青岚县城关镇",' ..
    '"reason":"return_home","travel_flag":"1","health_code":"green","temp":"36.6","method":"forehead","decision":"pass"}'
  return wrk.format("POST", nil, {["Content-Type"] = "application/json", ["Cookie"] = cookie}, body)
end

local bad = 0
function response(status, headers, body)
  if status ~= 201 then
    bad = bad + 1
    if bad <= 3 then io.stderr:write("status " .. status .. ": " .. body .. "\n") end
  end
end
