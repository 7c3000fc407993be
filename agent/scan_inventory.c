/* scan_inventory.c: the package inventory of an image through the package database readers (checks/pkgdb), whole or composed from per-layer cache entries. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/imagefs.h"
#include "buf.h"
#include "pkgdb/pkgdb.h"
#include "pkgdb/pkgdb_layers.h"
#include "scan.h"
#include "scan_cache.h"

/* OS, notes and truncation of a collection into out. */
static void take_stats(const struct pkgdb_stats *st, struct scan_image *out)
{
	if (st->os_found) {
		snprintf(out->os, sizeof(out->os), "%s", st->os.pretty_name[0] ? st->os.pretty_name : st->os.id);
		snprintf(out->ecosystem, sizeof(out->ecosystem), "%s", st->os.ecosystem);
	}
	out->inventory_truncated = out->inventory_truncated || st->walk_truncated;
	for (size_t i = 0; i < st->nerrors && i < PKGDB_MAX_ERRORS; i++)
		scan_image_note(out, "%s", st->errors[i]);
}

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
	out->pkgs = pl.items;
	out->n_pkgs = pl.len;
	pl.items = NULL;
	pl.len = 0;
	out->inventory_done = true;
	take_stats(st, out);
	if (st->nerrors > PKGDB_MAX_ERRORS)
		scan_image_note(out, "%zu more problems reading package files", st->nerrors - PKGDB_MAX_ERRORS);
out:
	package_list_free(&pl);
	free(st);
	return r;
}

/* ---- layer by layer ---- */

static char **strv_from(const char (*v)[256], size_t n)
{
	char **d = calloc(n + 1, sizeof(char *));
	for (size_t i = 0; d && i < n; i++)
		if (!(d[i] = strdup(v[i]))) {
			for (size_t k = 0; k < i; k++)
				free(d[k]);
			free(d);
			return NULL;
		}
	return d;
}

static int on_found(const struct pkgdb_found *f, void *user)
{
	struct scan_layer_rec *rec = user;
	if (rec->n_items == rec->alloc) {
		size_t n = rec->alloc ? rec->alloc * 2 : 16;
		struct scan_layer_item *p = realloc(rec->items, n * sizeof(*p));
		if (!p)
			return -ENOMEM;
		rec->items = p;
		rec->alloc = n;
	}
	struct scan_layer_item *it = &rec->items[rec->n_items];
	size_t nn = f->nerrors < PKGDB_MAX_ERRORS ? f->nerrors : PKGDB_MAX_ERRORS;
	memset(it, 0, sizeof(*it));
	it->path = strdup(f->path);
	it->owner_path = strdup(f->owner_path);
	it->notes = strv_from(f->errors, nn);
	it->n_notes = nn;
	if (!it->path || !it->owner_path || !it->notes) {
		free(it->path);
		free(it->owner_path);
		free(it->notes);
		return -ENOMEM;
	}
	it->pkgs = f->pkgs->items;
	it->n_pkgs = f->pkgs->len;
	f->pkgs->items = NULL;
	f->pkgs->len = f->pkgs->alloc = 0;
	rec->n_items++;
	return 0;
}

struct layer_job {
	struct imagefs *fs;
	size_t max_entries;
	struct risk_list setuid;
	size_t visited;
	bool truncated;
	int r;
};

static void *layer_setuid(void *arg)
{
	struct layer_job *j = arg;
	j->r = image_risks_setuid(j->fs, j->max_entries, &j->setuid, &j->visited, &j->truncated);
	return NULL;
}

