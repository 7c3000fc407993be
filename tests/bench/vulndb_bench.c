/* vulndb_bench.c: times importing OSV records, opening the database and matching packages against it (cold and warm), with peak RSS. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "vuln/version.h"
#include "vuln/vulndb.h"

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* A plausible installed version for each scheme: old enough to be affected often. */
static const char *version_for(const char *ecosystem)
{
	switch (version_scheme_for_ecosystem(ecosystem)) {
	case VERSION_DPKG:
		return "1.0-1";
	case VERSION_APK:
		return "1.0-r0";
	case VERSION_GO:
		return "v0.1.0";
	case VERSION_PEP440:
		return "1.0";
	default:
		return "0.1.0";
	}
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s OSV_SOURCE DB_DIR [PACKAGES] [RUNS]\n", argv[0]);
		return 2;
	}
	size_t want = argc > 3 ? strtoul(argv[3], NULL, 10) : 300;
	int runs = argc > 4 ? atoi(argv[4]) : 20;
	char err[1024] = "";
	struct vulndb_import_stats st;
	double t0 = now_ms();
	if (vulndb_import(argv[1], argv[2], &st, err, sizeof(err)) < 0) {
		fprintf(stderr, "import: %s\n", err);
		return 1;
	}
	double import_ms = now_ms() - t0;
	printf("import: %zu files, %zu advisories, %zu package entries in %.0f ms\n", st.files, st.advisories,
	       st.affected, import_ms);
	char path[4200];
	snprintf(path, sizeof(path), "%s", st.path);
	vulndb_import_stats_free(&st);

	/* the packages: distinct (ecosystem, name) pairs the database knows, spread over ecosystems */
	sqlite3 *q;
	sqlite3_stmt *s;
	if (sqlite3_open_v2(path, &q, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(q, "SELECT ecosystem, name FROM affected GROUP BY ecosystem, name ORDER BY random() LIMIT ?1",
			       -1, &s, NULL) != SQLITE_OK)
		return 1;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)want);
	struct package *pkgs = calloc(want, sizeof(*pkgs));
	size_t n = 0;
	while (n < want && sqlite3_step(s) == SQLITE_ROW) {
		struct package *p = &pkgs[n++];
		p->ecosystem = strdup((const char *)sqlite3_column_text(s, 0));
		p->name = strdup((const char *)sqlite3_column_text(s, 1));
		p->version = strdup(version_for(p->ecosystem));
		p->source_name = strdup("");
		p->source_version = strdup("");
		p->origin = strncmp(p->ecosystem, "Debian", 6) == 0 ? PKG_ORIGIN_OS : PKG_ORIGIN_LANGUAGE;
		int sc = version_scheme_for_ecosystem(p->ecosystem);
		p->scheme = sc >= 0 ? (enum version_scheme)sc : VERSION_SEMVER;
	}
	sqlite3_finalize(s);
	sqlite3_close(q);

	double best_open = 1e9, best_match = 1e9, first_open = 0, first_match = 0;
	size_t matches = 0;
	for (int r = 0; r < runs; r++) {
		struct vulndb *db;
		t0 = now_ms();
		if (vulndb_open(argv[2], &db, err, sizeof(err)) < 0) {
			fprintf(stderr, "open: %s\n", err);
			return 1;
		}
		double t1 = now_ms();
		matches = 0;
		for (size_t i = 0; i < n; i++) {
			struct vuln_match *m;
			size_t k;
			if (vulndb_match(db, &pkgs[i], &m, &k) < 0)
				return 1;
			matches += k;
			vuln_matches_free(m, k);
		}
		double t2 = now_ms();
		vulndb_close(db);
		if (r == 0) {
			first_open = t1 - t0;
			first_match = t2 - t1;
		}
		if (t1 - t0 < best_open)
			best_open = t1 - t0;
		if (t2 - t1 < best_match)
			best_match = t2 - t1;
	}
	printf("first run in this process: open %.2f ms, match %.2f ms\n", first_open, first_match);
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("open: %.2f ms; match %zu packages (%zu matches): %.2f ms, %.1f us per package (best of %d)\n",
	       best_open, n, matches, best_match, best_match * 1000 / (double)(n ? n : 1), runs);
	printf("peak RSS of this process: %ld KiB\n", ru.ru_maxrss);
	for (size_t i = 0; i < n; i++)
		package_free(&pkgs[i]);
	free(pkgs);
	return 0;
}
