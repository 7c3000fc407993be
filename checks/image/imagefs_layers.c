/* imagefs_layers.c: handles on a stack of layer directories (open, dup, close, limits) and per-layer queries (one layer alone, what it touches, what hides it). */
#include "image/imagefs_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


static int open_layers(const char *const *dirs, size_t n, struct imagefs **out)
{
	*out = NULL;
	if (n == 0 || n > IMAGEFS_MAX_LAYERS)
		return -EINVAL;
	struct imagefs *fs = calloc(1, sizeof(*fs));
	if (!fs)
		return -ENOMEM;
	fs->layer_fd = malloc(n * sizeof(int));
	if (!fs->layer_fd) {
		free(fs);
		return -ENOMEM;
	}
	fs->max_entries = IMAGEFS_DEFAULT_MAX_ENTRIES;
	for (size_t i = 0; i < n; i++) {
		int fd = open(dirs[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0) {
			int r = -errno;
			imagefs_close(fs);
			return r;
		}
		fs->layer_fd[fs->n_layers++] = fd;
	}
	*out = fs;
	return 0;
}

int imagefs_open_dir(const char *root, struct imagefs **out)
{
	return open_layers(&root, 1, out);
}

int imagefs_open_layers(const char *const *dirs, size_t n, struct imagefs **out)
{
	return open_layers(dirs, n, out);
}

/* A new handle on layers [from, from + n) of fs. */
static int dup_layers(const struct imagefs *fs, size_t from, size_t n, struct imagefs **out)
{
	*out = NULL;
	struct imagefs *d = calloc(1, sizeof(*d));
	if (!d || !(d->layer_fd = malloc(n * sizeof(int)))) {
		free(d);
		return -ENOMEM;
	}
	d->max_entries = fs->max_entries;
	for (size_t i = from; i < from + n; i++) {
		int fd = fcntl(fs->layer_fd[i], F_DUPFD_CLOEXEC, 0);
		if (fd < 0) {
			int r = -errno;
			imagefs_close(d);
			return r;
		}
		d->layer_fd[d->n_layers++] = fd;
	}
	*out = d;
	return 0;
}

int imagefs_dup(const struct imagefs *fs, struct imagefs **out)
{
	return dup_layers(fs, 0, fs->n_layers, out);
}

void imagefs_close(struct imagefs *fs)
{
	if (!fs)
		return;
	for (size_t i = 0; i < fs->n_layers; i++)
		close(fs->layer_fd[i]);
	free(fs->layer_fd);
	free(fs);
}

const char *imagefs_error(const struct imagefs *fs)
{
	return fs ? fs->err : "";
}

void imagefs_set_max_entries(struct imagefs *fs, size_t max_entries)
{
	fs->max_entries = max_entries ? max_entries : IMAGEFS_DEFAULT_MAX_ENTRIES;
}

size_t imagefs_n_layers(const struct imagefs *fs)
{
	return fs->n_layers;
}

/* --- one layer at a time --- */

int imagefs_layer_view(const struct imagefs *fs, size_t i, struct imagefs **out)
{
	*out = NULL;
	return i < fs->n_layers ? dup_layers(fs, i, 1, out) : -EINVAL;
}

/* Whether layer fd (one above the path's own layer) hides path: the same
 * rules as node_lookup / imagefs_node_child (imagefs.c), applied along the path's components. */
static int layer_hides(int root, const char *path)
{
	if (imagefs_dir_is_opaque(root))
		return 1;
	char comp[NAME_MAX + 1];
	int dirfd = root, r = 0;
	const char *p = path;
	while (*p == '/')
		p++;
	while (*p) {
		size_t n = strcspn(p, "/");
		if (n > NAME_MAX) {
			r = -ENAMETOOLONG;
			break;
		}
		memcpy(comp, p, n);
		comp[n] = '\0';
		p += n;
		while (*p == '/')
			p++;
		struct stat st;
		if (imagefs_has_whiteout_for(dirfd, comp)) {
			r = 1;
			break;
		}
		if (fstatat(dirfd, comp, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			r = errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
			break;
		}
		if (!*p || !S_ISDIR(st.st_mode)) {
			r = 1;          /* the entry itself, or a file, link or whiteout in place of a parent */
			break;
		}
		int fd = open_dir_at(dirfd, comp);
		if (fd < 0) {
			r = -errno;
			break;
		}
		if (dirfd != root)
			close(dirfd);
		dirfd = fd;
		if (imagefs_dir_is_opaque(dirfd)) {
			r = 1;
			break;
		}
	}
	if (dirfd != root)
		close(dirfd);
	return r;
}

int imagefs_hidden_above(const struct imagefs *fs, size_t i, const char *path)
{
	for (size_t j = i + 1; j < fs->n_layers; j++) {
		int r = layer_hides(fs->layer_fd[j], path);
		if (r != 0)
			return r;
	}
	return 0;
}

int imagefs_layer_touches(const struct imagefs *fs, size_t i, const char *path)
{
	return i < fs->n_layers ? layer_hides(fs->layer_fd[i], path) : -EINVAL;
}
