/* The webhook side, for Lua web handlers: tenios.webhook_request(body) parses a Call Control
 * request, tenios.blocks() builds the answer. Both are userdata freed by __gc (and __close on
 * Lua 5.4) or close(); a closed one answers `nil, err` (ERR_INVALID_ARGUMENT) or nil. */
#include <string.h>

#include "tenios_lua.h"

typedef struct tl_request {
    tenios_webhook_request *handle; /* NULL once closed */
} tl_request;

typedef struct tl_blocks {
    tenios_blocks *handle; /* NULL once closed */
} tl_blocks;

static int nul_failure(lua_State *L, const char *nul_arg) {
    return tl_push_invalid(L, lua_pushfstring(L, "%s contains a NUL byte", nul_arg));
}

/* ------------------------------------------------------------------ requests */

/* tenios.webhook_request(body) -> request | nil, err */
static int request_parse(lua_State *L) {
    size_t length;
    luaL_checktype(L, 1, LUA_TSTRING);
    const char *body = lua_tolstring(L, 1, &length);
    tl_request *request = (tl_request *)lua_newuserdata(L, sizeof *request);
    request->handle = NULL;
    luaL_getmetatable(L, TL_REQUEST_MT);
    lua_setmetatable(L, -2);
    tl_pending *pending = tl_pending_new(L);
    uint32_t status = tenios_webhook_request_parse((const uint8_t *)body, length,
                                                   &request->handle, &pending->err);
    if (status != TENIOS_OK) {
        int results = tl_push_failure(L, status, pending->err, NULL);
        tl_pending_release(pending);
        return results;
    }
    lua_pop(L, 1);
    return 1;
}

static const tenios_webhook_request *check_request(lua_State *L) {
    return ((tl_request *)luaL_checkudata(L, 1, TL_REQUEST_MT))->handle;
}

static int push_string_or_nil(lua_State *L, const char *value) {
    if (value == NULL) {
        lua_pushnil(L);
    } else {
        lua_pushstring(L, value);
    }
    return 1;
}

static int request_type(lua_State *L) {
    return push_string_or_nil(L, tenios_webhook_request_request_type(check_request(L)));
}

static int request_customer_number(lua_State *L) {
    return push_string_or_nil(L, tenios_webhook_request_customer_number(check_request(L)));
}

static int request_call_control_uuid(lua_State *L) {
    return push_string_or_nil(L, tenios_webhook_request_call_control_uuid(check_request(L)));
}

static int request_status(lua_State *L) {
    return push_string_or_nil(L, tenios_webhook_request_request_status(check_request(L)));
}

static int request_loop_count(lua_State *L) {
    const tenios_webhook_request *request = check_request(L);
    if (request == NULL) {
        lua_pushnil(L);
        return 1;
    }
    lua_pushinteger(L, (lua_Integer)tenios_webhook_request_loop_count(request));
    return 1;
}

/* request:variable(name) -> string | nil */
static int request_variable(lua_State *L) {
    const tenios_webhook_request *request = check_request(L);
    const char *nul_arg = NULL;
    const char *name = tl_check_string(L, 2, "name", &nul_arg);
    if (nul_arg != NULL) {
        lua_pushnil(L);
        return 1;
    }
    return push_string_or_nil(L, tenios_webhook_request_variable(request, name));
}

/* request:variables() -> {name = value, ...} (numbers and booleans as their JSON text) */
static int request_variables(lua_State *L) {
    const tenios_webhook_request *request = check_request(L);
    size_t count = tenios_webhook_request_variable_count(request);
    lua_createtable(L, 0, (int)count);
    for (size_t i = 0; i < count; i++) {
        lua_pushstring(L, tenios_webhook_request_variable_name(request, i));
        lua_pushstring(L, tenios_webhook_request_variable_value(request, i));
        lua_rawset(L, -3);
    }
    return 1;
}

/* request:validation_errors() -> {message, ...} */
static int request_validation_errors(lua_State *L) {
    const tenios_webhook_request *request = check_request(L);
    size_t count = tenios_webhook_request_validation_error_count(request);
    lua_createtable(L, (int)count, 0);
    for (size_t i = 0; i < count; i++) {
        lua_pushstring(L, tenios_webhook_request_validation_error(request, i));
        lua_rawseti(L, -2, (int)i + 1);
    }
    return 1;
}

