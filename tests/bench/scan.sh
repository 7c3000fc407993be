#!/usr/bin/env bash
# scan.sh: `dockward scan` of a debootstrap bookworm image with the whole OSV set imported: cold and warm wall time, peak RSS, and the floor (reading the package files).
# Usage: tests/bench/scan.sh   (root; DOCKWARD_BUILD=build/NAME or DOCKWARD_BIN, OSV_SOURCE=DIR (default /work/shared/data/osv), BENCH_RUNS=10)
# Goals: cold < 150 ms and within 3x of the floor, warm < 10 ms, peak RSS < 32 MB.
source "$(dirname "$0")/lib.sh"
bench_need hyperfine docker python3
OSV=${OSV_SOURCE:-/work/shared/data/osv}
[ -d "$OSV" ] || [ -f "$OSV" ] || { echo "bench: no OSV data at $OSV" >&2; exit 3; }
[ -x "$DOCKWARD" ] || make -C "$BENCH_ROOT" --no-print-directory B="$BENCH_BUILD" >/dev/null

bench_start_engine
tar=$(cd "$BENCH_ROOT/tests/integration" && python3 -c 'import scan_images; print(scan_images.bookworm_tarball())')
docker import "$tar" dwbench/bookworm:12 >/dev/null
IMG=dwbench/bookworm:12

mkdir -p "$BENCH_TMP/state"
printf '[agent]\nstate_dir = %s\n[scan]\nvulndb_dir = %s\n' "$BENCH_TMP/state" "$BENCH_TMP/db" >"$BENCH_TMP/dw.conf"
DW="$DOCKWARD -c $BENCH_TMP/dw.conf -H $BENCH_HOST"
"$DOCKWARD" -c "$BENCH_TMP/dw.conf" db import "$OSV" >"$BENCH_TMP/import.log" 2>&1 ||
	{ tail "$BENCH_TMP/import.log" >&2; exit 3; }
advisories=$("$DOCKWARD" -c "$BENCH_TMP/dw.conf" db status -f json | python3 -c 'import json,sys; print(json.load(sys.stdin)["advisories"])')

# the floor: reading the files the inventory needs, straight from the image's top layer
upper=$(docker image inspect -f '{{.GraphDriver.Data.UpperDir}}' $IMG)
[ -d "$upper" ] || { echo "bench: no overlay2 upper dir for $IMG" >&2; exit 3; }
printf '#!/bin/sh\ncat %s/var/lib/dpkg/status %s/etc/os-release %s/var/lib/dpkg/info/*.list >/dev/null\n' \
	"$upper" "$upper" "$upper" >"$BENCH_TMP/floor.sh"
