#!/usr/bin/env bash
# Benchmarks of cairn-server beside Debian's redis-server (called by `make bench` after the
# Release build). Prints figures only; never fails on timing.
#   CAIRN_BIN_DIR     folder holding cairn-server (default: build/bin of this checkout)
#   CAIRN_SERVER_BIN  the server binary itself (overrides CAIRN_BIN_DIR)
#   BENCH_ROUNDS      throughput rounds (default 3); BENCH_SCALE multiplies request counts
#   BENCH_KEYS        keys loaded by the memory benchmark (default 1000000)
#   BENCH_RDB_KEYS    keys of the RDB snapshot benchmark (default 1000000)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "${here}/../.." && pwd)"
export CAIRN_BIN_DIR="${CAIRN_BIN_DIR:-${root}/build/bin}"
python=/usr/bin/python3

server="${CAIRN_SERVER_BIN:-${CAIRN_BIN_DIR}/cairn-server}"
for tool in "${server}" /usr/bin/redis-server /usr/bin/redis-benchmark; do
  if [[ ! -x "${tool}" ]]; then
    echo "bench: ${tool} not found (run 'make build' and scripts/install-deps.sh)" >&2
    exit 1
  fi
done

echo "== throughput (redis-benchmark) =="
"${python}" "${here}/throughput.py"
echo
echo "== TLS throughput (redis-benchmark --tls) =="
"${python}" "${here}/tls.py"
echo
echo "== memory per key =="
"${python}" "${here}/memory.py"
echo
echo "== bytes per member of hashes and sets =="
"${python}" "${here}/collection_memory.py"
echo
echo "== HyperLogLog (redis-benchmark) =="
"${python}" "${here}/hyperloglog.py"
echo
echo "== cluster create (control plane, dev mode) =="
"${python}" "${here}/cluster_create.py"
echo
echo "== failover time (control plane, dev mode) =="
"${python}" "${here}/failover.py"
echo
echo "== RDB snapshots: SAVE, BGSAVE, file size, memory during BGSAVE, restart =="
"${python}" "${here}/persistence.py"
echo
echo "== append-only file: SET throughput per appendfsync, BGREWRITEAOF time =="
"${python}" "${here}/aof.py"