/* Reads layer i of fs alone into rec: language package files and setuid files, side by side. */
static int read_layer(struct imagefs *fs, size_t i, const struct scan_options *o, struct scan_layer_rec *rec,
		      char *err, size_t errlen)
{
	struct imagefs *view = NULL;
	struct layer_job j = { .max_entries = o->max_entries };
	struct pkgdb_stats *st = calloc(1, sizeof(*st));
	struct pkgdb_limits lim = { .max_files = o->max_entries };
	pthread_t th;
	int r = st ? imagefs_layer_view(fs, i, &view) : -ENOMEM;
	if (r == 0)
		r = imagefs_layer_view(fs, i, &j.fs);
	if (r < 0) {
		snprintf(err, errlen, "opening layer %zu: %s", i + 1, strerror(-r));
		goto out;
	}
	bool threaded = pthread_create(&th, NULL, layer_setuid, &j) == 0;
	if (!threaded)
		layer_setuid(&j);
	r = pkgdb_collect_layer(view, &lim, on_found, rec, st, err, errlen);
	if (threaded)
		pthread_join(th, NULL);
	if (r == 0 && j.r < 0) {
		r = j.r;
		snprintf(err, errlen, "walking layer %zu: %s", i + 1, imagefs_error(j.fs));
	}
	if (r < 0)
		goto out;
	rec->setuid = j.setuid;
	memset(&j.setuid, 0, sizeof(j.setuid));
	rec->files_walked = j.visited;
	rec->walk_truncated = j.truncated || st->walk_truncated;
	size_t nn = st->nerrors < PKGDB_MAX_ERRORS ? st->nerrors : PKGDB_MAX_ERRORS;
	if (!(rec->notes = strv_from((const char (*)[256])st->errors, nn))) {
		r = -ENOMEM;
		goto out;
	}
	rec->n_notes = nn;
out:
	risk_list_free(&j.setuid);
	imagefs_close(j.fs);
	imagefs_close(view);
	free(st);
	return r;
}

/* Image paths in walk order: depth first, names in byte order ('/' sorts first). */
static int walk_order(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	unsigned x = *a == '/' ? 1 : (unsigned char)*a, y = *b == '/' ? 1 : (unsigned char)*b;
	return (x > y) - (x < y);
}

struct shown {
	const char *key;
	size_t layer, idx;
};

static int shown_cmp(const void *a, const void *b)
{
	const struct shown *x = a, *y = b;
	return walk_order(x->key, y->key);
}

/* Whether path of layer i shows in the merged image; a failed check counts as shown (and is noted). */
static bool visible(struct imagefs *fs, size_t i, const char *path, struct scan_image *out)
{
	int r = imagefs_hidden_above(fs, i, path);
	if (r < 0)
		scan_image_note(out, "%s: cannot tell whether an upper layer deletes it: %s", path, strerror(-r));
	return r <= 0;
}

struct composer {
	struct scan_layer_rec *recs;
	size_t n;
	struct shown *v;
	size_t nv;
};

static int compose_packages(struct imagefs *fs, struct composer *k, const struct pkgdb_owned *owned,
			    struct package_list *pl, struct scan_image *out, size_t *nnotes)
{
	k->nv = 0;
	for (size_t i = 0; i < k->n; i++)
		for (size_t x = 0; x < k->recs[i].n_items; x++) {
			const struct scan_layer_item *it = &k->recs[i].items[x];
			if (!visible(fs, i, it->path, out) || pkgdb_owned_has(owned, it->owner_path) ||
			    pkgdb_owned_has(owned, it->path))
				continue;
			k->v[k->nv++] = (struct shown){ it->owner_path, i, x };
		}
	qsort(k->v, k->nv, sizeof(*k->v), shown_cmp);
	size_t cap = pl->cap ? pl->cap : PKGDB_DEFAULT_MAX_PACKAGES;
	for (size_t s = 0; s < k->nv; s++) {
		struct scan_layer_item *it = &k->recs[k->v[s].layer].items[k->v[s].idx];
		for (size_t m = 0; m < it->n_notes; m++)
			if ((*nnotes)++ < PKGDB_MAX_ERRORS)
				scan_image_note(out, "%s", it->notes[m]);
		if (pl->len + it->n_pkgs > cap) {
			out->inventory_truncated = true;
			scan_image_note(out, "more than %zu packages: the rest are not listed", cap);
			break;
		}
		if (pl->len + it->n_pkgs > pl->alloc) {
			size_t na = (pl->len + it->n_pkgs) * 2;
			struct package *p = realloc(pl->items, na * sizeof(*p));
			if (!p)
				return -ENOMEM;
			pl->items = p;
			pl->alloc = na;
		}
		memcpy(pl->items + pl->len, it->pkgs, it->n_pkgs * sizeof(*it->pkgs));
		pl->len += it->n_pkgs;
		free(it->pkgs);         /* the strings moved to pl */
		it->pkgs = NULL;
		it->n_pkgs = 0;
	}
	return 0;
}

