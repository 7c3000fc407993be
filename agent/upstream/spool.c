/* spool.c: the on-disk queue of event batches: durable append, per-sink cursors, byte cap, dead letters. */
#include "upstream/spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "ini_file.h"
#include "json.h"
#include "report/jsonw.h"
#include "upstream/atomic_file.h"
#include "upstream/ocsf.h"

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int batch_path(const char *dir, uint64_t seq, int sev, char *out, size_t outlen)
{
	int n = snprintf(out, outlen, "%s/%020" PRIu64 "-%d.batch", dir, seq, sev);
	return n < 0 || (size_t)n >= outlen ? -ENAMETOOLONG : 0;
}

/* "00000000000000000042-3.batch" → seq 42, severity 3 */
static bool parse_batch_name(const char *name, uint64_t *seq, int *sev)
{
	unsigned long long s;
	int v, n = 0;
	if (strlen(name) != 28 || sscanf(name, "%20llu-%1d.batch%n", &s, &v, &n) != 2 || n != 28)
		return false;
	*seq = s;
	*sev = v;
	return true;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct spool_entry *x = a, *y = b;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int spool_list(const char *dir, struct spool_entry **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	DIR *d = opendir(dir);
	if (!d)
		return -errno;
	size_t alloc = 0;
	struct dirent *de;
	int r = 0;
	while ((de = readdir(d))) {
		struct spool_entry e = { 0 };
		if (!parse_batch_name(de->d_name, &e.seq, &e.max_severity))
			continue;
		struct stat st;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
			continue;
		e.bytes = (uint64_t)st.st_size;
		if (*n == alloc) {
			size_t na = alloc ? alloc * 2 : 64;
			struct spool_entry *p = realloc(*out, na * sizeof(*p));
			if (!p) {
				r = -ENOMEM;
				break;
			}
			*out = p;
			alloc = na;
		}
		(*out)[(*n)++] = e;
	}
	closedir(d);
	if (r < 0) {
		free(*out);
		*out = NULL;
		*n = 0;
		return r;
	}
	if (*n)
		qsort(*out, *n, sizeof(**out), cmp_entry);
	return 0;
}

int spool_usage(const char *dir, uint64_t *bytes, uint64_t *batches)
{
	struct spool_entry *e;
	size_t n;
	*bytes = *batches = 0;
	int r = spool_list(dir, &e, &n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++)
		*bytes += e[i].bytes;
	*batches = n;
	free(e);
	return 0;
}

static int read_u64_file(const char *path, uint64_t *v)
{
	char *text;
	size_t len;
	*v = 0;
	int r = read_file_capped(path, 64, &text, &len);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	char *end;
	errno = 0;
	unsigned long long x = strtoull(text, &end, 10);
	r = errno || end == text ? -EBADMSG : 0;
	free(text);
	if (!r)
		*v = x;
	return r;
}

static int write_u64_file(const char *path, uint64_t v)
{
	char text[32];
	int n = snprintf(text, sizeof(text), "%" PRIu64 "\n", v);
	return atomic_file_write(path, text, (size_t)n, 0600);
}

static int cursor_path(const char *dir, const char *sink, char *out, size_t outlen)
{
	for (const char *s = sink; *s; s++)
		if (*s == '/' || *s == '.')
			return -EINVAL;
	int n = snprintf(out, outlen, "%s/cursor.%s", dir, sink);
	return n < 0 || (size_t)n >= outlen ? -ENAMETOOLONG : 0;
}

int spool_cursor_get(const char *dir, const char *sink, uint64_t *seq)
{
	char path[PATH_MAX];
	int r = cursor_path(dir, sink, path, sizeof(path));
	return r < 0 ? r : read_u64_file(path, seq);
}

int spool_cursor_set(const char *dir, const char *sink, uint64_t seq)
{
	char path[PATH_MAX];
	int r = cursor_path(dir, sink, path, sizeof(path));
	return r < 0 ? r : write_u64_file(path, seq);
}

int spool_read_dropped(const char *dir, uint64_t *events)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/dropped", dir);
	return read_u64_file(path, events);
}

