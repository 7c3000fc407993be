/* cmd_watch.c: `dockward watch`: streams runtime alerts from the eBPF probes until stopped or --duration. */
#include <bpf/libbpf.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "exitcode.h"
#include "log.h"
#include "report/jsonw.h"
#include "report/term.h"
#include "rt_scan_posture.h"
#include "runtime/alert_format.h"
#include "runtime/engine.h"

struct watch_out {
	bool json;
	bool color;
	int write_err;
};

static void on_alert(const struct rt_alert *a, void *user)
{
	struct watch_out *o = user;
	int r;
	if (o->json) {
		struct jsonw w;
		if (jsonw_init(&w, false) < 0) {
			o->write_err = -ENOMEM;
			return;
		}
		rt_alert_json(&w, a);
		r = jsonw_write(&w, stdout);
		jsonw_free(&w);
	} else {
		r = rt_alert_write_text(stdout, a, o->color);
	}
	if (r < 0 && !o->write_err)
		o->write_err = r;
}

__attribute__((format(printf, 2, 0))) static int libbpf_log(enum libbpf_print_level level, const char *fmt,
							     va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	char msg[1024];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = 0;
	log_debug("libbpf: %s", msg);
	return 0;
}

static int list_rules(const struct rt_ruleset *rs, bool json)
{
	struct rt_rule_status *st = calloc(rs->n ? rs->n : 1, sizeof(*st));
	if (!st)
		return EXIT_CANNOT_RUN;
	rt_rules_status(rs, st);
	struct jsonw w;
	if (json) {
		if (jsonw_init(&w, false) < 0) {
			free(st);
			return EXIT_CANNOT_RUN;
		}
		jsonw_arr_begin(&w);
	} else {
		printf("%-28s %-9s %-18s %-10s %s\n", "RULE", "SEVERITY", "EVENT", "MITRE", "STATUS");
	}
	for (size_t i = 0; i < rs->n; i++) {
		const struct rt_rule *r = &rs->rules[i];
		const char *state = st[i].state == RT_RULE_ACTIVE ? "active" : st[i].reason;
		if (json) {
			jsonw_obj_begin(&w);
			jsonw_kstr(&w, "rule", r->id);
			jsonw_kstr(&w, "severity", rt_severity_name(r->severity));
			jsonw_kstr(&w, "event", rt_event_name(r->event));
			jsonw_kstr(&w, "mitre", r->mitre);
			jsonw_kstr(&w, "description", r->description);
			jsonw_kstr(&w, "status", st[i].state == RT_RULE_ACTIVE ? "active"
						 : st[i].state == RT_RULE_DISABLED ? "disabled" : "not_evaluable");
			jsonw_kstr(&w, "reason", st[i].reason);
			jsonw_obj_end(&w);
		} else {
			printf("%-28s %-9s %-18s %-10s %s\n", r->id, rt_severity_name(r->severity), rt_event_name(r->event),
			       r->mitre ? r->mitre : "-", state);
		}
	}
	int rc = EXIT_OK;
	if (json) {
		jsonw_arr_end(&w);
		if (jsonw_write(&w, stdout) < 0)
			rc = EXIT_CANNOT_RUN;
		jsonw_free(&w);
	}
	free(st);
	return rc;
}

