#!/usr/bin/env bash
# vulndb.sh: time to import OSV records into the vulnerability database, its size, and open + match time for 300 packages.
# Usage: tests/bench/vulndb.sh   (DOCKWARD_BUILD=build/NAME, OSV_SOURCE=DIR|all.zip (default: the test fixtures), BENCH_PACKAGES=300, BENCH_RUNS=20)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=${DOCKWARD_BUILD:-build}
SRC=${OSV_SOURCE:-$ROOT/tests/fixtures/osv}
TMP=$(mktemp -d /tmp/dwbench-vulndb.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
cd "$ROOT"
make --no-print-directory B="$B" "$B/libdockward.a" >/dev/null
PKGS="libcurl yajl libbpf inih sqlite3 libarchive"
cc -std=c11 -D_GNU_SOURCE -O2 -I. -Iagent -Ichecks $(pkg-config --cflags $PKGS) tests/bench/vulndb_bench.c \
	"$B/libdockward.a" $(pkg-config --libs $PKGS) -o "$TMP/vulndb_bench"
"$TMP/vulndb_bench" "$SRC" "$TMP/db" "${BENCH_PACKAGES:-300}" "${BENCH_RUNS:-20}"
echo "database: $(stat -c %s "$TMP/db/vulndb.sqlite") bytes"
