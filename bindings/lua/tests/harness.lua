-- A minimal test harness for plain Lua 5.1-5.4 and LuaJIT: test(name, fn) runs fn in
-- protected mode; check/eq fail the test with a message; finish() prints
-- "N passed, N failed" and exits non-zero on a failure.
local harness = {passed = 0, failed = 0}

local function describe(value)
  if type(value) == "string" then return string.format("%q", value) end
  return tostring(value)
end

function harness.test(name, fn)
  local ok, err = pcall(fn)
  if ok then
    harness.passed = harness.passed + 1
    print("ok   " .. name)
  else
    harness.failed = harness.failed + 1
    print("FAIL " .. name .. ": " .. tostring(err))
  end
end

function harness.check(condition, message)
  if not condition then error(message or "check failed", 2) end
end

function harness.eq(got, want, what)
  if got ~= want then
    error(string.format("%s: got %s, want %s", what or "value", describe(got), describe(want)), 2)
  end
end

-- Calls fn and expects it to raise an error whose message contains `needle`.
function harness.raises(needle, fn, ...)
  local ok, err = pcall(fn, ...)
  if ok then error("no error raised (want one containing " .. describe(needle) .. ")", 2) end
  if not string.find(tostring(err), needle, 1, true) then
    error("raised " .. describe(tostring(err)) .. ", want one containing " .. describe(needle), 2)
  end
end

-- Expects `nil, err` from a call with err.status == status (and the message, when given).
function harness.fails(status, message, ok, err)
  if ok ~= nil then error("succeeded (" .. describe(ok) .. "), want status " .. status, 2) end
  if type(err) ~= "table" then error("no error table: " .. describe(err), 2) end
  if err.status ~= status then
    error(string.format("status %s (%s: %s), want %s", describe(err.status), describe(err.name),
      describe(err.message), describe(status)), 2)
  end
  if message ~= nil and err.message ~= message then
    error(string.format("message %s, want %s", describe(err.message), describe(message)), 2)
  end
  return err
end

function harness.finish()
  print(string.format("%d passed, %d failed", harness.passed, harness.failed))
  os.exit(harness.failed == 0 and 0 or 1)
end

return harness
