/* cmd_audit.c: `dockward audit`: the CIS Docker Benchmark audit of this host, as text, JSON, JUnit or SARIF. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "app.h"
#include "audit/engine.h"
#include "audit/image_scans.h"
#include "exitcode.h"
#include "log.h"
#include "report/audit_report.h"
#include "report/term.h"

#define MAX_LABELS 32

static void audit_usage(FILE *f)
{
	fprintf(f,
		"Usage: dockward audit [OPTIONS]\n\n"
		"Audits this host, its Docker daemon, images and every container (running,\n"
		"stopped or created) against the CIS Docker Benchmark rules in the rules\n"
		"directory.\n\n"
		"  -b, --benchmark V          benchmark version: 1.6.0 (default) or 1.8.0\n"
		"  -l, --level 1|2            1: level-1 rules only; 2: all (default)\n"
		"  -c, --check IDS            only these rules or sections (\"5.4,1.1,7\")\n"
		"  -e, --exclude IDS          not these rules or sections\n"
		"      --containers PATTERN   only containers whose name matches the glob\n"
		"      --exclude-containers PATTERN\n"
		"      --label K=V            only containers with this label (repeatable)\n"
		"      --waivers FILE         accepted failures (INI; [audit] waivers)\n"
		"      --fail-on SEVERITY     low|medium|high|critical: exit 1 only for failures\n"
		"                             at or above it (default low: any failure)\n"
		"  -f, --format FMT           text (default), json, junit or sarif\n"
		"  -o, --output FILE          write the report to FILE instead of stdout\n"
		"      --remediation          text: how to fix each failure\n"
		"      --no-color             no colour even on a tty\n"
		"  -q, --quiet                text: only failures, waivers and the summary\n"
		"      --rules DIR            rules directory ([audit] rules_dir)\n"
		"      --host-root DIR        the host's root file system is mounted at DIR\n\n"
		"Verdicts: pass, fail, manual, not-applicable, not-evaluated, waived.\n"
		"Exit status: 0 no failure at or above --fail-on, 1 failures, 2 usage or\n"
		"configuration error, 3 could not run.\n");
}

struct audit_args {
	struct audit_ctx ctx;
	const char *labels[MAX_LABELS];
	const char *benchmark, *rules_dir, *waivers, *output, *host_root;
	int fmt;
	int fail_on;
	bool remediation, quiet;
	enum color_mode color;
};

static int parse_args(struct app *a, int argc, char **argv, struct audit_args *x)
{
	enum { O_CONTAINERS = 256, O_EXCL_CONTAINERS, O_LABEL, O_WAIVERS, O_FAIL_ON, O_REMEDIATION, O_NO_COLOR,
	       O_RULES, O_HOST_ROOT };
	static const struct option opts[] = {
		{ "benchmark", required_argument, NULL, 'b' },
		{ "level", required_argument, NULL, 'l' },
		{ "check", required_argument, NULL, 'c' },
		{ "exclude", required_argument, NULL, 'e' },
		{ "containers", required_argument, NULL, O_CONTAINERS },
		{ "exclude-containers", required_argument, NULL, O_EXCL_CONTAINERS },
		{ "label", required_argument, NULL, O_LABEL },
		{ "waivers", required_argument, NULL, O_WAIVERS },
		{ "fail-on", required_argument, NULL, O_FAIL_ON },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "remediation", no_argument, NULL, O_REMEDIATION },
		{ "no-color", no_argument, NULL, O_NO_COLOR },
		{ "quiet", no_argument, NULL, 'q' },
		{ "rules", required_argument, NULL, O_RULES },
		{ "host-root", required_argument, NULL, O_HOST_ROOT },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static const char *const formats[] = { "text", "json", "junit", "sarif" };
	x->benchmark = a->cfg.audit_benchmark;
	x->rules_dir = a->cfg.audit_rules_dir;
	x->waivers = a->cfg.audit_waivers;
	x->host_root = a->cfg.host_root;
	x->color = COLOR_AUTO;
	if (audit_scan_mode_parse(a->cfg.audit_scan_images) < 0) {
		log_error("audit: [audit] scan_images must be off, cached or scan, not \"%s\"", a->cfg.audit_scan_images);
		return EXIT_USAGE;
	}
	x->fail_on = audit_severity_parse(a->cfg.audit_fail_on);
	if (x->fail_on < 0) {
		log_error("audit: [audit] fail_on must be low, medium, high or critical, not \"%s\"", a->cfg.audit_fail_on);
		return EXIT_USAGE;
	}
	int c;
	while ((c = getopt_long(argc, argv, "b:l:c:e:f:o:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			x->benchmark = optarg;
			break;
		case 'l':
			if (strcmp(optarg, "1") != 0 && strcmp(optarg, "2") != 0) {
				log_error("audit: --level must be 1 or 2, not \"%s\"", optarg);
				return EXIT_USAGE;
			}
			x->ctx.level = optarg[0] - '0';
			break;
		case 'c':
			x->ctx.include = optarg;
			break;
		case 'e':
			x->ctx.exclude = optarg;
			break;
		case O_CONTAINERS:
			x->ctx.container_pattern = optarg;
			break;
		case O_EXCL_CONTAINERS:
			x->ctx.exclude_containers = optarg;
			break;
		case O_LABEL:
			if (x->ctx.n_labels >= MAX_LABELS) {
				log_error("audit: at most %d --label options", MAX_LABELS);
				return EXIT_USAGE;
			}
			x->labels[x->ctx.n_labels++] = optarg;
			break;
		case O_WAIVERS:
			x->waivers = optarg;
			break;
		case O_FAIL_ON:
			if ((x->fail_on = audit_severity_parse(optarg)) < 0) {
				log_error("audit: --fail-on must be low, medium, high or critical, not \"%s\"", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'f':
			if ((x->fmt = parse_choice(optarg, formats, 4)) < 0) {
				log_error("audit: --format must be text, json, junit or sarif, not \"%s\"", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'o':
			x->output = optarg;
			break;
		case O_REMEDIATION:
			x->remediation = true;
			break;
		case O_NO_COLOR:
			x->color = COLOR_NEVER;
			break;
		case 'q':
			x->quiet = true;
			break;
		case O_RULES:
			x->rules_dir = optarg;
			break;
		case O_HOST_ROOT:
			x->host_root = optarg;
			break;
		case 'h':
			audit_usage(stdout);
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		log_error("audit: unexpected argument \"%s\"", argv[optind]);
		return EXIT_USAGE;
	}
	x->ctx.labels = x->labels;
	return -1;
}

static int write_report(const struct audit_args *x, const struct audit_result *res, const struct snapshot *snap,
			const char *ruleset_name)
{
	FILE *out = stdout;
	if (x->output && !(out = fopen(x->output, "we"))) {
		log_error("audit: %s: %s", x->output, strerror(errno));
		return EXIT_USAGE;
	}
	struct audit_report_opts ro = {
		.color = !x->output && term_use_color(stdout, x->color),
		.remediation = x->remediation,
		.quiet = x->quiet,
		.ruleset_name = ruleset_name,
	};
	static int (*const writers[])(const struct audit_result *, const struct snapshot *,
				      const struct audit_report_opts *, FILE *) = {
		audit_write_text, audit_write_json, audit_write_junit, audit_write_sarif,
	};
	int r = writers[x->fmt](res, snap, &ro, out);
	if (fflush(out) != 0 && r == 0)
		r = -errno;
	if (out != stdout && fclose(out) != 0 && r == 0)
		r = -errno;
	if (r < 0) {
		log_error("audit: writing the report failed: %s", strerror(-r));
		return EXIT_CANNOT_RUN;
	}
	return EXIT_OK;
}

int cmd_audit(struct app *a, int argc, char **argv)
{
	struct audit_args x = { 0 };
	int rc = parse_args(a, argc, argv, &x);
	if (rc >= 0)
		return rc;
	rc = EXIT_USAGE;
	struct audit_ruleset rs;
	struct audit_waivers ws = { 0 };
	struct docker_client *dc = NULL;
	struct snapshot snap = { 0 };
	struct host_facts host;
	struct audit_result res = { 0 };
	struct audit_image_scans scans = { 0 };
	bool have_snap = false, have_host = false, have_rules = false;
	char err[1024] = "";
	if (audit_ruleset_load_dir(&rs, x.rules_dir, x.benchmark, err, sizeof(err)) < 0) {
		log_error("audit: %s", err);
		goto out;
	}
	have_rules = true;
	if (x.waivers && *x.waivers) {
		if (audit_waivers_load(&ws, x.waivers, err, sizeof(err)) < 0) {
			log_error("audit: %s", err);
			goto out;
		}
		x.ctx.waivers = &ws;
	}
	x.ctx.rules = &rs;
	struct snapshot_request sreq;
	struct host_facts_request hreq;
	audit_plan(&x.ctx, &sreq, &hreq);
	if (x.host_root && *x.host_root) {
		struct stat st;
		const char *why = stat(x.host_root, &st) < 0 ? strerror(errno)
				  : !S_ISDIR(st.st_mode) ? "not a directory" : NULL;
		if (why) {
			log_error("audit: host root %s: %s", x.host_root, why);
			goto out;
		}
	}
	if (host_facts_init(&host, x.host_root) < 0) {
		log_error("audit: host root %s: path too long", x.host_root);
		goto out;
	}
	have_host = true;
	host.trusted_users = a->cfg.audit_trusted_users;
	rc = EXIT_CANNOT_RUN;
	if (app_docker_client(a, &dc) < 0) {
		rc = EXIT_USAGE;
		goto out;
	}
	/* process lists: from the host's /proc first; the engine is asked only for the containers it cannot list */
	bool want_top = sreq.top;
	sreq.top = false;
	int r = snapshot_collect(dc, &sreq, &snap);
	if (r < 0) {
		rc = app_docker_failed(dc, r);
		goto out;
	}
	have_snap = true;
	if (hreq.image_scans) {
		bool *wanted = NULL;
		r = audit_images_wanted(&x.ctx, &snap, &wanted);
		if (r == 0)
			r = audit_image_scans_collect(dc, &snap, &a->cfg, wanted, &scans);
		free(wanted);
		if (r < 0) {
			log_error("audit: out of memory");
			goto out;
		}
		host.scans = &scans;
	}
	if (host_facts_collect(&host, &hreq, &snap) < 0) {
		log_error("audit: out of memory");
		goto out;
	}
	if (want_top && (r = audit_collect_tops(dc, &x.ctx, &host, &snap)) < 0) {
		rc = app_docker_failed(dc, r);
		goto out;
	}
	if (audit_run(&x.ctx, &snap, &host, &res) < 0) {
		log_error("audit: out of memory");
		goto out;
	}
	for (size_t i = 0; i < res.n_expired; i++)
		log_warning("audit: waiver [%s] for rule %s expired on %s and no longer applies", res.expired[i]->name,
			    res.expired[i]->rule, res.expired[i]->expires_text);
	rc = write_report(&x, &res, &snap, rs.name);
	if (rc == EXIT_OK && audit_has_failures(&res, (enum audit_severity)x.fail_on))
		rc = EXIT_FINDINGS;
out:
	audit_result_free(&res);
	audit_image_scans_free(&scans);
	if (have_host)
		host_facts_free(&host);
	if (have_snap)
		snapshot_free(&snap);
	docker_client_free(dc);
	audit_waivers_free(&ws);
	if (have_rules)
		audit_ruleset_free(&rs);
	return rc;
}