int spool_open(struct spool *sp, const char *dir, uint64_t cap_bytes, uid_t uid, gid_t gid, char *err,
	       size_t errlen)
{
	memset(sp, 0, sizeof(*sp));
	sp->owner_uid = uid;
	sp->owner_gid = gid;
	char dead[PATH_MAX];
	snprintf(dead, sizeof(dead), "%s/dead", dir);
	int r = mkdir_p(dead, 0700);
	if (!r && uid != (uid_t)-1 && (chown(dir, uid, gid) < 0 || chown(dead, uid, gid) < 0))
		r = -errno;
	if (r < 0) {
		snprintf(err, errlen, "spool %s: %s", dir, strerror(-r));
		return r;
	}
	sp->dir = strdup(dir);
	if (!sp->dir)
		return -ENOMEM;
	sp->cap_bytes = cap_bytes;
	/* the next sequence follows every batch and every cursor ever written */
	uint64_t max = 0;
	struct spool_entry *e;
	size_t n;
	r = spool_list(dir, &e, &n);
	if (r < 0) {
		snprintf(err, errlen, "spool %s: %s", dir, strerror(-r));
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		sp->bytes += e[i].bytes;
		if (e[i].seq > max)
			max = e[i].seq;
	}
	sp->batches = n;
	free(e);
	DIR *d = opendir(dir);
	if (d) {
		struct dirent *de;
		while ((de = readdir(d)))
			if (strncmp(de->d_name, "cursor.", 7) == 0 && !strchr(de->d_name + 7, '.')) {
				uint64_t c;
				if (spool_cursor_get(dir, de->d_name + 7, &c) == 0 && c > max)
					max = c;
			}
		closedir(d);
	}
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/last_seq", dir);
	uint64_t last;
	if (read_u64_file(path, &last) == 0 && last > max)
		max = last;
	sp->next_seq = max + 1;
	spool_read_dropped(dir, &sp->dropped_events);
	return 0;
fail:
	spool_close(sp);
	return r;
}

void spool_close(struct spool *sp)
{
	if (!sp)
		return;
	free(sp->dir);
	sp->dir = NULL;
}

/* Drops the oldest batch of the lowest severity; returns -ENOENT when none is left. */
static int drop_one(struct spool *sp)
{
	struct spool_entry *e;
	size_t n;
	int r = spool_list(sp->dir, &e, &n);
	if (r < 0)
		return r;
	size_t victim = n;
	for (size_t i = 0; i < n; i++)
		if (victim == n || e[i].max_severity < e[victim].max_severity)
			victim = i;
	if (victim == n) {
		free(e);
		return -ENOENT;
	}
	char path[PATH_MAX];
	batch_path(sp->dir, e[victim].seq, e[victim].max_severity, path, sizeof(path));
	/* its event count is in the header; a batch we cannot read counts as one */
	struct spool_batch b;
	char why[128];
	uint64_t events = 1;
	if (spool_read_batch(sp->dir, e[victim].seq, e[victim].max_severity, &b, why, sizeof(why)) == 0) {
		events = b.n_events;
		spool_batch_free(&b);
	}
	r = unlink(path) < 0 && errno != ENOENT ? -errno : 0;
	free(e);
	if (r < 0)
		return r;
	sp->dropped_events += events;
	sp->dropped_batches++;
	return 0;
}

static int save_dropped(struct spool *sp)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/dropped", sp->dir);
	return write_u64_file(path, sp->dropped_events);
}

