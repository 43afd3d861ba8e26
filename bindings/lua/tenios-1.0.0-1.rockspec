-- The Lua module `tenios` over an installed libtenios (`make install`), found with
-- pkg-config (tenios.pc). From a libtenios source tree:
--   cd bindings/lua && luarocks make tenios-1.0.0-1.rockspec
-- (PKG_CONFIG_PATH=<prefix>/lib/pkgconfig when libtenios is installed outside pkg-config's
-- default search path).
rockspec_format = "3.0"
package = "tenios"
version = "1.0.0-1"
source = {
   url = "git+file://.", -- built in place with `luarocks make`; the version is libtenios's
}
description = {
   summary = "TENIOS Call Control Voice API for Lua, over libtenios",
   detailed = [[
      Interrupt, transfer, refer, record and listen in on live TENIOS calls, and answer
      Call Control webhooks, from Lua 5.1 to 5.4 and LuaJIT (Kamailio app_lua, FreeSWITCH
      mod_lua, Asterisk pbx_lua). Needs libtenios and its pkg-config file installed.
   ]],
   license = "MIT OR Apache-2.0",
}
dependencies = {
   "lua >= 5.1, < 5.5",
}
build = {
   type = "command",
   build_command = [[
      $(CC) $(CFLAGS) -std=c99 -fvisibility=hidden -pthread -I$(LUA_INCDIR) `pkg-config --cflags tenios` $(LIBFLAG) -o tenios.so args.c client.c errors.c module.c webhook.c `pkg-config --libs tenios` -Wl,-rpath,`pkg-config --variable=libdir tenios`
   ]],
   install = {
      lib = { tenios = "tenios.so" },
   },
}
