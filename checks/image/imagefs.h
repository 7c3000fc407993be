/* imagefs.h: a merged, read-only, bounded view of an image's filesystem layers that never leaves the image root. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

/*
 * An imagefs is one or more layer directories merged with overlay2
 * semantics: a path is looked up from the top layer down; ".wh.NAME" (tar
 * form) or a character device 0/0 (the kernel's form) hides NAME in the
 * layers below; ".wh..wh..opq" or the xattr trusted.overlay.opaque=y makes
 * a directory opaque (nothing below it shows through).
 *
 * Every path is resolved component by component inside the image, the way
 * the image's own processes would see it (chroot semantics): an absolute
 * symlink starts again at the image root, ".." at the root stays at the
 * root, so no path or link can reach a host file. Directories are opened
 * with O_NOFOLLOW, files with O_NOFOLLOW|O_NONBLOCK and only when they are
 * regular files, so FIFOs and device nodes are never opened.
 *
 * Paths given to the API are image paths ("/var/lib/dpkg/status"); a path
 * without a leading '/' is taken from the root as well.
 *
 * Errors are negative errnos; imagefs_error() says why in one line.
 *   -ENOENT  no such path (or hidden by a whiteout)
 *   -ENOTDIR a component that must be a directory is not
 *   -ELOOP   too many symlinks (IMAGEFS_MAX_SYMLINKS) or path too deep
 *   -EISDIR  a read of a directory
 *   -EINVAL  a read of something that is not a regular file (FIFO, device, socket)
 *   -EFBIG   a file larger than the cap
 *   -E2BIG   a walk or listing met more than the entry limit
 */

#define IMAGEFS_MAX_LAYERS 256
#define IMAGEFS_MAX_SYMLINKS 40
#define IMAGEFS_MAX_DEPTH 128                   /* directory components in one path */
#define IMAGEFS_MAX_PATH 4096
#define IMAGEFS_DEFAULT_MAX_ENTRIES 2000000     /* entries one walk or listing may visit */

struct imagefs;

/* One directory = one layer. */
int imagefs_open_dir(const char *root, struct imagefs **out);
/* Layer directories, lowest first (as in a manifest's Layers list). */
int imagefs_open_layers(const char *const *dirs, size_t n, struct imagefs **out);
void imagefs_close(struct imagefs *fs);
/* A second, independent handle on the same layers (for another thread:
 * one handle must not be used by two threads at once). */
int imagefs_dup(const struct imagefs *fs, struct imagefs **out);

/* Layer i (lowest first) alone, as stored: its own files, its whiteouts
 * hiding nothing. For reading layers one by one (per-layer caches). */
int imagefs_layer_view(const struct imagefs *fs, size_t i, struct imagefs **out);
/* Whether a layer above layer i hides path, a path found in layer i alone
 * (real directories on the way): an entry or whiteout at path, or a whiteout,
 * non-directory or opaque directory at one of its parents. 1 hidden, 0 shown,
 * or a negative errno. */
int imagefs_hidden_above(const struct imagefs *fs, size_t i, const char *path);
/* Whether layer i itself holds path (or something below it), deletes it, or
 * replaces or makes opaque one of its parents: 1, 0, or a negative errno. */
int imagefs_layer_touches(const struct imagefs *fs, size_t i, const char *path);

/* The last error, one line ("" when none). */
const char *imagefs_error(const struct imagefs *fs);
/* Entries one walk or list may visit before it fails with -E2BIG. */
void imagefs_set_max_entries(struct imagefs *fs, size_t max_entries);
size_t imagefs_n_layers(const struct imagefs *fs);

/* stat of what path names in the image; lstat does not follow a final symlink. */
int imagefs_stat(struct imagefs *fs, const char *path, struct stat *st);
int imagefs_lstat(struct imagefs *fs, const char *path, struct stat *st);
/* The target of a symlink as stored (not resolved), NUL-terminated. */
int imagefs_readlink(struct imagefs *fs, const char *path, char *buf, size_t len);

/* Opens a regular file read-only (following symlinks inside the image) for
 * callers that read large files in pieces (Go binaries, Java archives).
 * The caller closes *fd. st may be NULL. */
int imagefs_open(struct imagefs *fs, const char *path, int *fd, struct stat *st);
/* Reads a whole regular file of at most cap bytes into a NUL-terminated
 * malloc'd buffer that the caller frees. */
int imagefs_read(struct imagefs *fs, const char *path, size_t cap, char **data, size_t *len);

/* Called with the image path of each entry and its lstat (symlinks are
 * reported, never followed). Return 0 to go on, >0 to skip a directory's
 * contents, <0 to abort (the walk then returns that value). */
typedef int (*imagefs_walk_cb)(const char *path, const struct stat *st, void *user);

/* Depth-first walk below dir (dir itself is not reported), entries of each
 * directory in name order. max_depth 1 = only dir's own entries. Symlinked
 * directories are not descended into. */
int imagefs_walk(struct imagefs *fs, const char *dir, unsigned max_depth, imagefs_walk_cb cb, void *user);
/* The merged entries of one directory (names only in path's last component:
 * the callback gets "/dir/name"), in name order. */
int imagefs_list_dir(struct imagefs *fs, const char *dir, imagefs_walk_cb cb, void *user);
/* Every path matching an absolute pattern whose components are fnmatch(3)
 * patterns, e.g. "/var/lib/dpkg/status.d/STAR" or
 * "/usr/lib/python3STAR/site-packages/STAR.dist-info/METADATA" (STAR being '*').
 * A wildcard never matches across '/' nor a leading '.'; "**" is not
 * supported. Symlinked directories on the way are followed inside the
 * image. Matches are reported in name order with their lstat. */
int imagefs_glob(struct imagefs *fs, const char *pattern, imagefs_walk_cb cb, void *user);