/* request:access_key_matches(expected_key) -> boolean (constant time) */
static int request_access_key_matches(lua_State *L) {
    const tenios_webhook_request *request = check_request(L);
    const char *nul_arg = NULL;
    const char *key = tl_check_string(L, 2, "expected_key", &nul_arg);
    lua_pushboolean(L, nul_arg == NULL && tenios_webhook_request_access_key_matches(request, key));
    return 1;
}

static int request_close(lua_State *L) {
    tl_request *request = (tl_request *)luaL_checkudata(L, 1, TL_REQUEST_MT);
    tenios_webhook_request_free(request->handle);
    request->handle = NULL;
    return 0;
}

static int request_tostring(lua_State *L) {
    tl_request *request = (tl_request *)luaL_checkudata(L, 1, TL_REQUEST_MT);
    lua_pushfstring(L, "tenios.webhook_request (%s): %p", request->handle ? "open" : "closed",
                    (void *)request);
    return 1;
}

static const luaL_Reg request_methods[] = {
    {"request_type", request_type},
    {"customer_number", request_customer_number},
    {"call_control_uuid", request_call_control_uuid},
    {"loop_count", request_loop_count},
    {"request_status", request_status},
    {"variable", request_variable},
    {"variables", request_variables},
    {"validation_errors", request_validation_errors},
    {"access_key_matches", request_access_key_matches},
    {"close", request_close},
    {NULL, NULL}};

/* ------------------------------------------------------------------ blocks */

static int blocks_new(lua_State *L) {
    tl_blocks *blocks = (tl_blocks *)lua_newuserdata(L, sizeof *blocks);
    blocks->handle = NULL;
    luaL_getmetatable(L, TL_BLOCKS_MT);
    lua_setmetatable(L, -2);
    blocks->handle = tenios_blocks_new();
    if (blocks->handle == NULL) {
        return tl_push_failure(L, TENIOS_ERR_INTERNAL, NULL, "tenios_blocks_new failed");
    }
    return 1;
}

static tl_blocks *check_blocks(lua_State *L) {
    return (tl_blocks *)luaL_checkudata(L, 1, TL_BLOCKS_MT);
}

/* Every adder returns the blocks object (so calls chain) or `nil, err`. */
static int added(lua_State *L, uint32_t status, tl_pending *pending) {
    int results;
    if (status == TENIOS_OK) {
        lua_pushvalue(L, 1);
        results = 1;
    } else {
        results = tl_push_failure(L, status, pending->err, NULL);
    }
    tl_pending_release(pending);
    return results;
}

/* The common start of an adder: `nil, err` already pushed when it returns false. */
static bool ready(lua_State *L, tl_blocks *blocks, const char *nul_arg) {
    if (blocks->handle == NULL) {
        tl_push_invalid(L, "blocks is closed");
        return false;
    }
    if (nul_arg != NULL) {
        nul_failure(L, nul_arg);
        return false;
    }
    return true;
}

/* "SEQUENTIAL", "PARALLEL" or a tenios.BRIDGE_* number; 0 for an unknown name. */
static uint32_t check_mode(lua_State *L, int index) {
    if (lua_type(L, index) == LUA_TNUMBER) {
        return tl_check_uint32(L, index, "mode");
    }
    const char *nul_arg = NULL;
    const char *name = tl_check_string(L, index, "mode", &nul_arg);
    if (strcmp(name, "SEQUENTIAL") == 0) return TENIOS_BRIDGE_SEQUENTIAL;
    if (strcmp(name, "PARALLEL") == 0) return TENIOS_BRIDGE_PARALLEL;
    return 0;
}

/* blocks:bridge_begin(mode [, block_timeout_s]) (-1 or nil: none) */
static int blocks_bridge_begin(lua_State *L) {
    tl_blocks *blocks = check_blocks(L);
    uint32_t mode = check_mode(L, 2);
    int32_t timeout = lua_isnoneornil(L, 3) ? -1 : tl_check_int32(L, 3, "block_timeout_s");
    if (!ready(L, blocks, NULL)) return 2;
    tl_pending *pending = tl_pending_new(L);
    return added(L, tenios_blocks_bridge_begin(blocks->handle, mode, timeout, &pending->err),
                 pending);
}

