/* fuzz_pkgdb_dpkg.c: libFuzzer target: dpkg status and status.d files through the dpkg parser. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "fuzz_pkgdb_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct package_list l = { 0 };
	char err[512] = "";
	const struct pkgdb_os *os = pkgdb_fuzz_os("ID=debian\nVERSION_ID=12\n");
	int r = pkgdb_parse_dpkg_status((const char *)data, size, os, "status", &l, err, sizeof(err));
	pkgdb_fuzz_check(r, err, "status", &l);
	r = pkgdb_parse_dpkg_status_d((const char *)data, size, os, "status.d", &l, err, sizeof(err));
	pkgdb_fuzz_check(r, err, "status.d", &l);
	return 0;
}
