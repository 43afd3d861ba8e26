#!/usr/bin/env bash
# `make test-deb`: the Debian packages as an administrator gets them.
#
# Builds libtenios1, libtenios-dev, tenios-sim and python3-tenios with `dpkg-buildpackage -b
# -us -uc` from a copy of the source (dpkg-buildpackage writes into the parent directory, which
# must not be the checkout's), runs lintian on them (no errors allowed; warnings are shown),
# installs them with `dpkg -i`, checks what each installed, builds tests/install/consumer.c
# against /usr with pkg-config only and runs it against the installed tenios-sim, imports the
# binding with /usr/bin/python3 and calls the simulator through it, then purges the packages
# and checks that nothing is left. Needs root (dpkg -i). The last line is "N passed, M failed".
#
# Environment (optional):
#   DEB_TARGET_DIR   cargo's target directory for the package build (default target/deb,
#                    kept between runs: a second run only repackages)
#   CC               the C compiler for the consumer (default cc)
#
# The toolchain is the one on PATH (rustup's on this project's machines, not Debian's cargo
# package), so the build-dependency check is done here, leaving out cargo and rustc, and
# dpkg-buildpackage is run with -d.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CC=${CC:-cc}
DEB_TARGET_DIR=${DEB_TARGET_DIR:-$ROOT/target/deb}
PACKAGES=(python3-tenios tenios-sim libtenios-dev libtenios1)

if [[ $(id -u) -ne 0 ]]; then
    echo "test-deb: needs root (dpkg -i)" >&2
    exit 2
fi
for tool in dpkg-buildpackage dh dh_python3 lintian pkg-config "$CC"; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "test-deb: $tool is not installed (run \`make deps\`)" >&2
        exit 2
    fi
done

unset PKG_CONFIG_PATH TENIOS_API_URL TENIOS_ACCESS_KEY TENIOS_LIBRARY PYTHONPATH LD_LIBRARY_PATH

source "$ROOT/tests/lib/sim.sh"   # $TMP (removed on exit), start_sim

source "$ROOT/tests/lib/check.sh"   # pass, fail, same
finish() {
    echo "$PASSED passed, $FAILED failed"
    [[ $FAILED -eq 0 ]]
}

# dpkg, retried while another dpkg or apt holds the lock (a shared machine).
dpkg_locked() {
    local attempt
    for attempt in $(seq 1 60); do
        if dpkg "$@" 2>"$TMP/dpkg.err"; then
            return 0
        fi
        if ! grep -q 'lock' "$TMP/dpkg.err"; then
            cat "$TMP/dpkg.err" >&2
            return 1
        fi
        sleep 2
    done
    cat "$TMP/dpkg.err" >&2
    return 1
}
purge_all() {
    dpkg_locked --purge "${PACKAGES[@]}" >/dev/null
}
# Whatever happens, the machine is left without the packages (and a re-run starts clean).
trap 'purge_all || true; _stop_sim' EXIT
purge_all

VERSION=$(awk -F'"' '/^\[/ { p = ($0 == "[package]") } p && /^version *=/ { print $2; exit }' \
    "$ROOT/Cargo.toml")
MULTIARCH=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
LIBDIR=/usr/lib/$MULTIARCH

# --- build ----------------------------------------------------------------------------------
# The source as git sees it (tracked and new files, without what .gitignore leaves out: target/,
# build/), or the whole tree less those two outside a git checkout, copied with its files' times
# to the same place every run: cargo then finds the crate unchanged in $DEB_TARGET_DIR and only
# relinks what changed. dpkg-buildpackage writes the packages beside it, in $OUT.
OUT=$ROOT/build/deb
SRC=$OUT/libtenios-$VERSION
rm -rf "$OUT"
mkdir -p "$SRC"
if git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    (cd "$ROOT" && git ls-files -z --cached --others --exclude-standard |
        xargs -0 -r sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
        tar --null -T - -cf -) | tar -xf - -C "$SRC"
