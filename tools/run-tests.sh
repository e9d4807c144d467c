#!/bin/sh
# Runs the C tests (cmocka) and the Lua specs (busted), then prints the
# totals over all of them as the very last line, for CI to read:
#   axlink: N passed, N failed
# Exits non-zero when anything failed or a suite did not report.
set -u
pass=0
fail=0

count() {  # count PATTERN TEXT -> the number in the last match, or 0
  printf '%s\n' "$2" | grep -oE "$1" | tail -n 1 | grep -oE '[0-9]+' | head -n 1
}

for t in build/test/test_*; do
  [ -x "$t" ] || continue
  out=$("$t" 2>&1)
  rc=$?
  printf '%s\n' "$out"
  p=$(count '\[  PASSED  \] [0-9]+ test' "$out"); p=${p:-0}
  f=$(count '\[  FAILED  \] [0-9]+ test\(s\), listed' "$out"); f=${f:-0}
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    echo "axlink: $t exited with $rc without a summary (crash?)"
    f=1
  fi
  pass=$((pass + p))
  fail=$((fail + f))
done

out=$(busted --lua=lua5.4 2>&1)
rc=$?
printf '%s\n' "$out"
line=$(printf '%s\n' "$out" | grep -E '[0-9]+ success(es)? / [0-9]+ failures? / [0-9]+ errors? / [0-9]+ pending' | tail -n 1)
if [ -z "$line" ]; then
  echo "axlink: busted printed no summary (exit $rc)"
  fail=$((fail + 1))
else
  s=$(printf '%s' "$line" | grep -oE '[0-9]+ success' | grep -oE '[0-9]+')
  f=$(printf '%s' "$line" | grep -oE '[0-9]+ failure' | grep -oE '[0-9]+')
  e=$(printf '%s' "$line" | grep -oE '[0-9]+ error' | grep -oE '[0-9]+')
  pass=$((pass + s))
  fail=$((fail + f + e))
  if [ "$rc" -ne 0 ] && [ $((f + e)) -eq 0 ]; then
    echo "axlink: busted exited with $rc"
    fail=$((fail + 1))
  fi
fi

# luacheck counts as one test: the Lua code must stay clean.
if luacheck --no-color -q lua spec bin bench examples >/tmp/axlink-luacheck.$$ 2>&1; then
  pass=$((pass + 1))
else
  cat /tmp/axlink-luacheck.$$
  echo "axlink: luacheck found problems"
  fail=$((fail + 1))
fi
rm -f /tmp/axlink-luacheck.$$

echo "axlink: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
