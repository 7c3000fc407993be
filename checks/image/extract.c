/* extract.c: safe tar unpacking with libarchive: relative paths only, no "..", no writes through symlinks, capped sizes. */
#include "image/extract.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_MAX_FILE ((uint64_t)1 << 30)
#define DEFAULT_MAX_TOTAL ((uint64_t)16 << 30)
#define DEFAULT_MAX_ENTRIES 2000000
#define MAX_COMPONENTS 256

/* Splits a tar path into components in comps (pointing into buf). Leading
 * '/' and "." components are dropped. Returns the count, or -1 when the path
 * has a ".." component or too many components. */
static int split_path(char *buf, const char **comps)
{
	int n = 0;
	for (char *save = NULL, *c = strtok_r(buf, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (strcmp(c, ".") == 0)
			continue;
		if (strcmp(c, "..") == 0 || n == MAX_COMPONENTS || strlen(c) > NAME_MAX)
			return -1;
		comps[n++] = c;
	}
	return n;
}

/* Opens (creating when create is set) the directories comps[0..n) below
 * root without following symlinks. Returns an fd or a negative errno. */
static int open_parent(int root, const char *const *comps, int n, bool create)
{
	int fd = dup(root);
	if (fd < 0)
		return -errno;
	for (int i = 0; i < n; i++) {
		int next = openat(fd, comps[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0 && errno == ENOENT && create) {
			if (mkdirat(fd, comps[i], 0755) < 0 && errno != EEXIST) {
				int r = -errno;
				close(fd);
				return r;
			}
			next = openat(fd, comps[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		int e = errno;
		close(fd);
		if (next < 0)
			return -e;
		fd = next;
	}
	return fd;
}

/* Removes what is at name (a file, link or empty directory) so that an
 * entry can replace it, as tar does for a later entry of the same name. */
static void remove_existing(int dirfd, const char *name, bool keep_dir)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return;
	if (S_ISDIR(st.st_mode)) {
		if (!keep_dir)
			unlinkat(dirfd, name, AT_REMOVEDIR);
		return;
	}
	unlinkat(dirfd, name, 0);
}

static int write_data(struct archive *a, int fd, uint64_t max, struct extract_stats *st, uint64_t max_total,
		      bool *truncated)
{
	const void *block;
	size_t size;
	la_int64_t offset;
	uint64_t written = 0;
	*truncated = false;
	for (;;) {
		int r = archive_read_data_block(a, &block, &size, &offset);
		if (r == ARCHIVE_EOF)
			return 0;
		if (r < ARCHIVE_WARN)
			return -EBADMSG;
		if (*truncated)
			continue;
		if ((uint64_t)offset + size > max) {
			*truncated = true;
			if (ftruncate(fd, 0) < 0)
				return -errno;
			st->bytes -= written;
			continue;
		}
		if (st->bytes + size > max_total)
			return -EFBIG;
		const char *p = block;
		size_t left = size;
		off_t at = (off_t)offset;
		while (left) {
			ssize_t n = pwrite(fd, p, left, at);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return -errno;
			p += n;
			at += n;
			left -= (size_t)n;
		}
		written += size;
		st->bytes += size;
	}
}

int image_extract_tar(int fd, const char *dest, const struct extract_limits *lim, struct extract_stats *st,
		      char *err, size_t errlen)
{
	uint64_t max_file = lim && lim->max_file_bytes ? lim->max_file_bytes : DEFAULT_MAX_FILE;
	uint64_t max_total = lim && lim->max_total_bytes ? lim->max_total_bytes : DEFAULT_MAX_TOTAL;
	size_t max_entries = lim && lim->max_entries ? lim->max_entries : DEFAULT_MAX_ENTRIES;
	int root = -1, r = 0;
	struct archive *a = archive_read_new();
	char *pbuf = malloc(PATH_MAX * 2), *lbuf = malloc(PATH_MAX * 2);
	const char **comps = malloc(sizeof(*comps) * MAX_COMPONENTS);
	const char **lcomps = malloc(sizeof(*lcomps) * MAX_COMPONENTS);
	if (!a || !pbuf || !lbuf || !comps || !lcomps) {
		snprintf(err, errlen, "out of memory");
		r = -ENOMEM;
		goto out;
	}
	root = open(dest, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (root < 0) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", dest, strerror(errno));
		goto out;
	}
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	if (archive_read_open_fd(a, fd, 64 * 1024) != ARCHIVE_OK) {
		snprintf(err, errlen, "not a tar archive: %s", archive_error_string(a));
		r = -EBADMSG;
		goto out;
	}
	for (;;) {
		struct archive_entry *e;
		int ar = archive_read_next_header(a, &e);
		if (ar == ARCHIVE_EOF)
			break;
		if (ar < ARCHIVE_WARN) {
			snprintf(err, errlen, "corrupt tar archive: %s", archive_error_string(a));
			r = -EBADMSG;
			goto out;
		}
		if (++st->entries > max_entries) {
			snprintf(err, errlen, "more than %zu entries", max_entries);
			r = -E2BIG;
			goto out;
		}
		const char *path = archive_entry_pathname(e);
		if (!path || strlen(path) >= PATH_MAX) {
			st->unsafe++;
			continue;
		}
		strcpy(pbuf, path);
		int n = split_path(pbuf, comps);
		if (n <= 0) {
			if (n < 0)
				st->unsafe++;
			continue;       /* n == 0: the root itself */
		}
		mode_t type = archive_entry_filetype(e);
		const char *hard = archive_entry_hardlink(e);
		if (!hard && (type == AE_IFCHR || type == AE_IFBLK || type == AE_IFSOCK)) {
			st->devices++;
			continue;
		}
		int dfd = open_parent(root, comps, n - 1, true);
		if (dfd < 0) {
			st->unsafe++;   /* a parent is a symlink or a file */
			continue;
		}
		const char *name = comps[n - 1];
		mode_t perm = archive_entry_perm(e) & 07777;
		int wr = 0;
		if (hard) {
			if (strlen(hard) >= PATH_MAX) {
				st->unsafe++;
			} else {
				strcpy(lbuf, hard);
				int ln = split_path(lbuf, lcomps);
				int tfd = ln > 0 ? open_parent(root, lcomps, ln - 1, false) : -EINVAL;
				if (tfd < 0) {
					st->unsafe++;
				} else {
					remove_existing(dfd, name, false);
					/* linkat without AT_SYMLINK_FOLLOW links the entry itself */
					if (linkat(tfd, lcomps[ln - 1], dfd, name, 0) < 0)
						st->unsafe++;
					close(tfd);
				}
			}
		} else if (type == AE_IFDIR) {
			remove_existing(dfd, name, true);
			if (mkdirat(dfd, name, 0755) < 0 && errno != EEXIST)
				st->unsafe++;
			else {
				int sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
				if (sub >= 0) {
					/* keep directories traversable for us; setuid on dirs is meaningless */
					fchmod(sub, (perm & 01777) | 0700);
					close(sub);
				} else {
					st->unsafe++;
				}
			}
		} else if (type == AE_IFLNK) {
			const char *target = archive_entry_symlink(e);
			remove_existing(dfd, name, false);
			if (!target || symlinkat(target, dfd, name) < 0)
				st->unsafe++;
		} else if (type == AE_IFIFO) {
			remove_existing(dfd, name, false);
			if (mknodat(dfd, name, S_IFIFO | (perm & 0777), 0) < 0)
				st->unsafe++;
		} else if (type == AE_IFREG) {
			remove_existing(dfd, name, false);
			int ffd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
			if (ffd < 0) {
				st->unsafe++;
			} else {
				bool trunc;
				wr = write_data(a, ffd, max_file, st, max_total, &trunc);
				if (trunc)
					st->truncated++;
				fchmod(ffd, perm);
				close(ffd);
			}
		} else {
			st->devices++;
		}
		close(dfd);
		if (wr == -EFBIG) {
			snprintf(err, errlen, "more than %llu bytes of content", (unsigned long long)max_total);
			r = wr;
			goto out;
		}
		if (wr < 0) {
			snprintf(err, errlen, "%s: %s", path, wr == -EBADMSG ? archive_error_string(a) : strerror(-wr));
			r = wr;
			goto out;
		}
	}
out:
	if (a)
		archive_read_free(a);
	if (root >= 0)
		close(root);
	free(pbuf);
	free(lbuf);
	free(comps);
	free(lcomps);
	return r;
}
