-- The simulator's /_sim/ control endpoints, through curl (plain Lua has no HTTP client).
local sim = {url = assert(os.getenv("TENIOS_API_URL"), "TENIOS_API_URL is not set")}

local function run(command)
  local pipe = assert(io.popen(command, "r"))
  local output = pipe:read("*a")
  pipe:close()
  return output
end

function sim.get(path)
  return run("curl -sS --max-time 10 " .. sim.url .. path)
end

function sim.post(path, body)
  local file = os.tmpname()
  local handle = assert(io.open(file, "wb"))
  handle:write(body or "")
  handle:close()
  local output = run("curl -sS --max-time 10 -H 'Content-Type: application/json' --data-binary @"
    .. file .. " " .. sim.url .. path)
  os.remove(file)
  return output
end

function sim.reset() sim.post("/_sim/reset", "") end

-- A fault for the next API request: a JSON spec as POST /_sim/faults takes it.
function sim.fault(spec) assert(sim.post("/_sim/faults", spec) == "{}", "fault rejected: " .. spec) end

-- The number in `"name":N` of a JSON text.
function sim.number(json, name)
  return tonumber(string.match(json, '"' .. name .. '":(%d+)'))
end

function sim.requests() return sim.number(sim.get("/_sim/stats"), "requests") end

-- The body of the last API request to `path`, unescaped from /_sim/requests (the bodies the
-- tests send hold no escapes but \" and \\).
function sim.last_body(path)
  local requests, body = sim.get("/_sim/requests"), nil
  local pattern = '"path":"' .. path:gsub("%p", "%%%0") .. '".-"body":"(.-[^\\])","connection"'
  for found in requests:gmatch(pattern) do body = found end
  return body and (body:gsub('\\(["\\])', "%1"))
end

return sim
