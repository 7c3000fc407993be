/* fuzz_pkgdb_osrelease.c: libFuzzer target: os-release files: whatever is accepted has an ID and bounded strings. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "fuzz_pkgdb_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct package_list l = { 0 };
	char err[512] = "";
	struct pkgdb_os os;
	int r = pkgdb_parse_os_release((const char *)data, size, &os, err, sizeof(err));
	if (r == 0 && (!os.id[0] || strlen(os.ecosystem) >= sizeof(os.ecosystem)))
		abort();
	pkgdb_fuzz_check(0, err, "", &l);
	return 0;
}
