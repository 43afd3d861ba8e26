#!/usr/bin/env bash
# make test-docs: the man pages, the links and the snippets of the documentation.
#
#   1. every function libtenios.so exports has a man page, and `mandoc -T lint` finds nothing
#      in any page (man-check, run by make before this, says they are up to date);
#   2. the HTML reference (make docs) lists every page;
#   3. every link and anchor of README.md, docs/*.md and bindings/python/README.md resolves;
#   4. every ```c and ```cpp block of README.md and docs/*.md compiles and links against the
#      build tree (C11, C++17; -Wall -Wextra -Werror -pedantic);
#   5. every ```python block runs against the simulator, on $PYTHON and on the oldest Python
#      pyenv has of those the package supports (3.9; a printed skip when there is none);
#   6. the README's first call in C works exactly as written (readme_first_call.sh);
#   7. the simulator's CI recipe works across shells (ci_recipe.sh).
#
# Environment: TENIOS_LIB, TENIOS_SIM, RELEASE_DIR (the build), MAN_DIR, CC, CXX, PYTHON.

set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
RELEASE_DIR=${RELEASE_DIR:-${CARGO_TARGET_DIR:-$ROOT/target}/release}
TENIOS_LIB=${TENIOS_LIB:-$RELEASE_DIR/libtenios.so}
export TENIOS_SIM=${TENIOS_SIM:-$RELEASE_DIR/tenios-sim}
MAN_DIR=${MAN_DIR:-man}
CC=${CC:-cc}
CXX=${CXX:-c++}
PYTHON=${PYTHON:-python3}
HTML_DIR=${HTML_DIR:-build/docs/html}
PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); echo "  ok    $*"; }
fail() { FAILED=$((FAILED + 1)); echo "  FAIL  $*"; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/tenios-docs.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

echo "== man pages"
missing=
for fn in $(nm -D --defined-only --format=posix "$TENIOS_LIB" | awk '$1 ~ /^tenios_/ { print $1 }'); do
    [[ -f $MAN_DIR/man3/$fn.3 ]] || missing+=" $fn"
done
count=$(nm -D --defined-only --format=posix "$TENIOS_LIB" | awk '$1 ~ /^tenios_/' | wc -l)
if [[ -z $missing ]]; then pass "a man page for each of the $count exported functions"
else fail "no man page for:$missing (make man)"; fi
[[ -f $MAN_DIR/man1/tenios-sim.1 ]] && pass "tenios-sim(1)" || fail "no $MAN_DIR/man1/tenios-sim.1"
if lint=$(mandoc -T lint "$MAN_DIR"/man1/*.1 "$MAN_DIR"/man3/*.3 2>&1) && [[ -z $lint ]]; then
    pass "mandoc -T lint: nothing to say about $(ls "$MAN_DIR"/man[13]/* | wc -l) pages"
else
    fail "mandoc -T lint:"; echo "$lint" | sed 's/^/     | /'
fi

echo "== the HTML reference"
unlisted=
for page in "$MAN_DIR"/man[13]/*; do
    name=$(basename "$page"); html="${name%.*}.${name##*.}.html"
    [[ -f $HTML_DIR/$html ]] && grep -q "href=\"$html\"" "$HTML_DIR/index.html" || unlisted+=" $html"
done
[[ -z $unlisted ]] && pass "$HTML_DIR/index.html links every page" || fail "not in the HTML reference:$unlisted"

echo "== links"
if out=$("$PYTHON" tests/docs/check_links.py README.md docs/*.md bindings/python/README.md); then
    pass "$(tail -1 <<<"$out")"
else
    fail "broken links:"; echo "$out" | sed 's/^/     | /'
fi

echo "== C and C++ snippets"
mkdir -p "$TMP/snippets"
"$PYTHON" tests/install/readme_snippets.py README.md docs/*.md "$TMP/snippets" >"$TMP/snippets.txt"
fences=$(cat README.md docs/*.md | grep -cE '^```(c|cpp)[[:space:]]*$')
[[ $(wc -l <"$TMP/snippets.txt") -eq $fences ]] &&
    pass "all $fences C and C++ blocks extracted" || fail "extracted $(wc -l <"$TMP/snippets.txt") of $fences blocks"
LINK=(-L"$RELEASE_DIR" -Wl,-rpath,"$RELEASE_DIR" -ltenios)
while read -r file line source; do
    if [[ $file == *.c ]]; then
        "$CC" -std=c11 -Wall -Wextra -Werror -pedantic -Iinclude -o "${file%.c}" "$file" "${LINK[@]}" \
            >"$TMP/cc.log" 2>&1 && pass "$source:$line (C11)" || { fail "$source:$line (C11)"; sed 's/^/     | /' "$TMP/cc.log"; }
    else
        "$CXX" -std=c++17 -Wall -Wextra -Werror -pedantic -Iinclude -Ibindings/cpp -o "${file%.cpp}" "$file" \
            "${LINK[@]}" >"$TMP/cc.log" 2>&1 && pass "$source:$line (C++17)" || { fail "$source:$line (C++17)"; sed 's/^/     | /' "$TMP/cc.log"; }
    fi
done <"$TMP/snippets.txt"

echo "== Python snippets"
oldest=
for v in 3.9 3.10 3.11 3.12 3.13; do
    candidate=$(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$v".*/bin/python3 2>/dev/null | sort -V | tail -1)
    if [[ -n $candidate ]]; then oldest=$candidate; break; fi
done
pythons=("$PYTHON")
if [[ -n $oldest ]]; then pythons+=("$oldest"); else echo "  skip  no Python 3.9 to 3.13 under pyenv: the snippets run on $PYTHON only"; fi
for py in "${pythons[@]}"; do
    if out=$(TENIOS_LIBRARY=$TENIOS_LIB "$PYTHON" tests/docs/python_snippets.py "$py" README.md docs/*.md 2>&1); then
        pass "$(tail -1 <<<"$out")"
    else
        fail "Python snippets on $py:"; echo "$out" | sed 's/^/     | /'
    fi
done

echo "== the README's first call, as written"
if out=$(PYTHON=$PYTHON tests/docs/readme_first_call.sh 2>&1); then pass "$out"
else fail "readme_first_call.sh:"; echo "$out" | sed 's/^/     | /'; fi

echo "== the simulator's CI recipe"
if out=$(PYTHON=$PYTHON tests/docs/ci_recipe.sh 2>&1); then pass "$out"
else fail "ci_recipe.sh:"; echo "$out" | sed 's/^/     | /'; fi

echo
echo "test-docs: $PASSED passed, $FAILED failed"
[[ $FAILED == 0 ]]
