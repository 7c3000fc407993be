/* fuzz_pkgdb_npm.c: libFuzzer target: node_modules package.json files. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "fuzz_pkgdb_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct package_list l = { 0 };
	char err[512] = "";
	int r = pkgdb_parse_npm_package_json((const char *)data, size, "package.json", &l, err, sizeof(err));
	pkgdb_fuzz_check(r, err, "package.json", &l);
	return 0;
}