/* blocks:bridge_add_destination(destination_type, destination [, timeout_s]) */
static int blocks_bridge_add_destination(lua_State *L) {
    tl_blocks *blocks = check_blocks(L);
    const char *nul_arg = NULL;
    uint32_t type = 0;
    if (lua_type(L, 2) == LUA_TNUMBER) {
        type = tl_check_uint32(L, 2, "destination_type");
    } else {
        const char *name = tl_check_string(L, 2, "destination_type", &nul_arg);
        for (uint32_t t = 1; t < 16; t++) {
            const char *known = tenios_destination_type_str(t);
            if (known != NULL && strcmp(known, name) == 0) type = t;
        }
    }
    const char *destination = tl_check_string(L, 3, "destination", &nul_arg);
    int32_t timeout = lua_isnoneornil(L, 4) ? -1 : tl_check_int32(L, 4, "timeout_s");
    if (!ready(L, blocks, nul_arg)) return 2;
    tl_pending *pending = tl_pending_new(L);
    return added(L,
                 tenios_blocks_bridge_add_destination(blocks->handle, type, destination, timeout,
                                                      &pending->err),
                 pending);
}

static int blocks_bridge_end(lua_State *L) {
    tl_blocks *blocks = check_blocks(L);
    if (!ready(L, blocks, NULL)) return 2;
    tl_pending *pending = tl_pending_new(L);
    return added(L, tenios_blocks_bridge_end(blocks->handle, &pending->err), pending);
}

/* blocks:add_announcement(name [, standard]) */
static int blocks_add_announcement(lua_State *L) {
    tl_blocks *blocks = check_blocks(L);
    const char *nul_arg = NULL;
    const char *name = tl_check_string(L, 2, "announcement_name", &nul_arg);
    bool standard = tl_opt_boolean(L, 3, false);
    if (!ready(L, blocks, nul_arg)) return 2;
    tl_pending *pending = tl_pending_new(L);
    return added(L,
                 tenios_blocks_add_announcement(blocks->handle, standard, name, &pending->err),
                 pending);
}

/* blocks:add_say(text, voice_name [, use_ssml]) */
static int blocks_add_say(lua_State *L) {
    tl_blocks *blocks = check_blocks(L);
    const char *nul_arg = NULL;
    const char *text = tl_check_string(L, 2, "text", &nul_arg);
    const char *voice = tl_check_string(L, 3, "voice_name", &nul_arg);
    bool ssml = tl_opt_boolean(L, 4, false);
    if (!ready(L, blocks, nul_arg)) return 2;
    tl_pending *pending = tl_pending_new(L);
    return added(L, tenios_blocks_add_say(blocks->handle, text, voice, ssml, &pending->err),
                 pending);
}

/* blocks:add_routing_plan(name) */
static int blocks_add_routing_plan(lua_State *L) {
    tl_blocks *blocks = check_blocks(L);
    const char *nul_arg = NULL;
    const char *name = tl_check_string(L, 2, "routing_plan_name", &nul_arg);
    if (!ready(L, blocks, nul_arg)) return 2;
    tl_pending *pending = tl_pending_new(L);
    return added(L, tenios_blocks_add_routing_plan(blocks->handle, name, &pending->err), pending);
}

static const char *const collect_digits_options[] = {
    "announcement", "standard_announcement", "error_announcement",
    "standard_error_announcement", "variable", "min_digits", "max_digits", "terminator",
    "max_tries", "timeout_s", NULL};

/* blocks:add_collect_digits{announcement=, standard_announcement=false, error_announcement=,
 * standard_error_announcement=false, variable=, min_digits=, max_digits=, terminator=,
 * max_tries=, timeout_s=} (every field without a default is required) */
