-- wrk script: POSTs pre-encoded OTLP bodies from a pool file, cycling through them, with fresh trace ids.
--   wrk -t1 -c32 -d10s -s load-tests/wrk/otlp.lua http://127.0.0.1:4318 -- POOL CONTENT_TYPE PATH [SEED]
-- SEED (default: the time) must differ between runs against one gateway: it picks where the id counter starts
-- (LuaJIT's math.random is not seeded otherwise, and two runs would repeat each other's trace ids).
-- POOL (Payloads.write) holds, per body, 4-byte big-endian integers: item count, length, the body, the number of
-- trace-id offsets and the offsets. Each request is pre-formatted in init() as pieces around the first 4 bytes of
-- every trace id; request() fills those holes with a per-request counter (the same for every trace of the body, so
-- spans of a trace stay together), so no trace id repeats within 2^32 requests of a thread and a tail sampler sees
-- new traces, not late spans of decided ones. Costs one table.concat (about one body copy) per request.

local bodies = {}   -- each: a list of pieces; holes between them take the 4-byte counter
local n = 0
local idx = 0
local counter = 0
local thread_salt = 0

local function u32(s, p)
  local a, b, c, d = s:byte(p, p + 3)
  return ((a * 256 + b) * 256 + c) * 256 + d
end

function setup(thread)
  thread_salt = thread_salt + 1
  thread:set("salt", thread_salt)
end

function init(args)
  local pool, content_type, path = args[1], args[2] or "application/x-protobuf", args[3] or "/v1/traces"
  math.randomseed((tonumber(args[4]) or os.time()) + (salt or 1) * 7919)
  local f = assert(io.open(pool, "rb"))
  local data = f:read("*a")
  f:close()
  local pos = 1
  while pos + 7 <= #data do
    local len = u32(data, pos + 4)
    local body = data:sub(pos + 8, pos + 7 + len)
    pos = pos + 8 + len
    local count = u32(data, pos)
    pos = pos + 4
    local offsets = {}
    for i = 1, count do
      offsets[i] = u32(data, pos)  -- 0-based offset into body
      pos = pos + 4
    end
    table.sort(offsets)
    local request = wrk.format("POST", path, { ["Content-Type"] = content_type }, body)
    local head = #request - #body  -- the body is the tail of the formatted request
    local pieces = {}
    local from = 1
    for i = 1, count do
      local hole = head + offsets[i] + 1
      pieces[#pieces + 1] = request:sub(from, hole - 1)
      from = hole + 4
    end
    pieces[#pieces + 1] = request:sub(from)
    n = n + 1
    bodies[n] = pieces
  end
  assert(n > 0, "empty pool " .. pool)
  idx = math.random(n) - 1 -- threads start at different bodies
  counter = math.random(0, 0x7FFFFFFF) * 2 + ((salt or 1) % 2)
end

function request()
  idx = idx % n + 1
  local pieces = bodies[idx]
  if #pieces == 1 then
    return pieces[1]
  end
  counter = (counter + 1) % 4294967296
  local c = counter
  local stamp = string.char(math.floor(c / 16777216) % 256, math.floor(c / 65536) % 256, math.floor(c / 256) % 256, c % 256)
  local parts = {}
  for i = 1, #pieces - 1 do
    parts[2 * i - 1] = pieces[i]
    parts[2 * i] = stamp
  end
  parts[2 * #pieces - 1] = pieces[#pieces]
  return table.concat(parts)
end
