-- Acknowledgements through the personal link: POST /r/{token} action=ack, each request a
-- different person (tokens from TOKENS_FILE, split between wrk threads; wraps around at the end,
-- where repeated answers are idempotent and write nothing).
local tokens = {}
local threads = {}
local counter = 1

function setup(thread)
  thread:set("id", counter)
  table.insert(threads, thread)
  counter = counter + 1
end

function init(args)
  local f = assert(io.open(os.getenv("TOKENS_FILE"), "r"))
  for line in f:lines() do tokens[#tokens + 1] = line end
  f:close()
  local nthreads = tonumber(os.getenv("WRK_THREADS") or "2")
  -- Thread k takes tokens k, k + n, k + 2n, ...: no two threads answer for the same person.
  pos = id
  step = nthreads
end

function request()
  local t = tokens[pos]
  pos = pos + step
  if pos > #tokens then pos = id end
  return wrk.format("POST", "/r/" .. t, { ["Content-Type"] = "application/x-www-form-urlencoded" }, "action=ack")
end
