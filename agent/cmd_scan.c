/* cmd_scan.c: `dockward scan`: which images to scan, scanning each, filtering findings, the report and the exit status. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "exitcode.h"
#include "json.h"
#include "log.h"
#include "report/term.h"
#include "scan.h"
#include "scan_cache.h"
#include "scan_report.h"
#include "snapshot.h"
#include "vuln/vulndb.h"

#define MAX_INPUTS 64

struct scan_args {
	const char *inputs[MAX_INPUTS]; size_t n_inputs;
	char **names; size_t n_names;
	bool all, ignore_unfixed, no_cache;
	const char *db_dir;             /* --db-dir, NULL = [scan] vulndb_dir */
	int format;                     /* text, json, sarif, cyclonedx */
	const char *output;
	bool severities[SEV_COUNT];     /* shown; all when --severity is not given */
	int fail_on;                    /* lowest severity that fails; SEV_COUNT = never */
	enum color_mode color;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: dockward scan [IMAGE...] [--all] [--input FILE] [-f text|json|sarif|cyclonedx]\n"
		"                     [-o FILE] [--severity LIST] [--ignore-unfixed] [--fail-on SEVERITY]\n\n"
		"Scans images for vulnerable packages and risks (root user, no healthcheck,\n"
		"secrets in ENV or build history, setuid/setgid files) without running them.\n\n"
		"Which images: those named; with --all every image; by default the images of\n"
		"all containers (running, stopped, created) and every image created, pulled\n"
		"or loaded within [scan] recent_days (30).\n\n"
		"  -i, --input FILE          a `docker save` tarball or an OCI image layout\n"
		"                            directory instead of the engine's images (repeatable)\n"
		"  -a, --all                 every image of the engine\n"
		"  -f, --format FMT          text (default), json (docs/scan-json.md), sarif\n"
		"                            (SARIF 2.1.0) or cyclonedx (CycloneDX 1.5 SBOM)\n"
		"  -o, --output FILE         write the report to FILE instead of stdout\n"
		"      --severity LIST       only findings of these severities, e.g. high,critical\n"
		"      --ignore-unfixed      leave out vulnerabilities without a fixed version\n"
		"      --fail-on SEVERITY    exit 1 when a finding is at least this severe\n"
		"                            (low, medium, high, critical, or never; default: any)\n"
		"      --no-cache            read every image again, ignoring cached results\n"
		"      --db-dir DIR          the vulnerability database (default [scan] vulndb_dir);\n"
		"                            without one, risks and packages are still reported\n"
		"      --no-color            no colour even on a terminal\n\n"
		"Exit status: 0 no findings at or above --fail-on, 1 findings, 2 usage,\n"
		"3 could not run (engine unreachable, or an image could not be read).\n");
}

static int parse_severity_list(const char *s, bool *out)
{
	char *copy = strdup(s);
	if (!copy)
		return -ENOMEM;
	memset(out, 0, sizeof(bool) * SEV_COUNT);
	int r = 0;
	for (char *save = NULL, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		int v = severity_parse(t);
		if (v < 0) {
			log_error("scan: unknown severity \"%s\" in --severity (unknown, low, medium, high, critical)", t);
			r = -EINVAL;
			break;
		}
		out[v] = true;
	}
	free(copy);
	return r;
}

