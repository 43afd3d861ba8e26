-- The tenios Lua module against tenios-sim: every function, every status a test can provoke,
-- garbage collection and closing of live handles, and the keys never leaking.
-- Run by run.sh under each Lua (environment: TENIOS_API_URL, TENIOS_TEST_* below).
local h = require("harness")
local sim = require("sim")
local tenios = require("tenios")
local test, eq, check, fails, raises = h.test, h.eq, h.check, h.fails, h.raises

local URL = sim.url
local KEY = assert(os.getenv("TENIOS_TEST_KEY"))
local SUPERVISOR_KEY = assert(os.getenv("TENIOS_TEST_SUPERVISOR_KEY"))
local CALL = assert(os.getenv("TENIOS_TEST_CALL"))
local STUCK = assert(os.getenv("TENIOS_TEST_STUCK"))
local CONNECTED = assert(os.getenv("TENIOS_TEST_CONNECTED"))
local BLACKLISTED = assert(os.getenv("TENIOS_TEST_BLACKLISTED"))
local CLOSED_URL = assert(os.getenv("TENIOS_TEST_CLOSED_URL"))
local UNKNOWN = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
-- libtenios's message for the unknown call: the API's text, then what to do about it.
local NOT_FOUND = "CALL_UUID_NOT_FOUND: The call wasn't found (fields: call_uuid); no live call "
  .. "has the uuid " .. UNKNOWN .. ": the call may have ended (the caller hung up or it was "
  .. "transferred away), or the uuid is wrong"

