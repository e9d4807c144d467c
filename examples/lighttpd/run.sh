#!/bin/sh
# shellcheck disable=SC2317  # cleanup and stop run from traps
# examples/lighttpd/run.sh PORT
#
# Starts lighttpd in the foreground on 127.0.0.1:PORT with axlink's intake
# endpoint (lighttpd.conf, check.lua): POST an AX to /check. It uses the
# module from the build tree: the checkout's build/ after `make all`, or the
# folder AXLINK_BUILD names. AXLINK_MAX_BYTES sets the body limit (default
# 16777216, the CLI's --max-bytes default).
#
# lighttpd's upload spool (bodies over 64 KiB while they are read) lives in a
# temporary directory this script makes (on /dev/shm when it can, so a
# request body never reaches a disk) and removes when lighttpd exits;
# nothing else is written. lighttpd's log goes to standard error. Stop it
# with SIGTERM or SIGINT (Ctrl-C): the script exits 0 once lighttpd stopped.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

die() { echo "run.sh: $*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: examples/lighttpd/run.sh PORT"
port=$1
case $port in
  ''|*[!0-9]*) die "PORT must be a number, not '$port'" ;;
esac
if [ "$port" -lt 1 ] || [ "$port" -gt 65535 ]; then die "PORT must be 1..65535, not $port"; fi

lighttpd=$(command -v lighttpd || true)
if [ -z "$lighttpd" ] && [ -x /usr/sbin/lighttpd ]; then lighttpd=/usr/sbin/lighttpd; fi
[ -n "$lighttpd" ] ||
  die "lighttpd is not installed: apt-get install lighttpd lighttpd-modules-lua"
moddir=/usr/lib/lighttpd
[ -f "$moddir/mod_magnet.so" ] ||
  die "lighttpd's mod_magnet ($moddir/mod_magnet.so) is not installed: apt-get install lighttpd-modules-lua"

build=${AXLINK_BUILD:-$root/build}
case $build in /*) ;; *) build=$(pwd)/$build ;; esac
[ -f "$build/axlink/core.so" ] ||
  die "the axlink module $build/axlink/core.so is missing: run \`make all\` first (or set AXLINK_BUILD)"

max_bytes=${AXLINK_MAX_BYTES:-16777216}
case $max_bytes in
  ''|*[!0-9]*) die "AXLINK_MAX_BYTES must be a number of bytes, not '$max_bytes'" ;;
esac

# lighttpd runs as a child (not exec'd) so that the directory is removed
# when it stops; a SIGTERM or SIGINT to this script is passed on to it.
child=
dir=
cleanup() { if [ -n "$dir" ]; then rm -rf "$dir"; fi; }
stop() {
  trap - TERM INT
  if [ -n "$child" ]; then kill -TERM "$child" 2>/dev/null || true; else exit 143; fi
}
trap stop TERM INT
trap cleanup EXIT

base=${TMPDIR:-/tmp}
if [ -d /dev/shm ] && [ -w /dev/shm ]; then base=/dev/shm; fi
dir=$(mktemp -d "$base/axlink-lighttpd.XXXXXX")
mkdir "$dir/empty" "$dir/upload"

export AXLINK_HTTP_PORT="$port" AXLINK_HTTP_DIR="$dir" AXLINK_HTTP_SCRIPTS="$here"
export AXLINK_HTTP_MAX_KB=$(( (max_bytes + 1023) / 1024 )) AXLINK_MAX_BYTES="$max_bytes"
export LUA_PATH_5_4="$root/lua/?.lua;$root/lua/?/init.lua;;" LUA_CPATH_5_4="$build/?.so;;"

"$lighttpd" -tt -f "$here/lighttpd.conf" >"$dir/config-test.log" 2>&1 || {
  cat "$dir/config-test.log" >&2
  die "lighttpd refused the configuration"
}
echo "run.sh: lighttpd on http://127.0.0.1:$port/check (module $build/axlink/core.so); SIGTERM or Ctrl-C stops it" >&2
# -D: in the foreground.
"$lighttpd" -D -f "$here/lighttpd.conf" &
child=$!
status=0
wait "$child" || status=$?
# A signal interrupted wait: wait again for lighttpd to finish stopping.
if kill -0 "$child" 2>/dev/null; then status=0; wait "$child" || status=$?; fi
exit "$status"
