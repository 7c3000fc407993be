/* vulndb_match.c: the advisories that affect one installed package, one entry per advisory. */
#include "vulndb.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "affected_ranges.h"
#include "version.h"
#include "vulndb_schema.h"

static void match_free(struct vuln_match *m)
{
	free(m->id);
	for (size_t i = 0; i < m->n_aliases; i++)
		free(m->aliases[i]);
	free(m->aliases);
	free(m->summary);
	free(m->severity);
	free(m->cvss_vector);
	free(m->fixed_version);
}

void vuln_matches_free(struct vuln_match *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		match_free(&m[i]);
	free(m);
}

static int add_alias(struct vuln_match *m, const char *alias, size_t len)
{
	for (size_t i = 0; i < m->n_aliases; i++)
		if (strlen(m->aliases[i]) == len && memcmp(m->aliases[i], alias, len) == 0)
			return 0;
	char **n = realloc(m->aliases, (m->n_aliases + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	m->aliases = n;
	if (!(n[m->n_aliases] = strndup(alias, len)))
		return -ENOMEM;
	m->n_aliases++;
	return 0;
}

static char *column_dup(sqlite3_stmt *s, int col)
{
	const char *t = (const char *)sqlite3_column_text(s, col);
	return strdup(t ? t : "");
}

static int match_from_row(sqlite3_stmt *s, char *fixed, struct vuln_match *m)
{
	memset(m, 0, sizeof(*m));
	m->fixed_version = fixed;
	m->cvss_score = sqlite3_column_double(s, 4);
	if (!(m->id = column_dup(s, 0)) || !(m->summary = column_dup(s, 2)) || !(m->severity = column_dup(s, 3)) ||
	    !(m->cvss_vector = column_dup(s, 5)))
		return -ENOMEM;
	const char *aliases = (const char *)sqlite3_column_text(s, 1);
	while (aliases && *aliases) {
		size_t n = strcspn(aliases, "\n");
		if (n && add_alias(m, aliases, n) < 0)
			return -ENOMEM;
		aliases += n + (aliases[n] == '\n');
	}
	return 0;
}

/* Two entries for one vulnerability: the package is fixed only by a version
 * that fixes both, and stays unfixed if either has no fix. */
static void merge_fixed(enum version_scheme s, struct vuln_match *into, char *fixed)
{
	if (*into->fixed_version && (!*fixed || version_compare(s, fixed, into->fixed_version) > 0)) {
		free(into->fixed_version);
		into->fixed_version = fixed;
	} else {
		free(fixed);
	}
}

/* Folds b into a (same advisory, or ids that name each other as aliases). */
static int merge_match(enum version_scheme s, struct vuln_match *a, struct vuln_match *b)
{
	merge_fixed(s, a, b->fixed_version);
	b->fixed_version = NULL;
	if (strcmp(a->id, b->id) != 0 && add_alias(a, b->id, strlen(b->id)) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < b->n_aliases; i++)
		if (strcmp(b->aliases[i], a->id) != 0 && add_alias(a, b->aliases[i], strlen(b->aliases[i])) < 0)
			return -ENOMEM;
	if (a->cvss_score < 0 && b->cvss_score >= 0) {
		char *t = a->cvss_vector;
		a->cvss_vector = b->cvss_vector;
		b->cvss_vector = t;
		t = a->severity;
		a->severity = b->severity;
		b->severity = t;
		a->cvss_score = b->cvss_score;
	}
	match_free(b);
	return 0;
}

static int cmp_match_id(const void *a, const void *b)
{
	return strcmp(((const struct vuln_match *)a)->id, ((const struct vuln_match *)b)->id);
}

static size_t root_of(size_t *parent, size_t i)
{
	while (parent[i] != i)
		i = parent[i] = parent[parent[i]];
	return i;
}

static void unite(size_t *parent, size_t a, size_t b)
{
	a = root_of(parent, a);
	b = root_of(parent, b);
	if (a != b)
		parent[a > b ? a : b] = a < b ? a : b;
}

static int cmp_id_key(const void *key, const void *elem)
{
	return strcmp(key, ((const struct vuln_match *)elem)->id);
}

/* One entry per advisory: matches with the same id, or whose ids name each
 * other as aliases, are folded into the first of them (in id order). */
static int dedupe(enum version_scheme s, struct vuln_match *m, size_t *count)
{
	size_t n = *count;
	if (n < 2)
		return 0;
	qsort(m, n, sizeof(*m), cmp_match_id);
	size_t *parent = malloc(2 * n * sizeof(*parent)), *slot = parent + n;
	if (!parent)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		parent[i] = i;
	for (size_t i = 0; i < n; i++) {
		if (i && strcmp(m[i].id, m[i - 1].id) == 0)
			unite(parent, i, i - 1);
		for (size_t k = 0; k < m[i].n_aliases; k++) {
			const struct vuln_match *j = bsearch(m[i].aliases[k], m, n, sizeof(*m), cmp_id_key);
			if (j)
				unite(parent, i, (size_t)(j - m));
		}
	}
	/* a root is the smallest index of its set, so it is placed before its members come */
	size_t kept = 0;
	int r = 0;
	for (size_t i = 0; i < n; i++) {
		size_t root = root_of(parent, i);
		if (root == i) {
			slot[i] = kept;
			m[kept++] = m[i];
		} else if (r == 0) {
			r = merge_match(s, &m[slot[root]], &m[i]);
			if (r < 0)
				match_free(&m[i]);
		} else {
			match_free(&m[i]);
		}
	}
	free(parent);
	*count = kept;
	return r;
}

int vulndb_match(struct vulndb *db, const struct package *pkg, struct vuln_match **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	bool by_source = pkg->origin == PKG_ORIGIN_OS;
	const char *name = by_source && pkg->source_name && *pkg->source_name ? pkg->source_name : pkg->name;
	const char *version = by_source && pkg->source_version && *pkg->source_version ? pkg->source_version
										       : pkg->version;
	if (!pkg->ecosystem || !name || !version || !*version)
		return 0;
	int eco = version_scheme_for_ecosystem(pkg->ecosystem);
	enum version_scheme scheme = eco >= 0 ? (enum version_scheme)eco : pkg->scheme;
	char key[OSV_MAX_VERSION_LEN + 1];
	vulndb_package_key(pkg->ecosystem, name, key, sizeof(key));

	struct vuln_match *m = NULL;
	size_t count = 0, alloc = 0;
	int r = 0, rc;
	sqlite3_stmt *s = db->lookup;
	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, pkg->ecosystem, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		char *fixed = NULL;
		const char *ranges = (const char *)sqlite3_column_text(s, 6);
		r = affected_ranges_match(ranges ? ranges : "", scheme, version, &fixed);
		if (r <= 0)
			goto next;
		if (count == alloc) {
			size_t na = alloc ? alloc * 2 : 8;
			struct vuln_match *nm = realloc(m, na * sizeof(*nm));
			if (!nm) {
				free(fixed);
				r = -ENOMEM;
				goto out;
			}
			m = nm;
			alloc = na;
		}
		r = match_from_row(s, fixed, &m[count]);
		count++;
next:
		if (r < 0)
			goto out;
	}
	if (rc != SQLITE_DONE) {
		r = -EIO;
		goto out;
	}
	r = dedupe(scheme, m, &count);
	if (r < 0)
		goto out;
	*out = count ? m : NULL;
	*n = count;
	if (!count)
		free(m);
	m = NULL;
	count = 0;
out:
	sqlite3_reset(s);
	vuln_matches_free(m, count);
	return r < 0 ? r : 0;
}
