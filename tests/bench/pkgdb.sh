#!/usr/bin/env bash
# pkgdb.sh: time to parse a bookworm minbase dpkg status and to run the whole package inventory driver on its debootstrap tree.
# Usage: tests/bench/pkgdb.sh   (root; DOCKWARD_BUILD=build/NAME, PKGDB_ROOTFS=DIR to reuse a tree, BENCH_RUNS=20)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=${DOCKWARD_BUILD:-build}
RUNS=${BENCH_RUNS:-20}
TMP=$(mktemp -d /tmp/dwbench-pkgdb.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
cd "$ROOT"
make --no-print-directory B="$B" "$B/libdockward.a" >/dev/null
PKGS="libcurl yajl libbpf inih sqlite3 libarchive"
cc -std=c11 -D_GNU_SOURCE -O2 -I. -Iagent -Ichecks $(pkg-config --cflags $PKGS) tests/bench/pkgdb_bench.c \
	"$B/libdockward.a" $(pkg-config --libs $PKGS) -o "$TMP/pkgdb_bench"
rootfs=${PKGDB_ROOTFS:-}
if [ -z "$rootfs" ]; then
	command -v debootstrap >/dev/null || { echo "bench: debootstrap is needed" >&2; exit 3; }
	rootfs=$TMP/rootfs
	debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >"$TMP/debootstrap.log" 2>&1 ||
		{ tail "$TMP/debootstrap.log" >&2; exit 3; }
fi
"$TMP/pkgdb_bench" "$rootfs" "$RUNS"
