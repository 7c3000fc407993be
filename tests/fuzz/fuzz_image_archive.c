/* fuzz_image_archive.c: libFuzzer target: bytes as a `docker save` / OCI tarball through unpacking, manifest and config reading, and the merged walk. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/archive.h"
#include "image/imagefs.h"
#include "image/risks.h"

static int check_path(const char *path, const struct stat *st, void *user)
{
	(void)st;
	size_t *n = user;
	/* every walked path is an absolute image path without ".." */
	if (path[0] != '/' || strstr(path, "/../") || strstr(path, "//"))
		abort();
	(*n)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz-image", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	struct extract_limits lim = { .max_file_bytes = 1 << 20, .max_total_bytes = 8 << 20, .max_entries = 4096 };
	struct image_archive a;
	char err[512] = "";
	int r = image_archive_open(path, "/tmp", &lim, &a, err, sizeof(err));
	if (r < 0 && !err[0] && r != -ENOMEM)
		abort();        /* a refusal says why */
	if (r == 0) {
		char work[4096];
		snprintf(work, sizeof(work), "%s", a.workdir);
		for (size_t i = 0; i < a.n_images; i++) {
			if (!a.images[i].id || strncmp(a.images[i].id, "sha256:", 7) != 0)
				abort();
			struct imagefs *fs;
			if (image_archive_fs(&a, i, &fs, err, sizeof(err)) < 0)
				continue;
			size_t n = 0;
			imagefs_walk(fs, "/", 16, check_path, &n);
			struct risk_list l = { 0 };
			size_t visited;
			bool truncated;
			image_risks_setuid(fs, 4096, &l, &visited, &truncated);
			risk_list_free(&l);
			imagefs_close(fs);
		}
		image_archive_free(&a);
		struct stat st;
		if (lstat(work, &st) == 0)
			abort();        /* the work directory is always removed */
	}
	close(fd);
	return 0;
}
