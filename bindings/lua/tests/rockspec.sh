#!/usr/bin/env bash
# Builds the module with its rockspec the way a user would: libtenios installed (`make install`
# into a scratch prefix), then `luarocks make` for each Lua 5.x, finding libtenios through
# pkg-config; each built module must load and report libtenios's version.
#
# Usage: rockspec.sh MAKE  (the make program, to run `make install`); LUA_VERSIONS as run.sh.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
MAKE=${1:-make}
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/tenios-rockspec.XXXXXX")
trap 'rm -rf "$SCRATCH"; rm -f "$ROOT/bindings/lua/tenios.so"' EXIT

"$MAKE" -C "$ROOT" --no-print-directory install PREFIX="$SCRATCH/prefix" >"$SCRATCH/install.log" 2>&1 ||
    { cat "$SCRATCH/install.log"; exit 1; }
export PKG_CONFIG_PATH="$SCRATCH/prefix/lib/pkgconfig"
want=$(pkg-config --modversion tenios)
rockspec=$(cd "$ROOT/bindings/lua" && ls tenios-*.rockspec)
passed=0 failed=0
for lua in ${LUA_VERSIONS:?}; do
    [[ $lua == lua5.* ]] || continue  # LuaJIT is a Lua 5.1 to luarocks: covered by lua5.1
    version=${lua#lua}
    if (cd "$ROOT/bindings/lua" && luarocks make --tree "$SCRATCH/rocks" --lua-version "$version" \
            "$rockspec" >"$SCRATCH/$lua.log" 2>&1) &&
        got=$(LUA_CPATH="$SCRATCH/rocks/lib/lua/$version/?.so" "$lua" -e \
            'io.write(require("tenios").version())') && [[ $got == "$want" ]]; then
        echo "ok   luarocks make $rockspec for Lua $version: loads libtenios $got"
        passed=$((passed + 1))
    else
        echo "FAIL luarocks make $rockspec for Lua $version (got '${got:-}', want '$want'):"
        cat "$SCRATCH/$lua.log"
        failed=$((failed + 1))
    fi
    rm -f "$ROOT/bindings/lua/tenios.so"
done
echo "$passed passed, $failed failed"
[[ $failed == 0 ]]
