#!/usr/bin/env bash
# probes.sh: the cost of `dockward watch`: the kernel's floor (one empty program on a syscall tracepoint), then watch
# with all default rules with no container and with containers running, and the exec/launch rules alone; getpid,
# open+close and fork+exec loops on the host and in a container; ratios, events/s, drops, the agent's CPU and RSS. Root.
set -euo pipefail
cd "$(dirname "$0")/../.."
B=${DOCKWARD_BUILD:-build}
BIN=$PWD/$B/dockward
ROUNDS=${ROUNDS:-5}
FLOOR_ROUNDS=${FLOOR_ROUNDS:-11}
# what to measure: floor no-container no-container-always-attached with-container sched-only throughput
PROFILES=${PROFILES:-"floor no-container no-container-always-attached with-container sched-only throughput"}
N_GETPID=${N_GETPID:-2000000}
N_OPEN=${N_OPEN:-300000}
N_FORK=${N_FORK:-3000}
[ -x "$BIN" ] || { echo "probes.sh: build $BIN first (make B=$B)" >&2; exit 1; }
work=$(mktemp -d /tmp/dwbench.XXXXXX)
trap 'kill $(cat $work/dockerd.pid 2>/dev/null) 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
gcc -O2 -static -o "$work/loop" tests/bench/probes_loop.c
clang -g -O2 -target bpf -I"/usr/include/$(gcc -dumpmachine)" -Wall -Werror -c tests/bench/probes_floor.bpf.c \
	-o "$work/floor.bpf.o"
gcc -O2 -o "$work/floor" tests/bench/probes_floor.c -lbpf

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
HOST_LOOPS="host-getpid host-openclose host-forkexec"
QUIET_WAIT=${QUIET_WAIT:-120}

# Other programs on syscall tracepoints (another watch on this machine) put every task on the slow path: the
# baseline too. Waits (up to QUIET_WAIT s) until none is attached; answers whether none is.
foreign_links() { bpftool link list 2>/dev/null | grep -c -e perf_event -e "tp 'sys_enter'" -e "tp 'sys_exit'" || true; }
quiet() {
	local i
	for i in $(seq "$QUIET_WAIT"); do [ "$(foreign_links)" = 0 ] && return 0; sleep 1; done
	return 1
}
ALL_LOOPS="$HOST_LOOPS container-getpid container-openclose container-forkexec"
command -v bpftool >/dev/null || { echo "probes.sh: needs bpftool (to see other programs on syscall tracepoints)" >&2; exit 1; }

# per loop: median ns/op without and with, the ratio of the medians, and the median (min-max) of each round's own ratio
table() {  # name rounds loops
	$py - "$work" "$1" "$2" $3 <<'PY'
import statistics as st, sys
work, name, rounds, loops = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
# rounds during which another program sat on a syscall tracepoint are left out, unless all were
dirty = [l.strip() == "1" for l in open("%s/%s.dirty" % (work, name))]
keep = [i for i, d in enumerate(dirty) if not d] or list(range(len(dirty)))
if len(keep) < len(dirty):
    print("(%d of %d rounds left out: another program was on a syscall tracepoint)" % (len(dirty) - len(keep), len(dirty)))
elif any(dirty):
    print("(every round had another program on a syscall tracepoint: figures are not clean)")
print("%-10s %-10s %11s %11s %8s %22s" % ("where", "loop", "ns/op", "ns/op+with", "ratio", "per round: median (range)"))
for k in loops:
    b = [float(x) for i, x in enumerate(open("%s/%s.base.%s" % (work, name, k))) if i in keep]
    w = [float(x) for i, x in enumerate(open("%s/%s.with.%s" % (work, name, k))) if i in keep]
    r = sorted(y / x for x, y in zip(b, w))
    print("%-10s %-10s %11.1f %11.1f %7.3fx %8.3fx (%.3f-%.3f)" % (k.split("-")[0], k.split("-")[1], st.median(b),
          st.median(w), st.median(w) / st.median(b), st.median(r), r[0], r[-1]))
PY
}

# floor NAME PROGRAMS...: FLOOR_ROUNDS rounds of (host loops, attach the empty programs, host loops, detach)
floor() {
	local name=$1 r k fpid pre
	shift
	for k in host-getpid host-openclose; do : >"$work/$name.base.$k"; : >"$work/$name.with.$k"; done
	: >"$work/$name.dirty"
	for r in $(seq "$FLOOR_ROUNDS"); do
		quiet && pre=0 || pre=1
		for k in host-getpid host-openclose; do once host "${k#*-}" >>"$work/$name.base.$k"; done
		"$work/floor" "$work/floor.bpf.o" "$@" >"$work/floor.out" &
		fpid=$!
		for _ in $(seq 200); do [ -s "$work/floor.out" ] && break; sleep 0.01; done
		for k in host-getpid host-openclose; do once host "${k#*-}" >>"$work/$name.with.$k"; done
		kill $fpid; wait $fpid || true
		rm -f "$work/floor.out"
		sleep 0.2
		[ "$pre$(foreign_links)" = 00 ] && echo 0 >>"$work/$name.dirty" || echo 1 >>"$work/$name.dirty"
	done
	echo
	echo "floor $name: empty program(s) $*; CPU ns/op, $FLOOR_ROUNDS interleaved rounds"
	table "$name" "$FLOOR_ROUNDS" "host-getpid host-openclose"
}