static int compose_setuid(struct imagefs *fs, struct composer *k, struct scan_image *out)
{
	k->nv = 0;
	for (size_t i = 0; i < k->n; i++)
		for (size_t x = 0; x < k->recs[i].setuid.len; x++) {
			const struct image_risk *rk = &k->recs[i].setuid.items[x];
			if (visible(fs, i, rk->subject, out))
				k->v[k->nv++] = (struct shown){ rk->subject, i, x };
		}
	qsort(k->v, k->nv, sizeof(*k->v), shown_cmp);
	for (size_t s = 0; s < k->nv; s++) {
		const struct image_risk *rk = &k->recs[k->v[s].layer].setuid.items[k->v[s].idx];
		if (risk_list_add(&out->risks, rk->kind, rk->severity, rk->subject, rk->detail) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* The top-most layer that holds or changes a path the OS part reads (an error counts as a change). */
static size_t os_top(const struct imagefs *fs, size_t n)
{
	for (size_t j = n; j-- > 0;)
		for (size_t p = 0; pkgdb_os_paths[p]; p++)
			if (imagefs_layer_touches(fs, j, pkgdb_os_paths[p]) != 0)
				return j;
	return 0;
}

/* The OS part of the inventory: from the cache when the layers up to the
 * top-most one touching the OS databases were read before, else through the
 * merged view (and then stored). */
static int os_part(struct imagefs *fs, const char *const *diff_ids, size_t n, const struct pkgdb_limits *lim,
		   struct scan_cache *cache, struct package_list *pl, struct pkgdb_owned **owned, struct scan_image *out,
		   size_t *nnotes)
{
	char key[72], err[512];
	struct scan_os_rec rec;
	bool keyed = scan_chain_id(diff_ids, os_top(fs, n) + 1, key) == 0;
	int r;
	if (keyed && scan_cache_load_os(cache, key, &rec) == 0) {
		if ((r = pkgdb_owned_from_lines(rec.owned, strlen(rec.owned), owned)) == 0) {
			snprintf(out->os, sizeof(out->os), "%s", rec.os);
			snprintf(out->ecosystem, sizeof(out->ecosystem), "%s", rec.ecosystem);
			out->inventory_truncated = out->inventory_truncated || rec.truncated;
			for (size_t i = 0; i < rec.n_notes; i++)
				scan_image_note(out, "%s", rec.notes[i]);
			*nnotes = rec.nerrors;
			pl->items = rec.pkgs;
			pl->len = pl->alloc = rec.n_pkgs;
			rec.pkgs = NULL;
			rec.n_pkgs = 0;
		}
		scan_os_rec_free(&rec);
		return r;
	}
	struct pkgdb_stats *st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	r = pkgdb_collect_os(fs, lim, pl, st, owned, err, sizeof(err));
	if (r < 0) {
		scan_image_not_scanned(out, "listing packages: %s", err);
		free(st);
		return r;
	}
	take_stats(st, out);
	*nnotes = st->nerrors;
	struct buf lines;
	buf_init(&lines, (size_t)256 << 20);
	size_t nn = st->nerrors < PKGDB_MAX_ERRORS ? st->nerrors : PKGDB_MAX_ERRORS;
	rec = (struct scan_os_rec){ .pkgs = pl->items, .n_pkgs = pl->len, .truncated = st->walk_truncated,
				    .nerrors = st->nerrors, .notes = strv_from((const char (*)[256])st->errors, nn),
				    .n_notes = nn };
	snprintf(rec.os, sizeof(rec.os), "%s", out->os);
	snprintf(rec.ecosystem, sizeof(rec.ecosystem), "%s", out->ecosystem);
	if (keyed && rec.notes && pkgdb_owned_lines(*owned, &lines) == 0) {
		rec.owned = lines.data ? lines.data : "";
		scan_cache_store_os(cache, key, &rec);  /* best effort */
	}
	for (size_t i = 0; rec.notes && i < nn; i++)
		free(rec.notes[i]);
	free(rec.notes);
	buf_free(&lines);
	free(st);
	return 0;
}

int scan_layered(struct imagefs *fs, const char *const *diff_ids, size_t n, const struct scan_options *o,
		 struct scan_cache *cache, struct scan_image *out)
{
	if (n != imagefs_n_layers(fs) || n == 0)
		return scan_filesystem(fs, o, out);
	struct composer k = { .recs = calloc(n, sizeof(*k.recs)), .n = n };
	struct package_list pl = { 0 };
	struct pkgdb_owned *owned = NULL;
	struct pkgdb_limits lim = { .max_files = o->max_entries };
	char err[512] = "";
	int r = k.recs ? 0 : -ENOMEM;
	size_t total = 0;
	out->layers = n;
	out->layers_read = 0;
	for (size_t i = 0; i < n && r == 0; i++) {
		if (scan_cache_load_layer(cache, diff_ids[i], &k.recs[i]) == 0)
			continue;
		r = read_layer(fs, i, o, &k.recs[i], err, sizeof(err));
		if (r == 0) {
			out->layers_read++;
			scan_cache_store_layer(cache, diff_ids[i], &k.recs[i]);  /* best effort */
		}
	}
	if (r < 0) {
		if (r != -ENOMEM)
			scan_image_not_scanned(out, "%s", err);
		goto out;
	}
	size_t nnotes = 0;
	if ((r = os_part(fs, diff_ids, n, &lim, cache, &pl, &owned, out, &nnotes)) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		total += k.recs[i].n_items > k.recs[i].setuid.len ? k.recs[i].n_items : k.recs[i].setuid.len;
		out->files_walked += k.recs[i].files_walked;
		out->walk_truncated = out->walk_truncated || k.recs[i].walk_truncated;
		for (size_t m = 0; m < k.recs[i].n_notes; m++)
			if (nnotes++ < PKGDB_MAX_ERRORS)
				scan_image_note(out, "%s", k.recs[i].notes[m]);
	}
	if (!(k.v = calloc(total + 1, sizeof(*k.v)))) {
		r = -ENOMEM;
		goto out;
	}
	if ((r = compose_packages(fs, &k, owned, &pl, out, &nnotes)) < 0 || (r = compose_setuid(fs, &k, out)) < 0)
		goto out;
	if (nnotes > PKGDB_MAX_ERRORS)
		scan_image_note(out, "%zu more problems reading package files", nnotes - PKGDB_MAX_ERRORS);
	out->inventory_truncated = out->inventory_truncated || out->walk_truncated;
	if (out->walk_truncated)
		scan_image_note(out, "file walk stopped after %zu entries in a layer: files beyond are not listed",
				o->max_entries);
	out->pkgs = pl.items;
	out->n_pkgs = pl.len;
	pl.items = NULL;
	pl.len = 0;
	out->inventory_done = true;
out:
	package_list_free(&pl);
	pkgdb_owned_free(owned);
	for (size_t i = 0; k.recs && i < n; i++)
		scan_layer_rec_free(&k.recs[i]);
	free(k.recs);
	free(k.v);
	return r;
}
