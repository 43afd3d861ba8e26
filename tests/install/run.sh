#!/usr/bin/env bash
# `make test-install`: libtenios as a user gets it from `make install`.
#
# Installs into a fresh temporary DESTDIR (PREFIX=/usr/local) and uses nothing of the checkout
# but that install and the test sources it copies out: the installed file list, the SONAME, the
# exported symbols against the installed header's functions, pkg-config, a C program built with
# pkg-config (as C99 and C11; shared, and statically linked), a C++ program built by a CMake
# project with find_package (shared and static targets, also from a moved copy of the install),
# the README's C and C++ snippets, each program calling the installed simulator; then install
# with another LIBDIR, `make uninstall`, and the ABI gate's proof (tests/install/abi-gate.sh).
# The last line is "N passed, M failed".
#
# Environment (optional): MAKE, CC, CXX, PYTHON, CMAKE; CARGO_TARGET_DIR as for make.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
MAKE=${MAKE:-make}
CC=${CC:-cc}
CXX=${CXX:-c++}
PYTHON=${PYTHON:-python3}
CMAKE=${CMAKE:-cmake}
for tool in pkg-config "$CMAKE" readelf nm abidiff; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "run.sh: $tool is not installed (run \`make deps\`)" >&2
        exit 2
    fi
done

# The directory variables of mk/install.mk come from this script only.
unset DESTDIR PREFIX LIBDIR INCLUDEDIR BINDIR DATADIR DOCDIR PKGCONFIGDIR CMAKEDIR \
    PKG_CONFIG_PATH TENIOS_API_URL TENIOS_ACCESS_KEY TENIOS_CA_FILE CMAKE_PREFIX_PATH

source "$ROOT/tests/lib/sim.sh"   # $TMP (removed on exit), start_sim

VERSION=$(awk -F'"' '/^\[/ { p = ($0 == "[package]") } p && /^version *=/ { print $2; exit }' \
    "$ROOT/Cargo.toml")
MAJOR=${VERSION%%.*}
STAGE=$TMP/stage
PREFIX=/usr/local
P=$STAGE$PREFIX

source "$ROOT/tests/lib/check.sh"   # pass, fail, same
# run_log NAME CMD...: runs a build step quietly; on failure shows its output and fails NAME.
run_log() {
    local name=$1
    shift
    if "$@" >"$TMP/step.log" 2>&1; then
        return 0
    fi
    fail "$name: $* failed:"
    sed 's/^/     | /' "$TMP/step.log"
    return 1
}
# run_program NAME BINARY [ENV=VAL...]: runs a consumer and counts its own checks.
run_program() {
    local name=$1 bin=$2 rc=0 summary
    shift 2
    env "$@" "$bin" >"$TMP/prog.out" 2>&1 || rc=$?
    summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$TMP/prog.out" | tail -n1 || true)
    if [[ $rc == 0 && $summary == *", 0 failed" ]]; then
        pass "$name: $summary"
    else
        fail "$name: exit $rc:"
        sed 's/^/     | /' "$TMP/prog.out"
    fi
}

echo "== make install DESTDIR=$STAGE PREFIX=$PREFIX (libtenios $VERSION)"
if ! "$MAKE" -C "$ROOT" --no-print-directory install DESTDIR="$STAGE" PREFIX="$PREFIX" \
    >"$TMP/install.log" 2>&1; then
    cat "$TMP/install.log"
    echo "run.sh: make install failed" >&2
    exit 1
fi

