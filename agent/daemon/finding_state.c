/* finding_state.c: the daemon's memory of open findings: raise, update, resolve, persisted across restarts. */
#include "daemon/finding_state.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "ini_file.h"
#include "json.h"
#include "report/jsonw.h"
#include "upstream/atomic_file.h"

#define STATE_MAX_BYTES ((size_t)256 << 20)
#define STATE_MAX_FINDINGS 1000000

/* What is remembered of an open finding: enough to say it is resolved. */
struct tracked_finding {
	struct tracked_finding *next;
	char id[FINDING_ID_LEN + 1];
	uint64_t evidence_hash;
	int64_t first_seen_ms, last_seen_ms;
	bool seen;              /* reported in the round in progress */
	enum finding_class cls;
	enum finding_object object_type;
	int severity;
	char *engine, *rule_id, *title, *object_id, *object_name, *standard, *package_name, *package_version;
};

static void tracked_free(struct tracked_finding *t)
{
	if (!t)
		return;
	free(t->engine);
	free(t->rule_id);
	free(t->title);
	free(t->object_id);
	free(t->object_name);
	free(t->standard);
	free(t->package_name);
	free(t->package_version);
	free(t);
}

static int dup_field(char **dst, const char *src)
{
	char *d = strdup(src ? src : "");
	if (!d)
		return -ENOMEM;
	free(*dst);
	*dst = d;
	return 0;
}

static int tracked_fill(struct tracked_finding *t, const struct finding *f)
{
	t->cls = f->cls;
	t->object_type = f->object_type;
	t->severity = f->severity;
	t->evidence_hash = finding_evidence_hash(f);
	if (dup_field(&t->engine, f->engine) || dup_field(&t->rule_id, f->rule_id) ||
	    dup_field(&t->title, f->title) || dup_field(&t->object_id, f->object_id) ||
	    dup_field(&t->object_name, f->object_name) || dup_field(&t->standard, f->standard) ||
	    dup_field(&t->package_name, f->package_name) || dup_field(&t->package_version, f->package_version))
		return -ENOMEM;
	return 0;
}

/* The remembered facts as a finding that now passes. */
static void tracked_as_finding(const struct tracked_finding *t, struct finding *f)
{
	memset(f, 0, sizeof(*f));
	f->cls = t->cls;
	f->engine = t->engine;
	f->rule_id = t->rule_id;
	f->title = t->title;
	f->object_type = t->object_type;
	f->object_id = t->object_id;
	f->object_name = t->object_name;
	f->severity = t->severity;
	f->standard = t->standard;
	f->package_name = t->package_name;
	f->package_version = t->package_version;
	f->failed = false;
}

static size_t bucket_of(const struct finding_state *st, const char *id)
{
	return (size_t)fnv1a(FNV1A_INIT, id, strlen(id)) & (st->n_buckets - 1);
}

static struct tracked_finding **find_slot(struct finding_state *st, const char *id)
{
	struct tracked_finding **pp = &st->buckets[bucket_of(st, id)];
	while (*pp && strcmp((*pp)->id, id) != 0)
		pp = &(*pp)->next;
	return pp;
}

static int grow(struct finding_state *st)
{
	if (st->n_open < st->n_buckets)
		return 0;
	size_t n = st->n_buckets * 2;
	struct tracked_finding **b = calloc(n, sizeof(*b));
	if (!b)
		return -ENOMEM;
	for (size_t i = 0; i < st->n_buckets; i++) {
		struct tracked_finding *t = st->buckets[i], *next;
		for (; t; t = next) {
			next = t->next;
			size_t k = (size_t)fnv1a(FNV1A_INIT, t->id, strlen(t->id)) & (n - 1);
			t->next = b[k];
			b[k] = t;
		}
	}
	free(st->buckets);
	st->buckets = b;
	st->n_buckets = n;
	return 0;
}