static void print_summary(const struct rt_ruleset *rs, const struct rt_engine_stats *s, double secs, bool json)
{
	if (json) {
		struct jsonw w;
		if (jsonw_init(&w, false) < 0)
			return;
		jsonw_obj_begin(&w);
		jsonw_str(&w, "summary");
		jsonw_obj_begin(&w);
		jsonw_kint(&w, "seconds", (int64_t)secs);
		jsonw_kint(&w, "events", (int64_t)s->events);
		jsonw_kint(&w, "kernel_emitted", (int64_t)s->emitted);
		jsonw_kint(&w, "dropped", (int64_t)s->dropped);
		jsonw_kint(&w, "kernel_repeats", (int64_t)s->kernel_repeats);
		jsonw_kint(&w, "alerts", (int64_t)s->alerts);
		jsonw_kint(&w, "suppressed_repeats", (int64_t)s->suppressed);
		jsonw_kint(&w, "unattributed", (int64_t)s->unattributed);
		jsonw_kint(&w, "docker_events", (int64_t)s->docker_events);
		jsonw_str(&w, "syscall_probes");
		jsonw_obj_begin(&w);
		jsonw_kbool(&w, "attached", s->syscalls_on);
		jsonw_kint(&w, "attaches", (int64_t)s->syscall_attaches);
		jsonw_kint(&w, "attach_errors", (int64_t)s->syscall_attach_errors);
		jsonw_kint(&w, "attached_ms", s->syscall_attached_ms);
		jsonw_kint(&w, "attach_lag_us_max", s->syscall_attach_lag_us_max);
		jsonw_obj_end(&w);
		jsonw_str(&w, "alerts_by_rule");
		jsonw_obj_begin(&w);
		for (size_t i = 0; i < s->per_rule_cap; i++)
			if (s->per_rule[i])
				jsonw_kint(&w, rs->rules[i].id, (int64_t)s->per_rule[i]);
		jsonw_obj_end(&w);
		jsonw_obj_end(&w);
		jsonw_obj_end(&w);
		jsonw_write(&w, stdout);
		jsonw_free(&w);
		return;
	}
	fprintf(stderr,
		"watch: %.0fs, %llu events (%llu repeats folded in the kernel), %llu alerts (%llu repeats suppressed), "
		"%llu dropped by the kernel, %llu unattributed, %llu Docker events\n",
		secs, (unsigned long long)s->events, (unsigned long long)s->kernel_repeats, (unsigned long long)s->alerts,
		(unsigned long long)s->suppressed, (unsigned long long)s->dropped, (unsigned long long)s->unattributed,
		(unsigned long long)s->docker_events);
	fprintf(stderr, "watch: per-syscall probes attached %.1fs of it (%llu times on demand%s)\n",
		(double)s->syscall_attached_ms / 1000, (unsigned long long)s->syscall_attaches,
		s->syscall_attach_errors ? ", some failed" : "");
	for (size_t i = 0; i < s->per_rule_cap; i++)
		if (s->per_rule[i])
			fprintf(stderr, "  %-28s %llu\n", rs->rules[i].id, (unsigned long long)s->per_rule[i]);
}

static void usage(void)
{
	printf("Usage: dockward watch [--rules DIR] [-f text|json] [--duration SECONDS]\n"
	       "                      [--containers PATTERN] [--list-rules] [--color auto|always|never]\n"
	       "                      [--syscall-probes on-demand|always]\n\n"
	       "Streams runtime alerts raised by eBPF probes in containers: time, rule,\n"
	       "severity, container, process, the event and the container's posture.\n"
	       "SIGINT or SIGTERM (or --duration) stops it with a summary of events,\n"
	       "alerts and drops (json: a last line {\"summary\": ...}).\n\n"
	       "  --rules DIR          detection rules (default: [runtime] rules_dir)\n"
	       "  --containers PATTERN only containers whose name or id matches (glob or id prefix)\n"
	       "  --list-rules         list the rules and whether this kernel can evaluate each\n"
	       "  --syscall-probes on-demand|always\n"
	       "                       attach the per-syscall probes (they slow every syscall of the\n"
	       "                       host) only while a watched container runs or is being created\n"
	       "                       (default), or all the time\n\n"
	       "Needs root and a kernel with BTF. Exit status: 0 no alert, 1 alerts, 2 usage,\n"
	       "3 could not run.\n");
}