# ------------------------------------------------------------------ the files
listing() {
    (cd "$1" && find . \( -type f -o -type l \) -printf '%p%y %l\n' | sed 's/f $//; s/l / -> /' | sort)
}
same "installed files" "$(listing "$STAGE")" "$(sort <<EOF
./usr/local/bin/tenios-sim
./usr/local/include/tenios.h
./usr/local/include/tenios.hpp
./usr/local/lib/cmake/tenios/teniosConfig.cmake
./usr/local/lib/cmake/tenios/teniosConfigVersion.cmake
./usr/local/lib/libtenios.a
./usr/local/lib/libtenios.so.$VERSION
./usr/local/lib/libtenios.so.$MAJOR -> libtenios.so.$VERSION
./usr/local/lib/libtenios.so -> libtenios.so.$MAJOR
./usr/local/lib/pkgconfig/tenios.pc
./usr/local/share/doc/tenios/LICENSE-APACHE
./usr/local/share/doc/tenios/LICENSE-MIT
./usr/local/share/doc/tenios/README.md
$(cd "$ROOT" && for f in docs/*.md; do [[ -e $f ]] && echo "./usr/local/share/doc/tenios/$f"; done)
$(cd "$ROOT" && for f in man/man1/*.1 man/man3/*.3; do echo "./usr/local/share/$f"; done)
EOF
)"
# Every function of the header has a man page, found by man(1) under the installed MANPATH.
missing=
for fn in $("$PYTHON" "$ROOT/tests/install/header_functions.py" "$P/include/tenios.h"); do
    [[ -f $P/share/man/man3/$fn.3 ]] || missing+=" $fn"
done
same "a man page for every function of tenios.h" "$missing" ""
if command -v man >/dev/null 2>&1; then
    same "man 3 tenios_client_transfer_call (MANPATH=\$PREFIX/share/man)" \
        "$(MANPATH=$P/share/man MANWIDTH=80 man 3 tenios_client_transfer_call 2>&1 | grep -m1 -o 'tenios_client_transfer_call - .*')" \
        "tenios_client_transfer_call - Transfers the connected call call_uuid to"
fi
LIBFILE=$P/lib/libtenios.so.$VERSION
same "readelf -d: SONAME" "$(readelf -d "$LIBFILE" | grep -o 'Library soname: .*')" \
    "Library soname: [libtenios.so.$MAJOR]"

# The exported symbols are exactly the functions the installed header declares.
"$PYTHON" "$ROOT/tests/install/header_functions.py" "$P/include/tenios.h" >"$TMP/header.txt"
nm -D --defined-only --format=posix "$LIBFILE" | awk '{ print $1 }' | sort >"$TMP/symbols.txt"
same "exported symbols (nm -D) = functions in tenios.h ($(wc -l <"$TMP/header.txt"))" \
    "$(cat "$TMP/symbols.txt")" "$(cat "$TMP/header.txt")"
# ... and the parse is right: a program taking the address of each one compiles and links.
"$PYTHON" "$ROOT/tests/install/header_functions.py" --c-check "$P/include/tenios.h" >"$TMP/fns.c"
if run_log "every parsed name is a function of tenios.h" \
    "$CC" -std=c99 -Wall -Wextra -Werror -pedantic -I"$P/include" -o "$TMP/fns" "$TMP/fns.c" \
    -L"$P/lib" -ltenios; then
    same "every parsed name is a function of tenios.h" \
        "$(LD_LIBRARY_PATH=$P/lib "$TMP/fns")" "$(wc -l <"$TMP/header.txt")"
fi

# ------------------------------------------------------------------ pkg-config
export PKG_CONFIG_LIBDIR=$P/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$STAGE
pc() { pkg-config "$@" | sed 's/[[:space:]]*$//'; }   # pkgconf ends some lines with a space
same "pkg-config --modversion tenios" "$(pc --modversion tenios)" "$VERSION"
same "pkg-config --cflags tenios" "$(pc --cflags tenios)" "-I$P/include"
same "pkg-config --libs tenios" "$(pc --libs tenios)" "-L$P/lib -ltenios"
same "pkg-config --static --libs tenios" "$(pc --static --libs tenios)" \
    "-L$P/lib -ltenios -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc"

# ------------------------------------------------- the simulator, from the install
KEY="install-test-key-$$"
CALL="4e6c2a1b-8d3f-4a5e-9b7c-1d2e3f4a5b6c"
UNKNOWN="0f1e2d3c-4b5a-4968-8776-655443322110"
start_sim "$P/bin/tenios-sim" --access-key "$KEY" --call "$CALL"
echo "== simulator (installed tenios-sim): $URL"
RUN_ENV=(TENIOS_API_URL="$URL" TEST_KEY="$KEY" TEST_CALL="$CALL" TEST_UNKNOWN="$UNKNOWN"
    TEST_VERSION="$VERSION")

# The consumers are built from copies, in the scratch directory: no path into the checkout.
WORK=$TMP/work
mkdir -p "$WORK"
cp "$ROOT/tests/install/consumer.c" "$WORK/"
cp -r "$ROOT/tests/install/cmake" "$WORK/cmake"
cd "$WORK"

# ------------------------------------------------------------------ C, pkg-config, shared
read -r -a CFLAGS_PC <<<"$(pkg-config --cflags tenios)"
read -r -a LIBS_PC <<<"$(pkg-config --libs tenios)"
for std in c99 c11; do
    if run_log "C ($std) with pkg-config" "$CC" -std="$std" -Wall -Wextra -Werror -pedantic \
        "${CFLAGS_PC[@]}" -o "consumer-$std" consumer.c "${LIBS_PC[@]}"; then
        run_program "C ($std) with pkg-config --cflags --libs, shared" "./consumer-$std" \
            LD_LIBRARY_PATH="$P/lib" "${RUN_ENV[@]}"
    fi
done
if [[ -x consumer-c11 ]]; then
    same "the shared consumer loads libtenios.so.$MAJOR from the install" \
        "$(LD_LIBRARY_PATH=$P/lib ldd consumer-c11 | awk '/libtenios/ { print $1, $3 }')" \
        "libtenios.so.$MAJOR $P/lib/libtenios.so.$MAJOR"
fi

# ------------------------------------------------------------------ C, static
# A linker takes libtenios.so over libtenios.a from one directory: -Bstatic picks the archive,
# and Libs.private (pkg-config --static) brings what it needs.
read -r -a LIBS_STATIC <<<"$(pkg-config --static --libs tenios |
    sed 's/-ltenios/-Wl,-Bstatic -ltenios -Wl,-Bdynamic/')"
if run_log "C, static" "$CC" -std=c11 -Wall -Wextra -Werror -pedantic "${CFLAGS_PC[@]}" \
    -o consumer-static consumer.c "${LIBS_STATIC[@]}"; then
    needed=$(readelf -d consumer-static | grep -o 'Shared library: \[[^]]*\]' | sort | tr '\n' ' ')
    if [[ $needed != *libtenios* && $needed == *libc.so.6* ]]; then
        pass "static consumer needs no libtenios.so (readelf -d NEEDED: $needed)"
    else
        fail "static consumer: readelf -d NEEDED is: $needed"
    fi
    # Without the library directory on the loader's path, too.
    run_program "C, static (libtenios.a via pkg-config --static)" ./consumer-static "${RUN_ENV[@]}"
fi

# ------------------------------------------------------------------ C++, CMake
cmake_build() {   # cmake_build NAME BUILD_DIR PREFIX_PATH [ -D... ]
    local name=$1 dir=$2 prefix=$3
    shift 3
    run_log "$name: cmake configure" "$CMAKE" -S cmake -B "$dir" -DCMAKE_PREFIX_PATH="$prefix" \
        -DCMAKE_CXX_COMPILER="$CXX" "$@" &&
        run_log "$name: cmake build" "$CMAKE" --build "$dir"
}
if cmake_build "C++ with find_package(tenios 1.0)" build-cmake "$P"; then
    same "find_package found the DESTDIR install" \
        "$(sed -n 's/^tenios_DIR:PATH=//p' build-cmake/CMakeCache.txt)" "$P/lib/cmake/tenios"
    run_program "C++ via CMake, tenios::tenios" build-cmake/consumer_cpp "${RUN_ENV[@]}"
    run_program "C++ via CMake, tenios::tenios_static" build-cmake/consumer_cpp_static \
        "${RUN_ENV[@]}"
    needed=$(readelf -d build-cmake/consumer_cpp_static | grep -c 'Shared library: \[libtenios' || true)
    same "tenios::tenios_static needs no libtenios.so" "$needed" 0
fi
# The package computes its paths from where it is: a moved copy of the install works too.
cp -a "$P" "$TMP/moved"
if run_log "moved install: cmake configure" "$CMAKE" -S cmake -B build-moved \
    -DCMAKE_PREFIX_PATH="$TMP/moved" -DCMAKE_CXX_COMPILER="$CXX"; then
    same "a moved install: the include directory follows" \
        "$(grep -o 'tenios [0-9.]* from .*' "$TMP/step.log")" \
        "tenios $VERSION from $TMP/moved/lib/cmake/tenios, include $TMP/moved/include"
fi
rm -rf "$TMP/moved" build-moved
# The version file: SameMajorVersion.
version_request() {   # version_request REQUEST: "found" or "not found"
    if "$CMAKE" -S cmake -B "build-v" -DCMAKE_PREFIX_PATH="$P" -DCMAKE_CXX_COMPILER="$CXX" \
        -DTENIOS_REQUEST="$1" >/dev/null 2>&1; then echo found; else echo "not found"; fi
    rm -rf build-v
}
same "find_package(tenios $MAJOR.0) finds $VERSION" "$(version_request "$MAJOR.0")" found
same "find_package(tenios $VERSION) finds $VERSION" "$(version_request "$VERSION")" found
same "find_package(tenios $((MAJOR + 1)).0) does not" "$(version_request "$((MAJOR + 1)).0")" \
    "not found"
same "find_package(tenios $MAJOR.999) does not" "$(version_request "$MAJOR.999")" "not found"

# ------------------------------------------------------------------ README snippets
mkdir -p readme
"$PYTHON" "$ROOT/tests/install/readme_snippets.py" "$ROOT/README.md" readme >"$TMP/snippets.txt"
# Every ```c and ```cpp fence of the README became a program (none skipped, none invented).
same "every C and C++ block of README.md is extracted" \
    "$(wc -l <"$TMP/snippets.txt" | tr -d ' ')" \
    "$(grep -cE '^```(c|cpp)[[:space:]]*$' "$ROOT/README.md")"
while read -r file line _source; do
    if [[ $file == *.c ]]; then
        for std in c99 c11; do
            run_log "README.md:$line as $std" "$CC" -std="$std" -Wall -Wextra -Werror -pedantic \
                "${CFLAGS_PC[@]}" -o "${file%.c}-$std" "$file" "${LIBS_PC[@]}" &&
                pass "README.md:$line (C snippet) compiles and links as $std"
        done
    else
        run_log "README.md:$line as C++17" "$CXX" -std=c++17 -Wall -Wextra -Werror -pedantic \
            "${CFLAGS_PC[@]}" -o "${file%.cpp}" "$file" "${LIBS_PC[@]}" &&
            pass "README.md:$line (C++ snippet) compiles and links as C++17"
    fi
done <"$TMP/snippets.txt"
# The first (the README's first call, a whole program) runs against the simulator: "interrupted"
# on success, the status and the message on stderr on failure.
if [[ -x readme/readme-1-c11 ]]; then
    out=$(LD_LIBRARY_PATH=$P/lib TENIOS_API_URL=$URL TENIOS_ACCESS_KEY=$KEY readme/readme-1-c11 "$CALL" 2>&1)
    same "README first call, known call" "$out" "interrupted"
    out=$(LD_LIBRARY_PATH=$P/lib TENIOS_API_URL=$URL TENIOS_ACCESS_KEY=$KEY readme/readme-1-c11 "$UNKNOWN" 2>&1) || true
    same "README first call, unknown call: status and message" "$out" \
        "TENIOS_ERR_CALL_UUID_NOT_FOUND: CALL_UUID_NOT_FOUND: The call wasn't found (fields: call_uuid); no live call has the uuid $UNKNOWN: the call may have ended (the caller hung up or it was transferred away), or the uuid is wrong"
fi

if kill -0 "$SIM_PID" 2>/dev/null; then
    pass "the simulator ran throughout"
else
    fail "the simulator died:"
    sed 's/^/     | /' "$TMP/sim.err"
fi
cd "$TMP"

# ------------------------------------------------------------------ uninstall
if run_log "make uninstall" "$MAKE" -C "$ROOT" --no-print-directory uninstall \
    DESTDIR="$STAGE" PREFIX="$PREFIX"; then
    same "make uninstall leaves no file and no tenios folder" \
        "$(cd "$STAGE" && find . \( -type f -o -type l -o -name tenios \) | sort)" ""
fi

# Another LIBDIR (a Debian multiarch one) and PREFIX: the files and the paths in tenios.pc and
# the CMake package follow; uninstall with the same variables removes them all.
STAGE2=$TMP/stage2
DIRS=(PREFIX=/usr LIBDIR=/usr/lib/x86_64-linux-gnu DOCDIR=/usr/share/doc/libtenios-dev)
if run_log "make install with LIBDIR" "$MAKE" -C "$ROOT" --no-print-directory install \
    DESTDIR="$STAGE2" "${DIRS[@]}"; then
    L=$STAGE2/usr/lib/x86_64-linux-gnu
    same "LIBDIR: pkg-config --libs" "$(PKG_CONFIG_LIBDIR=$L/pkgconfig PKG_CONFIG_SYSROOT_DIR=$STAGE2 \
        pc --libs tenios)" "-L$L -ltenios"
    same "LIBDIR: the CMake package finds its prefix" \
        "$(grep -o '"${CMAKE_CURRENT_LIST_DIR}/[./]*"' "$L/cmake/tenios/teniosConfig.cmake")" \
        '"${CMAKE_CURRENT_LIST_DIR}/../../../.."'
    same "DOCDIR: the licenses" "$(ls "$STAGE2/usr/share/doc/libtenios-dev" | tr '\n' ' ')" \
        "LICENSE-APACHE LICENSE-MIT README.md $([[ -d $ROOT/docs ]] && echo "docs ")"
    run_log "make uninstall with LIBDIR" "$MAKE" -C "$ROOT" --no-print-directory uninstall \
        DESTDIR="$STAGE2" "${DIRS[@]}" &&
        same "LIBDIR: make uninstall leaves no file" \
            "$(cd "$STAGE2" && find . \( -type f -o -type l \) | sort)" ""
fi

# ------------------------------------------------------------------ the ABI gate
echo "== the ABI gate on changed copies of abi/libtenios.abi"
if PYTHON=$PYTHON "$ROOT/tests/install/abi-gate.sh" >"$TMP/gate.out" 2>&1; then
    sed 's/^/     /' "$TMP/gate.out"
    pass "the ABI gate fails on incompatible changes and passes additions"
else
    sed 's/^/     | /' "$TMP/gate.out"
    fail "the ABI gate proof"
fi

echo
echo "test-install: $PASSED passed, $FAILED failed"
[[ $FAILED == 0 ]]
