#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan+UBSan) in build/fuzz and runs each one for
# FUZZ_SECONDS (default 60). Corpora grow in build/fuzz/corpus-<target>, seeded from seeds/.
# A crash leaves its input in build/fuzz/ and makes this script exit non-zero.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_EACH="${FUZZ_SECONDS:-60}"
TARGETS="${FUZZ_TARGETS:-resp_parser_fuzz dispatch_fuzz rdb_load_fuzz}"
if [ ! -f build/fuzz/build.ninja ]; then
  CC=clang CXX=clang++ cmake -G Ninja -S . -B build/fuzz -DCMAKE_BUILD_TYPE=Debug -DCAIRN_FUZZ=ON \
    -DBUILD_TESTING=OFF >/dev/null
fi
cmake --build build/fuzz -j "$(nproc)" --target $TARGETS
status=0
for t in $TARGETS; do
  seed=tests/fuzz/seeds/${t%_fuzz}
  [ "$t" = resp_parser_fuzz ] && seed=tests/fuzz/seeds/resp
  corpus=build/fuzz/corpus-$t
  mkdir -p "$corpus"
  echo "== $t for ${SECONDS_EACH}s"
  if ! (cd build/fuzz && ASAN_OPTIONS=detect_leaks=0 ./fuzz/$t -max_total_time="$SECONDS_EACH" \
        -max_len=4096 -print_final_stats=1 "../../$corpus" "../../$seed" 2>&1 | tail -12); then
    status=1
  fi
done
exit $status
