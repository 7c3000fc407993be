/* scan_match.c: matching an image's packages against the local vulnerability database (checks/vuln). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scan.h"
#include "vuln/vulndb.h"

static char **strv_copy(char *const *v, size_t n)
{
	char **d = calloc(n + 1, sizeof(char *));
	if (!d)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!(d[i] = strdup(v[i] ? v[i] : ""))) {
			for (size_t k = 0; k < i; k++)
				free(d[k]);
			free(d);
			return NULL;
		}
	return d;
}

int scan_db_open(const char *dir, struct vulndb **db, char *version, size_t vlen, char *note, size_t nlen)
{
	*db = NULL;
	char err[512] = "";
	int r = vulndb_open(dir, db, err, sizeof(err));
	if (r == -ENOENT) {
		snprintf(note, nlen, "no vulnerability database in %s; run `dockward db import`", dir);
		return 0;
	}
	if (r < 0) {
		snprintf(note, nlen, "the vulnerability database cannot be read: %s", err);
		return r;
	}
	snprintf(version, vlen, "%s", vulndb_version(*db));
	return 0;
}

int scan_match(struct vulndb *db, struct scan_image *s)
{
	if (!db || s->status != SCAN_OK || !s->inventory_done)
		return 0;
	size_t alloc = 0;
	for (size_t i = 0; i < s->n_pkgs; i++) {
		struct vuln_match *m = NULL;
		size_t n = 0;
		int r = vulndb_match(db, &s->pkgs[i], &m, &n);
		if (r < 0)
			return r;
		for (size_t k = 0; k < n; k++) {
			if (s->n_vulns == alloc) {
				size_t na = alloc ? alloc * 2 : 16;
				struct scan_vuln *nv = realloc(s->vulns, na * sizeof(*nv));
				if (!nv) {
					vuln_matches_free(m, n);
					return -ENOMEM;
				}
				s->vulns = nv;
				alloc = na;
			}
			struct scan_vuln *v = &s->vulns[s->n_vulns];
			memset(v, 0, sizeof(*v));
			int sev = m[k].severity ? severity_parse(m[k].severity) : -1;
			v->pkg = i;
			v->severity = sev < 0 ? SEV_UNKNOWN : (enum severity)sev;
			v->id = strdup(m[k].id ? m[k].id : "");
			v->fixed = strdup(m[k].fixed_version ? m[k].fixed_version : "");
			v->summary = strdup(m[k].summary ? m[k].summary : "");
			v->aliases = strv_copy(m[k].aliases, m[k].n_aliases);
			v->n_aliases = m[k].n_aliases;
			s->n_vulns++;
			if (!v->id || !v->fixed || !v->summary || !v->aliases) {
				vuln_matches_free(m, n);
				return -ENOMEM;
			}
		}
		vuln_matches_free(m, n);
	}
	s->vulns_checked = true;
	return 0;
}
