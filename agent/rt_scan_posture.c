/* rt_scan_posture.c: the runtime posture's "vulnerable image" from the scan cache: matches of the container's image against the installed database's version. */
#include "rt_scan_posture.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "runtime/containers.h"
#include "scan.h"
#include "scan_cache.h"
#include "vuln/vulndb.h"

struct rt_scan_posture {
	struct scan_cache *cache;
	char *vulndb_dir;
	char cache_err[256];
};

int rt_scan_posture_open(const char *state_dir, const char *vulndb_dir, struct rt_scan_posture **out)
{
	struct rt_scan_posture *p = calloc(1, sizeof(*p));
	if (!p || !(p->vulndb_dir = strdup(vulndb_dir ? vulndb_dir : ""))) {
		free(p);
		return -ENOMEM;
	}
	if (scan_cache_open(state_dir, &p->cache, p->cache_err, sizeof(p->cache_err)) < 0)
		log_info("posture: no scan cache (%s): image vulnerability stays unknown", p->cache_err);
	*out = p;
	return 0;
}

void rt_scan_posture_fill(struct rt_container *c, void *user)
{
	struct rt_scan_posture *p = user;
	struct rt_posture *ps = &c->posture;
	ps->vulnerable = -1;
	ps->vulnerable_note[0] = '\0';
	if (!p || !c->image_id || !c->image_id[0])
		return;
	if (!p->cache) {
		snprintf(ps->vulnerable_note, sizeof(ps->vulnerable_note), "no scan cache");
		return;
	}
	struct vulndb *db = NULL;
	char version[128] = "", note[256] = "";
	int r = scan_db_open(p->vulndb_dir, &db, version, sizeof(version), note, sizeof(note));
	vulndb_close(db);
	if (r < 0 || !db) {
		snprintf(ps->vulnerable_note, sizeof(ps->vulnerable_note), "no vulnerability database");
		return;
	}
	size_t counts[SEV_COUNT], fixable;
	if (scan_cache_vuln_counts(p->cache, c->image_id, version, counts, &fixable) < 0) {
		snprintf(ps->vulnerable_note, sizeof(ps->vulnerable_note), "image not scanned against database %.80s",
			 version);
		return;
	}
	size_t total = 0, n = 0;
	for (int s = SEV_CRITICAL; s >= SEV_UNKNOWN; s--) {
		if (!counts[s])
			continue;
		total += counts[s];
		if (n < sizeof(ps->vulnerable_note))
			n += (size_t)snprintf(ps->vulnerable_note + n, sizeof(ps->vulnerable_note) - n, "%s%zu %s",
					      n ? ", " : "", counts[s], severity_name((enum severity)s));
	}
	ps->vulnerable = total > 0;
	if (total && n < sizeof(ps->vulnerable_note))
		snprintf(ps->vulnerable_note + n, sizeof(ps->vulnerable_note) - n, " (%zu with a fix)", fixable);
}

void rt_scan_posture_close(struct rt_scan_posture *p)
{
	if (!p)
		return;
	scan_cache_close(p->cache);
	free(p->vulndb_dir);
	free(p);
}
