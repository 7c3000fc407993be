/* archive.h: images given as files: a `docker save` tarball or an OCI image layout, unpacked layer by layer into a private work directory. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <yajl/yajl_tree.h>

#include "image/extract.h"

struct imagefs;

struct archive_image {
	char *id;               /* "sha256:..." of the config blob (verified) */
	char **repo_tags; size_t n_repo_tags;
	yajl_val config;        /* the image config document ("config", "rootfs", "history") */
	char **diff_ids; size_t n_diff_ids;     /* rootfs.diff_ids, lowest first */
	char **layers; size_t n_layers;         /* layer blob paths inside the archive, lowest first */
};

struct image_archive {
	char *input;
	char *workdir;          /* private (0700) directory we unpack into, removed by free */
	struct imagefs *outer;  /* the archive's own files */
	struct archive_image *images; size_t n_images;
	char **extracted; size_t n_extracted;   /* layer blob paths already unpacked, index = dir number */
	struct extract_limits lim;
	struct extract_stats stats;
};

#define ARCHIVE_MAX_IMAGES 1024
#define ARCHIVE_MAX_LAYERS 256
#define ARCHIVE_MAX_JSON ((size_t)16 << 20)

/* Opens input (a tar file, possibly compressed, or an OCI layout / unpacked
 * docker-save directory) and reads its manifests and image configs; layers
 * are unpacked on demand by archive_image_fs. tmpdir holds the work
 * directory (NULL = $TMPDIR or /var/tmp). Returns 0 or a negative errno with
 * the reason in err. */
int image_archive_open(const char *input, const char *tmpdir, const struct extract_limits *lim,
		       struct image_archive *out, char *err, size_t errlen);
/* The merged filesystem of image i (its layers unpacked if not yet). */
int image_archive_fs(struct image_archive *a, size_t i, struct imagefs **fs, char *err, size_t errlen);
void image_archive_free(struct image_archive *a);

/* Removes a directory tree without following symlinks. */
int remove_tree(const char *path);
/* "sha256:<hex>" of data. out must hold 72 bytes. */
void sha256_digest(const void *data, size_t len, char out[72]);
