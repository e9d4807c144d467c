#!/bin/sh
# Installs the Debian packages axlink needs to build and test, when missing.
# As root it runs apt-get; otherwise it prints the exact command and fails.
set -eu
# `tools/deps.sh` (demo, build) or `tools/deps.sh test` (everything the
# tests use: busted, cmocka, luarocks, luacheck, clang's sanitizers and
# libFuzzer with llvm-14 for llvm-symbolizer (without it sanitizer stacks
# are bare addresses and the suppressions of spec/c/*.lsan cannot match),
# valgrind, lua-expat for the benchmark peer, git for the clean-tree test,
# lua-luaossl and openssl for the platform signature test: verify is
# optional at run time, but its test must run; lighttpd with its Lua 5.4
# module and curl for the host test, spec/19).
# Nothing here may be left to what a machine happens to have: the list is
# proven on a minimal debootstrap root by .ci/run.
need="gcc libc6-dev make pkg-config lua5.4 liblua5.4-dev libxml2-dev lua-cjson lua-argparse"
if [ "${1:-}" = test ]; then
  need="$need lua-busted libcmocka-dev lua-expat luarocks lua-check lua-ldoc clang libclang-rt-14-dev llvm-14"
  need="$need valgrind git lua-luaossl openssl lighttpd lighttpd-modules-lua curl"
fi
missing=""
for p in $need; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
  echo "axlink: installing:$missing" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # lighttpd is a test dependency only: installing it must not start (or,
  # with systemd, enable) a web server on port 80. policy-rc.d tells
  # Debian's maintainer scripts not to start services during the install.
  policy=""
  case " $missing " in *" lighttpd "*)
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      policy=/usr/sbin/policy-rc.d
      printf '#!/bin/sh\nexit 101\n' >"$policy"
      chmod 755 "$policy"
      # dash runs no EXIT trap on a signal: each signal removes it too.
      trap 'rm -f "$policy"' EXIT
      trap 'rm -f "$policy"; exit 130' INT
      trap 'rm -f "$policy"; exit 143' TERM
    fi ;;
  esac
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
  case " $missing " in *" lighttpd "*)
    if command -v systemctl >/dev/null 2>&1; then systemctl disable lighttpd >/dev/null 2>&1 || true; fi ;;
  esac
else
  echo "axlink: missing Debian packages. Run:" >&2
  echo "  sudo apt-get install$missing" >&2
  exit 1
fi
