/* rt_scan_posture.h: the runtime posture's "vulnerable image" from the scan cache (what an earlier scan matched), never by scanning. */
#pragma once

struct rt_container;
struct rt_scan_posture;

/* Opens the scan cache under state_dir; the vulnerability database in
 * vulndb_dir names which matches count (its version is read at each fill,
 * so an imported update applies). Returns 0 or -ENOMEM; without a cache or
 * a database every image stays unknown. */
int rt_scan_posture_open(const char *state_dir, const char *vulndb_dir, struct rt_scan_posture **out);
/* An rt_posture_fn: sets c->posture.vulnerable (-1 unknown, 0, 1) and its note. */
void rt_scan_posture_fill(struct rt_container *c, void *user);
void rt_scan_posture_close(struct rt_scan_posture *p);
