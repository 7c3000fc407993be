/* cmd_status.c: `dockward status`: what the daemon is doing: engines, audits, spool, deliveries, drops. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "exitcode.h"
#include "ini_file.h"
#include "json.h"
#include "log.h"
#include "report/term.h"

#define STATUS_MAX_BYTES (1 << 20)

static yajl_val load_json(const char *path, char *err, size_t errlen)
{
	char *text;
	size_t len;
	int r = read_file_capped(path, STATUS_MAX_BYTES, &text, &len);
	if (r < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(-r));
		return NULL;
	}
	yajl_val v = NULL;
	char why[200];
	if (json_parse(text, len, &v, why, sizeof(why)) < 0)
		snprintf(err, errlen, "%s: %s", path, why);
	free(text);
	return v;
}

/* "12s ago", "3m ago", "never" */
static void ago(int64_t ms, int64_t now_ms, char *out, size_t outlen)
{
	if (ms <= 0) {
		snprintf(out, outlen, "never");
		return;
	}
	int64_t s = (now_ms - ms) / 1000;
	bool future = s < 0;
	if (future)
		s = -s;
	const char *unit = "s";
	if (s >= 7200) {
		s /= 3600;
		unit = "h";
	} else if (s >= 120) {
		s /= 60;
		unit = "m";
	}
	snprintf(out, outlen, "%s%lld%s%s", future ? "in " : "", (long long)s, unit, future ? "" : " ago");
}

static const char *str(yajl_val v, const char *path, char *out, size_t outlen)
{
	const char *s = json_str(v, path);
	term_sanitize(s && *s ? s : "-", out, outlen);
	return out;
}

static void print_text(yajl_val st, yajl_val up, bool running, int64_t now)
{
	char a[256], b[256], c[256], t1[32], t2[32], t3[32];
	printf("dockward daemon: %s (pid %lld, version %s)\n", running ? "running" : "NOT RUNNING",
	       (long long)json_int(st, "pid", 0), str(st, "version", a, sizeof(a)));
	ago(json_int(st, "updated_ms", 0), now, t1, sizeof(t1));
	ago(json_int(st, "started_ms", 0), now, t2, sizeof(t2));
	printf("  status updated %s, started %s, config %s\n", t1, t2, str(st, "config", a, sizeof(a)));
	bool up_docker = json_bool(st, "docker.connected", false);
	printf("  docker: %s %s", up_docker ? "connected to" : "NOT connected to", str(st, "docker.host", a, sizeof(a)));
	if (up_docker)
		printf(" (engine %s, API %s)", str(st, "docker.version", b, sizeof(b)),
		       str(st, "docker.api_version", c, sizeof(c)));
	else
		printf(": %s", str(st, "docker.error", b, sizeof(b)));
	printf("; %lld events seen, %lld reconnects\n", (long long)json_int(st, "docker.events_seen", 0),
	       (long long)json_int(st, "docker.reconnects", 0));
	yajl_val engines = json_get(st, "engines");
	printf("  engines:");
	for (size_t i = 0; YAJL_IS_OBJECT(engines) && i < engines->u.object.len; i++) {
		term_sanitize(engines->u.object.keys[i], a, sizeof(a));
		const char *s = YAJL_GET_STRING(engines->u.object.values[i]);
		term_sanitize(s ? s : "-", b, sizeof(b));
		printf("%s %s: %s", i ? "," : "", a, b);
	}
	printf("\n");
	ago(json_int(st, "last_full_audit_ms", 0), now, t1, sizeof(t1));
	ago(json_int(st, "next_full_audit_ms", 0), now, t2, sizeof(t2));
	ago(json_int(st, "last_scan_ms", 0), now, t3, sizeof(t3));
	printf("  full evaluation: last %s, next %s (%lld runs); targeted: %lld runs, %lld queued; last scan %s\n",
	       t1, t2, (long long)json_int(st, "full_runs", 0), (long long)json_int(st, "targeted_runs", 0),
	       (long long)json_int(st, "queued_targets", 0), t3);
	printf("  open findings: compliance %lld, vulnerability %lld, detection %lld (raised %lld, updated %lld, "
	       "resolved %lld)\n",
	       (long long)json_int(st, "findings.compliance", 0), (long long)json_int(st, "findings.vulnerability", 0),
	       (long long)json_int(st, "findings.detection", 0), (long long)json_int(st, "findings.raised", 0),
	       (long long)json_int(st, "findings.updated", 0), (long long)json_int(st, "findings.resolved", 0));
	printf("  spool %s: %lld batches, %lld of %lld bytes; %lld events spooled, %lld dropped (spool full), "
	       "%lld write errors\n",
	       str(st, "spool.dir", a, sizeof(a)), (long long)json_int(st, "spool.batches", 0),
	       (long long)json_int(st, "spool.bytes", 0), (long long)json_int(st, "spool.cap_bytes", 0),
	       (long long)json_int(st, "spool.events_spooled", 0), (long long)json_int(st, "spool.dropped_events", 0),
	       (long long)json_int(st, "spool.write_errors", 0));
	yajl_val sinks = json_get(up, "sinks");
	if (!up)
		printf("  uploader: no status yet\n");
	else if (!json_array_len(sinks))
		printf("  uploader: no destination configured ([upstream] url or [sink.NAME])\n");
	for (size_t i = 0; i < json_array_len(sinks); i++) {
		yajl_val s = json_array_at(sinks, i);
		ago(json_int(s, "last_delivery_ms", 0), now, t1, sizeof(t1));
		printf("  sink %s (%s): %lld events in %lld batches delivered, last %s; %lld events dead-lettered",
		       str(s, "name", a, sizeof(a)), str(s, "type", b, sizeof(b)),
		       (long long)json_int(s, "events_delivered", 0), (long long)json_int(s, "batches_delivered", 0), t1,
		       (long long)json_int(s, "dead_events", 0));
		if (json_int(s, "consecutive_failures", 0) > 0) {
			int64_t next = json_int(s, "next_retry_ms", 0);
			if (next > now)
				ago(next, now, t2, sizeof(t2));
			else
				snprintf(t2, sizeof(t2), "now");
			printf("; FAILING (%lld in a row, retry %s): %s", (long long)json_int(s, "consecutive_failures", 0),
			       t2, str(s, "last_error", c, sizeof(c)));
		}
		printf("\n");
	}
}

