#!/bin/sh
# run-tinyproxy.sh TINYPROXY CONFIG
#
# Runs tinyproxy in the foreground (-d) with CONFIG, for tests/proxy.rs, and stops it as soon
# as this script's standard input reaches end of file. The test holds the write end of that
# pipe: it closes it when the proxy is dropped, and the kernel closes it when the test process
# dies in any way (even SIGKILL), so a test run never leaves a proxy behind. Exits with
# tinyproxy's status.
set -u
tinyproxy=$1
config=$2

"$tinyproxy" -d -c "$config" </dev/null &
proxy=$!

# A background job reads /dev/null unless told otherwise: hand it this script's stdin.
exec 3<&0
( cat <&3 >/dev/null; kill "$proxy" 2>/dev/null ) &
watcher=$!
exec 3<&-

wait "$proxy"
status=$?
kill "$watcher" 2>/dev/null
exit "$status"
