/* fuzz_pkgdb_rpmbdb.c: libFuzzer target: Berkeley DB hash databases of rpm (pages, overflow chains, headers). */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "fuzz_pkgdb_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct package_list l = { 0 };
	char err[512] = "";
	const struct pkgdb_os *os = pkgdb_fuzz_os("ID=centos\nVERSION_ID=7\n");
	struct buf files;
	buf_init(&files, 1 << 20);
	int r = pkgdb_parse_rpm_bdb(data, size, os, "Packages", &l, &files, err, sizeof(err));
	pkgdb_fuzz_check(r, err, "Packages", &l);
	buf_free(&files);
	return 0;
}
