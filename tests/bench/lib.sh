# lib.sh: what the benchmarks share: a private dockerd, a test image, container sets, timing and RSS.
# Source it from a bench script; it sets `set -euo pipefail` and a trap that stops the engine.
set -euo pipefail

BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BENCH_BUILD=${DOCKWARD_BUILD:-build}
DOCKWARD=${DOCKWARD_BIN:-$BENCH_ROOT/$BENCH_BUILD/dockward}
BENCH_RUNS=${BENCH_RUNS:-10}
BENCH_TMP=$(mktemp -d /tmp/dwbench.XXXXXX)
ENGINE_PID=
DOCKER_SOCK=
BENCH_HOST=

bench_cleanup() {
	local rc=$?
	if [ -n "$ENGINE_PID" ] && kill -0 "$ENGINE_PID" 2>/dev/null; then
		kill -TERM "$ENGINE_PID" 2>/dev/null || true
		wait "$ENGINE_PID" 2>/dev/null || true
	fi
	rm -rf "$BENCH_TMP"
	exit "$rc"
}
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

bench_need() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null || { echo "bench: $t is needed" >&2; exit 3; }
	done
}

# Starts the private engine (arguments: engine.py's); sets DOCKER_SOCK, BENCH_HOST and DOCKER_HOST (for the CLI).
bench_start_engine() {
	mkfifo "$BENCH_TMP/engine.in" "$BENCH_TMP/engine.out"
	python3 "$BENCH_ROOT/tests/bench/engine.py" "$@" <"$BENCH_TMP/engine.in" >"$BENCH_TMP/engine.out" &
	ENGINE_PID=$!
	exec 7>"$BENCH_TMP/engine.in"   # held open: the engine stops when this shell goes
	local word host
	read -r word host <"$BENCH_TMP/engine.out" || { echo "bench: dockerd did not start" >&2; exit 3; }
	[ "$word" = HOST ] || { echo "bench: unexpected engine answer: $word $host" >&2; exit 3; }
	BENCH_HOST=$host
	DOCKER_SOCK=${host#unix://}
	export DOCKER_HOST=$host
	unset DOCKER_TLS_VERIFY DOCKER_CERT_PATH DOCKER_CONTEXT
}

# Imports a busybox-static image (no registry) as dwbench/busybox:1.
bench_import_busybox() {
	python3 - "$BENCH_ROOT" <<'PY'
import os, sys, tempfile, shutil
sys.path.insert(0, os.path.join(sys.argv[1], "tests", "integration"))
from dockerd import make_busybox_rootfs
import subprocess
tmp = tempfile.mkdtemp(prefix="dwbb")
try:
    make_busybox_rootfs(os.path.join(tmp, "root"))
    tar = subprocess.run(["tar", "-C", os.path.join(tmp, "root"), "-c", "."], capture_output=True, check=True).stdout
    subprocess.run(["docker", "import", "-c", 'CMD ["/bin/sh"]', "-", "dwbench/busybox:1"], input=tar,
                   check=True, capture_output=True)
finally:
    shutil.rmtree(tmp)
PY
}

# Grows the engine's containers to n: a third running, a third exited, a third created.
bench_containers() {
	local want=$1 have i
	have=$(docker ps -aq | wc -l)
	for ((i = have; i < want; i++)); do
		case $((i % 3)) in
		0) echo "run -d --name dwb$i -p 80 dwbench/busybox:1 sleep 100000" ;;
		1) echo "run --name dwb$i -v /tmp:/host-tmp:ro dwbench/busybox:1 true" ;;
		2) echo "create --name dwb$i --restart always dwbench/busybox:1" ;;
		esac
	done | xargs -r -P 4 -L 1 docker >/dev/null
	have=$(docker ps -aq | wc -l)
	[ "$have" -eq "$want" ] || { echo "bench: wanted $want containers, have $have" >&2; exit 3; }
}

