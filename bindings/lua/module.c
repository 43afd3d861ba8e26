/* luaopen_tenios: the tenios Lua module over libtenios's C ABI (include/tenios.h). */
#include "tenios_lua.h"

#if defined(_WIN32)
#define TL_EXPORT __declspec(dllexport)
#else
#define TL_EXPORT __attribute__((visibility("default")))
#endif

TL_EXPORT int luaopen_tenios(lua_State *L);

int luaopen_tenios(lua_State *L) {
    lua_newtable(L);
    tl_open_errors(L);
    tl_open_client(L);
    tl_open_webhook(L);
    lua_pushliteral(L, TENIOS_VERSION_STRING);
    lua_setfield(L, -2, "VERSION");
    return 1;
}
