/* fuzz_pkgdb_rpmndb.c: libFuzzer target: rpm ndb databases (slot pages and blobs). */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "fuzz_pkgdb_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct package_list l = { 0 };
	char err[512] = "";
	const struct pkgdb_os *os = pkgdb_fuzz_os("ID=sles\nVERSION_ID=15.5\n");
	int r = pkgdb_parse_rpm_ndb(data, size, os, "Packages.db", &l, NULL, err, sizeof(err));
	pkgdb_fuzz_check(r, err, "Packages.db", &l);
	return 0;
}
