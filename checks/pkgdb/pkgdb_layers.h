/* pkgdb_layers.h: the inventory in two parts, for caching it layer by layer: the OS databases of the merged image, and the language packages each layer holds. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "pkgdb.h"

/* The files the OS package managers of an image installed. */
struct pkgdb_owned;

/* The OS part of pkgdb_collect on the merged view: os-release, dpkg, apk and
 * rpm databases (into out, st->os), and the files they own (*owned, which the
 * caller frees with pkgdb_owned_free). Returns 0 or -ENOMEM. */
int pkgdb_collect_os(struct imagefs *fs, const struct pkgdb_limits *lim, struct package_list *out,
		     struct pkgdb_stats *st, struct pkgdb_owned **owned, char *err, size_t errlen);
/* Installed by the OS: listed as is, or (usr-merge) without its /usr prefix. */
bool pkgdb_owned_has(const struct pkgdb_owned *o, const char *path);
void pkgdb_owned_free(struct pkgdb_owned *o);
/* The owned paths one per line (appended to out), and back. */
int pkgdb_owned_lines(const struct pkgdb_owned *o, struct buf *out);
int pkgdb_owned_from_lines(const char *text, size_t len, struct pkgdb_owned **out);
/* The image paths pkgdb_collect_os reads (files, or directories it reads
 * below), NULL-terminated: a layer holding none of them, nor deleting or
 * replacing one of their parents, leaves the OS part as the layers below made it. */
extern const char *const pkgdb_os_paths[];

/* One file of a layer that could declare language packages and did (or
 * could not be read). pkgdb_collect skips it when pkgdb_owned_has(owner_path)
 * or pkgdb_owned_has(path); its packages come in walk order of owner_path. */
struct pkgdb_found {
	const char *path;               /* file read: METADATA, package.json, a jar, a binary */
	const char *owner_path;         /* where the walk found it (a dist-info directory), else path */
	struct package_list *pkgs;      /* the callback may take them (leaving the list empty) */
	size_t nerrors;                 /* problems reading it (the first PKGDB_MAX_ERRORS in errors) */
	const char (*errors)[256];
};
typedef int (*pkgdb_found_fn)(const struct pkgdb_found *f, void *user);

/* Walks one layer (imagefs_layer_view) for language packages, reads every
 * candidate whoever owns it, and calls fn for each that gave packages or
 * errors (fn returning <0 stops). st gets the walk's counts and problems. */
int pkgdb_collect_layer(struct imagefs *layer, const struct pkgdb_limits *lim, pkgdb_found_fn fn, void *user,
			struct pkgdb_stats *st, char *err, size_t errlen);
