/* imagefs_internal.h: what the imagefs files share (the handle, merged directories, whiteout tests), and nothing else sees. */
#pragma once
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "image/imagefs.h"

#define WH_PREFIX ".wh."
#define WH_OPAQUE ".wh..wh..opq"

struct imagefs {
	int *layer_fd;          /* root directory of each layer, lowest first */
	size_t n_layers;
	size_t max_entries;
	char err[512];
};

/* A merged directory: the layers that contribute to it, top-most first. */
struct node {
	size_t n;
	int fd[IMAGEFS_MAX_LAYERS];
	bool owned;             /* fds are ours to close (the root's are the fs's) */
};

/* Writes fs's one-line error and returns r. */
int imagefs_fail(struct imagefs *fs, int r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static inline bool is_whiteout_dev(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && major(st->st_rdev) == 0 && minor(st->st_rdev) == 0;
}

static inline int open_dir_at(int dirfd, const char *name)
{
	return openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
}

/* ".wh..wh..opq" or an overlay opaque xattr on the directory fd. */
bool imagefs_dir_is_opaque(int fd);
/* dirfd holds ".wh.NAME" for name. */
bool imagefs_has_whiteout_for(int dirfd, const char *name);

/* Closes nd's fds when they are its own; accepts NULL. */
void imagefs_node_release(struct node *nd);
/* The merged directory name (a directory in layer nd->fd[pos]) below nd. */
int imagefs_node_child(const struct node *nd, size_t pos, const char *name, struct node *child);
/* The merged directory that path names in the image (following symlinks). */
int imagefs_resolve_dir(struct imagefs *fs, const char *path, struct node *nd);