static int parse_args(int argc, char **argv, struct scan_args *sa)
{
	static const struct option opts[] = {
		{ "input", required_argument, NULL, 'i' },
		{ "all", no_argument, NULL, 'a' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "severity", required_argument, NULL, 's' },
		{ "ignore-unfixed", no_argument, NULL, 'u' },
		{ "fail-on", required_argument, NULL, 'F' },
		{ "no-cache", no_argument, NULL, 'N' },
		{ "db-dir", required_argument, NULL, 'D' },
		{ "no-color", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static const char *const formats[] = { "text", "json", "sarif", "cyclonedx" };
	int c;
	for (int i = 0; i < SEV_COUNT; i++)
		sa->severities[i] = true;
	sa->fail_on = SEV_UNKNOWN;
	while ((c = getopt_long(argc, argv, "i:af:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (sa->n_inputs == MAX_INPUTS) {
				log_error("scan: at most %d --input files", MAX_INPUTS);
				return -EINVAL;
			}
			sa->inputs[sa->n_inputs++] = optarg;
			break;
		case 'a':
			sa->all = true;
			break;
		case 'f':
			if ((sa->format = parse_choice(optarg, formats, 4)) < 0) {
				log_error("scan: --format must be text, json, sarif or cyclonedx, not \"%s\"", optarg);
				return -EINVAL;
			}
			break;
		case 'o':
			sa->output = optarg;
			break;
		case 's':
			if (parse_severity_list(optarg, sa->severities) < 0)
				return -EINVAL;
			break;
		case 'u':
			sa->ignore_unfixed = true;
			break;
		case 'F':
			if (strcmp(optarg, "never") == 0 || strcmp(optarg, "none") == 0) {
				sa->fail_on = SEV_COUNT;
			} else if ((sa->fail_on = severity_parse(optarg)) < 0) {
				log_error("scan: --fail-on must be unknown, low, medium, high, critical or never, not \"%s\"",
					  optarg);
				return -EINVAL;
			}
			break;
		case 'N':
			sa->no_cache = true;
			break;
		case 'D':
			sa->db_dir = optarg;
			break;
		case 'n':
			sa->color = COLOR_NEVER;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			return -EINVAL;
		}
	}
	sa->names = argv + optind;
	sa->n_names = (size_t)(argc - optind);
	if (sa->n_inputs && (sa->n_names || sa->all)) {
		log_error("scan: --input scans files; do not combine it with image names or --all");
		return -EINVAL;
	}
	if (sa->all && sa->n_names) {
		log_error("scan: --all scans every image; do not name images as well");
		return -EINVAL;
	}
	return 0;
}

/* Leaves out findings the user asked not to see, so every format agrees. */
static void filter_findings(struct scan_image *s, const struct scan_args *sa)
{
	size_t w = 0;
	for (size_t i = 0; i < s->n_vulns; i++) {
		struct scan_vuln *v = &s->vulns[i];
		bool keep = sa->severities[v->severity] && !(sa->ignore_unfixed && (!v->fixed || !*v->fixed));
		if (keep) {
			s->vulns[w++] = *v;
			continue;
		}
		free(v->id);
		for (size_t k = 0; k < v->n_aliases; k++)
			free(v->aliases[k]);
		free(v->aliases);
		free(v->fixed);
		free(v->summary);
	}
	s->n_vulns = w;
	w = 0;
	for (size_t i = 0; i < s->risks.len; i++) {
		struct image_risk *k = &s->risks.items[i];
		if (sa->severities[k->severity]) {
			s->risks.items[w++] = *k;
		} else {
			free(k->subject);
			free(k->detail);
		}
	}
	s->risks.len = w;
}

/* "sha256:abc..." or an unambiguous prefix of the hex id ("abc123", at least 4 digits). */
static bool id_matches(const char *id, const char *want)
{
	const char *hex = strncmp(id, "sha256:", 7) == 0 ? id + 7 : id;
	const char *w = strncmp(want, "sha256:", 7) == 0 ? want + 7 : want;
	size_t wl = strlen(w);
	if (wl < 4 || wl > 64 || strspn(w, "0123456789abcdef") != wl)
		return false;
	return strncmp(hex, w, wl) == 0;
}

static bool tag_matches(const char *tag, const char *want)
{
	if (strcmp(tag, want) == 0)
		return true;
	/* "name" means "name:latest"; "docker.io/library/x" as the engine lists "x" */
	size_t wl = strlen(want);
	if (!strchr(want + (strrchr(want, '/') ? (size_t)(strrchr(want, '/') - want) : 0), ':') &&
	    strncmp(tag, want, wl) == 0 && strcmp(tag + wl, ":latest") == 0)
		return true;
	static const char *const prefixes[] = { "docker.io/library/", "docker.io/" };
	for (size_t i = 0; i < 2; i++) {
		size_t pl = strlen(prefixes[i]);
		if (strncmp(want, prefixes[i], pl) == 0 && tag_matches(tag, want + pl))
			return true;
	}
	return false;
}

static int64_t parse_rfc3339(const char *s)
{
	struct tm tm = { 0 };
	if (!s || !*s)
		return 0;
	const char *e = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!e)
		return 0;
	return (int64_t)timegm(&tm);
}

/* The newest of the image's build time and its last tag (pull/load/tag) time. */
static int64_t image_recent_time(const struct docker_image *img)
{
	int64_t created = parse_rfc3339(img->created);
	int64_t tagged = parse_rfc3339(json_str(img->raw, "Metadata.LastTagTime"));
	return created > tagged ? created : tagged;
}

static int add_container_name(struct scan_image *s, const char *name)
{
	char **n = realloc(s->containers, (s->n_containers + 1) * sizeof(char *));
	if (!n)
		return -ENOMEM;
	s->containers = n;
	if (!(n[s->n_containers] = strdup(name)))
		return -ENOMEM;
	s->n_containers++;
	return 0;
}

/* Picks the images to scan from the snapshot: sel[i] for images[i]. */
static int select_images(const struct snapshot *snap, const struct scan_args *sa, const struct app *a, bool *sel)
{
	if (sa->all) {
		for (size_t i = 0; i < snap->n_images; i++)
			sel[i] = true;
		return 0;
	}
	if (sa->n_names) {
		for (size_t n = 0; n < sa->n_names; n++) {
			ssize_t found = -1;
			for (size_t i = 0; i < snap->n_images && found < 0; i++) {
				const struct docker_image *img = &snap->images[i];
				if (id_matches(img->id, sa->names[n]))
					found = (ssize_t)i;
				for (size_t t = 0; t < img->n_repo_tags && found < 0; t++)
					if (tag_matches(img->repo_tags[t], sa->names[n]))
						found = (ssize_t)i;
			}
			if (found < 0) {
				char safe[256];
				term_sanitize(sa->names[n], safe, sizeof(safe));
				log_error("scan: no such image: %s", safe);
				return -ENOENT;
			}
			sel[found] = true;
		}
		return 0;
	}
	int64_t cutoff = (int64_t)time(NULL) - (int64_t)a->cfg.scan_recent_days * 86400;
	for (size_t i = 0; i < snap->n_images; i++)
		sel[i] = image_recent_time(&snap->images[i]) >= cutoff;
	for (size_t c = 0; c < snap->n_containers; c++) {
		const struct docker_image *img = snapshot_find_image(snap, snap->containers[c].image_id);
		if (img)
			sel[img - snap->images] = true;
	}
	return 0;
}

static void progress(bool on, size_t i, size_t n, const char *name)
{
	if (!on)
		return;
	char safe[128];
	term_sanitize(name, safe, sizeof(safe));
	fprintf(stderr, "\r\033[Kscanning %zu/%zu: %s", i + 1, n, safe);
	fflush(stderr);
}

static int scan_engine(struct app *a, const struct scan_args *sa, const struct scan_options *o,
		       struct scan_cache *cache, struct scan_run *run)
{
	struct docker_client *dc = NULL;
	struct snapshot snap;
	bool have_snap = false;
	bool *sel = NULL;
	int rc = EXIT_CANNOT_RUN;
	if (app_docker_client(a, &dc) < 0)
		return EXIT_USAGE;
	struct snapshot_request req = { .images = true, .image_history = true };
	int r = snapshot_collect(dc, &req, &snap);
	if (r < 0) {
		rc = app_docker_failed(dc, r);
		goto out;
	}
	have_snap = true;
	sel = calloc(snap.n_images + 1, sizeof(bool));
	if (!sel)
		goto out;
	if (select_images(&snap, sa, a, sel) < 0) {
		rc = EXIT_USAGE;
		goto out;
	}
	size_t n = 0;
	for (size_t i = 0; i < snap.n_images; i++)
		n += sel[i];
	run->images = calloc(n + 1, sizeof(*run->images));
	if (!run->images)
		goto out;
	struct scan_options lo = *o;
	lo.local_engine = strncmp(docker_client_host(dc), "unix://", 7) == 0;
	bool show = isatty(STDERR_FILENO) && n > 1;
	time_t t0 = time(NULL);
	for (size_t i = 0; i < snap.n_images; i++) {
		if (!sel[i])
			continue;
		struct scan_image *s = &run->images[run->n_images++];
		for (size_t c = 0; c < snap.n_containers; c++)
			if (strcmp(snap.containers[c].image_id, snap.images[i].id) == 0 &&
			    add_container_name(s, snap.containers[c].name) < 0)
				goto out;
		const char *name = snap.images[i].n_repo_tags ? snap.images[i].repo_tags[0] : snap.images[i].id;
		progress(show && time(NULL) - t0 >= 1, run->n_images - 1, n, name);
		r = scan_engine_image(dc, &snap.images[i], &lo, cache, s);
		if (r < 0) {
			log_error("scan: %s: %s", name, strerror(-r));
			goto out;
		}
	}
	if (show && time(NULL) - t0 >= 1)
		fprintf(stderr, "\r\033[K");
	rc = EXIT_OK;
out:
	free(sel);
	if (have_snap)
		snapshot_free(&snap);
	docker_client_free(dc);
	return rc;
}

static int scan_inputs(const struct scan_args *sa, const struct scan_options *o, struct scan_run *run)
{
	for (size_t i = 0; i < sa->n_inputs; i++) {
		struct scan_image *imgs;
		size_t n;
		char err[512];
		int r = scan_archive_input(sa->inputs[i], o, NULL, &imgs, &n, err, sizeof(err));
		if (r < 0 && !imgs) {
			char safe[600];
			term_sanitize(err, safe, sizeof(safe));
			log_error("scan: %s", safe);
			return r == -ENOMEM ? EXIT_CANNOT_RUN : EXIT_USAGE;
		}
		struct scan_image *all = realloc(run->images, (run->n_images + n) * sizeof(*all));
		if (!all) {
			for (size_t k = 0; k < n; k++)
				scan_image_free(&imgs[k]);
			free(imgs);
			return EXIT_CANNOT_RUN;
		}
		run->images = all;
		memcpy(all + run->n_images, imgs, n * sizeof(*imgs));
		run->n_images += n;
		free(imgs);
		if (r < 0) {
			log_error("scan: %s: %s", sa->inputs[i], err);
			return EXIT_CANNOT_RUN;
		}
	}
	return EXIT_OK;
}

static int write_report(const struct scan_run *run, const struct scan_args *sa)
{
	FILE *f = stdout;
	char tmp[4200] = "";
	struct stat st;
	bool special = sa->output && stat(sa->output, &st) == 0 && !S_ISREG(st.st_mode);
	if (sa->output && strcmp(sa->output, "-") != 0 && special) {
		/* a device or pipe (/dev/null, /dev/stdout, a FIFO) is written in place, never replaced */
		if (!(f = fopen(sa->output, "w"))) {
			log_error("scan: cannot write %s: %s", sa->output, strerror(errno));
			return -errno;
		}
	} else if (sa->output && strcmp(sa->output, "-") != 0) {
		/* a file is written beside the target and renamed: a reader never sees half a report */
		snprintf(tmp, sizeof(tmp), "%s.tmpXXXXXX", sa->output);
		int fd = mkstemp(tmp);
		if (fd < 0 || !(f = fdopen(fd, "w"))) {
			log_error("scan: cannot write %s: %s", sa->output, strerror(errno));
			if (fd >= 0)
				close(fd);
			return -errno;
		}
	}
	int r;
	switch (sa->format) {
	case 1: r = scan_report_json(run, f); break;
	case 2: r = scan_report_sarif(run, f); break;
	case 3: r = scan_report_cyclonedx(run, f); break;
	default: r = scan_report_text(run, f, f == stdout && term_use_color(f, sa->color)); break;
	}
	if (f != stdout) {
		if (fclose(f) != 0 && r == 0)
			r = -errno;
		if (tmp[0] && r == 0 && rename(tmp, sa->output) < 0)
			r = -errno;
		if (tmp[0] && r < 0)
			unlink(tmp);
	} else if (fflush(f) != 0 && r == 0) {
		r = -errno;
	}
	if (r < 0)
		log_error("scan: writing the report failed: %s", strerror(-r));
	return r;
}

int cmd_scan(struct app *a, int argc, char **argv)
{
	struct scan_args sa = { 0 };
	int r = parse_args(argc, argv, &sa);
	if (r)
		return r > 0 ? EXIT_OK : EXIT_USAGE;
	struct scan_options o = {
		.host_root = a->cfg.host_root,
		.tmpdir = a->cfg.scan_work_dir,
		.max_image_bytes = a->cfg.scan_max_image_bytes,
		.max_file_bytes = a->cfg.scan_max_file_bytes,
		.max_entries = (size_t)a->cfg.scan_max_files,
		.no_cache = sa.no_cache,
	};
	struct scan_run run = { .started = time(NULL) };
	struct scan_cache *cache = NULL;
	char cerr[512];
	/* files are never cached (see scan_archive_input): no cache directory for them */
	if (!sa.n_inputs && scan_cache_open(a->cfg.state_dir, &cache, cerr, sizeof(cerr)) < 0)
		log_info("scan: no cache (%s): every image is read", cerr);
	scan_cache_set_max_bytes(cache, a->cfg.scan_cache_max_bytes);
	struct vulndb *db = NULL;
	const char *db_dir = sa.db_dir ? sa.db_dir : a->cfg.scan_vulndb_dir;
	if (scan_db_open(db_dir, &db, run.db_version, sizeof(run.db_version), run.db_note, sizeof(run.db_note)) < 0)
		log_warning("scan: %s", run.db_note);
	run.db_available = db != NULL;
	int rc = sa.n_inputs ? scan_inputs(&sa, &o, &run) : scan_engine(a, &sa, &o, cache, &run);
	if (rc != EXIT_OK)
		goto out;
	bool not_scanned = false, failing = false;
	for (size_t i = 0; i < run.n_images; i++) {
		struct scan_image *s = &run.images[i];
		/* an unchanged image against an unchanged database is not matched again */
		bool from_engine = !sa.n_inputs;
		if (db && s->status == SCAN_OK &&
		    !(from_engine && !sa.no_cache && scan_cache_load_vulns(cache, s->id, run.db_version, s) == 0)) {
			r = scan_match(db, s);
			if (r < 0) {
				log_error("scan: matching %s: %s", s->id, strerror(-r));
				rc = EXIT_CANNOT_RUN;
				goto out;
			}
			if (from_engine)
				scan_cache_store_vulns(cache, s->id, run.db_version, s);
		}
		filter_findings(s, &sa);
		not_scanned |= run.images[i].status != SCAN_OK;
		if (sa.fail_on < SEV_COUNT)
			failing |= scan_image_count(&run.images[i], (enum severity)sa.fail_on, true, true) > 0;
	}
	if (write_report(&run, &sa) < 0) {
		rc = EXIT_CANNOT_RUN;
		goto out;
	}
	rc = failing ? EXIT_FINDINGS : not_scanned ? EXIT_CANNOT_RUN : EXIT_OK;
out:
	vulndb_close(db);
	scan_cache_close(cache);
	for (size_t i = 0; i < run.n_images; i++)
		scan_image_free(&run.images[i]);
	free(run.images);
	return rc;
}
