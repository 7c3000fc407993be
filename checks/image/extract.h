/* extract.h: unpacking an image tar (a layer, or a docker-save archive) into a private directory without ever writing outside it. */
#pragma once
#include <stddef.h>
#include <stdint.h>

/* Zero fields take the defaults. */
struct extract_limits {
	uint64_t max_file_bytes;        /* content of one file (default 1 GiB); larger files are kept empty */
	uint64_t max_total_bytes;       /* all content written, across calls sharing stats (default 16 GiB) */
	size_t max_entries;             /* entries, across calls sharing stats (default 2,000,000) */
};

struct extract_stats {
	uint64_t bytes;                 /* content written */
	size_t entries;
	size_t unsafe;                  /* entries refused: absolute or ".." paths, through symlinks, bad links */
	size_t devices;                 /* device nodes and sockets, never created */
	size_t truncated;               /* files over max_file_bytes, created empty */
};

/*
 * Reads a tar stream (plain, gzip, zstd, xz, bzip2: whatever libarchive
 * detects) from fd and recreates it under dest, which must be an existing
 * directory that only we can reach (mode 0700). Every path is made
 * relative; a ".." component refuses the entry; parent directories are
 * opened with O_NOFOLLOW, so an earlier symlink cannot redirect a later
 * entry; hard links must name a file already extracted under dest;
 * symlinks are created as they are (imagefs resolves them inside the
 * root); device nodes are skipped; ".wh." whiteout files are kept. Mode
 * bits (incl. setuid) are kept, owners are not.
 * Returns 0, -EFBIG / -E2BIG when a total limit is hit, -EBADMSG for a
 * corrupt archive, or another negative errno; err says why.
 */
int image_extract_tar(int fd, const char *dest, const struct extract_limits *lim, struct extract_stats *st,
		      char *err, size_t errlen);
