/* The differences between the Lua C APIs of 5.1 (and LuaJIT 2.1), 5.2, 5.3 and 5.4 that the
 * tenios module meets, bridged once here. Everything else in the module is written against
 * the API all five share. */
#ifndef TENIOS_LUA_COMPAT_H
#define TENIOS_LUA_COMPAT_H

#include <lua.h>
#include <lauxlib.h>

#if LUA_VERSION_NUM < 502
/* 5.1 and LuaJIT: no luaL_setfuncs/luaL_newlib (LuaJIT 2.1 has luaL_setfuncs, 5.1 does not;
 * one spelling for both), lua_objlen instead of lua_rawlen. */
static inline void tl_setfuncs(lua_State *L, const luaL_Reg *functions) {
    for (; functions->name != NULL; functions++) {
        lua_pushcfunction(L, functions->func);
        lua_setfield(L, -2, functions->name);
    }
}
#define tl_rawlen(L, index) lua_objlen((L), (index))
#else
#define tl_setfuncs(L, functions) luaL_setfuncs((L), (functions), 0)
#define tl_rawlen(L, index) lua_rawlen((L), (index))
#endif

/* Calls `function(L)` with `data` as its light userdata argument in protected mode, so that
 * no Lua error (a memory error included) can unwind out of the caller: 5.1 and LuaJIT have
 * lua_cpcall; 5.2 and later push a light C function, which allocates nothing. Returns 0 on
 * success, else a Lua error code with the error value popped. */
static inline int tl_protected_call(lua_State *L, lua_CFunction function, void *data) {
    int rc;
#if LUA_VERSION_NUM < 502
    rc = lua_cpcall(L, function, data);
#else
    if (!lua_checkstack(L, 2)) {
        return LUA_ERRMEM;
    }
    lua_pushcfunction(L, function);
    lua_pushlightuserdata(L, data);
    rc = lua_pcall(L, 1, 0, 0);
#endif
    if (rc != 0) {
        lua_pop(L, 1);
    }
    return rc;
}

#endif /* TENIOS_LUA_COMPAT_H */
