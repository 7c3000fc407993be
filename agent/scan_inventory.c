/* scan_inventory.c: the package inventory of an image through the package database readers (checks/pkgdb). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkgdb/pkgdb.h"
#include "scan.h"

int scan_inventory(struct imagefs *fs, const struct scan_options *o, struct scan_image *out)
{
	struct package_list pl = { 0 };
	struct pkgdb_stats *st = calloc(1, sizeof(*st));
	struct pkgdb_limits lim = { .max_files = o->max_entries };
	char err[256];
	if (!st)
		return -ENOMEM;
	int r = pkgdb_collect(fs, &lim, &pl, st, err, sizeof(err));
	if (r < 0) {
		scan_image_not_scanned(out, "listing packages: %s", err);
		goto out;
	}
	if (st->os_found) {
		snprintf(out->os, sizeof(out->os), "%s", st->os.pretty_name[0] ? st->os.pretty_name : st->os.id);
		snprintf(out->ecosystem, sizeof(out->ecosystem), "%s", st->os.ecosystem);
	}
	out->pkgs = pl.items;
	out->n_pkgs = pl.len;
	pl.items = NULL;
	pl.len = 0;
	out->inventory_done = true;
	out->inventory_truncated = st->walk_truncated;
	for (size_t i = 0; i < st->nerrors && i < PKGDB_MAX_ERRORS; i++)
		scan_image_note(out, "%s", st->errors[i]);
	if (st->nerrors > PKGDB_MAX_ERRORS)
		scan_image_note(out, "%zu more problems reading package files", st->nerrors - PKGDB_MAX_ERRORS);
out:
	package_list_free(&pl);
	free(st);
	return r;
}
