#!/usr/bin/env bash
# upstream.sh: upstream delivery: events/s to a loopback HTTPS collector (mTLS, gzip), spool append and replay rates,
# and the daemon's idle CPU and RSS with 30 containers on a private dockerd.
# Usage: tests/bench/upstream.sh   (root; DOCKWARD_BUILD=build/NAME or DOCKWARD_BIN=..., BENCH_EVENTS=20000, BENCH_IDLE_S=30)
source "$(dirname "$0")/lib.sh"
bench_need docker dockerd python3 openssl cc
[ -x "$DOCKWARD" ] || { echo "bench: no dockward at $DOCKWARD (make first)" >&2; exit 3; }
LIB=$(dirname "$DOCKWARD")/libdockward.a
EVENTS=${BENCH_EVENTS:-20000}
IDLE_S=${BENCH_IDLE_S:-30}

PKGS="libcurl yajl libbpf inih sqlite3 libarchive libcrypto zlib"
cc -std=c11 -D_GNU_SOURCE -O2 -I"$BENCH_ROOT" -I"$BENCH_ROOT/agent" $(pkg-config --cflags $PKGS) \
	"$BENCH_ROOT/tests/bench/spool_bench.c" "$LIB" $(pkg-config --libs $PKGS) -o "$BENCH_TMP/spool_bench"

echo "== spool"
"$BENCH_TMP/spool_bench" "$BENCH_TMP/spool-rate" 400 100

echo "== delivery to a loopback HTTPS collector (Python http.server + ssl, mTLS, bearer token, gzip)"
python3 - "$BENCH_ROOT" "$DOCKWARD" "$BENCH_TMP" "$EVENTS" <<'PY'
import os, sys, time, subprocess
root, dw, tmp, n_events = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
sys.path.insert(0, os.path.join(root, "tests", "integration"))
from collector import Agent, Collector, make_pki
pki = os.path.join(tmp, "pki"); os.makedirs(pki)
make_pki(pki)
with open(os.path.join(pki, "token"), "w") as f:
    f.write("s3cret-token\n")
os.chmod(os.path.join(pki, "token"), 0o600)
for per in (100, 500):
    coll = Collector(pki).start()
    work = os.path.join(tmp, "deliver%d" % per)
    up = ("url = %s\nca_file = %s/ca.pem\nclient_cert = %s/client.pem\nclient_key = %s/client.key\n"
          "token_file = %s/token\nheartbeat_interval = 1h\n" % (coll.url(), pki, pki, pki, pki))
    a = Agent(dw, work, upstream=up)
    os.remove(a.conf)   # the collector only: no file sink
    with open(a.conf, "w") as f:
        f.write("[agent]\nstate_dir = %s\n[docker]\nhost = %s\n[upstream]\nspool_dir = %s\nuser =\n%s" % (
            a.state, a.docker_host, a.spool, up))
    subprocess.run([os.path.join(tmp, "spool_bench"), a.spool, str(n_events // per), str(per), "fill"], check=True,
                   capture_output=True)
    t0 = time.time()
    a.start()
    ok = coll.wait(lambda c: len(c.events()) >= n_events, timeout=600)
    t1 = time.time()
    a.stop()
    coll.stop()
    got = len(coll.events())
    print("delivered %d of %d events in batches of %d: %.2fs, %.0f events/s, %d requests%s" % (
        got, n_events, per, t1 - t0, got / (t1 - t0), len(coll.requests), "" if ok else " (TIMED OUT)"))
PY

echo "== idle daemon with 30 containers (private dockerd)"
bench_start_engine
bench_import_busybox
bench_containers 30
python3 - "$BENCH_ROOT" "$DOCKWARD" "$BENCH_TMP" "$BENCH_HOST" "$IDLE_S" <<'PY'
import os, sys, time, json
root, dw, tmp, host, idle_s = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
sys.path.insert(0, os.path.join(root, "tests", "integration"))
from collector import Agent
a = Agent(dw, os.path.join(tmp, "idle"), docker_host=host,
          sinks="[audit]\nrules_dir = %s/rules\n[runtime]\nrules_dir = %s/rules/runtime\n" % (root, root))
a.start()
deadline = time.time() + 60
while time.time() < deadline:
    st = a.status()
    if st and st["daemon"]["full_runs"] >= 1:
        break
    time.sleep(0.2)
st = a.status()["daemon"]
print("first full audit done: %s; open compliance findings %d; engines %s" % (
    st["full_runs"] >= 1, st["findings"]["compliance"], st["engines"]))
time.sleep(3)
pids = [a.proc.pid, a.status()["daemon"]["uploader_pid"]]
hz = os.sysconf("SC_CLK_TCK")
def ticks(p):
    f = open("/proc/%d/stat" % p).read().rsplit(")", 1)[1].split()
    return int(f[11]) + int(f[12])
def rss_kb(p):
    for l in open("/proc/%d/status" % p):
        if l.startswith("VmRSS:"):
            return int(l.split()[1])
t0 = [ticks(p) for p in pids]
time.sleep(idle_s)
t1 = [ticks(p) for p in pids]
for name, p, a0, a1 in zip(("daemon", "uploader"), pids, t0, t1):
    print("%-8s idle CPU over %ds: %.3f%% of a core; RSS %d KiB" % (name, idle_s, 100.0 * (a1 - a0) / hz / idle_s,
                                                                   rss_kb(p)))
print("together: %.3f%% of a core, RSS %d KiB (goal: under 1%%, under 32 MiB)" % (
    100.0 * sum(b - c for b, c in zip(t1, t0)) / hz / idle_s, sum(rss_kb(p) for p in pids)))
a.stop()
PY