static int blocks_add_collect_digits(lua_State *L) {
    tl_blocks *blocks = check_blocks(L);
    luaL_checktype(L, 2, LUA_TTABLE);
    tl_check_fields(L, 2, "add_collect_digits", collect_digits_options);
    const char *nul_arg = NULL;
    const char *announcement = tl_field_string(L, 2, "announcement", true, &nul_arg);
    bool standard = tl_field_boolean(L, 2, "standard_announcement", false);
    const char *error_announcement = tl_field_string(L, 2, "error_announcement", true, &nul_arg);
    bool standard_error = tl_field_boolean(L, 2, "standard_error_announcement", false);
    const char *variable = tl_field_string(L, 2, "variable", true, &nul_arg);
    uint32_t min_digits, max_digits, max_tries, timeout;
    tl_field_uint32(L, 2, "min_digits", true, &min_digits);
    tl_field_uint32(L, 2, "max_digits", true, &max_digits);
    const char *terminator = tl_field_string(L, 2, "terminator", true, &nul_arg);
    tl_field_uint32(L, 2, "max_tries", true, &max_tries);
    tl_field_uint32(L, 2, "timeout_s", true, &timeout);
    if (!ready(L, blocks, nul_arg)) return 2;
    tl_pending *pending = tl_pending_new(L);
    return added(L,
                 tenios_blocks_add_collect_digits(blocks->handle, announcement, standard,
                                                  error_announcement, standard_error, variable,
                                                  min_digits, max_digits, terminator, max_tries,
                                                  timeout, &pending->err),
                 pending);
}

static const char *const collect_speech_options[] = {
    "announcement", "standard_announcement", "missing_input_announcement",
    "standard_missing_input_announcement", "language", "variable", "max_tries", NULL};

/* blocks:add_collect_speech{announcement=, standard_announcement=false,
 * missing_input_announcement=, standard_missing_input_announcement=false, language=,
 * variable=, max_tries=} */
static int blocks_add_collect_speech(lua_State *L) {
    tl_blocks *blocks = check_blocks(L);
    luaL_checktype(L, 2, LUA_TTABLE);
    tl_check_fields(L, 2, "add_collect_speech", collect_speech_options);
    const char *nul_arg = NULL;
    const char *announcement = tl_field_string(L, 2, "announcement", true, &nul_arg);
    bool standard = tl_field_boolean(L, 2, "standard_announcement", false);
    const char *missing = tl_field_string(L, 2, "missing_input_announcement", true, &nul_arg);
    bool standard_missing = tl_field_boolean(L, 2, "standard_missing_input_announcement", false);
    const char *language = tl_field_string(L, 2, "language", true, &nul_arg);
    const char *variable = tl_field_string(L, 2, "variable", true, &nul_arg);
    uint32_t max_tries;
    tl_field_uint32(L, 2, "max_tries", true, &max_tries);
    if (!ready(L, blocks, nul_arg)) return 2;
    tl_pending *pending = tl_pending_new(L);
    return added(L,
                 tenios_blocks_add_collect_speech(blocks->handle, announcement, standard, missing,
                                                  standard_missing, language, variable, max_tries,
                                                  &pending->err),
                 pending);
}

/* blocks:add_hangup(cause) */
static int blocks_add_hangup(lua_State *L) {
    tl_blocks *blocks = check_blocks(L);
    const char *nul_arg = NULL;
    const char *cause = tl_check_string(L, 2, "hangup_cause", &nul_arg);
    if (!ready(L, blocks, nul_arg)) return 2;
    tl_pending *pending = tl_pending_new(L);
    return added(L, tenios_blocks_add_hangup(blocks->handle, cause, &pending->err), pending);
}

/* blocks:add_call_settings(forward_ani) */
static int blocks_add_call_settings(lua_State *L) {
    tl_blocks *blocks = check_blocks(L);
    const char *nul_arg = NULL;
    const char *ani = tl_check_string(L, 2, "forward_ani", &nul_arg);
    if (!ready(L, blocks, nul_arg)) return 2;
    tl_pending *pending = tl_pending_new(L);
    return added(L, tenios_blocks_add_call_settings(blocks->handle, ani, &pending->err), pending);
}

