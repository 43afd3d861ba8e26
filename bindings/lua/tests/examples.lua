-- The FreeSWITCH and Asterisk examples (bindings/lua/examples/), run unchanged with stand-ins
-- for the objects their hosts give them (FreeSWITCH's freeswitch and session, Asterisk's
-- channel and app), against tenios-sim. run.sh runs this under every Lua.
local h = require("harness")
local sim = require("sim")
local test, eq, check = h.test, h.eq, h.check

local KEY = assert(os.getenv("TENIOS_TEST_KEY"))
local CALL = assert(os.getenv("TENIOS_TEST_CALL"))
local STUCK = assert(os.getenv("TENIOS_TEST_STUCK"))
local UNKNOWN = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
-- libtenios's message for the unknown call: the API's text, then what to do about it.
local NOT_FOUND = "CALL_UUID_NOT_FOUND: The call wasn't found (fields: call_uuid); no live call "
  .. "has the uuid " .. UNKNOWN .. ": the call may have ended (the caller hung up or it was "
  .. "transferred away), or the uuid is wrong"

local function example(name)
  return assert(package.searchpath and package.searchpath(name, package.path)
    or (function()
      for pattern in package.path:gmatch("[^;]+") do
        local path = pattern:gsub("%?", name)
        local f = io.open(path)
        if f then f:close(); return path end
      end
    end)(), name .. " not found on LUA_PATH")
end

-- FreeSWITCH: freeswitch.getGlobalVariable, freeswitch.consoleLog, session:getVariable,
-- session:setVariable.
local function run_freeswitch(call_uuid)
  local globals = {tenios_access_key = KEY, tenios_api_url = sim.url}
  local variables = {tenios_call_uuid = call_uuid}
  local console = {}
  _G.freeswitch = {
    getGlobalVariable = function(name) return globals[name] end,
    consoleLog = function(level, text) console[#console + 1] = level .. ": " .. text end,
  }
  _G.session = {
    getVariable = function(self, name) assert(self == _G.session); return variables[name] end,
    setVariable = function(self, name, value) assert(self == _G.session); variables[name] = value end,
  }
  dofile(example("freeswitch_interrupt"))
  _G.freeswitch, _G.session = nil, nil
  return variables, console
end

test("FreeSWITCH mod_lua example: interrupts and reports", function()
  sim.reset()
  local variables, console = run_freeswitch(CALL)
  eq(variables.tenios_status, "OK", "tenios_status")
  eq(sim.number(sim.get("/_sim/calls/" .. CALL), "interrupts"), 1, "the simulator's interrupts")
  eq(console[1], "info: tenios: interrupted " .. CALL .. "\n", "console")
  variables = run_freeswitch(UNKNOWN)
  eq(variables.tenios_status, "TENIOS_ERR_CALL_UUID_NOT_FOUND", "unknown call")
  eq(variables.tenios_error, NOT_FOUND, "message")
  variables, console = run_freeswitch(STUCK)
  eq(variables.tenios_status, "TENIOS_ERR_API", "stuck call")
  check(console[#console]:find("BLOCK_NOT_INTERRUPTIBLE", 1, true), console[#console])
  variables = run_freeswitch(nil)
  eq(variables.tenios_status, "TENIOS_ERR_INVALID_ARGUMENT", "no uuid")
  eq(sim.requests(), 3, "requests sent (none for the missing uuid)")
end)

-- Asterisk: channel.NAME:get()/:set(value), app.verbose.
local function asterisk_channel(variables)
  return setmetatable({}, {__index = function(_, name)
    return {
      get = function() return variables[name] end,
      set = function(_, value) variables[name] = value end,
    }
  end})
end

test("Asterisk pbx_lua example: extensions table and dialplan function", function()
  sim.reset()
  local variables, verbose = {}, {}
  _G.channel = asterisk_channel(variables)
  _G.app = {verbose = function(level, text) verbose[#verbose + 1] = level .. " " .. text end}
  local saved_getenv = os.getenv
  os.getenv = function(name)
    if name == "TENIOS_ACCESS_KEY" then return KEY end
    if name == "TENIOS_API_URL" then return sim.url end
    return saved_getenv(name)
  end
  local ok, err = pcall(function()
    dofile(example("extensions"))
    local handler = _G.extensions.tenios["_7X."]
    variables.TENIOS_CALL_UUID = CALL
    handler("tenios", "7100")
    eq(variables.TENIOS_STATUS, "OK", "TENIOS_STATUS")
    eq(sim.number(sim.get("/_sim/calls/" .. CALL), "interrupts"), 1, "the simulator's interrupts")
    variables.TENIOS_CALL_UUID = UNKNOWN
    handler("tenios", "7100")
    eq(variables.TENIOS_STATUS, "TENIOS_ERR_CALL_UUID_NOT_FOUND", "unknown call")
    eq(verbose[1], "1 tenios: " .. NOT_FOUND, "verbose")
    eq(sim.number(sim.get("/_sim/stats"), "connections"), 1, "one client, one connection, reused")
  end)
  os.getenv = saved_getenv
  _G.channel, _G.app, _G.extensions = nil, nil, nil
  assert(ok, err)
end)

h.finish()