# profile NAME RULES_DIR LOOPS [WATCH OPTIONS]: ROUNDS rounds of (every loop without watch, start watch, every loop
# with it, stop it), interleaved so that the machine's other load hits both sides alike
profile() {
	local name=$1 rules=$2 loops=$3 pre r k wpid c0 c1 t0 t1 rss=0 cpu=0 secs=0 events=0 dropped=0 att_ms=0 attaches=0
	shift 3
	for k in $loops; do : >"$work/$name.base.$k"; : >"$work/$name.with.$k"; done
	: >"$work/$name.dirty"
	for r in $(seq "$ROUNDS"); do
		quiet && pre=0 || pre=1
		for k in $loops; do once "${k%%-*}" "${k#*-}" >>"$work/$name.base.$k"; done
		DOCKWARD_CONFIG= "$BIN" --docker-host "$host" -v watch --rules "$rules" -f json "$@" >"$work/watch.out" \
			2>"$work/watch.err" &
		wpid=$!
		for _ in $(seq 100); do grep -q "rules active" "$work/watch.err" && break; sleep 0.1; done
		# with no container watch has just detached its per-syscall probes: their teardown takes ~1.5 s
		sleep 2
		c0=$(awk '{print $14 + $15}' /proc/$wpid/stat); t0=$(date +%s.%N)
		for k in $loops; do once "${k%%-*}" "${k#*-}" >>"$work/$name.with.$k"; done
		c1=$(awk '{print $14 + $15}' /proc/$wpid/stat); t1=$(date +%s.%N)
		rss=$(awk -v a="$rss" '/VmHWM/ {print ($2 > a ? $2 : a)}' /proc/$wpid/status)
		kill -INT $wpid; wait $wpid || true
		sleep 2     # our links' own teardown
		[ "$pre$(foreign_links)" = 00 ] && echo 0 >>"$work/$name.dirty" || echo 1 >>"$work/$name.dirty"
		read -r events dropped att_ms attaches < <(grep '"summary"' "$work/watch.out" | tail -1 | $py -c '
import json, sys
s = json.loads(sys.stdin.read())["summary"]
a = [int(x) for x in sys.argv[1:]]
print(s["events"] + a[0], s["dropped"] + a[1], s["syscall_probes"]["attached_ms"] + a[2],
      s["syscall_probes"]["attaches"] + a[3])' "$events" "$dropped" "$att_ms" "$attaches")
		cpu=$(awk -v a="$cpu" -v c0="$c0" -v c1="$c1" 'BEGIN{print a + c1 - c0}')
		secs=$(awk -v a="$secs" -v t0="$t0" -v t1="$t1" 'BEGIN{print a + t1 - t0}')
	done
	echo
	echo "profile $name: $(grep -o '[0-9]* of [0-9]* rules active' "$work/watch.err")${*:+, $*};" \
		"CPU ns/op, $ROUNDS interleaved rounds"
	table "$name" "$ROUNDS" "$loops"
	awk -v e="$events" -v d="$dropped" -v s="$secs" -v c="$cpu" -v hz="$(getconf CLK_TCK)" -v rss="$rss" \
		-v am="$att_ms" -v at="$attaches" -v r="$ROUNDS" 'BEGIN{
		printf "events: %d in %.1fs under load (%.1f/s), dropped %d\n", e, s, e / s, d
		printf "agent: CPU %.2f%% of one core while the loops ran, peak RSS %.1f MB\n", c / hz / s * 100, rss / 1024
		printf "per-syscall probes attached %.1fs in all (%d attaches on demand) over %d watch runs\n", am / 1000, at, r }'
}

want() { [[ " $PROFILES " == *" $1 "* ]]; }

# the kernel's floor: what any program on a syscall tracepoint costs every syscall, whatever it is for
if want floor; then
	floor enter enter_acct
	floor enter-exit enter_acct exit_acct
	floor on-openat enter_openat
	floor raw-sys-enter raw_enter
fi

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
# no container running: the per-syscall probes wait detached (default), or stay attached (our programs' own work on
# host tasks, over the floor)
docker stop -t 0 bench >/dev/null
! want no-container || profile no-container rules/runtime "$HOST_LOOPS"
! want no-container-always-attached ||
	profile no-container-always-attached rules/runtime "$HOST_LOOPS" --syscall-probes always
docker start bench >/dev/null
! want with-container || profile with-container rules/runtime "$ALL_LOOPS"
! want sched-only || profile sched-only "$work/sched-rules" "$ALL_LOOPS"
want throughput || exit 0

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
