/* fuzz_pkgdb_python.c: libFuzzer target: Python METADATA / PKG-INFO headers. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "fuzz_pkgdb_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct package_list l = { 0 };
	char err[512] = "";
	int r = pkgdb_parse_python_metadata((const char *)data, size, "METADATA", &l, err, sizeof(err));
	pkgdb_fuzz_check(r, err, "METADATA", &l);
	return 0;
}