int cmd_watch(struct app *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rules", required_argument, NULL, 'r' },
		{ "format", required_argument, NULL, 'f' },
		{ "duration", required_argument, NULL, 'd' },
		{ "containers", required_argument, NULL, 'C' },
		{ "list-rules", no_argument, NULL, 'l' },
		{ "color", required_argument, NULL, 'c' },
		{ "syscall-probes", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static const char *const formats[] = { "text", "json" };
	static const char *const colors[] = { "auto", "always", "never" };
	static const char *const attach_modes[] = { "on-demand", "always" };
	const char *rules_dir = a->cfg.runtime_rules_dir, *containers = NULL;
	uint64_t duration_ms = 0;
	bool list = false;
	int json = 0, color = COLOR_AUTO, always = 0, c;
	while ((c = getopt_long(argc, argv, "r:f:d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			rules_dir = optarg;
			break;
		case 'f':
			if ((json = parse_choice(optarg, formats, 2)) < 0) {
				log_error("watch: --format must be text or json");
				return EXIT_USAGE;
			}
			break;
		case 'd':
			if (parse_duration_ms(optarg, &duration_ms) < 0 || !duration_ms) {
				log_error("watch: --duration takes seconds (or 500ms, 5m, ...), more than 0");
				return EXIT_USAGE;
			}
			break;
		case 'C':
			containers = optarg;
			break;
		case 'l':
			list = true;
			break;
		case 'c':
			if ((color = parse_choice(optarg, colors, 3)) < 0) {
				log_error("watch: --color must be auto, always or never");
				return EXIT_USAGE;
			}
			break;
		case 's':
			if ((always = parse_choice(optarg, attach_modes, 2)) < 0) {
				log_error("watch: --syscall-probes must be on-demand or always");
				return EXIT_USAGE;
			}
			break;
		case 'h':
			usage();
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		log_error("watch: unexpected argument \"%s\"", argv[optind]);
		return EXIT_USAGE;
	}
	struct rt_ruleset rs = { 0 };
	char err[1024] = "";
	if (rt_rules_load_dir(&rs, rules_dir, err, sizeof(err)) < 0) {
		log_error("watch: %s", err);
		rt_rules_free(&rs);
		return EXIT_USAGE;
	}
	if (list) {
		int rc = list_rules(&rs, json);
		rt_rules_free(&rs);
		return rc;
	}

	int rc = EXIT_CANNOT_RUN, sfd = -1;
	struct docker_client *dc = NULL;
	struct rt_engine *e = NULL;
	struct rt_scan_posture *sp = NULL;
	struct watch_out o = { .json = json, .color = term_use_color(stdout, (enum color_mode)color) };
	libbpf_set_print(libbpf_log);
	if (app_docker_client(a, &dc) < 0) {
		rc = EXIT_USAGE;
		goto out;
	}
	/* "vulnerable image" in each alert's posture: what an earlier scan left in the cache */
	if (rt_scan_posture_open(a->cfg.state_dir, a->cfg.scan_vulndb_dir, &sp) < 0) {
		log_error("watch: out of memory");
		goto out;
	}
	struct rt_engine_options eo = {
		.rules = &rs,
		.containers = containers,
		.host_root = a->cfg.host_root,
		.ringbuf_bytes = (uint32_t)a->cfg.runtime_ring_buffer,
		.syscalls_always = always == 1,
		.on_alert = on_alert,
		.alert_user = &o,
		.posture = rt_scan_posture_fill,
		.posture_user = sp,
	};
	int r = rt_engine_new(dc, &eo, &e, err, sizeof(err));
	if (r == -EPERM || r == -ENOTSUP) {
		log_error("watch: runtime probes unavailable: %s (audit and scan still work)", err);
		goto out;
	}
	if (r < 0) {
		log_error("watch: %s", err[0] ? err : strerror(-r));
		goto out;
	}
	const struct rt_rule_status *st = rt_engine_rule_status(e);
	size_t n_active = 0;
	for (size_t i = 0; i < rs.n; i++) {
		if (st[i].state == RT_RULE_ACTIVE)
			n_active++;
		else if (st[i].state == RT_RULE_UNAVAILABLE)
			log_warning("watch: rule %s is %s", rs.rules[i].id, st[i].reason);
	}
	log_info("watch: %zu of %zu rules active", n_active, rs.n);

	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0) {
		log_error("watch: signalfd: %s", strerror(errno));
		goto out;
	}
	/* stdout may be a pipe read line by line: flush per alert */
	setvbuf(stdout, NULL, _IOLBF, 0);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = EXIT_OK;
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		int64_t elapsed = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
		if (duration_ms && elapsed >= (int64_t)duration_ms)
			break;
		int timeout = rt_engine_timeout_ms(e);
		if (duration_ms && (int64_t)duration_ms - elapsed < timeout)
			timeout = (int)((int64_t)duration_ms - elapsed);
		struct pollfd pfd[2] = { { .fd = rt_engine_fd(e), .events = POLLIN }, { .fd = sfd, .events = POLLIN } };
		if (poll(pfd, 2, timeout) < 0 && errno != EINTR) {
			log_error("watch: poll: %s", strerror(errno));
			rc = EXIT_CANNOT_RUN;
			break;
		}
		if (pfd[1].revents & POLLIN)
			break;
		if (rt_engine_handle(e, err, sizeof(err)) < 0) {
			log_error("watch: %s", err);
			rc = EXIT_CANNOT_RUN;
			break;
		}
		if (o.write_err) {
			rc = EXIT_CANNOT_RUN;
			break;
		}
	}
	rt_engine_drain(e);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	struct rt_engine_stats s;
	rt_engine_stats(e, &s);
	print_summary(&rs, &s, (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9, json);
	if (rc == EXIT_OK && s.alerts)
		rc = EXIT_FINDINGS;
out:
	if (sfd >= 0)
		close(sfd);
	rt_engine_free(e);
	rt_scan_posture_close(sp);
	docker_client_free(dc);
	rt_rules_free(&rs);
	return rc;
}
