/* cmd_db.c: `dockward db import|status|match`: compile OSV records into the local vulnerability database and inspect it. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "exitcode.h"
#include "log.h"
#include "report/jsonw.h"
#include "report/term.h"
#include "vuln/version.h"
#include "vuln/vulndb.h"

static const char *const db_usage =
	"Usage: dockward db import [-f text|json] [--db-dir DIR] PATH\n"
	"       dockward db status [-f text|json] [--db-dir DIR]\n"
	"       dockward db match  [-f text|json] [--db-dir DIR] ECOSYSTEM NAME VERSION\n\n"
	"import  compiles OSV advisories (a directory searched recursively for *.json,\n"
	"        or an osv.dev ecosystem all.zip) into the database, replacing the old\n"
	"        one atomically; unreadable records are listed by file and skipped\n"
	"status  shows the database: path, content version, import time, source and\n"
	"        the advisories and packages per ecosystem\n"
	"match   lists the advisories affecting one package version, e.g.\n"
	"        `dockward db match PyPI django 4.2.1` or `... Debian:12 openssl 3.0.11-1~deb12u2`\n"
	"        (exit status 1 when any does)\n\n"
	"  -f, --format text|json\n"
	"      --db-dir DIR       the database directory (default: [scan] vulndb_dir)\n";

static const char *safe(const char *s, char *buf, size_t len)
{
	term_sanitize(s ? s : "", buf, len);
	return buf;
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Writes one JSON object that fill produces to stdout; returns an exit status. */
static int print_json(void (*fill)(struct jsonw *, const void *), const void *ctx)
{
	struct jsonw w;
	if (jsonw_init(&w, true) < 0)
		return EXIT_CANNOT_RUN;
	jsonw_obj_begin(&w);
	fill(&w, ctx);
	jsonw_obj_end(&w);
	int r = jsonw_write(&w, stdout);
	jsonw_free(&w);
	return r < 0 ? EXIT_CANNOT_RUN : EXIT_OK;
}

struct import_result {
	const struct vulndb_import_stats *st;
	double secs;
};

static void import_json(struct jsonw *w, const void *ctx)
{
	const struct import_result *res = ctx;
	const struct vulndb_import_stats *st = res->st;
	jsonw_kstr(w, "path", st->path);
	jsonw_kstr(w, "content_version", st->content_version);
	jsonw_kint(w, "files", (int64_t)st->files);
	jsonw_kint(w, "advisories", (int64_t)st->advisories);
	jsonw_kint(w, "package_entries", (int64_t)st->affected);
	jsonw_kint(w, "withdrawn", (int64_t)st->withdrawn);
	jsonw_kint(w, "duplicates", (int64_t)st->duplicates);
	jsonw_kint(w, "without_packages", (int64_t)st->no_package);
	jsonw_kint(w, "bad", (int64_t)st->bad);
	jsonw_kint(w, "milliseconds", (int64_t)(res->secs * 1000));
	jsonw_str(w, "bad_records");
	jsonw_arr_begin(w);
	for (size_t i = 0; i < st->n_bad_files; i++) {
		jsonw_obj_begin(w);
		jsonw_kstr(w, "file", st->bad_files[i].file);
		jsonw_kstr(w, "reason", st->bad_files[i].reason);
		jsonw_obj_end(w);
	}
	jsonw_arr_end(w);
}

static int db_import(const char *dir, const char *src, int fmt)
{
	struct vulndb_import_stats st;
	char err[1024] = "";
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int r = vulndb_import(src, dir, &st, err, sizeof(err));
	double secs = seconds_since(&t0);
	char a[1024], b[1024];
	for (size_t i = 0; i < st.n_bad_files; i++)
		log_warning("db import: %s: %s", safe(st.bad_files[i].file, a, sizeof(a)),
			    safe(st.bad_files[i].reason, b, sizeof(b)));
	if (st.bad > st.n_bad_files)
		log_warning("db import: %zu more bad records not listed", st.bad - st.n_bad_files);
	if (r < 0) {
		log_error("db import: %s", err);
		vulndb_import_stats_free(&st);
		return r == -EINVAL || r == -ENOENT || r == -ENOTDIR ? EXIT_USAGE : EXIT_CANNOT_RUN;
	}
	int rc = EXIT_OK;
	if (fmt == 0) {
		printf("imported %zu advisories (%zu package entries) from %zu files into %s in %.2f s\n",
		       st.advisories, st.affected, st.files, safe(st.path, a, sizeof(a)), secs);
		printf("content version %s\n", st.content_version);
		printf("skipped: %zu withdrawn, %zu duplicate ids, %zu without affected packages, %zu bad\n",
		       st.withdrawn, st.duplicates, st.no_package, st.bad);
	} else {
		struct import_result res = { &st, secs };
		rc = print_json(import_json, &res);
	}
	vulndb_import_stats_free(&st);
	return rc;
}

