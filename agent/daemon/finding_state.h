/* finding_state.h: the daemon's memory of open findings: raise, update, resolve, persisted across restarts. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/finding.h"

enum finding_change {
	CHANGE_RAISED = 1,      /* OCSF activity_id 1 Create */
	CHANGE_UPDATED = 2,     /* 2 Update: evidence changed, or the full report after a start */
	CHANGE_RESOLVED = 3,    /* 3 Close: a later check passed, or the object is gone */
};

struct finding_state_change {
	enum finding_change change;
	const struct finding *f;        /* for a resolve: the remembered facts, failed=false */
	const char *id;
	int64_t first_seen_ms, last_seen_ms;
	const char *reason;             /* resolve: "check passed", "object removed", ... */
};

typedef int (*finding_change_cb)(void *user, const struct finding_state_change *c);

struct tracked_finding;
struct finding_state {
	struct tracked_finding **buckets;
	size_t n_buckets, n_open;
	char *host_id;
	finding_change_cb cb;
	void *cb_user;
	/* the scope of the round in progress */
	char *round_engine;
	int round_object_type;          /* -1 = every object */
	char *round_object_id;
	bool full_report;               /* send every failing finding this round, changed or not */
	uint64_t raised, updated, resolved;
};

int finding_state_init(struct finding_state *st, const char *host_id, finding_change_cb cb, void *user);
void finding_state_free(struct finding_state *st);

/* A round: begin, report every evaluated check, end. Open findings of the
 * engine within the scope (one object, or all when object_id is NULL) that
 * were not reported again are resolved at the end. full_report re-sends
 * every failing finding as an update (the first full report after a start). */
int finding_state_begin(struct finding_state *st, const char *engine, int object_type,
			const char *object_id, bool full_report);
int finding_state_report(struct finding_state *st, const struct finding *f, int64_t now_ms);
int finding_state_end(struct finding_state *st, int64_t now_ms);
/* The engine could not evaluate rule_id this round: its open findings stay
 * open (an unevaluated check proves no remediation). */
void finding_state_keep_rule(struct finding_state *st, const char *rule_id);
/* The same for every open finding of the round's engine about one object. */
void finding_state_keep_object(struct finding_state *st, enum finding_object type, const char *object_id);

/* The object was destroyed: resolves every open finding about it (any engine). */
int finding_state_close_object(struct finding_state *st, enum finding_object type, const char *object_id,
			       int64_t now_ms);

/* JSON lines, written atomically (tmp + fsync + rename). Load ignores a
 * missing file and returns -EBADMSG (with a reason) for a corrupt one. */
int finding_state_save(const struct finding_state *st, const char *path, char *err, size_t errlen);
int finding_state_load(struct finding_state *st, const char *path, char *err, size_t errlen);
/* Parses the saved text (also the fuzz entry point). */
int finding_state_load_text(struct finding_state *st, const char *text, size_t len, char *err, size_t errlen);
/* Open findings per class, for status and heartbeat. */
void finding_state_counts(const struct finding_state *st, size_t counts[FINDING_N_CLASSES]);
