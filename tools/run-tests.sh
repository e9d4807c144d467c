#!/bin/sh
# Runs every test pass and prints the totals over all of them as the very
# last line, for CI to read:
#   axlink: N passed, N failed
#
# Passes:
#   1. the C tests (cmocka) and the Lua specs (busted), plain build;
#   2. the same under AddressSanitizer + UBSan (build-asan/), LeakSanitizer on
#      where the container allows it (it needs ptrace), the stock lua5.4 with
#      the sanitizer runtime preloaded;
#   3. the C tests and the specs that run in-process under valgrind memcheck,
#      and the thread test under helgrind (data races);
#   4. luacheck, and a short fuzz run (FUZZ_SECONDS, default 60; 0 skips it).
# Specs tagged #nosan measure malloc itself (meaningless under a replacement
# allocator) and #external runs LuaRocks: both only in the plain pass.
# Specs tagged #subprocess spawn lua5.4 children: not under valgrind (slow and
# not traced), and #heavy ones build 100 MB inputs: not under valgrind either.
# Exits non-zero when anything failed or a suite did not report.
set -u
pass=0
fail=0

count() {  # count PATTERN TEXT -> the number in the last match, or 0
  printf '%s\n' "$2" | grep -oE "$1" | tail -n 1 | grep -oE '[0-9]+' | head -n 1
}

# run_c DIR WRAPPER...: every cmocka binary in DIR (or only $ONLY), under
# WRAPPER if given.
run_c() {
  dir=$1
  shift
  for t in "$dir"/${ONLY:-test_*}; do
    [ -x "$t" ] || continue
    # A test may carry suppressions for libxml2's own defects, named and
    # explained in spec/c/NAME.supp (valgrind) and spec/c/NAME.lsan (LSan).
    name=$(basename "$t")
    supp=""
    if [ "${1:-}" = valgrind ] && [ -f "spec/c/$name.supp" ]; then supp="--suppressions=spec/c/$name.supp"; fi
    if [ "${2:-}" = --tool=helgrind ]; then
      supp=""
      if [ -f "spec/c/$name.helgrind" ]; then supp="--suppressions=spec/c/$name.helgrind"; fi
    fi
    lsan_opts=""
    asan_opts=${ASAN_OPTIONS:-}
    if [ -f "spec/c/$name.lsan" ]; then
      lsan_opts="suppressions=spec/c/$name.lsan"
      # libxml2 has no frame pointers: only the slow unwinder sees the
      # libxml2 function a suppression names.
      asan_opts="$asan_opts:fast_unwind_on_malloc=0"
    fi
    out=$(LSAN_OPTIONS="$lsan_opts" ASAN_OPTIONS="$asan_opts" "$@" $supp "$t" 2>&1)
    rc=$?
    printf '%s\n' "$out"
    p=$(count '\[  PASSED  \] [0-9]+ test' "$out"); p=${p:-0}
    f=$(count '\[  FAILED  \] [0-9]+ test\(s\), listed' "$out"); f=${f:-0}
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
      echo "axlink: $t exited with $rc without a failed test (crash, sanitizer or valgrind report)"
      f=1
    fi
    pass=$((pass + p))
    fail=$((fail + f))
  done
}

# run_busted CPATH EXCLUDED_TAGS WRAPPER...: the specs, summed.
run_busted() {
  cpath=$1
  tags=$2
  shift 2
  out=$("$@" lua5.4 /usr/bin/busted --ignore-lua --cpath="$cpath" ${tags:+--exclude-tags=$tags} 2>&1)
  rc=$?
  printf '%s\n' "$out"
  line=$(printf '%s\n' "$out" | grep -E '[0-9]+ success(es)? / [0-9]+ failures? / [0-9]+ errors? / [0-9]+ pending' | tail -n 1)
  if [ -z "$line" ]; then
    echo "axlink: busted printed no summary (exit $rc)"
    fail=$((fail + 1))
    return
  fi
  s=$(printf '%s' "$line" | grep -oE '[0-9]+ success' | grep -oE '[0-9]+')
  f=$(printf '%s' "$line" | grep -oE '[0-9]+ failure' | grep -oE '[0-9]+')
  e=$(printf '%s' "$line" | grep -oE '[0-9]+ error' | grep -oE '[0-9]+')
  pass=$((pass + s))
  fail=$((fail + f + e))
  if [ "$rc" -ne 0 ] && [ $((f + e)) -eq 0 ]; then
    echo "axlink: busted exited with $rc (sanitizer or valgrind report?)"
    fail=$((fail + 1))
  fi
}

# libxml2's XSD identity-constraint fixes (CVE-2024-56171, CVE-2025-32415)
# are in Debian's 2.9.14+dfsg-1.3~deb12u2; LIBXML_VERSION says 20914 for
# every revision, so the package version is what counts (reliability P16).
v=$(dpkg-query -W -f='${Version}' libxml2 2>/dev/null)
if [ -n "$v" ] && dpkg --compare-versions "$v" ge '2.9.14+dfsg-1.3~deb12u2'; then
  echo "axlink: libxml2 $v"
  pass=$((pass + 1))