/* blocks:add_refer([destination]) */
static int blocks_add_refer(lua_State *L) {
    tl_blocks *blocks = check_blocks(L);
    const char *nul_arg = NULL;
    const char *destination = tl_opt_string(L, 2, "destination", &nul_arg);
    if (!ready(L, blocks, nul_arg)) return 2;
    tl_pending *pending = tl_pending_new(L);
    return added(L, tenios_blocks_add_refer(blocks->handle, destination, &pending->err), pending);
}

static int blocks_count(lua_State *L) {
    lua_pushinteger(L, (lua_Integer)tenios_blocks_count(check_blocks(L)->handle));
    return 1;
}

/* blocks:to_json() -> string | nil, err */
static int blocks_to_json(lua_State *L) {
    tl_blocks *blocks = check_blocks(L);
    if (!ready(L, blocks, NULL)) return 2;
    tl_pending *pending = tl_pending_new(L);
    uint32_t status = tenios_blocks_to_json(blocks->handle, &pending->string, &pending->err);
    int results;
    if (status == TENIOS_OK) {
        lua_pushstring(L, pending->string);
        results = 1;
    } else {
        results = tl_push_failure(L, status, pending->err, NULL);
    }
    tl_pending_release(pending);
    return results;
}

/* blocks:warnings() -> {message, ...} */
static int blocks_warnings(lua_State *L) {
    const tenios_blocks *handle = check_blocks(L)->handle;
    size_t count = tenios_blocks_warning_count(handle);
    lua_createtable(L, (int)count, 0);
    for (size_t i = 0; i < count; i++) {
        lua_pushstring(L, tenios_blocks_warning(handle, i));
        lua_rawseti(L, -2, (int)i + 1);
    }
    return 1;
}

static int blocks_close(lua_State *L) {
    tl_blocks *blocks = check_blocks(L);
    tenios_blocks_free(blocks->handle);
    blocks->handle = NULL;
    return 0;
}

static int blocks_tostring(lua_State *L) {
    tl_blocks *blocks = check_blocks(L);
    lua_pushfstring(L, "tenios.blocks (%s): %p", blocks->handle ? "open" : "closed",
                    (void *)blocks);
    return 1;
}

static const luaL_Reg blocks_methods[] = {
    {"bridge_begin", blocks_bridge_begin},
    {"bridge_add_destination", blocks_bridge_add_destination},
    {"bridge_end", blocks_bridge_end},
    {"add_announcement", blocks_add_announcement},
    {"add_say", blocks_add_say},
    {"add_routing_plan", blocks_add_routing_plan},
    {"add_collect_digits", blocks_add_collect_digits},
    {"add_collect_speech", blocks_add_collect_speech},
    {"add_hangup", blocks_add_hangup},
    {"add_call_settings", blocks_add_call_settings},
    {"add_refer", blocks_add_refer},
    {"count", blocks_count},
    {"to_json", blocks_to_json},
    {"warnings", blocks_warnings},
    {"close", blocks_close},
    {NULL, NULL}};

static int empty_answer(lua_State *L) {
    lua_pushstring(L, tenios_blocks_empty_answer());
    return 1;
}

static void register_type(lua_State *L, const char *name, const luaL_Reg *methods,
                          lua_CFunction close, lua_CFunction tostring) {
    luaL_newmetatable(L, name);
    lua_newtable(L);
    tl_setfuncs(L, methods);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, close);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, close);
    lua_setfield(L, -2, "__close");
    lua_pushcfunction(L, tostring);
    lua_setfield(L, -2, "__tostring");
    lua_pushstring(L, name);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 1);
}

void tl_open_webhook(lua_State *L) {
    register_type(L, TL_REQUEST_MT, request_methods, request_close, request_tostring);
    register_type(L, TL_BLOCKS_MT, blocks_methods, blocks_close, blocks_tostring);
    static const luaL_Reg functions[] = {{"webhook_request", request_parse},
                                         {"blocks", blocks_new},
                                         {"empty_answer", empty_answer},
                                         {NULL, NULL}};
    tl_setfuncs(L, functions);
    lua_pushinteger(L, TENIOS_BRIDGE_SEQUENTIAL);
    lua_setfield(L, -2, "BRIDGE_SEQUENTIAL");
    lua_pushinteger(L, TENIOS_BRIDGE_PARALLEL);
    lua_setfield(L, -2, "BRIDGE_PARALLEL");
}
