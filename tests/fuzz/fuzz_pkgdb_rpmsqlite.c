/* fuzz_pkgdb_rpmsqlite.c: libFuzzer target: rpmdb.sqlite files opened read-only from memory. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "fuzz_pkgdb_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct package_list l = { 0 };
	char err[512] = "";
	const struct pkgdb_os *os = pkgdb_fuzz_os("ID=fedora\nVERSION_ID=39\n");
	int r = pkgdb_parse_rpm_sqlite(data, size, os, "rpmdb.sqlite", &l, NULL, err, sizeof(err));
	pkgdb_fuzz_check(r, err, "rpmdb.sqlite", &l);
	return 0;
}