static int open_db(const char *dir, struct vulndb **db)
{
	char err[1024] = "";
	int r = vulndb_open(dir, db, err, sizeof(err));
	if (r < 0)
		log_error("db: %s", err);
	return r;
}

static void status_json(struct jsonw *w, const void *ctx)
{
	const struct vulndb_info *info = ctx;
	jsonw_kstr(w, "path", info->path);
	jsonw_kint(w, "schema_version", info->schema_version);
	jsonw_kstr(w, "content_version", info->content_version);
	jsonw_kstr(w, "imported_at", info->imported_at);
	jsonw_kstr(w, "source", info->source);
	jsonw_kint(w, "size_bytes", (int64_t)info->size_bytes);
	jsonw_kint(w, "advisories", (int64_t)info->advisories);
	jsonw_str(w, "ecosystems");
	jsonw_arr_begin(w);
	for (size_t i = 0; i < info->n_ecosystems; i++) {
		jsonw_obj_begin(w);
		jsonw_kstr(w, "ecosystem", info->ecosystems[i].ecosystem);
		jsonw_kint(w, "advisories", (int64_t)info->ecosystems[i].advisories);
		jsonw_kint(w, "packages", (int64_t)info->ecosystems[i].packages);
		jsonw_obj_end(w);
	}
	jsonw_arr_end(w);
}

static int db_status(const char *dir, int fmt)
{
	struct vulndb *db;
	if (open_db(dir, &db) < 0)
		return EXIT_CANNOT_RUN;
	struct vulndb_info info;
	char err[1024] = "", a[4096];
	int rc = EXIT_OK;
	if (vulndb_info(db, &info, err, sizeof(err)) < 0) {
		log_error("db status: %s", err);
		vulndb_close(db);
		return EXIT_CANNOT_RUN;
	}
	if (fmt == 0) {
		printf("path             %s\n", safe(info.path, a, sizeof(a)));
		printf("schema version   %d\n", info.schema_version);
		printf("content version  %s\n", info.content_version);
		printf("imported at      %s\n", safe(info.imported_at, a, sizeof(a)));
		printf("source           %s\n", safe(info.source, a, sizeof(a)));
		printf("size             %llu bytes\n", (unsigned long long)info.size_bytes);
		printf("advisories       %zu\n\n", info.advisories);
		printf("%-28s %10s %10s\n", "ECOSYSTEM", "ADVISORIES", "PACKAGES");
		for (size_t i = 0; i < info.n_ecosystems; i++)
			printf("%-28s %10zu %10zu\n", safe(info.ecosystems[i].ecosystem, a, sizeof(a)),
			       info.ecosystems[i].advisories, info.ecosystems[i].packages);
	} else {
		rc = print_json(status_json, &info);
	}
	vulndb_info_free(&info);
	vulndb_close(db);
	return rc;
}

static void match_json(struct jsonw *w, const struct vuln_match *m)
{
	jsonw_obj_begin(w);
	jsonw_kstr(w, "id", m->id);
	jsonw_str(w, "aliases");
	jsonw_arr_begin(w);
	for (size_t i = 0; i < m->n_aliases; i++)
		jsonw_str(w, m->aliases[i]);
	jsonw_arr_end(w);
	jsonw_kstr(w, "summary", m->summary);
	jsonw_kstr(w, "severity", m->severity);
	jsonw_str(w, "cvss_score");
	if (m->cvss_score >= 0) {
		char num[16];   /* one decimal, as CVSS scores are written */
		int len = snprintf(num, sizeof(num), "%.1f", m->cvss_score);
		yajl_gen_number(w->g, num, (size_t)len);
	} else {
		jsonw_null(w);
	}
	jsonw_kstr(w, "cvss_vector", m->cvss_vector);
	jsonw_kstr(w, "fixed_version", m->fixed_version);
	jsonw_obj_end(w);
}

