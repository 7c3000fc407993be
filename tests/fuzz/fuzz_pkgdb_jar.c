/* fuzz_pkgdb_jar.c: libFuzzer target: Java archives (zip, nested jars one level deep). */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "fuzz_pkgdb_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct package_list l = { 0 };
	char err[512] = "";
	int r = pkgdb_parse_java_archive(data, size, "a.jar", 1 << 20, &l, err, sizeof(err));
	pkgdb_fuzz_check(r, err, "a.jar", &l);
	return 0;
}
