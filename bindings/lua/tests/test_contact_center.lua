-- The client's contact-center methods (click-to-call, callback, ACD agent state, wrap-up) and
-- the generic call against tenios-sim: each method's request and answer, its documented
-- errors, argument misuse, a closed client, and the key never leaking.
-- Run by run.sh under each Lua (environment: TENIOS_API_URL, TENIOS_TEST_* below; the
-- simulator started with --tenios-number, --callback-config, --agent, --wrap-up-agent and
-- --unreachable from them).
local h = require("harness")
local sim = require("sim")
local tenios = require("tenios")
local test, eq, check, fails, raises = h.test, h.eq, h.check, h.fails, h.raises

local URL = sim.url
local KEY = assert(os.getenv("TENIOS_TEST_KEY"))
local TENIOS_NUMBER = assert(os.getenv("TENIOS_TEST_TENIOS_NUMBER"))
local CALLBACK_CONFIG = assert(os.getenv("TENIOS_TEST_CALLBACK_CONFIG"))
local AGENT = assert(os.getenv("TENIOS_TEST_AGENT"))
local WRAP_UP_AGENT = assert(os.getenv("TENIOS_TEST_WRAP_UP_AGENT"))
local UNREACHABLE = assert(os.getenv("TENIOS_TEST_UNREACHABLE"))
local CUSTOMER = "+491701234567"
local NOBODY = "nobody@example.com"
local END_TIME = "2020-01-01T09:00:00.000Z"