else
  echo "axlink: libxml2 ${v:-unknown} is older than 2.9.14+dfsg-1.3~deb12u2 (XSD validation fixes missing)"
  fail=$((fail + 1))
fi

echo "== pass 1: plain build"
run_c build/test
run_busted 'build/?.so' ''

echo "== pass 2: AddressSanitizer + UBSan"
if command -v clang >/dev/null 2>&1 && [ -d build-asan/test ]; then
  rt=$(clang -print-file-name=libclang_rt.asan-x86_64.so)
  libxml=$(ldconfig -p | awk '/libxml2\.so\.2 /{print $NF; exit}')
  lsan=1
  # LeakSanitizer stops the world with ptrace; some containers refuse it.
  probe=$(ASAN_OPTIONS=detect_leaks=1 build-asan/test/test_match 2>&1)
  if printf '%s' "$probe" | grep -q 'LeakSanitizer has encountered a fatal error'; then
    lsan=0
    echo "axlink: LeakSanitizer cannot run here (ptrace refused): leaks are checked by valgrind only"
  fi
  export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
  # Symbolized stacks, or the suppressions (spec/c/*.lsan) name functions
  # that a bare address never matches: llvm-14 (tools/deps.sh) has the
  # symbolizer, under a versioned name only.
  sym=$(command -v llvm-symbolizer || command -v llvm-symbolizer-14 || true)
  if [ -n "$sym" ]; then
    export ASAN_SYMBOLIZER_PATH=$sym
  else
    echo "axlink: no llvm-symbolizer (package llvm-14): sanitizer stacks cannot be symbolized"
    fail=$((fail + 1))
  fi
  ASAN_OPTIONS=detect_leaks=$lsan:abort_on_error=1 run_c build-asan/test
  # libxml2 is preloaded too, so it is not unloaded before LSan looks: its
  # per-thread state would otherwise look lost.
  # The specs' own child processes (the CLI, examples) load the sanitized
  # module too (AXLINK_CPATH): so the C code they run is checked, and a
  # plain module's dynamic TLS under the preloaded runtime does not trip
  # LeakSanitizer 14's DTLS walk (a fatal error of the tool, not a leak).
  AXLINK_CPATH='build-asan/?.so' ASAN_OPTIONS=detect_leaks=$lsan LD_PRELOAD="$rt $libxml" \
    run_busted 'build-asan/?.so' 'nosan,external'
  unset UBSAN_OPTIONS
else
  echo "axlink: no clang or no build-asan: sanitizer pass missing"
  fail=$((fail + 1))
fi

echo "== pass 3: valgrind memcheck"
if command -v valgrind >/dev/null 2>&1; then
  vg="valgrind -q --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite --num-callers=40"
  run_c build/test $vg
  # libxml2 preloaded, as in pass 2: lua5.4 unloads the module, libxml2 and
  # ICU at exit, and ICU's converter cache (filled when libxml2 switches to
  # a declared encoding, spec/17) would then look lost rather than held.
  libxml=$(ldconfig -p | awk '/libxml2\.so\.2 /{print $NF; exit}')
  run_busted 'build/?.so' 'nosan,external,subprocess,heavy' \
    env LD_PRELOAD="$libxml" $vg
  # Lua states and C-API threads at once: helgrind reports data races.
  ONLY=test_lua_threads run_c build/test valgrind --tool=helgrind -q \
    --error-exitcode=9 --num-callers=40
  unset ONLY
else
  echo "axlink: no valgrind: memcheck pass missing"
  fail=$((fail + 1))
fi

echo "== pass 4: luacheck and a short fuzz run"
# luacheck counts as one test: the Lua code must stay clean.
if luacheck --no-color -q lua spec bin bench examples >/tmp/axlink-luacheck.$$ 2>&1; then
  pass=$((pass + 1))
else
  cat /tmp/axlink-luacheck.$$
  echo "axlink: luacheck found problems"
  fail=$((fail + 1))
fi
rm -f /tmp/axlink-luacheck.$$

if [ -x tools/fuzz.sh ] && [ "${FUZZ_SECONDS:-60}" != 0 ]; then
  # A fixed number of runs from a fixed seed bounds the work alike on every
  # machine (a time bound would not); the inputs still drift apart between
  # machines, as coverage feedback follows hash seeds and address layout, so
  # a finding elsewhere is a real bug: its details and reproducer are
  # printed (the indented lines).
  out=$(FUZZ_RUNS=${FUZZ_RUNS:-40000} FUZZ_SEED=${FUZZ_SEED:-1} tools/fuzz.sh "${FUZZ_SECONDS:-60}" 2>&1)
  rc=$?
  printf '%s\n' "$out" | grep -E '^(fuzz|  )' || true
  p=$(count 'fuzz: [0-9]+ passed' "$out"); p=${p:-0}
  f=$(count ', [0-9]+ failed' "$out"); f=${f:-0}
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  pass=$((pass + p))
  fail=$((fail + f))
fi

echo "axlink: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
