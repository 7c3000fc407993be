/* pkgdb_bench.c: times the dpkg status parser and the whole package inventory driver on an image root directory. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "image/imagefs.h"
#include "ini_file.h"
#include "pkgdb/pkgdb.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: pkgdb_bench ROOTFS [RUNS]\n");
		return 2;
	}
	int runs = argc > 2 ? atoi(argv[2]) : 10;
	if (runs < 1 || runs > 1000)
		runs = 10;
	double *t_dpkg = calloc((size_t)runs, sizeof(double)), *t_all = calloc((size_t)runs, sizeof(double));
	char path[4096], err[512] = "";
	snprintf(path, sizeof(path), "%s/var/lib/dpkg/status", argv[1]);
	char *text = NULL;
	size_t len = 0, n_dpkg = 0, n_all = 0;
	if (!t_dpkg || !t_all || read_file_capped(path, (size_t)256 << 20, &text, &len) < 0) {
		fprintf(stderr, "pkgdb_bench: cannot read %s\n", path);
		return 3;
	}
	struct pkgdb_os os;
	pkgdb_parse_os_release("ID=debian\nVERSION_ID=12\n", 24, &os, err, sizeof(err));
	struct pkgdb_stats st;
	for (int i = 0; i < runs; i++) {
		struct package_list l = { 0 };
		double t0 = now_ms();
		if (pkgdb_parse_dpkg_status(text, len, &os, "/var/lib/dpkg/status", &l, err, sizeof(err)) < 0)
			fprintf(stderr, "pkgdb_bench: %s\n", err);
		t_dpkg[i] = now_ms() - t0;
		n_dpkg = l.len;
		package_list_free(&l);

		struct imagefs *fs = NULL;
		t0 = now_ms();
		if (imagefs_open_dir(argv[1], &fs) < 0 || pkgdb_collect(fs, NULL, &l, &st, err, sizeof(err)) < 0) {
			fprintf(stderr, "pkgdb_bench: %s\n", err);
			return 3;
		}
		imagefs_close(fs);
		t_all[i] = now_ms() - t0;
		n_all = l.len;
		package_list_free(&l);
	}
	qsort(t_dpkg, (size_t)runs, sizeof(double), cmp_double);
	qsort(t_all, (size_t)runs, sizeof(double), cmp_double);
	printf("dpkg status: %zu bytes, %zu packages: median %.3f ms (min %.3f, max %.3f) over %d runs\n", len, n_dpkg,
	       t_dpkg[runs / 2], t_dpkg[0], t_dpkg[runs - 1], runs);
	printf("pkgdb_collect: %s, %zu packages (%zu OS, %zu language, %zu files of OS packages not read as language packages), "
	       "%zu entries walked, %zu binaries and %zu archives checked, %zu problems: median %.1f ms (min %.1f, max %.1f)\n",
	       st.os.ecosystem, n_all, st.os_packages, st.language_packages, st.os_owned_skipped, st.files_visited,
	       st.binaries_checked, st.archives_checked, st.nerrors, t_all[runs / 2], t_all[0], t_all[runs - 1]);
	free(text);
	free(t_dpkg);
	free(t_all);
	return 0;
}