-- Everything the module said, to search for the keys at the end.
local said = {}
local function remember(...)
  for i = 1, select("#", ...) do
    local value = select(i, ...)
    said[#said + 1] = tostring(value)
    if type(value) == "table" then
      for k, v in pairs(value) do said[#said + 1] = tostring(k) .. "=" .. tostring(v) end
    end
  end
  return ...
end

local function client(options)
  local options_with_url = {base_url = URL}
  for k, v in pairs(options or {}) do options_with_url[k] = v end
  return assert(remember(tenios.client(KEY, options_with_url)))
end

test("module: version, statuses, constants", function()
  eq(tenios.version(), tenios.VERSION, "version()")
  check(tenios.VERSION:match("^%d+%.%d+%.%d+$"), "VERSION " .. tenios.VERSION)
  eq(tenios.OK, 0, "OK"); eq(tenios.ERR_INVALID_ARGUMENT, 1, "ERR_INVALID_ARGUMENT")
  eq(tenios.ERR_CALL_UUID_NOT_FOUND, 5, "ERR_CALL_UUID_NOT_FOUND")
  eq(tenios.ERR_TIMEOUT, 9, "ERR_TIMEOUT"); eq(tenios.ERR_SHUTDOWN, 13, "ERR_SHUTDOWN")
  eq(tenios.ERR_SUPERVISOR_DESTINATION_BLACKLISTED, 14, "ERR_SUPERVISOR_DESTINATION_BLACKLISTED")
  eq(tenios.status_name(7), "TENIOS_ERR_API", "status_name(7)")
  eq(tenios.status_name(1000), "TENIOS_UNKNOWN", "status_name(1000)")
  eq(tenios.status_name(-1), "TENIOS_UNKNOWN", "status_name(-1)")
  eq(tenios.DESTINATION_SIP_TRUNK, 3, "DESTINATION_SIP_TRUNK")
  eq(tenios.LOG_DEBUG, 4, "LOG_DEBUG"); eq(tenios.BRIDGE_PARALLEL, 2, "BRIDGE_PARALLEL")
  for name, value in pairs(tenios) do
    check(type(value) ~= "table", "the module keeps no table of its own: " .. name)
  end
end)

test("default client: interrupt_block and its errors", function()
  sim.reset()
  eq(tenios.interrupt_block(KEY, CALL), true, "interrupt_block")
  eq(sim.number(sim.get("/_sim/calls/" .. CALL), "interrupts"), 1, "interrupts")
  local err = fails(tenios.ERR_CALL_UUID_NOT_FOUND,
    NOT_FOUND,
    remember(tenios.interrupt_block(KEY, UNKNOWN)))
  eq(err.name, "TENIOS_ERR_CALL_UUID_NOT_FOUND", "name")
  eq(err.http_status, 0, "http_status (the default client gives only a message)")
  eq(#err.fields, 0, "fields")
  eq(tostring(err), err.message, "tostring")
  fails(tenios.ERR_INVALID_ARGUMENT, "call_uuid is empty", remember(tenios.interrupt_block(KEY, "")))
  fails(tenios.ERR_INVALID_ARGUMENT, "call_uuid contains a NUL byte",
    remember(tenios.interrupt_block(KEY, CALL .. "\0x")))
  fails(tenios.ERR_BAD_CREDENTIALS, nil, remember(tenios.interrupt_block("wrong-key", CALL)))
  raises("access_key must be a string", tenios.interrupt_block, nil, CALL)
  raises("call_uuid must be a string", tenios.interrupt_block, KEY, 42)
  eq(tenios.global_init(), true, "global_init")
  tenios.global_cleanup()
  fails(tenios.ERR_SHUTDOWN, nil, remember(tenios.interrupt_block(KEY, CALL)))
  eq(tenios.global_init(), true, "global_init after cleanup")
  eq(tenios.interrupt_block(KEY, CALL), true, "interrupt_block after global_init")
end)

test("client: options are checked by the library; misuse raises", function()
  fails(tenios.ERR_INVALID_ARGUMENT, "timeout must be 1 to 600000 ms, not 0",
    remember(tenios.client(KEY, {base_url = URL, timeout_ms = 0})))
  local err = fails(tenios.ERR_INVALID_ARGUMENT, nil,
    remember(tenios.client(KEY, {base_url = "http://192.0.2.1:80"})))
  check(err.message:find("loopback"), err.message)
  fails(tenios.ERR_INVALID_ARGUMENT, nil, remember(tenios.client(KEY, {ca_file = "/nonexistent.pem"})))
  fails(tenios.ERR_INVALID_ARGUMENT, nil, remember(tenios.client(KEY, {proxy = "not a url"})))
  fails(tenios.ERR_INVALID_ARGUMENT, nil, remember(tenios.client("", {base_url = URL})))
  fails(tenios.ERR_INVALID_ARGUMENT, "base_url contains a NUL byte",
    remember(tenios.client(KEY, {base_url = URL .. "\0"})))
  raises("unknown option timeout", tenios.client, KEY, {timeout = 5})
  raises("option timeout_ms must be a whole number", tenios.client, KEY, {timeout_ms = 1.5})
  raises("option timeout_ms must be a whole number", tenios.client, KEY, {timeout_ms = "5"})
  raises("option system_trust_store must be a boolean", tenios.client, KEY, {system_trust_store = 1})
  raises("option log must be a function", tenios.client, KEY, {log = "print"})
  raises("access_key must be a string", tenios.client, nil)
  raises("table expected", tenios.client, KEY, "options")
  -- Every option accepted together.
  local c = client({connect_timeout_ms = 2000, timeout_ms = 3000, idle_timeout_ms = 1000,
    system_trust_store = false, proxy_from_env = false, user_agent = "lua-test/1.0",
    log = function() end, log_level = tenios.LOG_DEBUG})
  sim.reset()
  eq(c:interrupt_block(CALL), true, "interrupt with every option")
  check(sim.get("/_sim/requests"):find("libtenios/" .. tenios.VERSION .. " lua-test/1.0", 1, true),
    "user agent product sent")
  c:close()
end)

test("client: every live-call method and its request", function()
  sim.reset()
  local c = client()
  eq(c:interrupt_block(CALL), true, "interrupt_block")
  eq(c:transfer_call(CONNECTED, "SIP_USER", "agent-7"), true, "transfer_call by name")
  eq(c:transfer_call(CONNECTED, tenios.DESTINATION_EXTERNALNUMBER, "+492215540030"), true,
    "transfer_call by number")
  local calls = sim.get("/_sim/calls/" .. CONNECTED)
  check(calls:find('"destination_type":"SIP_USER","destination":"agent-7"', 1, true), calls)
  check(calls:find('"destination":"+492215540030"', 1, true), calls)
  eq(c:refer_call(CALL, "sip:4044@192.0.2.10:5060"), true, "refer_call")
  sim.reset()
  local recording = c:record_start(CALL, true, false)
  check(type(recording) == "string" and recording:match("^%x+%-%x+%-%x+%-%x+%-%x+$"),
    "recording uuid " .. tostring(recording))
  calls = sim.get("/_sim/calls/" .. CALL)
  check(calls:find('"record_caller":true,"record_callee":false,"running":true', 1, true), calls)
  eq(c:record_stop(CALL, recording), true, "record_stop")
  check(sim.get("/_sim/calls/" .. CALL):find('"running":false', 1, true), "recording stopped")
  local defaults = assert(c:record_start(CALL))
  check(sim.get("/_sim/calls/" .. CALL):find('"recording_uuid":"' .. defaults
    .. '","record_caller":true,"record_callee":true', 1, true), "record_start defaults")
  eq(c:listen_in_start(CONNECTED, SUPERVISOR_KEY, "+4922155400300", true), true, "listen_in_start")
  calls = sim.get("/_sim/calls/" .. CONNECTED)
  check(calls:find('"supervisor_destination":"+4922155400300","whisper_to_agent":true', 1, true), calls)
  eq(c:listen_in_start(CONNECTED, SUPERVISOR_KEY, "+4922155400301"), true, "listen_in_start, no whisper")
  check(sim.get("/_sim/calls/" .. CONNECTED):find('"+4922155400301","whisper_to_agent":false', 1, true),
    "whisper defaults to false")
  eq(c:preconnect(), true, "preconnect")
  local timings = c:last_timings()
  check(type(timings) == "table" and timings.total_us > 0, "last_timings after preconnect")
  eq(c:interrupt_block(CALL), true, "interrupt after preconnect")
  eq(c:last_timings().connection_reused, true, "pre-connected connection used")
  -- Arguments of the wrong type raise before anything is sent.
  local before = sim.requests()
  raises("call_uuid must be a string", c.interrupt_block, c, nil)
  raises("destination must be a string", c.transfer_call, c, CALL, "SIP_USER", 5)
  raises("destination_type must be", c.transfer_call, c, CALL, true, "x")
  raises("boolean expected", c.record_start, c, CALL, "yes")
  raises("supervisor_key must be a string", c.listen_in_start, c, CALL, nil, "+49")
  raises("tenios.client expected", c.interrupt_block, {}, CALL)
  fails(tenios.ERR_INVALID_ARGUMENT, "destination_type must be EXTERNALNUMBER, SIP_USER or SIP_TRUNK",
    remember(c:transfer_call(CALL, "PHONE", "x")))
  eq(sim.requests(), before, "nothing sent for misuse")
  c:close()
end)

test("client: each status an API or transport failure gives", function()
  sim.reset()
  local c = client({timeout_ms = 400})
  local err = fails(tenios.ERR_CALL_UUID_NOT_FOUND,
    NOT_FOUND, remember(c:interrupt_block(UNKNOWN)))
  eq(err.api_code, "CALL_UUID_NOT_FOUND", "api_code"); eq(err.http_status, 400, "http_status")
  eq(err.fields[1], "call_uuid", "fields[1]"); eq(#err.fields, 1, "#fields")
  eq(getmetatable(err).__tostring(err), err.message, "__tostring")
  check(type(err.timings) == "table" and err.timings.total_us > 0, "err.timings")
  err = fails(tenios.ERR_API, nil, remember(c:interrupt_block(STUCK)))
  eq(err.api_code, "BLOCK_NOT_INTERRUPTIBLE", "stuck call's api_code")
  err = fails(tenios.ERR_INVALID_FIELD, nil, remember(c:interrupt_block("not-a-uuid")))
  eq(err.api_code, "INVALID_FIELD", "api_code")
  err = fails(tenios.ERR_API, nil, remember(c:transfer_call(CALL, "SIP_USER", "a")))
  eq(err.api_code, "CALL_NOT_CONNECTED", "transfer of a call in a block")
  fails(tenios.ERR_SUPERVISOR_DESTINATION_BLACKLISTED, nil,
    remember(c:listen_in_start(CALL, SUPERVISOR_KEY, BLACKLISTED)))
  fails(tenios.ERR_BAD_CREDENTIALS, nil, remember(c:listen_in_start(CALL, "wrong-supervisor", "+49221")))
  fails(tenios.ERR_INVALID_ARGUMENT, "call_uuid is empty", remember(c:interrupt_block("")))
  sim.fault('{"status": 400, "body": "{\\"success\\":false,\\"error_code\\":\\"INVALID_VALUE\\",'
    .. '\\"error_message\\":\\"Invalid parameter type or format\\",\\"fields\\":[\\"x\\"]}"}')
  fails(tenios.ERR_INVALID_VALUE, nil, remember(c:interrupt_block(CALL)))
  sim.fault('{"status": 400, "body": "{\\"error_code\\":\\"INVALID_JSON\\",\\"error_message\\":'
    .. '\\"An invalid JSON object was provided in the request body.\\",\\"fields\\":[]}"}')
  fails(tenios.ERR_INVALID_JSON, nil, remember(c:interrupt_block(CALL)))
  sim.fault('{"status": 503, "body": "busy"}')
  err = fails(tenios.ERR_HTTP, nil, remember(c:interrupt_block(CALL)))
  eq(err.http_status, 503, "http_status of an HTTP error"); eq(err.api_code, nil, "no api_code")
  sim.fault('{"status": 200, "body": "not json"}')
  fails(tenios.ERR_PROTOCOL, nil, remember(c:interrupt_block(CALL)))
  sim.fault('{"delay_ms": 1500, "status": 200, "body": "{\\"success\\":true}"}')
  err = fails(tenios.ERR_TIMEOUT, nil, remember(c:interrupt_block(CALL)))
  eq(err.http_status, 0, "no response on a timeout")
  local wrong = assert(tenios.client("wrong-key", {base_url = URL}))
  fails(tenios.ERR_BAD_CREDENTIALS, nil, remember(wrong:interrupt_block(CALL)))
  local unreachable = assert(tenios.client(KEY, {base_url = CLOSED_URL}))
  fails(tenios.ERR_NETWORK, nil, remember(unreachable:interrupt_block(CALL)))
  fails(tenios.ERR_NETWORK, nil, remember(unreachable:preconnect()))
  c:shutdown()
  fails(tenios.ERR_SHUTDOWN, nil, remember(c:interrupt_block(CALL)))
  eq(c:closed(), false, "shut down is not closed")
  c:close(); wrong:close(); unreachable:close()
end)

test("log function: lines on the calling thread before the call returns", function()
  sim.reset()
  local lines = {}
  local c = client({log = function(level, line) lines[#lines + 1] = {level, line} end,
    log_level = tenios.LOG_DEBUG})
  eq(c:interrupt_block(CALL), true, "interrupt")
  check(#lines > 0, "lines arrived before interrupt_block returned")
  local info = 0
  for _, entry in ipairs(lines) do
    check(entry[1] >= tenios.LOG_ERROR and entry[1] <= tenios.LOG_DEBUG, "level " .. entry[1])
    if entry[1] == tenios.LOG_INFO then info = info + 1 end
    remember(entry[2])
  end
  check(info > 0, "INFO lines")
  lines = {}
  c:interrupt_block(UNKNOWN)
  local error_line
  for _, entry in ipairs(lines) do if entry[1] == tenios.LOG_ERROR then error_line = entry[2] end end
  check(error_line and error_line:find("CALL_UUID_NOT_FOUND", 1, true), "an ERROR line for the failure")
  c:close()
  -- max level: ERROR only
  local levels = {}
  c = client({log = function(level) levels[level] = true end, log_level = tenios.LOG_ERROR})
  c:interrupt_block(CALL); c:interrupt_block(UNKNOWN)
  check(levels[tenios.LOG_ERROR] and not levels[tenios.LOG_INFO], "only ERROR lines at LOG_ERROR")
  c:close()
end)

test("log function: errors are contained, nested calls and close inside work", function()
  sim.reset()
  local c
  c = client({log = function() error("log function failed") end})
  eq(c:interrupt_block(CALL), true, "a failing log function does not fail the call")
  c:close()
  local nested, depth = 0, 0
  c = client({log = function(level, line)
    if depth == 0 and level == tenios.LOG_INFO and line:find("HTTP 200", 1, true) then
      depth = 1
      if c:interrupt_block(CALL) == true then nested = nested + 1 end
      depth = 0
    end
  end})
  eq(c:interrupt_block(CALL), true, "outer call")
  check(nested >= 1, "a call from inside the log function succeeded")
  c:close()
  local closed_inside = false
  c = client({log = function() if not closed_inside then closed_inside = true; c:close() end end})
  eq(c:interrupt_block(CALL), true, "the call that logged still returns its result")
  eq(c:closed(), true, "closed from inside the log function")
  fails(tenios.ERR_SHUTDOWN, "client is closed", c:interrupt_block(CALL))
  -- From a coroutine: lines go to the coroutine that made the call (and, from the main
  -- thread afterwards, to the main thread).
  local got, running = 0, {}
  c = client({log = function()
    got = got + 1
    running[#running + 1] = coroutine.running() or "main"
  end})
  local co = coroutine.create(function() return c:interrupt_block(CALL) end)
  local ok, result = coroutine.resume(co)
  check(ok and result == true and got > 0, "call and log lines in a coroutine")
  for _, where in ipairs(running) do eq(where, co, "the coroutine the line was delivered in") end
  running = {}
  eq(c:interrupt_block(CALL), true, "the same client from the main thread")
  local main = coroutine.running() or "main"
  check(#running > 0, "lines from the main thread's call")
  for _, where in ipairs(running) do eq(where, main, "the main thread") end
  -- A log function that tries to yield cannot: contained like any error.
  co = coroutine.create(function() return c:interrupt_block(CALL) end)
  c:close()
  c = client({log = function() coroutine.yield() end})
  co = coroutine.wrap(function() return c:interrupt_block(CALL) end)
  eq(co(), true, "yield inside the log function is contained")
  c:close()
end)

test("handles: closed then used, closed twice, collected while live", function()
  sim.reset()
  local c = client()
  c:close(); c:close()
  eq(c:closed(), true, "closed")
  check(tostring(c):find("^tenios.client %(closed%)"), tostring(c))
  for _, call in ipairs({
    function() return c:interrupt_block(CALL) end,
    function() return c:transfer_call(CALL, "SIP_USER", "a") end,
    function() return c:refer_call(CALL, "sip:a@b") end,
    function() return c:record_start(CALL) end,
    function() return c:record_stop(CALL, CALL) end,
    function() return c:listen_in_start(CALL, SUPERVISOR_KEY, "+49221") end,
    function() return c:preconnect() end,
  }) do
    fails(tenios.ERR_SHUTDOWN, "client is closed", call())
  end
  c:shutdown()
  eq(sim.requests(), 0, "a closed client sends nothing")
  -- Live clients (with log functions, with pooled connections) dropped and collected.
  for i = 1, 50 do
    local live = client({log = function() end})
    live:interrupt_block(CALL)
    if i % 2 == 0 then live:shutdown() end
  end
  collectgarbage(); collectgarbage()
  local request = assert(tenios.webhook_request(
    '{"requestType":"EXTERNAL_CALL_CONTROL","customerNumber":1,"accessKey":"k","loopCount":0,'
    .. '"requestStatus":"REQUESTING_BLOCKS"}'))
  local blocks = tenios.blocks()
  blocks:add_hangup("CALL_REJECTED")
  request, blocks = nil, nil
  collectgarbage(); collectgarbage()
  eq(client():interrupt_block(CALL), true, "a new client after the collection")
  eq(getmetatable(client()), "tenios.client", "metatable is protected")
end)

if _VERSION == "Lua 5.4" then
  test("handles: <close> variables (Lua 5.4)", function()
    local chunk = assert(load([[
      local tenios, key, url, call = ...
      local kept
      do
        local c <close> = assert(tenios.client(key, {base_url = url}))
        kept = c
        assert(c:interrupt_block(call))
      end
      return kept
    ]]))
    local kept = chunk(tenios, KEY, URL, CALL)
    eq(kept:closed(), true, "closed at the end of its scope")
  end)
end

local REQUEST_0 = '{"requestType":"EXTERNAL_CALL_CONTROL","customerNumber":200002,'
  .. '"accessKey":"webhook-secret-key","variables":{"call_uuid":"c0b93a5e-4ce0-4adb-940e-5079f2abbcb4",'
  .. '"destination_number":"+4922155400","digits":42},"callControlUuid":'
  .. '"5f0b2a7c-8d9e-4f10-a1b2-c3d4e5f60718","loopCount":0,"requestStatus":"REQUESTING_BLOCKS",'
  .. '"blocksProcessingResult":null}'
local VALIDATION_ERRORS = '{"requestType":"EXTERNAL_CALL_CONTROL","customerNumber":200002,'
  .. '"accessKey":"webhook-secret-key","variables":{},"loopCount":2,"requestStatus":'
  .. '"VALIDATION_ERRORS","blocksProcessingResult":{"validationErrors":'
  .. '["Low level (JSON) error on line 1, column 25","second"]}}'

test("webhook: parse a request", function()
  local r = assert(tenios.webhook_request(REQUEST_0))
  eq(r:request_type(), "EXTERNAL_CALL_CONTROL", "request_type")
  eq(r:customer_number(), "200002", "customer_number")
  eq(r:call_control_uuid(), "5f0b2a7c-8d9e-4f10-a1b2-c3d4e5f60718", "call_control_uuid")
  eq(r:loop_count(), 0, "loop_count")
  eq(r:request_status(), "REQUESTING_BLOCKS", "request_status")
  eq(r:variable("call_uuid"), "c0b93a5e-4ce0-4adb-940e-5079f2abbcb4", "variable")
  eq(r:variable("digits"), "42", "a number variable as its JSON text")
  eq(r:variable("missing"), nil, "missing variable")
  local vars = r:variables()
  eq(vars.destination_number, "+4922155400", "variables()")
  eq(#r:validation_errors(), 0, "no validation errors")
  eq(r:access_key_matches("webhook-secret-key"), true, "key matches")
  eq(r:access_key_matches("webhook-secret-kez"), false, "key differs")
  eq(r:access_key_matches("webhook-secret-key\0"), false, "key with a NUL")
  check(not tostring(r):find("secret", 1, true), "tostring hides the key")
  raises("expected_key must be a string", r.access_key_matches, r, nil)
  r:close(); r:close()
  eq(r:request_type(), nil, "closed request answers nil")
  eq(r:access_key_matches("webhook-secret-key"), false, "closed request matches nothing")
  local v = assert(tenios.webhook_request(VALIDATION_ERRORS))
  local errors = v:validation_errors()
  eq(errors[1], "Low level (JSON) error on line 1, column 25", "validation error 1")
  eq(errors[2], "second", "validation error 2"); eq(v:call_control_uuid(), nil, "no callControlUuid")
  local err = fails(tenios.ERR_INVALID_ARGUMENT, nil, remember(tenios.webhook_request("{}")))
  check(err.message ~= "", "a message")
  err = fails(tenios.ERR_INVALID_ARGUMENT, nil, remember(tenios.webhook_request(
    '{"requestType":"X","customerNumber":1,"accessKey":"webhook-secret-key","loopCount":-1}')))
  check(not err.message:find("webhook-secret-key", 1, true), "key not in the parse error")
  raises("string expected", tenios.webhook_request, nil)
end)

test("webhook: build blocks", function()
  eq(tenios.empty_answer(), '{"blocks":[]}', "empty_answer")
  local b = tenios.blocks()
  eq(b:to_json(), '{"blocks":[]}', "no blocks")
  eq(b:bridge_begin("SEQUENTIAL"), b, "bridge_begin returns the blocks")
  assert(b:bridge_add_destination("SIP_USER", "1001", 25))
  assert(b:bridge_add_destination(tenios.DESTINATION_EXTERNALNUMBER, "+4978787878", 30))
  assert(b:bridge_end())
  eq(b:to_json(), '{"blocks":[{"blockType":"BRIDGE","bridgeMode":"SEQUENTIAL","destinations":['
    .. '{"destinationType":"SIP_USER","destination":"1001","timeout":25},'
    .. '{"destinationType":"EXTERNALNUMBER","destination":"+4978787878","timeout":30}]}]}',
    "the documented SEQUENTIAL example")
  b:close()
  b = tenios.blocks()
  assert(b:bridge_begin(tenios.BRIDGE_PARALLEL, 50):bridge_add_destination("SIP_USER", "1001")
    :bridge_add_destination("EXTERNALNUMBER", "+4978787878"):bridge_end())
  eq(b:to_json(), '{"blocks":[{"blockType":"BRIDGE","bridgeMode":"PARALLEL","blockTimeout":50,'
    .. '"destinations":[{"destinationType":"SIP_USER","destination":"1001"},'
    .. '{"destinationType":"EXTERNALNUMBER","destination":"+4978787878"}]}]}', "PARALLEL")
  b = tenios.blocks()
  assert(b:add_announcement("MySpecialAnnouncement"))
  assert(b:add_say("hi", "de.female.2", false))
  assert(b:add_routing_plan("plan-1"))
  assert(b:add_collect_digits{announcement = "enter", error_announcement = "wrong",
    variable = "pin", min_digits = 1, max_digits = 4, terminator = "#", max_tries = 3, timeout_s = 10})
  assert(b:add_collect_speech{announcement = "speak", missing_input_announcement = "again",
    language = "de-DE", variable = "said", max_tries = 2})
  assert(b:add_call_settings("+4922155400"))
  assert(b:add_hangup("CALL_REJECTED"))
  eq(b:count(), 7, "count")
  local json = assert(b:to_json())
  check(json:find('^{"blocks":%[{"blockType":"ANNOUNCEMENT","standardAnnouncement":false,'
    .. '"announcementName":"MySpecialAnnouncement"}'), json)
  check(json:find('"blockType":"COLLECT_DIGITS","announcementName":"enter","standardAnnouncement":false,'
    .. '"errorAnnouncementName":"wrong","standardErrorAnnouncement":false,"variableName":"pin",'
    .. '"minDigits":1,"maxDigits":4,"terminator":"#","maxTries":3,"timeout":10}', 1, true), json)
  check(json:find('{"blockType":"HANGUP","hangupCause":"CALL_REJECTED"}]}', 1, true), json)
  eq(#b:warnings(), 0, "no warnings")
  assert(b:add_refer())
  check(#b:warnings() >= 1, "REFER always warns")
  -- Errors: nil, err; misuse raises.
  fails(tenios.ERR_INVALID_ARGUMENT, nil, b:add_hangup(""))
  fails(tenios.ERR_INVALID_ARGUMENT, nil, b:bridge_end())
  fails(tenios.ERR_INVALID_ARGUMENT, nil, b:bridge_begin("SIDEWAYS"))
  raises("option max_tries is required", b.add_collect_speech, b, {announcement = "a",
    missing_input_announcement = "b", language = "de-DE", variable = "v"})
  raises("unknown option timeout", b.add_collect_digits, b, {timeout = 1})
  raises("text must be a string", b.add_say, b, nil, "de.female.2")
  b:close()
  fails(tenios.ERR_INVALID_ARGUMENT, "blocks is closed", b:add_hangup("CALL_REJECTED"))
  fails(tenios.ERR_INVALID_ARGUMENT, "blocks is closed", b:to_json())
  eq(b:count(), 0, "closed blocks count 0")
end)

test("keys never leak: errors, log lines, tostring", function()
  local lines = {}
  local c = client({log = function(_, line) lines[#lines + 1] = line end, log_level = tenios.LOG_DEBUG})
  remember(c:interrupt_block(UNKNOWN), c:listen_in_start(CALL, SUPERVISOR_KEY, BLACKLISTED),
    c:listen_in_start(CALL, SUPERVISOR_KEY .. "x", "+49221"), tostring(c))
  for _, line in ipairs(lines) do said[#said + 1] = line end
  c:close()
  remember(tostring(c))
  check(#said > 50, "enough output collected: " .. #said)
  for _, text in ipairs(said) do
    check(not text:find(KEY, 1, true), "the access key in: " .. text:gsub(KEY, "<KEY>"))
    check(not text:find(SUPERVISOR_KEY, 1, true), "the supervisor key in: " .. text)
  end
  -- The key was really used: the simulator saw it.
  check(sim.get("/_sim/requests"):find(KEY, 1, true), "the simulator received the key")
end)

h.finish()