int spool_append(struct spool *sp, const char *lines, size_t len, size_t n_events, int max_severity,
		 char *err, size_t errlen)
{
	if (!n_events)
		return 0;
	if (max_severity < 0 || max_severity > 9)
		max_severity = 9;
	uint64_t seq = sp->next_seq;
	char key[37], header[256], path[PATH_MAX];
	ocsf_uuid4(key);
	int hn = snprintf(header, sizeof(header),
			  "{\"seq\":%" PRIu64 ",\"key\":\"%s\",\"events\":%zu,\"max_severity\":%d,\"created_ms\":%lld}\n",
			  seq, key, n_events, max_severity, (long long)now_ms());
	uint64_t size = (uint64_t)hn + len;
	int r;
	bool dropped = false;
	if (sp->cap_bytes && size > sp->cap_bytes) {
		sp->dropped_events += n_events;
		sp->dropped_batches++;
		snprintf(err, errlen, "spool: a batch of %" PRIu64 " bytes is larger than the spool cap; dropped", size);
		save_dropped(sp);
		return -EFBIG;
	}
	spool_usage(sp->dir, &sp->bytes, &sp->batches);
	while (sp->cap_bytes && sp->bytes + size > sp->cap_bytes) {
		if (drop_one(sp) < 0)
			break;
		dropped = true;
		spool_usage(sp->dir, &sp->bytes, &sp->batches);
	}
	if (dropped)
		save_dropped(sp);
	struct buf b;
	buf_init(&b, SPOOL_MAX_BATCH_BYTES + 4096);
	r = buf_append(&b, header, (size_t)hn);
	if (!r)
		r = buf_append(&b, lines, len);
	if (!r)
		r = batch_path(sp->dir, seq, max_severity, path, sizeof(path));
	/* last_seq first: a crash between the two may skip a number, never reuse one */
	if (!r) {
		char lp[PATH_MAX];
		snprintf(lp, sizeof(lp), "%s/last_seq", sp->dir);
		r = write_u64_file(lp, seq);
	}
	if (!r)
		r = atomic_file_write_owned(path, b.data, b.len, 0600, sp->owner_uid, sp->owner_gid);
	buf_free(&b);
	if (r < 0) {
		snprintf(err, errlen, "spool %s: %s", sp->dir, strerror(-r));
		return r;
	}
	sp->next_seq = seq + 1;
	sp->bytes += size;
	sp->batches++;
	return 0;
}

void spool_batch_free(struct spool_batch *b)
{
	if (!b)
		return;
	free(b->events);
	free(b->text);
	memset(b, 0, sizeof(*b));
}

int spool_parse_batch(char *text, size_t len, struct spool_batch *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	out->text = text;
	out->text_len = len;
	int r = -EBADMSG;
	const char *nl = memchr(text, '\n', len);
	if (!nl) {
		snprintf(err, errlen, "no header line");
		goto fail;
	}
	yajl_val h;
	if (json_parse(text, (size_t)(nl - text), &h, err, errlen) < 0)
		goto fail;
	const char *key = json_str(h, "key");
	int64_t seq = json_int(h, "seq", -1), events = json_int(h, "events", -1);
	int64_t sev = json_int(h, "max_severity", -1);
	if (!key || !*key || strlen(key) >= sizeof(out->key) || seq < 1 || events < 1 ||
	    events > SPOOL_MAX_BATCH_EVENTS || sev < 0 || sev > 9) {
		snprintf(err, errlen, "header without seq, key, events or max_severity");
		yajl_tree_free(h);
		goto fail;
	}
	snprintf(out->key, sizeof(out->key), "%s", key);
	out->seq = (uint64_t)seq;
	out->max_severity = (int)sev;
	out->created_ms = json_int(h, "created_ms", 0);
	yajl_tree_free(h);
	out->events = calloc((size_t)events, sizeof(*out->events));
	if (!out->events) {
		r = -ENOMEM;
		goto fail;
	}
	const char *p = nl + 1, *end = text + len;
	while (p < end) {
		const char *e = memchr(p, '\n', (size_t)(end - p));
		if (!e) {
			snprintf(err, errlen, "the last event is not terminated");
			goto fail;
		}
		size_t n = (size_t)(e - p);
		if (n) {
			if (out->n_events == (size_t)events) {
				snprintf(err, errlen, "more events than the header says");
				goto fail;
			}
			if (p[0] != '{' || json_check_depth(p, n, JSON_MAX_DEPTH) < 0) {
				snprintf(err, errlen, "event %zu is not a JSON object", out->n_events + 1);
				goto fail;
			}
			out->events[out->n_events].json = p;
			out->events[out->n_events].len = n;
			out->n_events++;
		}
		p = e + 1;
	}
	if (out->n_events != (size_t)events) {
		snprintf(err, errlen, "%zu events where the header says %lld", out->n_events, (long long)events);
		goto fail;
	}
	return 0;
fail:
	spool_batch_free(out);
	return r;
}

