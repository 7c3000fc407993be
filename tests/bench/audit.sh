#!/usr/bin/env bash
# audit.sh: `dockward audit` (all 117 rules, JSON) against the bare API calls it needs (curl), with 0, 30 and 100 containers on a private dockerd.
# Usage: tests/bench/audit.sh   (root; DOCKWARD_BUILD=build/NAME or DOCKWARD_BIN=..., BENCH_RUNS=10, BENCH_SIZES="0 30 100")
source "$(dirname "$0")/lib.sh"
bench_need hyperfine curl docker dockerd python3 /usr/bin/time
[ -x "$DOCKWARD" ] || { echo "bench: no dockward at $DOCKWARD (make first)" >&2; exit 3; }
SIZES=${BENCH_SIZES:-0 30 100}
RULES=$BENCH_ROOT/rules

bench_start_engine
bench_import_busybox
export DOCKWARD_CONFIG=

# The calls an audit makes on a local engine, in its order: the snapshot with images, their history and
# networks. (The process lists of running containers, /containers/ID/top, are asked only for containers
# whose cgroup the host's /proc cannot list: none here.)
printf '%-10s %9s %9s %9s | %8s | %8s %8s %8s | %8s %8s\n' containers dockward curl-1 eval-ms dw/curl1 rss-dw anon-dw \
	file-dw rss-curl anon-curl
fail=0
results=()
for n in $SIZES; do
	bench_containers "$n"
	bench_api_urls history >"$BENCH_TMP/urls"
	calls=$(wc -l <"$BENCH_TMP/urls")
	bench_curl_cfg "$BENCH_TMP/urls" "$BENCH_TMP/curl.cfg"
	# the audit must really have looked at every container before its time means anything
	"$DOCKWARD" -H "$BENCH_HOST" audit --rules "$RULES" -f json -o "$BENCH_TMP/audit.json" || [ $? -eq 1 ]
	read -r got eval_ms < <(python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
print(d["scope"]["containers"], d["evaluation_ms"])' "$BENCH_TMP/audit.json")
	[ "$got" -eq "$n" ] || { echo "bench: the audit saw $got containers, not $n" >&2; exit 3; }

	# exit status 1 (findings) is the normal outcome: hyperfine must not treat it as a failure
	dw="bash -c '$DOCKWARD -H $BENCH_HOST audit --rules $RULES -f json -o /dev/null; [ \$? -le 1 ]'"
	curl1="curl -sf --unix-socket $DOCKER_SOCK -K $BENCH_TMP/curl.cfg"
	bench_time dw-$n "$dw"
	bench_time bash-$n "bash -c true"
	bench_time curl1-$n "$curl1"
	bench_rss dw-$n "$DOCKWARD -H $BENCH_HOST audit --rules $RULES -f json -o /dev/null; [ \$? -le 1 ]"
	bench_rss curl1-$n "$curl1"
	bench_mem dw-$n --ok 0,1 "$DOCKWARD" -H "$BENCH_HOST" audit --rules "$RULES" -f json -o /dev/null
	bench_mem curl1-$n $curl1

	# the wrapping bash is not dockward's time
	t_dw=$(python3 -c 'import sys; print("%.1f" % (float(sys.argv[1]) - float(sys.argv[2])))' \
		"$(bench_get dw-$n.ms)" "$(bench_get bash-$n.ms)")
	t_c1=$(bench_get curl1-$n.ms)
	r1=$(bench_ratio "$t_dw" "$t_c1")
	rss=$(bench_get dw-$n.kb)
	printf '%-10s %9s %9s %9s | %8s | %8s %8s %8s | %8s %8s   (%d API calls)\n' "$n" "$t_dw" "$t_c1" "$eval_ms" "$r1" \
		"$rss" "$(bench_get dw-$n.anon)" "$(bench_get dw-$n.file)" "$(bench_get curl1-$n.kb)" \
		"$(bench_get curl1-$n.anon)" "$calls"
	results+=("$n $t_dw $r1 $rss")
done
echo "times: median ms of $BENCH_RUNS runs (hyperfine, 2 warm-ups); eval-ms: the rules' own evaluation, from the report"
echo "rss: peak KiB, worst of 3; anon: the agent's own (private) memory, file: its share of the shared libraries'"
echo "pages (Pss_Anon, Pss_File KiB of /proc/PID/smaps_rollup at the largest Pss_Anon, sampled every ms, worst of 3)"
echo "curl-1: one curl, every call on one kept-alive connection (the floor)"

# the goals: 30 containers under 125 ms and 10 MB, within 2x of the curl floor at every size
for r in "${results[@]}"; do
	read -r n t r1 rss <<<"$r"
	# (runs in $(...): the caller looks for MISSED in the line)
	verdict() { if python3 -c "import sys; sys.exit(0 if $1 else 1)"; then echo ok; else echo MISSED; fi; }
	line="goals at $n containers: dockward/curl-1 $r1 <= 2: $(verdict "$r1 <= 2"), rss $rss KiB < 10240: $(verdict "$rss < 10240")"
	[ "$n" -eq 30 ] && line="$line, $t ms < 125: $(verdict "$t < 125")"
	echo "$line"
	case $line in *MISSED*) fail=1 ;; esac
done
exit $fail
