/* Lua values for failures: `nil, err`, where err is a table with the metatable
 * "tenios.error" (status, name, message, api_code, http_status, fields, timings; tostring
 * gives the message). The access key never reaches one: libtenios keeps it out of its
 * messages, and the module's own messages name arguments, never their values. */
#include <stdlib.h>
#include <string.h>

#include "tenios_lua.h"

static int pending_gc(lua_State *L) {
    tl_pending_release((tl_pending *)lua_touserdata(L, 1));
    return 0;
}

tl_pending *tl_pending_new(lua_State *L) {
    tl_pending *pending = (tl_pending *)lua_newuserdata(L, sizeof *pending);
    pending->err = NULL;
    pending->string = NULL;
    if (luaL_newmetatable(L, "tenios.pending")) {
        lua_pushcfunction(L, pending_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    return pending;
}

void tl_pending_release(tl_pending *pending) {
    if (pending == NULL) {
        return;
    }
    tenios_error_free(pending->err);
    pending->err = NULL;
    tenios_string_free(pending->string);
    pending->string = NULL;
}

void tl_push_timings(lua_State *L, const tenios_call_timings *timings) {
    lua_createtable(L, 0, 7);
    lua_pushboolean(L, timings->connection_reused);
    lua_setfield(L, -2, "connection_reused");
#define TL_TIMING_FIELD(name)                          \
    lua_pushnumber(L, (lua_Number)timings->name);      \
    lua_setfield(L, -2, #name)
    TL_TIMING_FIELD(resolve_us);
    TL_TIMING_FIELD(connect_us);
    TL_TIMING_FIELD(tls_us);
    TL_TIMING_FIELD(first_byte_us);
    TL_TIMING_FIELD(total_us);
#undef TL_TIMING_FIELD
}

int tl_push_failure(lua_State *L, uint32_t status, const tenios_error *err, const char *message) {
    lua_pushnil(L);
    lua_createtable(L, 0, 7);
    if (err != NULL) {
        status = tenios_error_status(err);
        message = tenios_error_message(err);
    }
    lua_pushinteger(L, (lua_Integer)status);
    lua_setfield(L, -2, "status");
    lua_pushstring(L, tenios_status_str(status));
    lua_setfield(L, -2, "name");
    lua_pushstring(L, message != NULL ? message : tenios_status_str(status));
    lua_setfield(L, -2, "message");
    const char *api_code = err != NULL ? tenios_error_api_code(err) : NULL;
    if (api_code != NULL) {
        lua_pushstring(L, api_code);
        lua_setfield(L, -2, "api_code");
    }
    lua_pushinteger(L, err != NULL ? (lua_Integer)tenios_error_http_status(err) : 0);
    lua_setfield(L, -2, "http_status");
    size_t count = err != NULL ? tenios_error_field_count(err) : 0;
    lua_createtable(L, (int)count, 0);
    for (size_t i = 0; i < count; i++) {
        lua_pushstring(L, tenios_error_field(err, i));
        lua_rawseti(L, -2, (int)i + 1);
    }
    lua_setfield(L, -2, "fields");
    tenios_call_timings timings;
    memset(&timings, 0, sizeof timings);
    timings.struct_size = sizeof timings;
    if (err != NULL && tenios_error_timings(err, &timings) == TENIOS_OK) {
        tl_push_timings(L, &timings);
        lua_setfield(L, -2, "timings");
    }
    luaL_getmetatable(L, TL_ERROR_MT);
    lua_setmetatable(L, -2);
    return 2;
}

int tl_push_invalid(lua_State *L, const char *message) {
    return tl_push_failure(L, TENIOS_ERR_INVALID_ARGUMENT, NULL, message);
}

static int error_tostring(lua_State *L) {
    lua_getfield(L, 1, "message");
    if (!lua_isstring(L, -1)) {
        lua_pushliteral(L, "tenios error");
    }
    return 1;
}

/* tenios.status_name(n): the C name of a status number ("TENIOS_UNKNOWN" for others). */
static int status_name(lua_State *L) {
    lua_Number n = luaL_checknumber(L, 1);
    uint32_t status = (n >= 0 && n <= 4294967295.0 && n == (lua_Number)(uint32_t)n)
                          ? (uint32_t)n
                          : UINT32_MAX;
    lua_pushstring(L, tenios_status_str(status));
    return 1;
}

void tl_open_errors(lua_State *L) {
    luaL_newmetatable(L, TL_ERROR_MT);
    lua_pushcfunction(L, error_tostring);
    lua_setfield(L, -2, "__tostring");
    lua_pop(L, 1);
    lua_pushcfunction(L, status_name);
    lua_setfield(L, -2, "status_name");
    /* The statuses by their C names less the TENIOS_ prefix: tenios.OK, tenios.ERR_TIMEOUT. */
    for (uint32_t status = 0; status < 64; status++) {
        const char *name = tenios_status_str(status);
        if (strcmp(name, "TENIOS_UNKNOWN") == 0) {
            continue;
        }
        lua_pushinteger(L, (lua_Integer)status);
        lua_setfield(L, -2, name + strlen("TENIOS_"));
    }
}