else
    tar -C "$ROOT" --exclude=./target --exclude=./build -cf - . | tar -xf - -C "$SRC"
fi

# Build-Depends other than the Rust toolchain must be installed.
unmet=$( (cd "$SRC" && dpkg-checkbuilddeps 2>&1 || true) | sed -n 's/.*Unmet build dependencies: //p' |
    sed -E 's/(cargo|rustc)(:native)?( \([^)]*\))?//g; s/^ *//; s/ *$//')
same "every Build-Depends but cargo and rustc is installed" "$unmet" ""
same "changelog's upstream version is Cargo.toml's" \
    "$(cd "$SRC" && dpkg-parsechangelog -S Version | sed 's/-[^-]*$//')" "$VERSION"

echo "test-deb: dpkg-buildpackage -b -us -uc -d (cargo target dir: $DEB_TARGET_DIR)"
started=$(date +%s)
if (cd "$SRC" && CARGO_TARGET_DIR=$DEB_TARGET_DIR DEB_BUILD_OPTIONS=nocheck \
    dpkg-buildpackage -b -us -uc -d) >"$TMP/build.log" 2>&1; then
    pass "dpkg-buildpackage -b -us -uc built in $(( $(date +%s) - started )) s"
else
    fail "dpkg-buildpackage failed:"
    tail -n 60 "$TMP/build.log" | sed 's/^/     | /'
    finish
    exit 1
fi
ARCH=$(dpkg-architecture -qDEB_HOST_ARCH)
DEBS=()
for package in libtenios1 libtenios-dev tenios-sim python3-tenios; do
    DEBS+=("$OUT/${package}_${VERSION}-1_$ARCH.deb")
