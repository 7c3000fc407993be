/* fuzz_pkgdb_rpmhdr.c: libFuzzer target: one rpm header blob, with its file list. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "fuzz_pkgdb_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct package_list l = { 0 };
	char err[512] = "";
	const struct pkgdb_os *os = pkgdb_fuzz_os("ID=rocky\nVERSION_ID=9.3\n");
	struct buf files;
	buf_init(&files, 1 << 20);
	int r = pkgdb_parse_rpm_header(data, size, os, "hdr", &l, &files, err, sizeof(err));
	pkgdb_fuzz_check(r, err, "hdr", &l);
	buf_free(&files);
	return 0;
}
