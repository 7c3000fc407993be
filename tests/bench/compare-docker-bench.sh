#!/usr/bin/env bash
# compare-docker-bench.sh: `dockward audit` beside docker-bench-security on one private dockerd: wall time, docker CLI spawns, every rule whose verdict differs.
# Usage: DOCKER_BENCH=/path/to/docker-bench-security tests/bench/compare-docker-bench.sh
#   (root; DOCKWARD_BUILD=build/NAME or DOCKWARD_BIN=...; CMP_FILLERS=30 plain running containers for the timing;
#    CMP_RUNS=5 dockward runs per timing; CMP_COUNT=1 counts docker-bench's process spawns with strace (a second,
#    untimed run); CMP_OUT=DIR keeps both tools' reports there)
# docker-bench-security is not part of dockward and is not shipped with it: point DOCKER_BENCH at a checkout of it.
# Without one this script says so and exits 0.
if [ -z "${DOCKER_BENCH:-}" ] || [ ! -f "${DOCKER_BENCH}/docker-bench-security.sh" ]; then
	echo "compare-docker-bench: skipped: set DOCKER_BENCH to a docker-bench-security checkout" \
		"(the directory holding docker-bench-security.sh) to compare it with dockward audit"
	exit 0
fi
DOCKER_BENCH=$(cd "$DOCKER_BENCH" && pwd)
# docker-bench reads the command line of the newest process named like dockerd (pgrep -f -n): on a machine where
# other engines start and stop meanwhile it would describe one of them. The whole comparison runs in a PID
# namespace of its own (with its own /proc), where this script's engine is the only one.
# Its mount table is its own too (unshare makes the new one private), which the /etc/docker below needs.
if [ -z "${CMP_PIDNS:-}" ]; then
	command -v unshare >/dev/null || { echo "bench: unshare (util-linux) is needed" >&2; exit 3; }
	exec unshare --pid --fork --mount-proc env CMP_PIDNS=1 bash "$0" "$@"
fi

source "$(dirname "$0")/lib.sh"
bench_need docker dockerd python3 jq hyperfine ip mount
[ -x "$DOCKWARD" ] || { echo "bench: no dockward at $DOCKWARD (make first)" >&2; exit 3; }
[ "$(id -u)" = 0 ] || { echo "bench: run as root (dockerd, bind mounts)" >&2; exit 3; }
FILLERS=${CMP_FILLERS:-30}
RUNS=${CMP_RUNS:-5}
COUNT=${CMP_COUNT:-1}
RULES=$BENCH_ROOT/rules
CMP_OUT=${CMP_OUT:-}
SHARED=$BENCH_TMP/shared     # a bind mount of its own with shared propagation, for rule 5.20
CGPARENT=dwcmp$$             # the cgroup parent of one container (rule 5.25), removed at the end
export DOCKWARD_CONFIG=

