#!/usr/bin/env bash
# `make abi-proof`: the ABI gate on real libraries. Copies the checkout's tracked files to a
# scratch source tree, makes one deliberate change to the Rust source at a time, builds the
# library with debug info, dumps it with abidw and wants an exact verdict from
# mk/abi-compare.sh against abi/libtenios.abi. Not part of `make test` (tests/install/abi-gate.sh
# does the same on edited dumps in 2 s); this one shows that the Rust DWARF carries each change
# into the dump. About 70 s the first time (the dependencies, in their own target folder), then
# about 5 s a build. Prints "N passed, M failed".
#
# Environment: ABI_PROOF_DIR (default $CARGO_TARGET_DIR/abi-proof or target/abi-proof: the
# scratch source and its target folder, kept between runs so that the dependencies are built
# once), CARGO.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CARGO=${CARGO:-cargo}
DIR=${ABI_PROOF_DIR:-${CARGO_TARGET_DIR:-$ROOT/target}/abi-proof}
SRC=$DIR/src
BASELINE=$ROOT/abi/libtenios.abi
ABIDW_FLAGS=(--no-show-locs --no-corpus-path --no-comp-dir-path --drop-undefined-syms
    --type-id-style hash)

mkdir -p "$DIR"
rm -rf "$SRC"
mkdir -p "$SRC"
git -C "$ROOT" ls-files -z | (cd "$ROOT" && tar --null -T - -cf -) | tar -xf - -C "$SRC"
PRISTINE=$DIR/pristine
rm -rf "$PRISTINE"
cp -a "$SRC/src" "$PRISTINE"

PASSED=0
FAILED=0
# variant NAME WANT_RC: builds $SRC as it is now, compares, restores src/.
variant() {
    local name=$1 want=$2 rc=0
    # cargo judges a path crate by mtimes, and the copies keep the originals': make them new.
    find "$SRC/src" -type f -exec touch {} +
    if ! (cd "$SRC" && "$CARGO" build --release --lib --target-dir "$DIR/target" \
        --config 'profile.release.package.tenios.debug=true' >"$DIR/$name.build" 2>&1); then
        echo "FAIL $name: the changed library did not build:"
        tail -n 20 "$DIR/$name.build" | sed 's/^/     | /'
        FAILED=$((FAILED + 1))
    else
        abidw "${ABIDW_FLAGS[@]}" --out-file "$DIR/$name.abi" "$DIR/target/release/libtenios.so"
        "$ROOT/mk/abi-compare.sh" "$BASELINE" "$DIR/$name.abi" >"$DIR/$name.out" 2>&1 || rc=$?
        if [[ $rc == "$want" ]]; then
            echo "ok   $name: abi-compare exit $rc"
            grep -E '^\s*\| +(\[[ACD]\]|.*enumerator|.*type name changed|.*SONAME)' "$DIR/$name.out" |
                head -n 4 || true
            PASSED=$((PASSED + 1))
        else
            echo "FAIL $name: abi-compare exit $rc, expected $want:"
            sed 's/^/     | /' "$DIR/$name.out"
            FAILED=$((FAILED + 1))
        fi
    fi
    rm -rf "$SRC/src"
    cp -a "$PRISTINE" "$SRC/src"
}
# change FILE SED-SCRIPT: a deliberate edit that must change the file.
change() {
    local before
    before=$(cat "$SRC/$1")
    sed -i "$2" "$SRC/$1"
    if [[ $(cat "$SRC/$1") == "$before" ]]; then
        echo "abi-rebuild-proof.sh: '$2' changed nothing in $1: update this script" >&2
        exit 2
    fi
}

variant unchanged 0

change src/status.rs 's/TENIOS_ERR_TIMEOUT = 9,/TENIOS_ERR_TIMEOUT = 99,/'
variant "renumbered status (TENIOS_ERR_TIMEOUT = 99)" 1

change src/ffi/client.rs '/fn tenios_client_builder_set_timeout_ms(/,/^{/ s/milliseconds: u32,/milliseconds: u64,/;
    s/check_timeout_ms("timeout", milliseconds)/check_timeout_ms("timeout", milliseconds as u32)/'
variant "parameter u32 -> u64 (set_timeout_ms)" 1

change src/ffi/mod.rs 's/pub extern "C" fn tenios_version()/pub extern "C" fn tenios_version_renamed()/'
variant "removed function (tenios_version renamed)" 1

cat >>"$SRC/src/ffi/mod.rs" <<'EOF'

/// Added by tests/install/abi-rebuild-proof.sh: a new function is a compatible change.
#[no_mangle]
pub extern "C" fn tenios_added_for_the_proof() -> u32 {
    42
}
EOF
variant "added function" 0

echo "abi-proof: $PASSED passed, $FAILED failed"
[[ $FAILED == 0 ]]
