/* Argument and option checks shared by the module's functions. */
#include <stdio.h>
#include <string.h>

#include "tenios_lua.h"

static const char *checked_string(lua_State *L, int index, const char *name, const char **nul_arg) {
    if (lua_type(L, index) != LUA_TSTRING) {
        luaL_argerror(L, index, lua_pushfstring(L, "%s must be a string", name));
    }
    size_t length;
    const char *value = lua_tolstring(L, index, &length);
    if (strlen(value) != length && *nul_arg == NULL) {
        *nul_arg = name;
    }
    return value;
}

const char *tl_check_string(lua_State *L, int index, const char *name, const char **nul_arg) {
    return checked_string(L, index, name, nul_arg);
}

const char *tl_opt_string(lua_State *L, int index, const char *name, const char **nul_arg) {
    if (lua_isnoneornil(L, index)) {
        return NULL;
    }
    return checked_string(L, index, name, nul_arg);
}

static lua_Number checked_whole(lua_State *L, int index, const char *name, lua_Number min,
                                lua_Number max) {
    if (lua_type(L, index) != LUA_TNUMBER) {
        luaL_argerror(L, index, lua_pushfstring(L, "%s must be a number", name));
    }
    lua_Number n = lua_tonumber(L, index);
    if (!(n >= min && n <= max) || n != (lua_Number)(long long)n) {
        luaL_argerror(L, index,
                      lua_pushfstring(L, "%s must be a whole number from %d to %s", name,
                                      (int)min, max > 2147483647.0 ? "4294967295" : "2147483647"));
    }
    return n;
}

uint32_t tl_check_uint32(lua_State *L, int index, const char *name) {
    return (uint32_t)checked_whole(L, index, name, 0, 4294967295.0);
}

int32_t tl_check_int32(lua_State *L, int index, const char *name) {
    return (int32_t)checked_whole(L, index, name, -2147483647.0 - 1, 2147483647.0);
}

bool tl_opt_boolean(lua_State *L, int index, bool default_value) {
    if (lua_isnoneornil(L, index)) {
        return default_value;
    }
    luaL_checktype(L, index, LUA_TBOOLEAN);
    return lua_toboolean(L, index);
}

/* Options: the field's value is pushed at the top of the stack while it is checked. */
static bool push_field(lua_State *L, int table, const char *field, bool required) {
    lua_getfield(L, table, field);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        if (required) {
            luaL_error(L, "option %s is required", field);
        }
        return false;
    }
    return true;
}

const char *tl_field_string(lua_State *L, int table, const char *field, bool required,
                            const char **nul_arg) {
    if (!push_field(L, table, field, required)) {
        return NULL;
    }
    if (lua_type(L, -1) != LUA_TSTRING) {
        luaL_error(L, "option %s must be a string", field);
    }
    size_t length;
    const char *value = lua_tolstring(L, -1, &length);
    if (strlen(value) != length && *nul_arg == NULL) {
        *nul_arg = field;
    }
    /* The options table keeps the string alive while the caller uses it. */
    lua_pop(L, 1);
    return value;
}

bool tl_field_uint32(lua_State *L, int table, const char *field, bool required, uint32_t *out) {
    if (!push_field(L, table, field, required)) {
        return false;
    }
    lua_Number n = lua_tonumber(L, -1);
    if (lua_type(L, -1) != LUA_TNUMBER || !(n >= 0 && n <= 4294967295.0) ||
        n != (lua_Number)(long long)n) {
        luaL_error(L, "option %s must be a whole number from 0 to 4294967295", field);
    }
    lua_pop(L, 1);
    *out = (uint32_t)n;
    return true;
}

bool tl_field_boolean(lua_State *L, int table, const char *field, bool default_value) {
    if (!push_field(L, table, field, false)) {
        return default_value;
    }
    if (lua_type(L, -1) != LUA_TBOOLEAN) {
        luaL_error(L, "option %s must be a boolean", field);
    }
    bool value = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return value;
}

void tl_check_fields(lua_State *L, int table, const char *what, const char *const known[]) {
    lua_pushnil(L);
    while (lua_next(L, table) != 0) {
        lua_pop(L, 1);
        bool found = false;
        if (lua_type(L, -1) == LUA_TSTRING) {
            for (const char *const *name = known; *name != NULL; name++) {
                if (strcmp(lua_tostring(L, -1), *name) == 0) {
                    found = true;
                    break;
                }
            }
        }
        if (!found) {
            /* Name the key only when it is a string: a value is never echoed. */
            if (lua_type(L, -1) == LUA_TSTRING) {
                luaL_error(L, "%s: unknown option %s", what, lua_tostring(L, -1));
            }
            luaL_error(L, "%s: option names are strings", what);
        }
    }
}