int cmd_status(struct app *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static const char *const formats[] = { "text", "json" };
	int json = 0, c;
	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if ((json = parse_choice(optarg, formats, 2)) < 0) {
				log_error("status: --format must be text or json");
				return EXIT_USAGE;
			}
			break;
		case 'h':
			printf("Usage: dockward status [-f text|json]\n\n"
			       "Shows what `dockward daemon` is doing: Docker connection, engines, last\n"
			       "audit and scan, open findings, spool depth, deliveries per destination and\n"
			       "drops. Exit status 0 when the daemon runs, 3 when it does not.\n");
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		log_error("status: unexpected argument \"%s\"", argv[optind]);
		return EXIT_USAGE;
	}
	char path[4096], err[512] = "";
	snprintf(path, sizeof(path), "%s/status.json", a->cfg.state_dir);
	yajl_val st = load_json(path, err, sizeof(err));
	if (!st) {
		log_error("status: the daemon has not run here (%s)", err);
		return EXIT_CANNOT_RUN;
	}
	snprintf(path, sizeof(path), "%s/uploader.json", a->cfg.upstream_spool_dir);
	char uerr[512];
	yajl_val up = load_json(path, uerr, sizeof(uerr));
	pid_t pid = (pid_t)json_int(st, "pid", 0);
	bool running = pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	int64_t now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	if (json) {
		/* the two documents as they are, under one object */
		char *a_text, *u_text = NULL;
		size_t al, ul = 0;
		snprintf(path, sizeof(path), "%s/status.json", a->cfg.state_dir);
		if (read_file_capped(path, STATUS_MAX_BYTES, &a_text, &al) == 0) {
			snprintf(path, sizeof(path), "%s/uploader.json", a->cfg.upstream_spool_dir);
			if (!up || read_file_capped(path, STATUS_MAX_BYTES, &u_text, &ul) < 0)
				u_text = NULL;
			printf("{\"running\":%s,\"daemon\":%.*s,\"uploader\":%.*s}\n", running ? "true" : "false", (int)al,
			       a_text, u_text ? (int)ul : 4, u_text ? u_text : "null");
			free(a_text);
			free(u_text);
		}
	} else {
		print_text(st, up, running, now);
	}
	yajl_tree_free(st);
	yajl_tree_free(up);
	return running ? EXIT_OK : EXIT_CANNOT_RUN;
}