int spool_read_batch(const char *dir, uint64_t seq, int max_severity, struct spool_batch *out,
		     char *err, size_t errlen)
{
	char path[PATH_MAX];
	memset(out, 0, sizeof(*out));
	int r = batch_path(dir, seq, max_severity, path, sizeof(path));
	if (r < 0)
		return r;
	char *text;
	size_t len;
	r = read_file_capped(path, SPOOL_MAX_BATCH_BYTES + 4096, &text, &len);
	if (r < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(-r));
		return r;
	}
	char why[200];
	r = spool_parse_batch(text, len, out, why, sizeof(why));
	if (r < 0)
		snprintf(err, errlen, "%s: %s", path, why);
	else if (out->seq != seq) {
		snprintf(err, errlen, "%s: header says batch %" PRIu64, path, out->seq);
		spool_batch_free(out);
		r = -EBADMSG;
	}
	return r;
}

int spool_collect_garbage(const char *dir, uint64_t upto)
{
	uint64_t min = upto;
	struct spool_entry *e;
	size_t n;
	int r = spool_list(dir, &e, &n);
	if (r < 0)
		return r;
	bool removed = false;
	for (size_t i = 0; i < n && e[i].seq <= min; i++) {
		char path[PATH_MAX];
		batch_path(dir, e[i].seq, e[i].max_severity, path, sizeof(path));
		if (unlink(path) == 0)
			removed = true;
	}
	free(e);
	return removed ? fsync_parent_dir(dir) : 0;
}

int spool_dead_letter(const char *dir, const char *sink, const struct spool_batch *b, size_t from, size_t to,
		      const char *reason)
{
	struct jsonw w;
	if (jsonw_init(&w, false) < 0)
		return -ENOMEM;
	jsonw_obj_begin(&w);
	jsonw_kint(&w, "seq", (int64_t)b->seq);
	jsonw_kstr(&w, "key", b->key);
	jsonw_kint(&w, "events", (int64_t)(to - from));
	jsonw_kint(&w, "max_severity", b->max_severity);
	jsonw_kint(&w, "created_ms", b->created_ms);
	jsonw_kstr(&w, "sink", sink);
	jsonw_kstr(&w, "reason", reason);
	jsonw_kint(&w, "first_event", (int64_t)from);
	jsonw_obj_end(&w);
	struct buf out;
	buf_init(&out, SPOOL_MAX_BATCH_BYTES + 4096);
	size_t hl;
	const char *h = jsonw_text(&w, &hl);
	int r = buf_append(&out, h, hl);
	jsonw_free(&w);
	if (!r)
		r = buf_append(&out, "\n", 1);
	for (size_t i = from; i < to && !r; i++) {
		r = buf_append(&out, b->events[i].json, b->events[i].len);
		if (!r)
			r = buf_append(&out, "\n", 1);
	}
	char path[PATH_MAX];
	if (!r && snprintf(path, sizeof(path), "%s/dead/%s-%020" PRIu64 "-%zu.batch", dir, sink, b->seq, from) >=
			  (int)sizeof(path))
		r = -ENAMETOOLONG;
	if (!r)
		r = atomic_file_write(path, out.data, out.len, 0600);
	buf_free(&out);
	return r;
}
