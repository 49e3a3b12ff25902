-- wrk script: POSTs pre-encoded OTLP bodies from a pool file, cycling through them, one pre-formatted request each.
--   wrk -t1 -c32 -d10s -s load-tests/wrk/otlp.lua http://127.0.0.1:4318 -- POOL CONTENT_TYPE PATH
-- POOL holds, per body: 4-byte big-endian item count, 4-byte big-endian length, the body (Payloads.write).
-- Every request is formatted once in init(), so sending costs wrk no Lua work beyond picking the next string.

local requests = {}
local n = 0
local idx = 0
local items_per_request = 0

local function u32(s, p)
  local a, b, c, d = s:byte(p, p + 3)
  return ((a * 256 + b) * 256 + c) * 256 + d
end

function init(args)
  local pool, content_type, path = args[1], args[2] or "application/x-protobuf", args[3] or "/v1/traces"
  local f = assert(io.open(pool, "rb"))
  local data = f:read("*a")
  f:close()
  local pos = 1
  while pos + 7 <= #data do
    local items = u32(data, pos)
    local len = u32(data, pos + 4)
    local body = data:sub(pos + 8, pos + 7 + len)
    pos = pos + 8 + len
    n = n + 1
    items_per_request = items
    requests[n] = wrk.format("POST", path, { ["Content-Type"] = content_type }, body)
  end
  assert(n > 0, "empty pool " .. pool)
  idx = math.random(n) - 1 -- threads start at different bodies
end

function request()
  idx = idx % n + 1
  return requests[idx]
end
