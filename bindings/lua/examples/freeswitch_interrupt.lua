-- FreeSWITCH mod_lua: interrupt the TENIOS block of the call named by the channel variable
-- tenios_call_uuid, and leave the outcome in tenios_status (OK, or the status name such as
-- TENIOS_ERR_CALL_UUID_NOT_FOUND) and tenios_error (the message).
--
-- Dialplan:  <action application="set" data="tenios_call_uuid=${sip_h_X-Tenios-Call}"/>
--            <action application="lua" data="freeswitch_interrupt.lua"/>
-- Globals (vars.xml):  tenios_access_key, and tenios_api_url only for a simulator.
--
-- mod_lua gives each script run its own Lua state, so the client lives for one run; the call
-- blocks this session's thread only (at most timeout_ms).
local tenios = require("tenios")

local key = freeswitch.getGlobalVariable("tenios_access_key")
local call_uuid = session:getVariable("tenios_call_uuid")

local client, err = tenios.client(key or "", {
  base_url = freeswitch.getGlobalVariable("tenios_api_url"), -- nil: https://api.tenios.com
  timeout_ms = 3000,
  user_agent = "freeswitch-mod_lua",
  log = function(level, line)
    if level <= tenios.LOG_WARN then freeswitch.consoleLog("warning", "tenios: " .. line .. "\n") end
  end,
})
local ok
if client then
  ok, err = client:interrupt_block(call_uuid or "")
  client:close()
end
if ok then
  session:setVariable("tenios_status", "OK")
  freeswitch.consoleLog("info", "tenios: interrupted " .. call_uuid .. "\n")
else
  session:setVariable("tenios_status", err.name)
  session:setVariable("tenios_error", err.message)
  freeswitch.consoleLog("err", "tenios: " .. err.message .. "\n")
end
