-- Kamailio KEMI script (app_lua) for kamailio.cfg: a SIP MESSAGE carrying
--   X-Tenios-Action: interrupt | transfer
--   X-Tenios-Call: <the TENIOS call's uuid>
--   X-Tenios-Destination: <SIP user>            (transfer only)
-- makes the matching libtenios call in an async worker and is answered with the SIP reply
-- of REPLIES below, plus X-Tenios-Status (the status name) and X-Tenios-Time-Us (time inside
-- libtenios for the call). OPTIONS get 200 at once, on the SIP worker. Anything else: 405.
--
-- Needs the tenios Lua module for the Lua app_lua embeds (5.1 on Debian: `make lua` builds
-- build/lua/lua5.1/tenios.so; LUA_CPATH or package.cpath must reach it).
local tenios = require("tenios")

-- status name -> SIP reply (docs/lua-and-kamailio.md has the same table). ERR_API is refined
-- by the API's error_code in API_REPLIES.
local REPLIES = {
  TENIOS_OK = {200, "OK"},
  TENIOS_ERR_INVALID_ARGUMENT = {400, "Bad Request"},
  TENIOS_ERR_INVALID_VALUE = {400, "Bad Request"},
  TENIOS_ERR_INVALID_FIELD = {400, "Bad Request"},
  TENIOS_ERR_CALL_UUID_NOT_FOUND = {404, "Call Not Found"},
  TENIOS_ERR_BAD_CREDENTIALS = {500, "TENIOS Credentials Rejected"},
  TENIOS_ERR_API = {500, "TENIOS API Error"},
  TENIOS_ERR_INVALID_JSON = {502, "Bad Gateway"},
  TENIOS_ERR_HTTP = {502, "Bad Gateway"},
  TENIOS_ERR_PROTOCOL = {502, "Bad Gateway"},
  TENIOS_ERR_NETWORK = {503, "TENIOS Unreachable"},
  TENIOS_ERR_SHUTDOWN = {503, "Service Unavailable"},
  TENIOS_ERR_TIMEOUT = {504, "TENIOS Timeout"},
  TENIOS_ERR_INTERNAL = {500, "Server Internal Error"},
}
local API_REPLIES = {
  BLOCK_NOT_INTERRUPTIBLE = {409, "Block Not Interruptible"},
  CALL_NOT_CONNECTED = {409, "Call Not Connected"},
}

-- One client per Kamailio process, made on first use (after the fork), kept for its pooled
-- connection.
local client

local function get_client()
  if client == nil then
    local err
    client, err = tenios.client(os.getenv("TENIOS_ACCESS_KEY") or "", {
      base_url = os.getenv("TENIOS_API_URL"),
      timeout_ms = tonumber(os.getenv("TENIOS_TIMEOUT_MS") or "3000"),
      user_agent = "kamailio-app_lua",
      log = function(level, line) KSR.log(level == tenios.LOG_ERROR and "err" or "warn", "tenios: " .. line .. "\n") end,
      log_level = tenios.LOG_WARN,
    })
    if client == nil then return nil, err end
  end
  return client
end

local function reply(code, reason, status, time_us)
  KSR.hdr.append_to_reply("X-Tenios-Status: " .. status .. "\r\n")
  if time_us then KSR.hdr.append_to_reply("X-Tenios-Time-Us: " .. string.format("%d", time_us) .. "\r\n") end
  KSR.tm.t_reply(code, reason)
end

-- Runs in an async worker with the suspended transaction.
function ksr_tenios_task()
  local action = KSR.pv.get("$hdr(X-Tenios-Action)")
  local call_uuid = KSR.pv.get("$hdr(X-Tenios-Call)") or ""
  local c, err = get_client()
  local ok
  if c then
    if action == "interrupt" then
      ok, err = c:interrupt_block(call_uuid)
    else
      ok, err = c:transfer_call(call_uuid, "SIP_USER", KSR.pv.get("$hdr(X-Tenios-Destination)") or "")
    end
  end
  local timings = c and c:last_timings()
  local time_us = timings and timings.total_us
  if ok then
    reply(200, "OK", "TENIOS_OK", time_us)
    return 1
  end
  local answer = (err.api_code and API_REPLIES[err.api_code]) or REPLIES[err.name] or {500, "Server Internal Error"}
  reply(answer[1], answer[2], err.name, time_us)
  return 1
end

function ksr_request_route()
  if KSR.is_OPTIONS() then
    KSR.sl.sl_send_reply(200, "OK")
    return 1
  end
  if not KSR.is_MESSAGE() then
    KSR.sl.sl_send_reply(405, "Method Not Allowed")
    return 1
  end
  local action = KSR.pv.get("$hdr(X-Tenios-Action)")
  if action ~= "interrupt" and action ~= "transfer" then
    KSR.sl.sl_send_reply(400, "Unknown X-Tenios-Action")
    return 1
  end
  -- Suspends the transaction and hands it to an async worker; this SIP worker goes on.
  if KSR.tm.t_newtran() < 0 or KSR.async.task_route("ksr_tenios_task") < 0 then
    KSR.sl.sl_send_reply(500, "Server Internal Error")
  end
  return 1
end