chmod +x "$BENCH_TMP/floor.sh"
pkgfiles=$(ls "$upper"/var/lib/dpkg/info/*.list | wc -l)

# one full scan to check it works and to count what it found
$DW scan --no-cache -f json $IMG >"$BENCH_TMP/scan.json" || [ $? -eq 1 ] || { echo "bench: scan failed" >&2; exit 3; }
read -r pkgs vulns files < <(python3 -c 'import json,sys; i=json.load(open(sys.argv[1]))["images"][0]
print(len(i["packages"]), len(i["vulnerabilities"]), i["inventory"]["files_walked"])' "$BENCH_TMP/scan.json")

bench_time floor "$BENCH_TMP/floor.sh"
bench_time cold "$DW scan --no-cache --fail-on never -f json -o /dev/null $IMG"
$DW scan --fail-on never -o /dev/null $IMG
bench_time warm "$DW scan --fail-on never -f json -o /dev/null $IMG"
# a new image on the cached bookworm layer plus one small layer of its own (a Python package):
# only that layer is read, the base layer's entry is reused (the image's own results are dropped each run)
ctx="$BENCH_TMP/ctx"
mkdir -p "$ctx"
printf 'FROM %s\nRUN mkdir -p /usr/local/lib/python3.11/dist-packages/app-1.0.dist-info && printf "Name: app\\nVersion: 1.0\\n" >/usr/local/lib/python3.11/dist-packages/app-1.0.dist-info/METADATA\n' \
	$IMG >"$ctx/Dockerfile"
DOCKER_BUILDKIT=0 docker build -q --network none -t dwbench/derived:1 "$ctx" >/dev/null
top=$(docker image inspect -f '{{json .RootFS.Layers}}' dwbench/derived:1 | python3 -c 'import json,sys; print(json.load(sys.stdin)[-1].split(":")[1])')
cache="$BENCH_TMP/state/cache"
printf '#!/bin/sh\nrm -f %s/fs-*.json %s/vulns-*.json %s/layer-%s.json\nexec %s scan --fail-on never -f json -o /dev/null dwbench/derived:1\n' \
	"$cache" "$cache" "$cache" "$top" "$DW" >"$BENCH_TMP/shared.sh"
chmod +x "$BENCH_TMP/shared.sh"
printf '#!/bin/sh\nrm -f %s/fs-*.json %s/vulns-*.json %s/layer-%s.json\n' "$cache" "$cache" "$cache" "$top" >"$BENCH_TMP/shared0.sh"
chmod +x "$BENCH_TMP/shared0.sh"
"$BENCH_TMP/shared.sh"        # the base layer's entry
read -r sread slayers < <("$BENCH_TMP/shared0.sh"; $DW scan --fail-on never -f json dwbench/derived:1 | python3 -c 'import json,sys
i=json.load(sys.stdin)["images"][0]["inventory"]; print(i["layers_read"], i["layers"])')
bench_time shared "$BENCH_TMP/shared.sh"
bench_time shared0 "$BENCH_TMP/shared0.sh"
bench_time dcold "$DW scan --no-cache --fail-on never -f json -o /dev/null dwbench/derived:1"
bench_time version "$DOCKWARD -c $BENCH_TMP/dw.conf version"
bench_time api "$DW inventory -f json"
# CPU time (user+sys, ms; median of 7): what the scan itself costs when the machine is busy
bench_cpu() {
	python3 - "$2" >"$BENCH_TMP/$1.cpu" <<'PY'
import resource, shlex, statistics, subprocess, sys
def once():
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(shlex.split(sys.argv[1]), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
print("%.1f" % statistics.median(once() for _ in range(7)))
PY
}
bench_cpu cold "$DW scan --no-cache --fail-on never -f json -o /dev/null $IMG"
bench_cpu warm "$DW scan --fail-on never -f json -o /dev/null $IMG"
bench_rss cold "$DW scan --no-cache --fail-on never -f json -o /dev/null $IMG"
bench_rss warm "$DW scan --fail-on never -f json -o /dev/null $IMG"

echo "scan bench: $IMG, $pkgs packages, $files files walked, $vulns vulnerabilities, $advisories advisories in the db"
echo "  floor (cat status, os-release, $pkgfiles .list files): $(bench_get floor.ms) ms"
echo "  cold scan (read image, match, report): $(bench_get cold.ms) ms  = $(bench_ratio "$(bench_get cold.ms)" "$(bench_get floor.ms)") x floor  (goal < 150 ms, < 3x)"
echo "  warm scan (cached inventory and matches): $(bench_get warm.ms) ms  (goal < 10 ms)"
echo "  new image sharing the base layer: $(bench_get shared.ms) ms ($sread of $slayers layers read; its removal of cache entries alone: $(bench_get shared0.ms) ms) vs $(bench_get dcold.ms) ms reading it whole (--no-cache)"
echo "  of which the engine API pass alone (dockward inventory): $(bench_get api.ms) ms; process start (dockward version): $(bench_get version.ms) ms"
echo "  CPU (user+sys) cold: $(bench_get cold.cpu) ms, warm: $(bench_get warm.cpu) ms; load average $(cut -d' ' -f1 /proc/loadavg) on $(nproc) CPUs"
echo "  peak RSS cold: $(bench_get cold.kb) KiB, warm: $(bench_get warm.kb) KiB  (goal < 32768 KiB)"