int finding_state_init(struct finding_state *st, const char *host_id, finding_change_cb cb, void *user)
{
	memset(st, 0, sizeof(*st));
	st->n_buckets = 256;
	st->buckets = calloc(st->n_buckets, sizeof(*st->buckets));
	st->host_id = strdup(host_id);
	st->cb = cb;
	st->cb_user = user;
	st->round_object_type = -1;
	if (!st->buckets || !st->host_id) {
		finding_state_free(st);
		return -ENOMEM;
	}
	return 0;
}

void finding_state_free(struct finding_state *st)
{
	if (!st)
		return;
	for (size_t i = 0; st->buckets && i < st->n_buckets; i++) {
		struct tracked_finding *t = st->buckets[i], *next;
		for (; t; t = next) {
			next = t->next;
			tracked_free(t);
		}
	}
	free(st->buckets);
	free(st->host_id);
	free(st->round_engine);
	free(st->round_object_id);
	memset(st, 0, sizeof(*st));
}

static int notify(struct finding_state *st, enum finding_change ch, const struct finding *f,
		  const struct tracked_finding *t, const char *reason)
{
	if (ch == CHANGE_RAISED)
		st->raised++;
	else if (ch == CHANGE_UPDATED)
		st->updated++;
	else
		st->resolved++;
	if (!st->cb)
		return 0;
	struct finding_state_change c = {
		.change = ch, .f = f, .id = t->id, .first_seen_ms = t->first_seen_ms,
		.last_seen_ms = t->last_seen_ms, .reason = reason,
	};
	return st->cb(st->cb_user, &c);
}

/* Resolves and forgets *pp. */
static int resolve(struct finding_state *st, struct tracked_finding **pp, int64_t now_ms, const char *reason)
{
	struct tracked_finding *t = *pp;
	struct finding f;
	t->last_seen_ms = now_ms;
	tracked_as_finding(t, &f);
	int r = notify(st, CHANGE_RESOLVED, &f, t, reason);
	*pp = t->next;
	tracked_free(t);
	st->n_open--;
	return r;
}

int finding_state_begin(struct finding_state *st, const char *engine, int object_type,
			const char *object_id, bool full_report)
{
	if (dup_field(&st->round_engine, engine) < 0)
		return -ENOMEM;
	free(st->round_object_id);
	st->round_object_id = object_id ? strdup(object_id) : NULL;
	if (object_id && !st->round_object_id)
		return -ENOMEM;
	st->round_object_type = object_id ? object_type : -1;
	st->full_report = full_report;
	for (size_t i = 0; i < st->n_buckets; i++)
		for (struct tracked_finding *t = st->buckets[i]; t; t = t->next)
			t->seen = false;
	return 0;
}

int finding_state_report(struct finding_state *st, const struct finding *f, int64_t now_ms)
{
	char id[FINDING_ID_LEN + 1];
	finding_id(st->host_id, f, id);
	struct tracked_finding **pp = find_slot(st, id);
	struct tracked_finding *t = *pp;
	if (!f->failed) {
		if (!t)
			return 0;
		return resolve(st, pp, now_ms, "check passed");
	}
	if (!t) {
		if (st->n_open >= STATE_MAX_FINDINGS)
			return -ENOSPC;
		t = calloc(1, sizeof(*t));
		if (!t || tracked_fill(t, f) < 0) {
			tracked_free(t);
			return -ENOMEM;
		}
		memcpy(t->id, id, sizeof(t->id));
		t->first_seen_ms = t->last_seen_ms = now_ms;
		t->seen = true;
		*pp = t;
		st->n_open++;
		int r = notify(st, CHANGE_RAISED, f, t, NULL);
		return r < 0 ? r : grow(st);
	}
	t->seen = true;
	t->last_seen_ms = now_ms;
	uint64_t h = finding_evidence_hash(f);
	if (h == t->evidence_hash && !st->full_report)
		return 0;
	if (tracked_fill(t, f) < 0)
		return -ENOMEM;
	return notify(st, CHANGE_UPDATED, f, t, NULL);
}

static bool in_round(const struct finding_state *st, const struct tracked_finding *t)
{
	if (!st->round_engine || strcmp(t->engine, st->round_engine) != 0)
		return false;
	if (!st->round_object_id)
		return true;
	return (int)t->object_type == st->round_object_type && strcmp(t->object_id, st->round_object_id) == 0;
}

