-- Asterisk pbx_lua (extensions.lua): dialling 7<anything> in context [tenios] interrupts the
-- TENIOS block of the call whose uuid is in the channel variable TENIOS_CALL_UUID; the outcome
-- is left in TENIOS_STATUS (OK or a status name such as TENIOS_ERR_CALL_UUID_NOT_FOUND) and
-- TENIOS_ERROR. The key comes from the environment of the Asterisk process (TENIOS_ACCESS_KEY;
-- TENIOS_API_URL only for a simulator).
--
-- pbx_lua runs extensions in a Lua state per channel: one client per state, made on first use.
local tenios = require("tenios")

local client
local function tenios_client()
  if client == nil or client:closed() then
    local err
    client, err = tenios.client(os.getenv("TENIOS_ACCESS_KEY") or "", {
      base_url = os.getenv("TENIOS_API_URL"), -- nil: https://api.tenios.com
      timeout_ms = 3000,
      user_agent = "asterisk-pbx_lua",
    })
    if client == nil then return nil, err end
  end
  return client
end

local function interrupt(context, extension)
  local call_uuid = channel.TENIOS_CALL_UUID:get() or ""
  local c, err = tenios_client()
  local ok
  if c then ok, err = c:interrupt_block(call_uuid) end
  if ok then
    channel.TENIOS_STATUS:set("OK")
  else
    channel.TENIOS_STATUS:set(err.name)
    channel.TENIOS_ERROR:set(err.message)
    app.verbose(1, "tenios: " .. err.message)
  end
end

extensions = {
  tenios = {
    ["_7X."] = interrupt,
  },
}