-- Everything the module said, to search for the key at the end.
local said = {}
local function remember(...)
  for i = 1, select("#", ...) do
    local value = select(i, ...)
    said[#said + 1] = tostring(value)
    if type(value) == "table" then
      for k, v in pairs(value) do
        said[#said + 1] = tostring(k) .. "=" .. tostring(v)
        if type(v) == "table" then
          for _, field in pairs(v) do said[#said + 1] = tostring(field) end
        end
      end
    end
  end
  return ...
end

local function client(options)
  local with_url = {base_url = URL}
  for k, v in pairs(options or {}) do with_url[k] = v end
  return assert(remember(tenios.client(KEY, with_url)))
end

-- The request body the simulator received last on `path`, with the key as <KEY>.
local function sent(path)
  local body = sim.last_body(path)
  return body and (body:gsub(KEY:gsub("%p", "%%%0"), "<KEY>"))
end

-- An answer for the next API request (the fault queue): HTTP `status` with `body_json`.
local function answer(status, body_json)
  sim.fault(string.format('{"status": %d, "body": "%s"}', status,
    (body_json:gsub('["\\]', "\\%0"))))
end

test("makecall_init and makecall_status: requests, answers, documented errors", function()
  sim.reset()
  local c = client()
  eq(remember(c:makecall_init(CUSTOMER, TENIOS_NUMBER)), "1", "id of the first click-to-call")
  eq(sent("/makecall/init"), '{"access_key":"<KEY>","destination_number":"' .. CUSTOMER
    .. '","tenios_number":"' .. TENIOS_NUMBER .. '"}', "request without the optional fields")
  eq(c:makecall_status("1"), "CONNECTED", "makecall_status")
  eq(sent("/makecall/status"), '{"access_key":"<KEY>","id":"1"}', "id sent as a JSON string")
  eq(c:makecall_init(CUSTOMER, TENIOS_NUMBER, {caller_id = TENIOS_NUMBER .. "123",
    callstate_info_url = "https://crm.example/tenios/state"}), "2", "with both optional fields")
  eq(sent("/makecall/init"), '{"access_key":"<KEY>","destination_number":"' .. CUSTOMER
    .. '","tenios_number":"' .. TENIOS_NUMBER .. '","caller_id":"' .. TENIOS_NUMBER
    .. '123","callstate_info_url":"https://crm.example/tenios/state"}', "optional fields sent")
  eq(c:makecall_init(CUSTOMER, TENIOS_NUMBER, {caller_id = "+4922112345678"}), "3", "one option")
  check(not sent("/makecall/init"):find("callstate_info_url", 1, true), "absent option not sent")
  eq(c:makecall_init(UNREACHABLE, TENIOS_NUMBER), "4", "an unreachable number is accepted")
  eq(c:makecall_status("4"), "CALL_A_FAILED", "its status")
  -- The documented answer forms: the id as a string is passed on as it is.
  answer(200, '{"id": "66195"}')
  eq(c:makecall_init(CUSTOMER, TENIOS_NUMBER), "66195", "id answered as a string")
  local err = fails(tenios.ERR_INVALID_VALUE,
    "INVALID_VALUE: Invalid parameter type or format (fields: tenios_number)",
    remember(c:makecall_init(CUSTOMER, "+4930000000000")))
  eq(err.api_code, "INVALID_VALUE", "api_code"); eq(err.http_status, 400, "http_status")
  eq(err.fields[1], "tenios_number", "fields[1]"); eq(#err.fields, 1, "#fields")
  eq(tostring(err), err.message, "tostring")
  check(type(err.timings) == "table" and err.timings.total_us > 0, "err.timings")
  err = fails(tenios.ERR_INVALID_VALUE, nil, remember(c:makecall_status("999")))
  eq(err.fields[1], "id", "unknown id names the field")
  -- Checked by libtenios before sending.
  local before = sim.requests()
  fails(tenios.ERR_INVALID_ARGUMENT, 'callstate_info_url "http://crm.example" is not an https:// URL',
    remember(c:makecall_init(CUSTOMER, TENIOS_NUMBER, {callstate_info_url = "http://crm.example"})))
  fails(tenios.ERR_INVALID_ARGUMENT, "destination_number is empty",
    remember(c:makecall_init("", TENIOS_NUMBER)))
  fails(tenios.ERR_INVALID_ARGUMENT, "caller_id is empty",
    remember(c:makecall_init(CUSTOMER, TENIOS_NUMBER, {caller_id = ""})))
  fails(tenios.ERR_INVALID_ARGUMENT, "id is empty", remember(c:makecall_status("")))
  eq(sim.requests(), before, "nothing sent for an argument error")
  c:close()
end)

test("callback_init and callback_status: requests, answers, documented errors", function()
  sim.reset()
  local c = client()
  eq(remember(c:callback_init(CALLBACK_CONFIG, CUSTOMER, 30)), "1", "callback id")
  eq(sent("/callback/init"), '{"access_key":"<KEY>","callback_config_id":"' .. CALLBACK_CONFIG
    .. '","callback_number":"' .. CUSTOMER .. '","delay":30}', "delay sent as a JSON number")
  eq(c:callback_status("1"), "CONNECTED", "callback_status")
  eq(sent("/callback/status"), '{"access_key":"<KEY>","id":"1"}', "status request")
  eq(c:callback_init(CALLBACK_CONFIG, CUSTOMER, 0, {agent_announcement = "Customer Miller",
    dtmf_key = "1"}), "2", "with both optional fields")
  eq(sent("/callback/init"), '{"access_key":"<KEY>","callback_config_id":"' .. CALLBACK_CONFIG
    .. '","callback_number":"' .. CUSTOMER .. '","agent_announcement":"Customer Miller",'
    .. '"dtmf_key_to_trigger_customer_call":"1","delay":0}', "optional fields sent")
  eq(c:callback_init("sim-callback-config", UNREACHABLE, 5), "3", "customer unreachable: accepted")
  eq(c:callback_status("3"), "CALL_B_FAILED", "its status")
  answer(200, '{"id": 10}')
  eq(c:callback_init(CALLBACK_CONFIG, CUSTOMER, 30), "10", "the documented answer {\"id\": 10}")
  -- A wrong configuration id is reported like a wrong key (documented).
  local err = fails(tenios.ERR_BAD_CREDENTIALS, nil,
    remember(c:callback_init("no-such-config", CUSTOMER, 30)))
  eq(err.api_code, "BAD_CREDENTIALS", "api_code"); eq(err.http_status, 400, "http_status")
  -- A click-to-call's id is not a callback's.
  eq(c:makecall_init(CUSTOMER, TENIOS_NUMBER), "4", "a click-to-call")
  err = fails(tenios.ERR_INVALID_VALUE, nil, remember(c:callback_status("4")))
  eq(err.fields[1], "id", "fields[1]")
  local before = sim.requests()
  fails(tenios.ERR_INVALID_ARGUMENT, "callback_config_id is empty",
    remember(c:callback_init("", CUSTOMER, 30)))
  fails(tenios.ERR_INVALID_ARGUMENT, "dtmf_key_to_trigger_customer_call is empty",
    remember(c:callback_init(CALLBACK_CONFIG, CUSTOMER, 30, {dtmf_key = ""})))
  eq(sim.requests(), before, "nothing sent for an argument error")
  c:close()
end)

test("agent_state_retrieve and agent_state_change: states, reason, AGENT_NOT_FOUND", function()
  sim.reset()
  local c = client()
  eq(remember(c:agent_state_retrieve(AGENT)), "READY", "an agent starts READY")
  eq(sent("/acd/agent-state/retrieve"), '{"access_key":"<KEY>","email":"' .. AGENT .. '"}',
    "retrieve request")
  eq(c:agent_state_change(AGENT, "NOT_READY", "COF"), true, "change with a reason")
  eq(sent("/acd/agent-state/change"), '{"access_key":"<KEY>","email":"' .. AGENT
    .. '","state":"NOT_READY","not_ready_reason":"COF"}', "change request")
  eq(c:agent_state_retrieve(AGENT), "NOT_READY", "state changed")
  check(sim.get("/_sim/agents"):find('"email":"' .. AGENT
    .. '","state":"NOT_READY","not_ready_reason":"COF"', 1, true), "the simulator's agent")
  eq(c:agent_state_change(AGENT, "READY"), true, "change without a reason")
  eq(sent("/acd/agent-state/change"), '{"access_key":"<KEY>","email":"' .. AGENT
    .. '","state":"READY"}', "no not_ready_reason sent")
  eq(c:agent_state_retrieve(AGENT), "READY", "READY again")
  local err = fails(tenios.ERR_AGENT_NOT_FOUND, "AGENT_NOT_FOUND: Agent not found. (fields: email)",
    remember(c:agent_state_retrieve(NOBODY)))
  eq(err.name, "TENIOS_ERR_AGENT_NOT_FOUND", "name"); eq(err.api_code, "AGENT_NOT_FOUND", "api_code")
  eq(err.http_status, 400, "http_status"); eq(err.fields[1], "email", "fields[1]")
  fails(tenios.ERR_AGENT_NOT_FOUND, nil, remember(c:agent_state_change(NOBODY, "READY")))
  -- success: false is an API error.
  answer(200, '{"success": false}')
  fails(tenios.ERR_API, nil, remember(c:agent_state_change(AGENT, "READY")))
  local before = sim.requests()
  fails(tenios.ERR_INVALID_ARGUMENT, 'state "BUSY" is not READY or NOT_READY',
    remember(c:agent_state_change(AGENT, "BUSY")))
  fails(tenios.ERR_INVALID_ARGUMENT, "email is empty", remember(c:agent_state_retrieve("")))
  fails(tenios.ERR_INVALID_ARGUMENT, "not_ready_reason is empty",
    remember(c:agent_state_change(AGENT, "NOT_READY", "")))
  eq(sim.requests(), before, "nothing sent for an argument error")
  c:close()
end)

test("wrap_up_extend and wrap_up_cancel: AGENT_NOT_FOUND, AGENT_NOT_IN_WRAP_UP", function()
  sim.reset()
  local c = client()
  eq(remember(c:wrap_up_extend(WRAP_UP_AGENT, END_TIME)), END_TIME, "the end time answered")
  eq(sent("/wrap-up/extend"), '{"access_key":"<KEY>","agent_email":"' .. WRAP_UP_AGENT
    .. '","end_time":"' .. END_TIME .. '"}', "extend request")
  eq(c:wrap_up_extend(WRAP_UP_AGENT, "2020-01-01T10:00:00+01:00"), "2020-01-01T10:00:00+01:00",
    "an offset time zone")
  local err = fails(tenios.ERR_AGENT_NOT_IN_WRAP_UP,
    "AGENT_NOT_IN_WRAP_UP: The agent is currently not in a wrap-up status. (fields: agent_email)",
    remember(c:wrap_up_extend(AGENT, END_TIME)))
  eq(err.name, "TENIOS_ERR_AGENT_NOT_IN_WRAP_UP", "name")
  eq(err.api_code, "AGENT_NOT_IN_WRAP_UP", "api_code"); eq(err.fields[1], "agent_email", "fields")
  err = fails(tenios.ERR_AGENT_NOT_FOUND, "AGENT_NOT_FOUND: Agent not found. (fields: agent_email)",
    remember(c:wrap_up_extend(NOBODY, END_TIME)))
  eq(err.http_status, 400, "http_status")
  eq(c:wrap_up_cancel(WRAP_UP_AGENT), true, "cancel")
  eq(sent("/wrap-up/cancel"), '{"access_key":"<KEY>","agent_email":"' .. WRAP_UP_AGENT .. '"}',
    "cancel request")
  fails(tenios.ERR_AGENT_NOT_IN_WRAP_UP, nil, remember(c:wrap_up_cancel(WRAP_UP_AGENT)))
  fails(tenios.ERR_AGENT_NOT_IN_WRAP_UP, nil, remember(c:wrap_up_extend(WRAP_UP_AGENT, END_TIME)))
  fails(tenios.ERR_AGENT_NOT_FOUND, nil, remember(c:wrap_up_cancel(NOBODY)))
  -- An answer without wrap_up_end_time is not one the API would send.
  answer(200, '{"success": true}')
  fails(tenios.ERR_PROTOCOL, nil, remember(c:wrap_up_extend(AGENT, END_TIME)))
  local before = sim.requests()
  fails(tenios.ERR_INVALID_ARGUMENT, 'end_time "600" is not a time with a time zone (e.g. '
    .. "2020-01-01T09:00:00.000Z or 2020-01-01T10:00:00+01:00)",
    remember(c:wrap_up_extend(AGENT, "600")))
  fails(tenios.ERR_INVALID_ARGUMENT, "agent_email is empty", remember(c:wrap_up_cancel("")))
  eq(sim.requests(), before, "nothing sent for an argument error")
  c:close()
end)

test("call_json: a path the simulator answers, one it does not, canned answers, checks", function()
  sim.reset()
  local c = client()
  -- A method the simulator models, reached through the generic call: its JSON as received.
  eq(remember(c:call_json("/acd/agent-state/retrieve", '{"email":"' .. AGENT .. '"}')),
    '{"email":"' .. AGENT .. '","state":"READY"}', "the answer's JSON text")
  eq(sent("/acd/agent-state/retrieve"), '{"access_key":"<KEY>","email":"' .. AGENT .. '"}',
    "the key first, then the members as written")
  -- The older name of the Not-Ready reason, which only the generic call sends.
  eq(c:call_json("/acd/agent-state/change", '{"email":"' .. AGENT
    .. '", "state":"NOT_READY",  "nrr":"COF"}'), '{"success":true}', "nrr through call_json")
  eq(sent("/acd/agent-state/change"), '{"access_key":"<KEY>","email":"' .. AGENT
    .. '", "state":"NOT_READY",  "nrr":"COF"}', "spacing kept as written")
  check(sim.get("/_sim/agents"):find('"not_ready_reason":"COF"', 1, true), "the reason arrived")
  -- API errors map as for the typed methods.
  local err = fails(tenios.ERR_AGENT_NOT_FOUND, nil,
    remember(c:call_json("/wrap-up/cancel", '{"agent_email":"' .. NOBODY .. '"}')))
  eq(err.fields[1], "agent_email", "fields[1]")
  err = fails(tenios.ERR_API, nil, remember(c:call_json("/wrap-up/cancel", "{}")))
  eq(err.api_code, "FIELD_IS_REQUIRED", "a required field missing")
  -- /cdrs/retrieve is not modelled: the simulator answers a text/plain 404 like any unknown
  -- path.
  err = fails(tenios.ERR_HTTP, "HTTP 404 with no API error in the body; check the base URL "
    .. "(TENIOS's is https://api.tenios.com)",
    remember(c:call_json("/cdrs/retrieve", '{"page":1,"page_size":10}')))
  eq(err.http_status, 404, "http_status"); eq(err.api_code, nil, "no api_code")
  eq(sent("/cdrs/retrieve"), '{"access_key":"<KEY>","page":1,"page_size":10}', "request sent")
  -- The documentation's example answer, canned: passed on as received.
  answer(200, '{"total_items": 0, "page": 1, "page_size": 10, "items": []}')
  eq(c:call_json("/cdrs/retrieve", '{"start_date_from":"2016-04-11T09:00:00.000Z",'
    .. '"start_date_to":"2016-04-12T09:00:00.000Z","page":1,"page_size":10}'),
    '{"total_items": 0, "page": 1, "page_size": 10, "items": []}', "cdrs answer as received")
  eq(c:call_json("/cdrs/retrieve", "{}"), nil, "no canned answer left: an error again")
  eq(sent("/cdrs/retrieve"), '{"access_key":"<KEY>"}', "{} sends the key alone")
  answer(200, '{"success": false}')
  fails(tenios.ERR_API, nil, remember(c:call_json("/number/order", "{}")))
  answer(200, "not json")
  fails(tenios.ERR_PROTOCOL, nil, remember(c:call_json("/number/order", "{}")))
  -- Checked by libtenios before sending.
  local before = sim.requests()
  fails(tenios.ERR_INVALID_ARGUMENT, 'path "/cdrs/retrieve?page=1" has a query or fragment',
    remember(c:call_json("/cdrs/retrieve?page=1", "{}")))
  fails(tenios.ERR_INVALID_ARGUMENT, 'path "/a/../b" has a . or .. segment',
    remember(c:call_json("/a/../b", "{}")))
  fails(tenios.ERR_INVALID_ARGUMENT, "path is empty", remember(c:call_json("", "{}")))
  fails(tenios.ERR_INVALID_ARGUMENT, "body_json has its own access_key (the client's key is sent)",
    remember(c:call_json("/cdrs/retrieve", '{"access_key":"' .. KEY .. '"}')))
  fails(tenios.ERR_INVALID_ARGUMENT, "body_json is not a JSON object",
    remember(c:call_json("/cdrs/retrieve", "[1]")))
  fails(tenios.ERR_INVALID_ARGUMENT, "body_json contains a NUL byte",
    remember(c:call_json("/cdrs/retrieve", '{"a":"\0"}')))
  eq(sim.requests(), before, "nothing sent for an argument error")
  c:close()
end)

test("misuse raises before anything is sent; NUL bytes are nil, err", function()
  sim.reset()
  local c = client()
  raises("destination_number must be a string", c.makecall_init, c, nil, TENIOS_NUMBER)
  raises("tenios_number must be a string", c.makecall_init, c, CUSTOMER, 49)
  raises("table expected", c.makecall_init, c, CUSTOMER, TENIOS_NUMBER, "+4922112345678")
  raises("makecall_init: unknown option callerid", c.makecall_init, c, CUSTOMER, TENIOS_NUMBER,
    {callerid = "+49"})
  raises("option caller_id must be a string", c.makecall_init, c, CUSTOMER, TENIOS_NUMBER,
    {caller_id = 49})
  raises("id must be a string", c.makecall_status, c, 1)
  raises("id must be a string", c.callback_status, c, nil)
  raises("delay_s must be a number", c.callback_init, c, CALLBACK_CONFIG, CUSTOMER, "30")
  raises("delay_s must be a number", c.callback_init, c, CALLBACK_CONFIG, CUSTOMER)
  raises("delay_s must be a whole number from 0 to 4294967295", c.callback_init, c,
    CALLBACK_CONFIG, CUSTOMER, -1)
  raises("delay_s must be a whole number", c.callback_init, c, CALLBACK_CONFIG, CUSTOMER, 1.5)
  raises("callback_init: unknown option dtmf", c.callback_init, c, CALLBACK_CONFIG, CUSTOMER, 30,
    {dtmf = "1"})
  raises("option agent_announcement must be a string", c.callback_init, c, CALLBACK_CONFIG,
    CUSTOMER, 30, {agent_announcement = true})
  raises("email must be a string", c.agent_state_retrieve, c, {})
  raises("state must be a string", c.agent_state_change, c, AGENT, nil)
  raises("not_ready_reason must be a string", c.agent_state_change, c, AGENT, "NOT_READY", 7)
  raises("end_time must be a string", c.wrap_up_extend, c, AGENT, 1577869200)
  raises("agent_email must be a string", c.wrap_up_cancel, c)
  raises("path must be a string", c.call_json, c, nil, "{}")
  raises("body_json must be a string", c.call_json, c, "/cdrs/retrieve", {page = 1})
  raises("tenios.client expected", c.agent_state_retrieve, {}, AGENT)
  fails(tenios.ERR_INVALID_ARGUMENT, "caller_id contains a NUL byte",
    remember(c:makecall_init(CUSTOMER, TENIOS_NUMBER, {caller_id = "+49\0"})))
  fails(tenios.ERR_INVALID_ARGUMENT, "email contains a NUL byte",
    remember(c:agent_state_retrieve(AGENT .. "\0")))
  fails(tenios.ERR_INVALID_ARGUMENT, "dtmf_key contains a NUL byte",
    remember(c:callback_init(CALLBACK_CONFIG, CUSTOMER, 30, {dtmf_key = "1\0"})))
  eq(sim.requests(), 0, "nothing sent")
  c:close()
end)

test("a closed client refuses every contact-center call", function()
  sim.reset()
  local c = client()
  c:close()
  for name, call in pairs({
    makecall_init = function() return c:makecall_init(CUSTOMER, TENIOS_NUMBER) end,
    makecall_status = function() return c:makecall_status("1") end,
    callback_init = function() return c:callback_init(CALLBACK_CONFIG, CUSTOMER, 30) end,
    callback_status = function() return c:callback_status("1") end,
    agent_state_retrieve = function() return c:agent_state_retrieve(AGENT) end,
    agent_state_change = function() return c:agent_state_change(AGENT, "READY") end,
    wrap_up_extend = function() return c:wrap_up_extend(WRAP_UP_AGENT, END_TIME) end,
    wrap_up_cancel = function() return c:wrap_up_cancel(WRAP_UP_AGENT) end,
    call_json = function() return c:call_json("/cdrs/retrieve", "{}") end,
  }) do
    local ok, err = call()
    eq(ok, nil, name)
    eq(err.status, tenios.ERR_SHUTDOWN, name .. " status")
    eq(err.message, "client is closed", name .. " message")
  end
  local shut = client()
  shut:shutdown()
  fails(tenios.ERR_SHUTDOWN, nil, remember(shut:agent_state_retrieve(AGENT)))
  shut:close()
  eq(sim.requests(), 0, "a closed or shut-down client sends nothing")
  -- Collected with results alive: the strings are Lua's own copies.
  local live = client()
  local id = live:makecall_init(CUSTOMER, TENIOS_NUMBER)
  live = nil
  collectgarbage(); collectgarbage()
  eq(id, "1", "a result outlives its client")
end)

test("the key never leaks: errors, answers, log lines; the log names the path only", function()
  sim.reset()
  local lines = {}
  local c = client({log = function(_, line) lines[#lines + 1] = line end,
    log_level = tenios.LOG_DEBUG})
  -- A server that echoes the key in its error: redacted.
  answer(400, '{"error_code":"INVALID_VALUE","error_message":"bad key ' .. KEY
    .. '","fields":["' .. KEY .. '"]}')
  local err = fails(tenios.ERR_INVALID_VALUE, nil,
    remember(c:call_json("/cdrs/retrieve", '{"page":1}')))
  check(err.message:find("[REDACTED]", 1, true), "echoed key redacted: " .. err.message)
  answer(400, '{"error_code":"AGENT_NOT_FOUND","error_message":"' .. KEY .. '","fields":[]}')
  err = fails(tenios.ERR_AGENT_NOT_FOUND, nil, remember(c:wrap_up_cancel(AGENT)))
  check(err.message:find("[REDACTED]", 1, true), "echoed key redacted: " .. err.message)
  remember(c:callback_init("no-such-config", CUSTOMER, 30))
  remember(c:agent_state_retrieve(NOBODY))
  remember(c:wrap_up_extend(AGENT, END_TIME))
  remember(c:makecall_status("999"))
  remember(c:call_json("/cdrs/retrieve", '{"access_key":"' .. KEY .. '"}'))
  remember(c:call_json("/cdrs/retrieve", '{"filter":"body-marker-7f3a"}'))
  remember(tostring(c))
  local path_logged = false
  for _, line in ipairs(lines) do
    said[#said + 1] = line
    if line:find("POST /cdrs/retrieve", 1, true) then path_logged = true end
    check(not line:find("body-marker-7f3a", 1, true), "the body in a log line: " .. line)
  end
  check(path_logged, "a log line names the generic call's path")
  c:close()
  check(#said > 100, "enough output collected: " .. #said)
  for _, text in ipairs(said) do
    check(not text:find(KEY, 1, true), "the access key in: " .. text:gsub(KEY, "<KEY>"))
  end
  check(sim.get("/_sim/requests"):find(KEY, 1, true), "the simulator received the key")
end)

h.finish()