# bench_time NAME COMMAND: median wall time (ms) of BENCH_RUNS runs after 2 warm-ups, into $BENCH_TMP/NAME.ms,
# and the mean CPU time (ms, user + system, children included) into $BENCH_TMP/NAME.cpu
bench_time() {
	local name=$1 cmd=$2
	hyperfine -N --style none --warmup 2 --runs "$BENCH_RUNS" --export-json "$BENCH_TMP/$name.json" \
		"$cmd" >/dev/null 2>"$BENCH_TMP/$name.err" || { cat "$BENCH_TMP/$name.err" >&2; exit 3; }
	python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.1f" % (r["median"]*1000))' \
		"$BENCH_TMP/$name.json" >"$BENCH_TMP/$name.ms"
	# the client's own CPU (user + system, mean): what the machine's load does not inflate
	python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.1f" % ((r["user"]+r["system"])*1000))' \
		"$BENCH_TMP/$name.json" >"$BENCH_TMP/$name.cpu"
}

# bench_rss NAME COMMAND: the largest peak RSS (KiB) of any process of COMMAND over 3 runs, into $BENCH_TMP/NAME.kb
bench_rss() {
	local name=$1 cmd=$2 i kb max=0
	for i in 1 2 3; do
		/usr/bin/time -f %M -o "$BENCH_TMP/$name.time" bash -c "$cmd" >/dev/null 2>&1 ||
			{ echo "bench: $cmd failed" >&2; exit 3; }
		kb=$(tail -1 "$BENCH_TMP/$name.time")
		[ "$kb" -gt "$max" ] && max=$kb
	done
	echo "$max" >"$BENCH_TMP/$name.kb"
}

# bench_mem NAME [--ok 0,1] COMMAND...: what of the memory is the process's own, over 3 runs: the largest
# Pss_Anon (private: heap, stacks, library data it relocated) into $BENCH_TMP/NAME.anon and its Pss_File at
# that moment (its share of the libraries' code and read-only data, shared with every process using them)
# into NAME.file, KiB, from /proc/PID/smaps_rollup sampled every ms (tests/bench/memsample.py)
bench_mem() {
	local name=$1 out anon file
	shift
	out=$(python3 "$BENCH_ROOT/tests/bench/memsample.py" "$@") || { echo "bench: $* failed" >&2; exit 3; }
	read -r anon file _ <<<"$out"
	echo "$anon" >"$BENCH_TMP/$name.anon"
	echo "$file" >"$BENCH_TMP/$name.file"
}

bench_get() { cat "$BENCH_TMP/$1"; }

# bench_api_urls [history] [top]: the calls snapshot_collect makes, in its order, as URLs for curl
# (API v1.41, what dockward negotiates with Debian's engine): version, info, containers and their
# inspects, images and their inspects (and history), networks, (the process lists of running containers).
bench_api_urls() {
	local api=v1.41 id history= top=
	for id in "$@"; do
		case $id in history) history=1 ;; top) top=1 ;; esac
	done
	echo "http://d/_ping"
	echo "http://d/$api/version"
	echo "http://d/$api/info"
	echo "http://d/$api/containers/json?all=1"
	for id in $(docker ps -aq --no-trunc); do echo "http://d/$api/containers/$id/json"; done
	echo "http://d/$api/images/json"
	for id in $(docker images -q --no-trunc | sort -u); do
		echo "http://d/$api/images/$id/json"
		[ -z "$history" ] || echo "http://d/$api/images/$id/history"
	done
	echo "http://d/$api/networks"
	[ -z "$top" ] || for id in $(docker ps -q --no-trunc); do echo "http://d/$api/containers/$id/top"; done
}

# bench_curl_cfg URLS CFG: a curl config fetching every URL of the file URLS to /dev/null
bench_curl_cfg() { sed 's/.*/url = "&"\noutput = "\/dev\/null"/' "$1" >"$2"; }

# ratio A B: A/B with two decimals
bench_ratio() { python3 -c 'import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print("%.2f" % (a/b if b else float("inf")))' "$1" "$2"; }