cmp_cleanup() {
	local rc=$?
	set +e
	if [ -n "$ENGINE_PID" ] && kill -0 "$ENGINE_PID" 2>/dev/null; then
		kill -TERM "$ENGINE_PID" 2>/dev/null
		wait "$ENGINE_PID" 2>/dev/null
	fi
	mountpoint -q "$SHARED" 2>/dev/null && umount -l "$SHARED"
	[ -z "${CMP_PIDNS:-}" ] || ! mountpoint -q /etc/docker || umount -l /etc/docker
	rmdir /sys/fs/cgroup/*/"$CGPARENT" 2>/dev/null
	(exit "$rc")
	bench_cleanup
}
trap cmp_cleanup EXIT

# The private engine of tests/integration/dockerd.py with a daemon.json of its own (--config-file), so that
# both tools read the same daemon configuration; like lib.sh's bench_start_engine otherwise. CMP_ARGS=equals
# (default) gives the options that name a file as --opt=VALUE (--config-file, --tlscacert, --tlscert, --tlskey,
# and the TCP --host), CMP_ARGS=space as --opt VALUE (as tests/integration/dockerd.py does): docker-bench reads
# only the first form.
cmp_start_engine() {
	bench_start_engine "$@"
	unset DOCKER_CONTENT_TRUST
}

# a free TCP port below 1024 on both 0.0.0.0 and ::, for the userland proxy to bind
cmp_low_port() {
	python3 -c '
import socket, sys
skip = set(int(p) for p in sys.argv[1:])
for port in range(700, 1000):
    if port in skip:
        continue
    try:
        for fam, addr in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
            s = socket.socket(fam)
            if fam == socket.AF_INET6:
                s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            s.bind((addr, port))
            s.close()
    except OSError:
        continue
    print(port)
    break
' "$@"
}

cmp_build() {   # cmp_build TAG DOCKERFILE [FILE CONTENT]
	local ctx=$BENCH_TMP/ctx.$RANDOM
	mkdir "$ctx"
	printf '%b' "$2" >"$ctx/Dockerfile"
	[ $# -lt 4 ] || printf '%s\n' "$4" >"$ctx/$3"
	DOCKER_BUILDKIT=0 docker build -q -t "$1" "$ctx" >/dev/null 2>"$BENCH_TMP/build.err" ||
		{ cat "$BENCH_TMP/build.err" >&2; exit 3; }
	rm -rf "$ctx"
}

ms_now() { date +%s%N | cut -c1-13; }

# run_dockward NAME: one audit into $BENCH_TMP/NAME.json, its wall time (ms) into NAME.ms, then the median of
# CMP_RUNS runs (hyperfine, 1 warm-up) into NAME.med
run_dockward() {
	local t0 t1 rc=0
	t0=$(ms_now)
	"$DOCKWARD" -H "$BENCH_HOST" audit --rules "$RULES" --benchmark 1.6.0 -f json -o "$BENCH_TMP/$1.json" || rc=$?
	t1=$(ms_now)
	[ "$rc" -le 1 ] || { echo "bench: dockward audit failed ($rc)" >&2; exit 3; }
	echo $((t1 - t0)) >"$BENCH_TMP/$1.ms"
	hyperfine -N --style none --warmup 1 --runs "$RUNS" --export-json "$BENCH_TMP/$1.hf" \
		"bash -c '$DOCKWARD -H $BENCH_HOST audit --rules $RULES --benchmark 1.6.0 -f json -o /dev/null; [ \$? -le 1 ]'" \
		>/dev/null 2>"$BENCH_TMP/$1.err" || { cat "$BENCH_TMP/$1.err" >&2; exit 3; }
	python3 -c 'import json,sys; print("%.0f" % (json.load(open(sys.argv[1]))["results"][0]["median"]*1000))' \
		"$BENCH_TMP/$1.hf" >"$BENCH_TMP/$1.med"
}

# run_bench NAME: one docker-bench run (-l: its log and NAME.log.json) and its wall time (ms) into NAME.ms;
# with CMP_COUNT=1 a second run under strace counts its process spawns into NAME.spawns ("docker total")
run_bench() {
	local t0 t1
	t0=$(ms_now)
	(cd "$DOCKER_BENCH" && bash ./docker-bench-security.sh -b -l "$BENCH_TMP/$1.log") >"$BENCH_TMP/$1.out" 2>&1 ||
		{ tail -20 "$BENCH_TMP/$1.out" >&2; echo "bench: docker-bench-security failed" >&2; exit 3; }
	t1=$(ms_now)
	echo $((t1 - t0)) >"$BENCH_TMP/$1.ms"
	python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$BENCH_TMP/$1.log.json" ||
		{ echo "bench: docker-bench wrote no valid JSON" >&2; exit 3; }
	echo "- -" >"$BENCH_TMP/$1.spawns"
	if [ "$COUNT" = 1 ] && command -v strace >/dev/null; then
		(cd "$DOCKER_BENCH" && strace -f -qq -e trace=execve -e signal=none -o "$BENCH_TMP/$1.strace" \
			bash ./docker-bench-security.sh -b -l "$BENCH_TMP/$1.count.log") >/dev/null 2>&1
		# successful execve of a docker binary (the CLI), and of anything
		awk '/execve\(/ && !/= -1/ { n++; if ($0 ~ /execve\("[^"]*\/docker"/) d++ }
			END { print d+0, n+0 }' "$BENCH_TMP/$1.strace" >"$BENCH_TMP/$1.spawns"
		rm -f "$BENCH_TMP/$1.strace"
	fi
}

# which dockerd docker-bench reads: it takes the newest process whose command line holds "dockerd"
bench_pid_check() {
	local newest ours
	newest=$(pgrep -f -n dockerd || true)
	ours=$(cat "$(dirname "$DOCKER_SOCK")/docker.pid" 2>/dev/null || true)
	if [ "$newest" != "$ours" ]; then
		echo "WARNING: docker-bench reads the command line of PID $newest, not of this engine ($ours):" \
			"its section 2 and 3 verdicts describe another daemon" >&2
	fi
}

# docker-bench looks for daemon.json only at /etc/docker/daemon.json when it cannot parse --config-file: in this
# namespace's own mount table /etc/docker is a fresh tmpfs (the machine's is not touched), where the file is.
mount --make-rprivate /
mount -t tmpfs -o mode=0755,size=1m dwcmp-etc-docker /etc/docker
cat >/etc/docker/daemon.json <<'EOF'
{
  "live-restore": true,
  "no-new-privileges": true
}
EOF
# 0620: group-writable, so not "644 or more restrictive" (3.18), though 620 < 644 as decimal numbers
chmod 0620 /etc/docker/daemon.json
cmp_start_engine "${CMP_ARGS:-equals}" /etc/docker/daemon.json
bench_import_busybox
IMG=dwbench/busybox:1

# Phase A: only FILLERS plain running containers, the size of issue 3's figure
for ((i = 0; i < FILLERS; i++)); do echo "run -d --name dwcf$i $IMG sleep 100000"; done |
	xargs -r -P 4 -L 1 docker >/dev/null
bench_pid_check
run_dockward dwA
run_bench dbA

# Phase B: the scenario, added to the fillers
cmp_build dwcmp/user:1 "FROM $IMG\nUSER 65534\nHEALTHCHECK CMD true\n"
cmp_build dwcmp/hcnone:1 "FROM $IMG\nHEALTHCHECK NONE\nUSER nobody\n"
cmp_build dwcmp/history:1 "FROM $IMG\nADD f.txt /f.txt\nRUN echo apt-get update\n" f.txt x
docker network create dwcmpnet >/dev/null
mkdir -p "$SHARED"
mount --bind "$SHARED" "$SHARED"
mount --make-shared "$SHARED"
P1=$(cmp_low_port)
P2=$(cmp_low_port "$P1")
P3=$(cmp_low_port "$P1" "$P2")
[ -n "$P1" ] && [ -n "$P2" ] && [ -n "$P3" ] || { echo "bench: no free port below 1024" >&2; exit 3; }
SSHDIR=/etc/ssh
[ -d "$SSHDIR" ] || SSHDIR=/etc/ssl
S=(sleep 100000)
# name | docker arguments (image and command appended unless the line gives them)
while IFS='|' read -r name args; do
	[ -n "$name" ] || continue
	case $args in
	*@*) cmd="docker ${args%@*} --name $name ${args#*@}" ;;
	*) cmd="docker run -d --name $name $args $IMG ${S[*]}" ;;
	esac
	eval "$cmd" >/dev/null 2>"$BENCH_TMP/run.err" && continue
	# what this machine cannot start (a sandbox without every capability: --privileged) is only created;
	# docker-bench does not see it then
	docker rm -f "$name" >/dev/null 2>&1 || true
	cmd=${cmd/docker run -d /docker create }
	eval "$cmd" >/dev/null || { cat "$BENCH_TMP/run.err" >&2; echo "bench: container $name could not be made" >&2; exit 3; }
	echo "note: $name could not start here ($(grep -o 'unable to [^:]*' "$BENCH_TMP/run.err" | head -1)): only created" >&2
done <<EOF
hostns|--network host --pid host --ipc host --uts host --userns host
caps|--cap-add NET_ADMIN --cap-add SYS_PTRACE
capdefault|--cap-add NET_BIND_SERVICE --cap-add chown
capdropadd|--cap-drop ALL --cap-add NET_BIND_SERVICE
priv|--privileged
etcsub|-v $SSHDIR:/ssh:ro
etcrw|-v /etc:/hostetc
rootro|-v /:/host:ro
sock|-v $DOCKER_SOCK:/var/run/docker.sock
shared|--mount type=bind,source=$SHARED,target=/t,bind-propagation=rshared
ports|-p $P1:80 -p [::]:$P2:443 -p 127.0.0.1:18099:81
ports6|-p [::]:$P3:443
always|--restart always
retry10|--restart on-failure:10
root00|run -d --user 0:0@dwcmp/user:1 ${S[*]}
nnpfalse|--security-opt no-new-privileges=false
unconfined|--security-opt seccomp=unconfined
devices|--device /dev/null:/dev/xnull
cgparent|--cgroup-parent /$CGPARENT
ulimit|--ulimit nofile=1024:2048
limits|--memory 64m --cpus 0.5 --pids-limit 64
good|run -d --read-only --memory 64m --cpu-shares 512 --pids-limit 64 --security-opt no-new-privileges --cap-drop ALL --restart on-failure:3 -p 127.0.0.1:18098:8080 --health-cmd true --health-interval 1s --user 1000 --network dwcmpnet@dwcmp/user:1 ${S[*]}
hcnone|run -d@dwcmp/hcnone:1 ${S[*]}
history|run -d@dwcmp/history:1 ${S[*]}
createdpriv|create --privileged --network host -v /etc:/hostetc@$IMG ${S[*]}
exited|run@$IMG true
EOF
bench_pid_check
run_dockward dwB
run_bench dbB

if [ -n "$CMP_OUT" ]; then
	mkdir -p "$CMP_OUT"
	for n in dwA dwB; do cp "$BENCH_TMP/$n.json" "$CMP_OUT/$n.json"; done
	for n in dbA dbB; do cp "$BENCH_TMP/$n.log" "$CMP_OUT/$n.log"; cp "$BENCH_TMP/$n.log.json" "$CMP_OUT/$n.log.json"; done
	docker ps -a --format '{{.Names}} {{.Status}}' | sort >"$CMP_OUT/containers.txt"
fi

containers_a=$FILLERS
containers_b=$(docker ps -aq | wc -l)
running_b=$(docker ps -q | wc -l)
echo "docker-bench-security $(sed -n "s/^version='\(.*\)'/\1/p" "$DOCKER_BENCH/docker-bench-security.sh") at $DOCKER_BENCH;" \
	"dockward $("$DOCKWARD" version 2>/dev/null | head -1)"
printf '%-34s %14s %14s %12s %14s %14s\n' "" "docker-bench" "dockward" "dockward" "docker CLI" "processes"
printf '%-34s %14s %14s %12s %14s %14s\n' "" "wall ms" "wall ms" "median ms" "spawns" "spawned"
for p in A B; do
	if [ $p = A ]; then what="$containers_a containers, all running"; else
		what="$containers_b containers, $running_b running"; fi
	read -r dspawn tspawn <"$BENCH_TMP/db$p.spawns"
	printf '%-34s %14s %14s %12s %14s %14s\n' "$what" "$(bench_get db$p.ms)" "$(bench_get dw$p.ms)" \
		"$(bench_get dw$p.med)" "$dspawn" "$tspawn"
done
echo "wall: one run each; median: $RUNS runs of dockward (hyperfine); spawns: docker-bench under strace -f (execve)"
echo

# The verdicts of phase B, rule by rule
python3 - "$BENCH_TMP/dbB.log.json" "$BENCH_TMP/dwB.json" "$BENCH_TMP/dbB.log" <<'PY'
import json, re, sys

db = json.load(open(sys.argv[1]))
dw = json.load(open(sys.argv[2]))
# what docker-bench prints but does not put into its JSON: "(Swarm mode not enabled)", "(Deprecated)"
log = open(sys.argv[3], errors="replace").read()
bench = {}
for sec in db["tests"]:
    for t in sec["results"]:
        bench[t["id"]] = t
ours = {r["id"]: r for r in dw["rules"]}

NOT_FOUND = re.compile(r"not found|No TLS|not listening on TCP", re.I)


def bench_class(t):
    """docker-bench's result as pass/fail/manual; INFO for an absent object and PASS for an absent swarm are n/a."""
    if t is None:
        return "absent", "not run"
    res, det = t["result"], t.get("details", "")
    if res == "PASS" and "%s - %s (Swarm mode not enabled)" % (t["id"], t["desc"]) in log:
        return "n/a", "PASS (swarm mode not enabled)"
    if res == "INFO" and "%s (Deprecated)" % t["desc"] in log:
        return "n/a", "INFO (deprecated: not checked)"
    if res == "INFO" and NOT_FOUND.search(det):
        return "n/a", "INFO (%s)" % det
    raw = res + (" (%s)" % det.split(":")[0] if det else "")
    return {"PASS": "pass", "WARN": "fail", "INFO": "manual", "NOTE": "manual"}.get(res, res), raw


def ours_class(r):
    v = r["verdict"]
    return {"not-applicable": "n/a"}.get(v, v)


def bench_names(t):
    """container names (items "NAME" or "NAME:detail") or image tags ("[REPO:TAG]"); docker-bench joins the
    items with spaces and, where it has set IFS to a newline (section 5), gives them as one item"""
    names = set()
    for it in " ".join(t.get("items", []) or []).split():
        if it == "(truncated)":
            continue
        names.add(it.strip("[]") if it.startswith("[") else it.split(":")[0])
    return names


def ours_names(r, kinds=("container", "image")):
    return set(o["name"] for o in r["offenders"] if o["kind"] in kinds)


def key(i):
    return [int(x) if x.isdigit() else x for x in re.split(r"[.@]", i)]


rows = []
for rid in sorted(set(bench) | set(ours), key=key):
    if "@" in rid or rid.startswith("C."):
        continue
    t, r = bench.get(rid), ours.get(rid)
    bc, braw = bench_class(t)
    oc = ours_class(r) if r else "absent"
    oraw = r["verdict"] + (" (%s)" % r["reason"] if r and r.get("reason") else "") if r else "absent"
    note = ""
    if bc == "fail" and oc == "fail" and r and r.get("scope") in ("container", "image"):
        a, b = bench_names(t), ours_names(r)
        if a != b:
            note = "offenders: docker-bench %d, dockward %d; only docker-bench: %s; only dockward: %s" % (
                len(a), len(b), ",".join(sorted(a - b)) or "-", ",".join(sorted(b - a)) or "-")
    if bc == oc and not note:
        continue
    kind = "verdict" if {bc, oc} <= {"pass", "fail"} and bc != oc else ("offenders" if bc == oc else "class")
    rows.append((rid, braw, oraw, kind, note))

print("rules compared: %d (docker-bench ran %d, dockward %d)" % (
    len(set(bench) & set(ours)), len(bench), len(dw["rules"])))
print("differences: %d (verdict: pass against fail %d; class: manual/n-a/not-evaluated against a verdict %d;"
      " offenders: both fail, other objects %d)" % (
          len(rows), sum(1 for x in rows if x[3] == "verdict"), sum(1 for x in rows if x[3] == "class"),
          sum(1 for x in rows if x[3] == "offenders")))
print()
print("%-7s %-9s %-45s %s" % ("rule", "kind", "docker-bench", "dockward"))
for rid, braw, oraw, kind, note in rows:
    print("%-7s %-9s %-45s %s" % (rid, kind, braw[:45], oraw[:100]))
    if note:
        print("%-7s %-9s %s" % ("", "", note))
PY
