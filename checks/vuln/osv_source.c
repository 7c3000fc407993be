/* osv_source.c: the OSV JSON documents of an import source: a directory tree, an osv.dev zip, or one file. */
#include "osv_source.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ini_file.h"

struct path_list {
	char **v;
	size_t n, alloc;
};

static bool is_json_name(const char *name)
{
	size_t n = strlen(name);
	return n > 5 && strcmp(name + n - 5, ".json") == 0;
}

static int path_list_add(struct path_list *l, const char *path)
{
	if (l->n >= OSV_SOURCE_MAX_FILES)
		return -E2BIG;
	if (l->n == l->alloc) {
		size_t na = l->alloc ? l->alloc * 2 : 256;
		char **nv = realloc(l->v, na * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		l->v = nv;
		l->alloc = na;
	}
	if (!(l->v[l->n] = strdup(path)))
		return -ENOMEM;
	l->n++;
	return 0;
}

static void path_list_free(struct path_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

/* Collects *.json regular files below root/rel; symlinked files are read,
 * symlinked directories are not entered (no loops, no escaping the tree). */
static int collect(const char *root, const char *rel, unsigned depth, struct path_list *out, char *err, size_t errlen)
{
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s%s%s", root, *rel ? "/" : "", rel);
	DIR *d = opendir(dir);
	if (!d) {
		int e = errno;
		snprintf(err, errlen, "%s: %s", dir, strerror(e));
		return -e;
	}
	int r = 0;
	struct dirent *de;
	while (r == 0 && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char sub[4096];
		if ((size_t)snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "", de->d_name) >= sizeof(sub))
			continue;
		struct stat st;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (depth + 1 >= OSV_SOURCE_MAX_DEPTH) {
				snprintf(err, errlen, "%s/%s: directories nested deeper than %d", root, sub,
					 OSV_SOURCE_MAX_DEPTH);
				r = -ELOOP;
			} else {
				r = collect(root, sub, depth + 1, out, err, errlen);
			}
		} else if (is_json_name(de->d_name) && (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode))) {
			r = path_list_add(out, sub);
		}
	}
	closedir(d);
	return r;
}

static int cmp_paths(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk_directory(const char *src, osv_source_fn fn, void *user, char *err, size_t errlen)
{
	struct path_list files = { 0 };
	int r = collect(src, "", 0, &files, err, errlen);
	if (r == -ENOMEM || r == -E2BIG)
		snprintf(err, errlen, "%s: %s", src, r == -E2BIG ? "too many files" : "out of memory");
	if (r < 0)
		goto out;
	qsort(files.v, files.n, sizeof(*files.v), cmp_paths);
	for (size_t i = 0; i < files.n && r >= 0; i++) {
		char path[8192];
		snprintf(path, sizeof(path), "%s/%s", src, files.v[i]);
		char *data = NULL;
		size_t len = 0;
		int rr = read_file_capped(path, OSV_MAX_RECORD_BYTES, &data, &len);
		r = fn(user, files.v[i], data, len, rr < 0 ? rr : 0);
		free(data);
	}
out:
	path_list_free(&files);
	return r < 0 ? r : 0;
}

/* Reads the current member (at most OSV_MAX_RECORD_BYTES) into a NUL-terminated buffer. */
static int read_member(struct archive *ar, char **out, size_t *len)
{
	size_t alloc = 64 << 10, n = 0;
	char *data = malloc(alloc + 1);
	if (!data)
		return -ENOMEM;
	for (;;) {
		if (n == alloc) {
			if (alloc > OSV_MAX_RECORD_BYTES) {
				free(data);
				return -EFBIG;
			}
			alloc *= 2;
			char *nd = realloc(data, alloc + 1);
			if (!nd) {
				free(data);
				return -ENOMEM;
			}
			data = nd;
		}
		la_ssize_t got = archive_read_data(ar, data + n, alloc - n);
		if (got < 0) {
			free(data);
			return -EIO;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	if (n > OSV_MAX_RECORD_BYTES) {
		free(data);
		return -EFBIG;
	}
	data[n] = '\0';
	*out = data;
	*len = n;
	return 0;
}

static int walk_archive(const char *src, osv_source_fn fn, void *user, char *err, size_t errlen)
{
	struct archive *ar = archive_read_new();
	if (!ar)
		return -ENOMEM;
	archive_read_support_format_zip(ar);
	archive_read_support_format_tar(ar);
	archive_read_support_filter_all(ar);
	int r = 0;
	if (archive_read_open_filename(ar, src, 64 << 10) != ARCHIVE_OK) {
		snprintf(err, errlen, "%s: not a directory, zip or tar archive: %s", src, archive_error_string(ar));
		r = -EINVAL;
		goto out;
	}
	struct archive_entry *e;
	for (;;) {
		int ar_r = archive_read_next_header(ar, &e);
		if (ar_r == ARCHIVE_EOF)
			break;
		if (ar_r != ARCHIVE_OK && ar_r != ARCHIVE_WARN) {
			snprintf(err, errlen, "%s: %s", src, archive_error_string(ar));
			r = -EIO;
			break;
		}
		const char *name = archive_entry_pathname(e);
		if (!name || archive_entry_filetype(e) != AE_IFREG || !is_json_name(name))
			continue;
		char *data = NULL;
		size_t len = 0;
		int rr = archive_entry_size_is_set(e) && archive_entry_size(e) > (la_int64_t)OSV_MAX_RECORD_BYTES
			 ? -EFBIG : read_member(ar, &data, &len);
		r = fn(user, name, data, len, rr);
		free(data);
		if (r < 0)
			break;
		if (rr == -EIO) {
			snprintf(err, errlen, "%s: %s", src, archive_error_string(ar));
			r = -EIO;
			break;
		}
	}
out:
	archive_read_free(ar);
	return r;
}

int osv_source_walk(const char *src, osv_source_fn fn, void *user, char *err, size_t errlen)
{
	struct stat st;
	if (stat(src, &st) < 0) {
		int e = errno;
		snprintf(err, errlen, "%s: %s", src, strerror(e));
		return -e;
	}
	if (S_ISDIR(st.st_mode))
		return walk_directory(src, fn, user, err, errlen);
	if (is_json_name(src)) {
		char *data = NULL;
		size_t len = 0;
		int rr = read_file_capped(src, OSV_MAX_RECORD_BYTES, &data, &len);
		const char *base = strrchr(src, '/');
		int r = fn(user, base ? base + 1 : src, data, len, rr < 0 ? rr : 0);
		free(data);
		return r < 0 ? r : 0;
	}
	return walk_archive(src, fn, user, err, errlen);
}
