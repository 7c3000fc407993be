/* fuzz_pkgdb_apk.c: libFuzzer target: Alpine installed databases, with the installed-file list. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "fuzz_pkgdb_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct package_list l = { 0 };
	char err[512] = "";
	const struct pkgdb_os *os = pkgdb_fuzz_os("ID=alpine\nVERSION_ID=3.19.1\n");
	struct buf files;
	buf_init(&files, 1 << 20);
	int r = pkgdb_parse_apk_installed((const char *)data, size, os, "installed", &l, &files, err, sizeof(err));
	pkgdb_fuzz_check(r, err, "installed", &l);
	buf_free(&files);
	return 0;
}