done
same "the four packages were built" \
    "$(cd "$OUT" && ls libtenios1_*.deb libtenios-dev_*.deb tenios-sim_*.deb python3-tenios_*.deb)" \
    "$(printf '%s\n' "${DEBS[@]##*/}" | sort)"

# --- lintian --------------------------------------------------------------------------------
CHANGES=$(ls "$OUT"/libtenios_*.changes)
lintian_rc=0
lintian --fail-on error --tag-display-limit 0 "$CHANGES" >"$TMP/lintian.out" 2>&1 || lintian_rc=$?
sed 's/^/     lintian: /' "$TMP/lintian.out"
if [[ $lintian_rc -eq 0 ]] && ! grep -q '^E: ' "$TMP/lintian.out"; then
    pass "lintian: no errors ($(grep -c '^W: ' "$TMP/lintian.out" || true) warnings, shown above)"
else
    fail "lintian reported errors (exit $lintian_rc)"
fi

# --- install --------------------------------------------------------------------------------
if dpkg_locked -i "${DEBS[@]}" >"$TMP/install.log"; then
    pass "dpkg -i of the four packages"
else
    fail "dpkg -i failed:"
    sed 's/^/     | /' "$TMP/install.log"
    finish
    exit 1
fi
same "libtenios1's files" "$(dpkg -L libtenios1 | grep '/lib/.*libtenios' | sort)" \
    "$(printf '%s\n' "$LIBDIR/libtenios.so.$VERSION" "$LIBDIR/libtenios.so.${VERSION%%.*}" | sort)"
same "libtenios.so.$VERSION's SONAME" \
    "$(readelf -d "$LIBDIR/libtenios.so.$VERSION" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')" \
    "libtenios.so.${VERSION%%.*}"
# debian/rules has dpkg-gensymbols fail the build on any difference (-c4); this checks the result.
same "libtenios1's symbols file lists exactly the library's exported functions" \
    "$(sed -n 's/^ \(tenios_[a-z0-9_]*\)@Base .*/\1/p' "$(dpkg-query --control-path libtenios1 symbols)" | sort)" \
    "$(nm -D --defined-only "$LIBDIR/libtenios.so.$VERSION" | awk '{ print $3 }' | sort)"
same "libtenios-dev's headers, libraries, pkg-config and CMake files" \
    "$(dpkg -L libtenios-dev | grep -E '^/usr/(include|lib)/.*\.' | sort)" \
    "$(printf '%s\n' /usr/include/tenios.h /usr/include/tenios.hpp \
        "$LIBDIR/cmake/tenios/teniosConfig.cmake" "$LIBDIR/cmake/tenios/teniosConfigVersion.cmake" \
        "$LIBDIR/libtenios.a" "$LIBDIR/libtenios.so" "$LIBDIR/pkgconfig/tenios.pc" | sort)"
same "libtenios.so (dev link) points at the SONAME" "$(readlink "$LIBDIR/libtenios.so")" \
    "libtenios.so.${VERSION%%.*}"
# The man pages the source has (man/, the docs' tree), each installed by its package.
for page in "$ROOT"/man/man3/*.3 "$ROOT"/man/man1/tenios-sim.1; do
    [[ -f $page ]] || continue
    section=${page##*.}
    name=$(basename "$page")
    if [[ -e /usr/share/man/man$section/$name.gz ]]; then
        pass "man page $name installed"
    else
        fail "man page $name is not in /usr/share/man/man$section"
    fi
done
same "tenios-sim is /usr/bin/tenios-sim" "$(dpkg -L tenios-sim | grep '/bin/')" /usr/bin/tenios-sim

# --- a C consumer against /usr, with pkg-config only -----------------------------------------
same "pkg-config --modversion tenios" "$(pkg-config --modversion tenios)" "$VERSION"
WORK=$TMP/consumer
mkdir -p "$WORK"
cp "$ROOT/tests/install/consumer.c" "$WORK/"
read -r -a PC_FLAGS <<<"$(pkg-config --cflags --libs tenios)"
if (cd "$WORK" && "$CC" -std=c11 -Wall -Wextra -Werror -o consumer consumer.c "${PC_FLAGS[@]}") \
    >"$TMP/cc.log" 2>&1; then
    pass "consumer.c builds with \`pkg-config --cflags --libs tenios\` (${PC_FLAGS[*]})"
else
    fail "consumer.c does not build:"
    sed 's/^/     | /' "$TMP/cc.log"
fi
KEY=deb-test-key-5c1e
CALL=c0b93a5e-4ce0-4adb-940e-5079f2abbcb4
UNKNOWN=0f8b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d
start_sim /usr/bin/tenios-sim --access-key "$KEY" --call "$CALL"
if [[ -x $WORK/consumer ]]; then
    # (/lib is /usr/lib on a merged-/usr system: the loader may name either.)
    loaded=$(ldd "$WORK/consumer" | awk '/libtenios/ { print $1, $3 }')
    same "the consumer loads the packaged library" \
        "${loaded%% *} $(readlink -f "${loaded#* }")" \
        "libtenios.so.${VERSION%%.*} $LIBDIR/libtenios.so.$VERSION"
    rc=0
    (cd "$WORK" && env TENIOS_API_URL="$URL" TEST_KEY=$KEY TEST_CALL=$CALL TEST_UNKNOWN=$UNKNOWN \
        TEST_VERSION="$VERSION" ./consumer) >"$TMP/consumer.out" 2>&1 || rc=$?
    summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$TMP/consumer.out" | tail -n1 || true)
    if [[ $rc -eq 0 && $summary == *", 0 failed" ]]; then
        pass "the consumer against /usr/bin/tenios-sim: $summary"
    else
        fail "the consumer: exit $rc:"
        sed 's/^/     | /' "$TMP/consumer.out"
    fi
fi

# --- python3-tenios with the system interpreter ----------------------------------------------
if (cd "$WORK" && env -i PATH=/usr/bin:/bin TENIOS_API_URL="$URL" /usr/bin/python3 - \
    "$URL" "$KEY" "$CALL" "$UNKNOWN" "$LIBDIR/libtenios.so.$VERSION" "$VERSION" <<'PY'
import os, sys
url, key, call, unknown, system_library, version = sys.argv[1:]
import tenios
assert tenios.__file__ == "/usr/lib/python3/dist-packages/tenios/__init__.py", tenios.__file__
path = tenios.library_path()
assert os.path.realpath(path) == system_library, (path, os.path.realpath(path))
assert tenios.version() == tenios.__version__ == version, (tenios.version(), tenios.__version__)
tenios.interrupt_block(key, call)
with tenios.Client(key, base_url=url) as client:
    client.interrupt_block(call)
    try:
        client.interrupt_block(unknown)
        raise SystemExit("no error for an unknown call")
    except tenios.CallNotFoundError as err:
        assert (err.api_code, err.http_status) == ("CALL_UUID_NOT_FOUND", 400), err
print(f"python3-tenios {tenios.__version__}: {path} -> {os.path.realpath(path)}")
PY
) >"$TMP/python.out" 2>&1; then
    pass "/usr/bin/python3: import tenios, the system library, two calls: $(tail -n1 "$TMP/python.out")"
else
    fail "/usr/bin/python3 with python3-tenios:"
    sed 's/^/     | /' "$TMP/python.out"
fi
same "the simulator saw the two interrupts of the consumer and the two of Python" \
    "$(/usr/bin/python3 -c 'import json, sys, urllib.request
print(" ".join(json.load(urllib.request.urlopen(sys.argv[1], timeout=10))))' "$URL/_sim/interrupts")" \
    "$CALL $CALL $CALL $CALL"

# --- a CMake project with find_package(tenios), shared and static ------------------------------
# The CMake package in the multiarch libdir is found without CMAKE_PREFIX_PATH.
if command -v cmake >/dev/null 2>&1; then
    cp -r "$ROOT/tests/install/cmake" "$WORK/cmake"
    if (cd "$WORK" && cmake -S cmake -B build-cmake -DCMAKE_BUILD_TYPE=Release &&
        cmake --build build-cmake) >"$TMP/cmake.log" 2>&1; then
        same "find_package(tenios) finds the package's CMake files" \
            "$(sed -n 's/^tenios_DIR:PATH=//p' "$WORK/build-cmake/CMakeCache.txt")" "$LIBDIR/cmake/tenios"
        for program in consumer_cpp consumer_cpp_static; do
            rc=0
            env TENIOS_API_URL="$URL" TEST_KEY=$KEY TEST_CALL=$CALL TEST_UNKNOWN=$UNKNOWN \
                TEST_VERSION="$VERSION" "$WORK/build-cmake/$program" >"$TMP/cpp.out" 2>&1 || rc=$?
            summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$TMP/cpp.out" | tail -n1 || true)
            if [[ $rc -eq 0 && $summary == *", 0 failed" ]]; then
                pass "C++ via CMake, $program (libtenios-dev's $( [[ $program == *static ]] && echo libtenios.a || echo libtenios.so)): $summary"
            else
                fail "C++ via CMake, $program: exit $rc:"
                sed 's/^/     | /' "$TMP/cpp.out"
            fi
        done
    else
        fail "the CMake project does not build against the packages:"
        sed 's/^/     | /' "$TMP/cmake.log"
    fi
else
    echo "test-deb: cmake is not installed: the CMake package is not exercised (run \`make deps\`)"
fi

# --- purge ----------------------------------------------------------------------------------
kill "$SIM_PID" 2>/dev/null || true
wait "$SIM_PID" 2>/dev/null || true
SIM_PID=
if purge_all; then
    pass "dpkg --purge of the four packages"
else
    fail "dpkg --purge failed"
fi
left=$(ls -d "$LIBDIR"/libtenios* /usr/include/tenios.h* /usr/bin/tenios-sim \
    /usr/lib/python3/dist-packages/tenios "$LIBDIR/cmake/tenios" 2>/dev/null || true)
same "nothing is left after the purge" "$left" ""

finish
