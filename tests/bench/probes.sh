#!/usr/bin/env bash
# probes.sh: the cost of `dockward watch` (all default rules): getpid, open+close and fork+exec loops on the host
# and in a container, without and with watch running; ratios, events/s, drops, the agent's CPU and RSS. Needs root.
set -euo pipefail
cd "$(dirname "$0")/../.."
B=${DOCKWARD_BUILD:-build}
BIN=$PWD/$B/dockward
ROUNDS=${ROUNDS:-5}
N_GETPID=${N_GETPID:-2000000}
N_OPEN=${N_OPEN:-300000}
N_FORK=${N_FORK:-3000}
[ -x "$BIN" ] || { echo "probes.sh: build $BIN first (make B=$B)" >&2; exit 1; }
work=$(mktemp -d /tmp/dwbench.XXXXXX)
trap 'kill $(cat $work/dockerd.pid 2>/dev/null) 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
gcc -O2 -static -o "$work/loop" tests/bench/probes_loop.c

# a private engine (never the machine's own) and a container holding the same loop binary
py=/usr/bin/python3
$py - "$work" <<'PY' &
import os, sys, time, shutil, signal
sys.path.insert(0, "tests/integration")
from dockerd import Dockerd, make_busybox_rootfs, import_rootfs
work = sys.argv[1]
d = Dockerd()
d.start()
root = os.path.join(work, "root")
make_busybox_rootfs(root)
shutil.copy(os.path.join(work, "loop"), os.path.join(root, "bin", "loop"))
import_rootfs(d, root, "dwbench/loop:1")
d.docker("run", "-d", "--name", "bench", "dwbench/loop:1", "sleep", "100000")
open(os.path.join(work, "host"), "w").write(d.host)
open(os.path.join(work, "dockerd.pid"), "w").write(str(os.getpid()))
signal.signal(signal.SIGTERM, lambda *a: (d.stop(), sys.exit(0)))
while True:
    time.sleep(1)
PY
for _ in $(seq 300); do [ -s "$work/host" ] && break; sleep 0.2; done
host=$(cat "$work/host")
export DOCKER_HOST=$host

# CPU ns per iteration of one loop, in the host or in the container
once() {  # where loop
	local n=$N_GETPID
	[ "$2" = openclose ] && n=$N_OPEN
	[ "$2" = forkexec ] && n=$N_FORK
	if [ "$1" = host ]; then "$work/loop" "$2" "$n"; else docker exec bench /bin/loop "$2" "$n"; fi
}
median() { sort -n | sed -n "$(( (ROUNDS + 1) / 2 ))p"; }
LOOPS="host-getpid host-openclose host-forkexec container-getpid container-openclose container-forkexec"