int finding_state_end(struct finding_state *st, int64_t now_ms)
{
	int rc = 0;
	for (size_t i = 0; i < st->n_buckets; i++) {
		struct tracked_finding **pp = &st->buckets[i];
		while (*pp) {
			if (!(*pp)->seen && in_round(st, *pp)) {
				int r = resolve(st, pp, now_ms, "no longer reported");
				if (r < 0 && !rc)
					rc = r;
			} else {
				pp = &(*pp)->next;
			}
		}
	}
	free(st->round_engine);
	free(st->round_object_id);
	st->round_engine = st->round_object_id = NULL;
	st->full_report = false;
	return rc;
}

void finding_state_keep_rule(struct finding_state *st, const char *rule_id)
{
	for (size_t i = 0; i < st->n_buckets; i++)
		for (struct tracked_finding *t = st->buckets[i]; t; t = t->next)
			if (in_round(st, t) && strcmp(t->rule_id, rule_id) == 0)
				t->seen = true;
}

void finding_state_keep_object(struct finding_state *st, enum finding_object type, const char *object_id)
{
	for (size_t i = 0; i < st->n_buckets; i++)
		for (struct tracked_finding *t = st->buckets[i]; t; t = t->next)
			if (in_round(st, t) && t->object_type == type && strcmp(t->object_id, object_id) == 0)
				t->seen = true;
}

int finding_state_close_object(struct finding_state *st, enum finding_object type, const char *object_id,
			       int64_t now_ms)
{
	int rc = 0;
	for (size_t i = 0; i < st->n_buckets; i++) {
		struct tracked_finding **pp = &st->buckets[i];
		while (*pp) {
			if ((*pp)->object_type == type && strcmp((*pp)->object_id, object_id) == 0) {
				int r = resolve(st, pp, now_ms, "object removed");
				if (r < 0 && !rc)
					rc = r;
			} else {
				pp = &(*pp)->next;
			}
		}
	}
	return rc;
}

void finding_state_counts(const struct finding_state *st, size_t counts[FINDING_N_CLASSES])
{
	for (int c = 0; c < FINDING_N_CLASSES; c++)
		counts[c] = 0;
	for (size_t i = 0; i < st->n_buckets; i++)
		for (struct tracked_finding *t = st->buckets[i]; t; t = t->next)
			if ((unsigned)t->cls < FINDING_N_CLASSES)
				counts[t->cls]++;
}

int finding_state_save(const struct finding_state *st, const char *path, char *err, size_t errlen)
{
	struct buf out;
	buf_init(&out, STATE_MAX_BYTES);
	int r = 0;
	for (size_t i = 0; i < st->n_buckets && !r; i++) {
		for (struct tracked_finding *t = st->buckets[i]; t && !r; t = t->next) {
			struct jsonw w;
			if (jsonw_init(&w, false) < 0) {
				r = -ENOMEM;
				break;
			}
			jsonw_obj_begin(&w);
			jsonw_kstr(&w, "id", t->id);
			char hash[17];
			snprintf(hash, sizeof(hash), "%016llx", (unsigned long long)t->evidence_hash);
			jsonw_kstr(&w, "evidence_hash", hash);
			jsonw_kint(&w, "first_seen_ms", t->first_seen_ms);
			jsonw_kint(&w, "last_seen_ms", t->last_seen_ms);
			jsonw_kstr(&w, "class", finding_class_name(t->cls));
			jsonw_kstr(&w, "object_type", finding_object_name(t->object_type));
			jsonw_kint(&w, "severity", t->severity);
			jsonw_kstr(&w, "engine", t->engine);
			jsonw_kstr(&w, "rule_id", t->rule_id);
			jsonw_kstr(&w, "title", t->title);
			jsonw_kstr(&w, "object_id", t->object_id);
			jsonw_kstr(&w, "object_name", t->object_name);
			jsonw_kstr(&w, "standard", t->standard);
			jsonw_kstr(&w, "package_name", t->package_name);
			jsonw_kstr(&w, "package_version", t->package_version);
			jsonw_obj_end(&w);
			size_t len;
			const char *text = jsonw_text(&w, &len);
			r = w.status ? -EINVAL : buf_append(&out, text, len);
			if (!r)
				r = buf_append(&out, "\n", 1);
			jsonw_free(&w);
		}
	}
	if (!r)
		r = atomic_file_write(path, out.data ? out.data : "", out.len, 0600);
	if (r < 0)
		snprintf(err, errlen, "%s: %s", path, strerror(-r));
	buf_free(&out);
	return r;
}

