# Sourced by test scripts: counted checks and the closing "N passed, M failed" line.
#   pass NAME / fail NAME      count one check
#   same NAME GOT WANT         pass when GOT equals WANT, else fail and show the difference

PASSED=0
FAILED=0
pass() { echo "ok   $*"; PASSED=$((PASSED + 1)); }
fail() { echo "FAIL $*"; FAILED=$((FAILED + 1)); }
same() {
    if [[ $2 == "$3" ]]; then
        pass "$1"
    else
        fail "$1"
        diff <(printf '%s\n' "$3") <(printf '%s\n' "$2") | sed 's/^/     | /' || true
        echo "     (< wanted, > got)"
    fi
}