struct match_result {
	const struct package *pkg;
	const char *db_version;
	const struct vuln_match *m;
	size_t n;
};

static void matches_json(struct jsonw *w, const void *ctx)
{
	const struct match_result *res = ctx;
	jsonw_kstr(w, "ecosystem", res->pkg->ecosystem);
	jsonw_kstr(w, "name", res->pkg->name);
	jsonw_kstr(w, "version", res->pkg->version);
	jsonw_kstr(w, "db_version", res->db_version);
	jsonw_str(w, "vulnerabilities");
	jsonw_arr_begin(w);
	for (size_t i = 0; i < res->n; i++)
		match_json(w, &res->m[i]);
	jsonw_arr_end(w);
}

static int db_match(const char *dir, int fmt, char **args)
{
	struct package pkg = { .ecosystem = args[0], .name = args[1], .version = args[2], .source_name = "",
			       .source_version = "", .origin = PKG_ORIGIN_LANGUAGE };
	int scheme = version_scheme_for_ecosystem(pkg.ecosystem);
	if (scheme < 0) {
		log_error("db match: no version scheme known for ecosystem \"%s\"", pkg.ecosystem);
		return EXIT_USAGE;
	}
	pkg.scheme = (enum version_scheme)scheme;
	struct vulndb *db;
	if (open_db(dir, &db) < 0)
		return EXIT_CANNOT_RUN;
	struct vuln_match *m = NULL;
	size_t n = 0;
	int r = vulndb_match(db, &pkg, &m, &n), rc = n ? EXIT_FINDINGS : EXIT_OK;
	if (r < 0) {
		log_error("db match: %s", strerror(-r));
		vulndb_close(db);
		return EXIT_CANNOT_RUN;
	}
	char a[1024], b[1024], c[256], d[1024];
	if (fmt == 0) {
		for (size_t i = 0; i < n; i++) {
			printf("%-22s %-8s %4s  fixed in %-16s %s\n", safe(m[i].id, a, sizeof(a)), m[i].severity,
			       m[i].cvss_score >= 0 ? (snprintf(c, sizeof(c), "%.1f", m[i].cvss_score), c) : "-",
			       *m[i].fixed_version ? safe(m[i].fixed_version, b, sizeof(b)) : "(no fix)",
			       safe(m[i].summary, d, sizeof(d)));
		}
		if (!n)
			printf("no known vulnerabilities\n");
	} else {
		struct match_result res = { &pkg, vulndb_version(db), m, n };
		int jr = print_json(matches_json, &res);
		if (jr != EXIT_OK)
			rc = jr;
	}
	vuln_matches_free(m, n);
	vulndb_close(db);
	return rc;
}

int cmd_db(struct app *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "db-dir", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static const char *const formats[] = { "text", "json" };
	const char *dir = a->cfg.scan_vulndb_dir;
	int fmt = 0, c;
	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if ((fmt = parse_choice(optarg, formats, 2)) < 0) {
				log_error("db: --format must be text or json, not \"%s\"", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'd':
			dir = optarg;
			break;
		case 'h':
			fputs(db_usage, stdout);
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	const char *sub = optind < argc ? argv[optind++] : NULL;
	int rest = argc - optind;
	if (!dir || !*dir) {
		log_error("db: no database directory: set [scan] vulndb_dir or pass --db-dir");
		return EXIT_USAGE;
	}
	if (sub && strcmp(sub, "import") == 0 && rest == 1)
		return db_import(dir, argv[optind], fmt);
	if (sub && strcmp(sub, "status") == 0 && rest == 0)
		return db_status(dir, fmt);
	if (sub && strcmp(sub, "match") == 0 && rest == 3)
		return db_match(dir, fmt, argv + optind);
	fputs(db_usage, stderr);
	return EXIT_USAGE;
}
