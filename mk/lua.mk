# The Lua module `tenios` (bindings/lua/), built for every Lua whose development files are
# installed (pkg-config lua5.1 ... lua5.4, luajit): build/lua/<lua>/tenios.so, linked against
# the freshly built libtenios (rpath). `make test-lua` installs the Lua packages when missing.
#
#   make lua            build it for each Lua found
#   make test-lua       bindings/lua/tests/run.sh under every Lua (and valgrind under one), then
#                       the rockspec built with luarocks against an installed libtenios

LUA_VERSIONS_ALL := lua5.1 lua5.2 lua5.3 lua5.4 luajit
LUA_FOUND = $(foreach v,$(LUA_VERSIONS_ALL),$(if $(shell pkg-config --exists $(v) && echo y),$(v)))
LUA_SOURCES := $(wildcard bindings/lua/*.c)
LUA_HEADERS := $(wildcard bindings/lua/*.h)
LUA_CFLAGS  ?= -std=c99 -O2 -g -Wall -Wextra -Werror -fPIC -fvisibility=hidden -pthread
LUA_DIR     := $(BUILD_DIR)/lua

# The packages a Lua needs here: its headers (for the module) and its interpreter (for the
# tests); luarocks to check the rockspec.
LUA_PACKAGES := liblua5.1-0-dev lua5.1 liblua5.2-dev lua5.2 liblua5.3-dev lua5.3 \
                liblua5.4-dev lua5.4 libluajit-5.1-dev luajit pkg-config luarocks curl valgrind

.PHONY: lua lua-deps test-lua

lua-deps:
	@missing=; for pkg in $(LUA_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$pkg 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$pkg"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "lua-deps: installing$$missing"; \
		if [ "$$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && \
		$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

lua: build
	@test -n "$(strip $(LUA_FOUND))" || { echo "lua: no Lua development files (pkg-config lua5.x, luajit): run make lua-deps"; exit 1; }
	@$(MAKE) --no-print-directory $(foreach v,$(LUA_FOUND),$(LUA_DIR)/$(v)/tenios.so)

$(LUA_DIR)/%/tenios.so: $(LUA_SOURCES) $(LUA_HEADERS) $(HEADER) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(TENIOS_CPPFLAGS) $$(pkg-config --cflags $*) $(LUA_CFLAGS) -shared \
		-o $@ $(LUA_SOURCES) $(LDFLAGS) $(TENIOS_LDFLAGS) $(TENIOS_LDLIBS) $(LDLIBS)

test-lua: lua-deps build
	@$(MAKE) --no-print-directory lua
	TENIOS_SIM=$(SIM) LUA_BUILD_DIR=$(CURDIR)/$(LUA_DIR) LUA_VERSIONS="$(LUA_FOUND)" \
		bindings/lua/tests/run.sh
	LUA_VERSIONS="$(LUA_FOUND)" bindings/lua/tests/rockspec.sh $(MAKE)
