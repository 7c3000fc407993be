#!/usr/bin/env bash
# inventory.sh: `dockward inventory --format json` against the docker CLI and the bare API calls (curl), with 0, 30 and 100 containers on a private dockerd.
# Usage: tests/bench/inventory.sh   (root; DOCKWARD_BUILD=build/NAME or DOCKWARD_BIN=..., BENCH_RUNS=10, BENCH_SIZES="0 30 100")
source "$(dirname "$0")/lib.sh"
bench_need hyperfine curl docker dockerd python3 /usr/bin/time
[ -x "$DOCKWARD" ] || { echo "bench: no dockward at $DOCKWARD (make first)" >&2; exit 3; }
SIZES=${BENCH_SIZES:-0 30 100}

bench_start_engine
bench_import_busybox
export DOCKWARD_CONFIG=

# What the docker CLI runs to learn the same facts.
cat >"$BENCH_TMP/cli.sh" <<'CLI'
docker version >/dev/null
docker info >/dev/null
ids=$(docker ps -aq)
[ -z "$ids" ] || docker inspect $ids >/dev/null
imgs=$(docker images -q)
[ -z "$imgs" ] || docker image inspect $imgs >/dev/null
docker network ls >/dev/null
CLI

printf '%-10s %9s %9s %9s %9s %9s | %8s %8s %8s %8s | %7s %7s | %8s %8s %8s | %8s %8s %8s\n' containers dockward \
	curl-1 curl-N curl-P cli dw/curl1 dw/curlN cli/dw cli/curl1 cpu-dw cpu-cli rss-dw rss-cli rss-curl anon-dw file-dw \
	anon-curl
results=()
for n in $SIZES; do
	bench_containers "$n"
	bench_api_urls >"$BENCH_TMP/urls"
	calls=$(wc -l <"$BENCH_TMP/urls")
	# one curl process, kept-alive connection, as dockward does
	bench_curl_cfg "$BENCH_TMP/urls" "$BENCH_TMP/curl.cfg"
	# one curl process per call
	{
		echo "set -e"
		sed "s|.*|curl -sf --unix-socket $DOCKER_SOCK -o /dev/null '&'|" "$BENCH_TMP/urls"
	} >"$BENCH_TMP/each.sh"
	# the inventory must really list every container before its time means anything
	"$DOCKWARD" -H "$BENCH_HOST" inventory --format json >"$BENCH_TMP/inventory.json" ||
		{ echo "bench: dockward inventory failed" >&2; exit 3; }
	got=$(python3 -c 'import json,sys; print(len(json.load(sys.stdin)["containers"]))' <"$BENCH_TMP/inventory.json")
	[ "$got" -eq "$n" ] || { echo "bench: inventory listed $got containers, not $n" >&2; exit 3; }

	dw="$DOCKWARD -H $BENCH_HOST inventory --format json"
	curl1="curl -sf --unix-socket $DOCKER_SOCK -K $BENCH_TMP/curl.cfg"
	bench_time dw-$n "$dw"
	bench_time curl1-$n "$curl1"
	bench_time curlN-$n "bash $BENCH_TMP/each.sh"
	bench_time curlP-$n "curl -sf --parallel --parallel-max 4 --unix-socket $DOCKER_SOCK -K $BENCH_TMP/curl.cfg"
	bench_time cli-$n "bash $BENCH_TMP/cli.sh"
	bench_rss dw-$n "$dw"
	bench_rss cli-$n "bash $BENCH_TMP/cli.sh"
	bench_rss curl1-$n "$curl1"
	bench_mem dw-$n $dw
	bench_mem curl1-$n $curl1

	t_dw=$(bench_get dw-$n.ms) t_c1=$(bench_get curl1-$n.ms) t_cn=$(bench_get curlN-$n.ms)
	t_cp=$(bench_get curlP-$n.ms) t_cli=$(bench_get cli-$n.ms)
	r1=$(bench_ratio "$t_dw" "$t_c1") rn=$(bench_ratio "$t_dw" "$t_cn") rc=$(bench_ratio "$t_cli" "$t_dw")
	rf=$(bench_ratio "$t_cli" "$t_c1")
	rss=$(bench_get dw-$n.kb)
	printf '%-10s %9s %9s %9s %9s %9s | %8s %8s %8s %8s | %7s %7s | %8s %8s %8s | %8s %8s %8s   (%d API calls)\n' \
		"$n" "$t_dw" "$t_c1" "$t_cn" "$t_cp" "$t_cli" "$r1" "$rn" "$rc" "$rf" "$(bench_get dw-$n.cpu)" \
		"$(bench_get cli-$n.cpu)" "$rss" "$(bench_get cli-$n.kb)" "$(bench_get curl1-$n.kb)" \
		"$(bench_get dw-$n.anon)" "$(bench_get dw-$n.file)" "$(bench_get curl1-$n.anon)" "$calls"
	results+=("$n $r1 $rc $rss")
done
echo "times: median ms of $BENCH_RUNS runs (hyperfine, 2 warm-ups); cpu: mean user+system ms of the client processes"
echo "(not the engine's); rss: peak KiB of the largest process, worst of 3"
echo "anon: the process's own (private) memory, file: its share of the shared libraries' pages (Pss_Anon and"
echo "Pss_File KiB of /proc/PID/smaps_rollup at the largest Pss_Anon, sampled every ms, worst of 3)"
echo "curl-1: one curl, all calls on one kept-alive connection; curl-N: one curl process per call;"
echo "curl-P: one curl, the calls 4 at a time on parallel connections (what a concurrent client could reach)"
echo "load average during the run: $(cut -d' ' -f1-3 /proc/loadavg) (timings on a busy machine are noisy)"

# the goals: within 2x of the one-connection curl floor, 5x faster than the CLI, RSS under 10 MB.
# Reported, not asserted (timings depend on the machine's load): the exit status says only whether it ran.
verdict() { if python3 -c "import sys; sys.exit(0 if $1 else 1)"; then echo ok; else echo MISSED; fi; }
for r in "${results[@]}"; do
	read -r n r1 rc rss <<<"$r"
	echo "goals at $n containers: dockward/curl-1 $r1 <= 2: $(verdict "$r1 <= 2")," \
		"cli/dockward $rc >= 5: $(verdict "$rc >= 5"), rss $rss KiB < 10240: $(verdict "$rss < 10240")"
done