# profile NAME RULES_DIR: ROUNDS rounds of (every loop without watch, start watch, every loop with it, stop it),
# interleaved so that the machine's other load hits both sides alike
profile() {
	local name=$1 rules=$2 r k wpid c0 c1 t0 t1 rss=0 cpu=0 secs=0 events=0 dropped=0
	for k in $LOOPS; do : >"$work/$name.base.$k"; : >"$work/$name.with.$k"; done
	for r in $(seq "$ROUNDS"); do
		for k in $LOOPS; do once "${k%%-*}" "${k#*-}" >>"$work/$name.base.$k"; done
		DOCKWARD_CONFIG= "$BIN" --docker-host "$host" -v watch --rules "$rules" -f json >"$work/watch.out" 2>"$work/watch.err" &
		wpid=$!
		for _ in $(seq 100); do grep -q "rules active" "$work/watch.err" && break; sleep 0.1; done
		c0=$(awk '{print $14 + $15}' /proc/$wpid/stat); t0=$(date +%s.%N)
		for k in $LOOPS; do once "${k%%-*}" "${k#*-}" >>"$work/$name.with.$k"; done
		c1=$(awk '{print $14 + $15}' /proc/$wpid/stat); t1=$(date +%s.%N)
		rss=$(awk -v a="$rss" '/VmHWM/ {print ($2 > a ? $2 : a)}' /proc/$wpid/status)
		kill -INT $wpid; wait $wpid || true
		read -r events dropped < <(grep '"summary"' "$work/watch.out" | tail -1 | $py -c '
import json, sys
s = json.loads(sys.stdin.read())["summary"]
print(s["events"] + int(sys.argv[1]), s["dropped"] + int(sys.argv[2]))' "$events" "$dropped")
		cpu=$(awk -v a="$cpu" -v c0="$c0" -v c1="$c1" 'BEGIN{print a + c1 - c0}')
		secs=$(awk -v a="$secs" -v t0="$t0" -v t1="$t1" 'BEGIN{print a + t1 - t0}')
	done
	echo
	echo "profile $name: $(grep -o '[0-9]* of [0-9]* rules active' "$work/watch.err"); CPU ns/op, median of $ROUNDS interleaved rounds"
	printf '%-10s %-10s %12s %12s %8s\n' where loop "ns/op" "ns/op+watch" ratio
	for k in $LOOPS; do
		b=$(median <"$work/$name.base.$k"); w=$(median <"$work/$name.with.$k")
		printf '%-10s %-10s %12s %12s %8s\n' "${k%%-*}" "${k#*-}" "$b" "$w" "$(awk -v b="$b" -v w="$w" 'BEGIN{printf "%.3fx", w/b}')"
	done
	awk -v e="$events" -v d="$dropped" -v s="$secs" -v c="$cpu" -v hz="$(getconf CLK_TCK)" -v rss="$rss" 'BEGIN{
		printf "events: %d in %.1fs under load (%.1f/s), dropped %d\n", e, s, e / s, d
		printf "agent: CPU %.2f%% of one core while the loops ran, peak RSS %.1f MB\n", c / hz / s * 100, rss / 1024 }'
}

# the shipped rules, and only the rules fed by the sched tracepoints and Docker events (no syscall tracepoint)
mkdir -p "$work/sched-rules"
$py - rules/runtime "$work/sched-rules/sched.ini" <<'PY'
import configparser, os, sys
src, dst = sys.argv[1], sys.argv[2]
out = []
for f in sorted(os.listdir(src)):
    text = open(os.path.join(src, f)).read()
    for block in text.split("\n["):
        block = block if block.startswith("[") else "[" + block
        if "\nevent = exec" in block or "\nevent = container_start" in block:
            out.append(block.strip() + "\n")
open(dst, "w").write("\n".join(b for b in out if b.startswith("[") and "]" in b.splitlines()[0]))
PY
profile default rules/runtime
profile sched-only "$work/sched-rules"

# throughput: a container opening a watched file as fast as it can, every open an event that crosses the ring buffer
N_EVENTS=${N_EVENTS:-200000}
DOCKWARD_CONFIG= "$BIN" --docker-host "$host" -v watch --rules rules/runtime -f json >"$work/watch.out" 2>"$work/watch.err" &
wpid=$!
for _ in $(seq 100); do grep -q "rules active" "$work/watch.err" && break; sleep 0.1; done
t0=$(date +%s.%N)
docker exec bench /bin/loop opensensitive "$N_EVENTS" >/dev/null
t1=$(date +%s.%N)
sleep 1
rss=$(awk '/VmHWM/ {print $2}' /proc/$wpid/status)
kill -INT $wpid; wait $wpid || true
echo
grep '"summary"' "$work/watch.out" | tail -1 | $py -c '
import json, sys
s = json.loads(sys.stdin.read())["summary"]
secs = float(sys.argv[2]) - float(sys.argv[1])
print("throughput: %d opens of /etc/shadow in %.2fs: %d events (%.0f/s) crossed, %d folded in the kernel as repeats, "
      "dropped %d, %d alerts, peak RSS %.1f MB"
      % (int(sys.argv[3]), secs, s["events"], s["events"] / secs, s["kernel_repeats"], s["dropped"], s["alerts"],
         int(sys.argv[4]) / 1024))' "$t0" "$t1" "$N_EVENTS" "$rss"
