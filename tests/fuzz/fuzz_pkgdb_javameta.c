/* fuzz_pkgdb_javameta.c: libFuzzer target: pom.properties and MANIFEST.MF texts. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "fuzz_pkgdb_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct package_list l = { 0 };
	char err[512] = "";
	int r = pkgdb_parse_pom_properties((const char *)data, size, "pom.properties", &l, err, sizeof(err));
	pkgdb_fuzz_check(r, err, "pom.properties", &l);
	r = pkgdb_parse_manifest((const char *)data, size, "MANIFEST.MF", &l, err, sizeof(err));
	pkgdb_fuzz_check(r, err, "MANIFEST.MF", &l);
	return 0;
}