static int load_line(struct finding_state *st, const char *line, size_t len, char *err, size_t errlen)
{
	yajl_val v;
	int r = json_parse(line, len, &v, err, errlen);
	if (r < 0)
		return r;
	r = -EBADMSG;
	const char *id = json_str(v, "id"), *hash = json_str(v, "evidence_hash");
	const char *cls = json_str(v, "class"), *obj = json_str(v, "object_type");
	int ci = cls ? finding_class_parse(cls) : -1, oi = obj ? finding_object_parse(obj) : -1;
	if (!id || strlen(id) != FINDING_ID_LEN || !hash || ci < 0 || oi < 0 || !json_str(v, "engine") ||
	    !json_str(v, "object_id")) {
		snprintf(err, errlen, "a finding without id, class, object or engine");
		goto out;
	}
	struct finding f = {
		.cls = (enum finding_class)ci, .object_type = (enum finding_object)oi,
		.severity = (int)json_int(v, "severity", 0), .engine = json_str(v, "engine"),
		.rule_id = json_str(v, "rule_id"), .title = json_str(v, "title"),
		.object_id = json_str(v, "object_id"), .object_name = json_str(v, "object_name"),
		.standard = json_str(v, "standard"), .package_name = json_str(v, "package_name"),
		.package_version = json_str(v, "package_version"), .failed = true,
	};
	struct tracked_finding **pp = find_slot(st, id);
	if (*pp) {
		r = 0;  /* a duplicate line: the first one stands */
		goto out;
	}
	if (st->n_open >= STATE_MAX_FINDINGS) {
		snprintf(err, errlen, "more than %d findings", STATE_MAX_FINDINGS);
		goto out;
	}
	struct tracked_finding *t = calloc(1, sizeof(*t));
	if (!t || tracked_fill(t, &f) < 0) {
		tracked_free(t);
		r = -ENOMEM;
		goto out;
	}
	memcpy(t->id, id, sizeof(t->id));
	t->evidence_hash = strtoull(hash, NULL, 16);
	t->first_seen_ms = json_int(v, "first_seen_ms", 0);
	t->last_seen_ms = json_int(v, "last_seen_ms", 0);
	*pp = t;
	st->n_open++;
	r = grow(st);
out:
	yajl_tree_free(v);
	return r;
}

int finding_state_load_text(struct finding_state *st, const char *text, size_t len, char *err, size_t errlen)
{
	size_t lineno = 0;
	while (len) {
		const char *nl = memchr(text, '\n', len);
		size_t n = nl ? (size_t)(nl - text) : len;
		lineno++;
		if (n) {
			char why[200] = "";
			int r = load_line(st, text, n, why, sizeof(why));
			if (r < 0) {
				snprintf(err, errlen, "line %zu: %s", lineno, why[0] ? why : strerror(-r));
				return r == -ENOMEM ? r : -EBADMSG;
			}
		}
		text += n + (nl ? 1 : 0);
		len -= n + (nl ? 1 : 0);
	}
	return 0;
}

int finding_state_load(struct finding_state *st, const char *path, char *err, size_t errlen)
{
	char *text;
	size_t len;
	int r = read_file_capped(path, STATE_MAX_BYTES, &text, &len);
	if (r == -ENOENT)
		return 0;
	if (r < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(-r));
		return r;
	}
	char why[256];
	r = finding_state_load_text(st, text, len, why, sizeof(why));
	if (r < 0)
		snprintf(err, errlen, "%s: %s", path, why);
	free(text);
	return r;
}
