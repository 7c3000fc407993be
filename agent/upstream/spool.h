/* spool.h: the on-disk queue of event batches: durable append, per-sink cursors, byte cap, dead letters. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* A batch file is "SEQ-SEV.batch": a header line
 *   {"seq":N,"key":"UUID","events":K,"max_severity":S,"created_ms":T}
 * then K lines of one compact JSON event each. Files appear only whole
 * (written to a temporary, fsynced, renamed) and are deleted once every
 * configured sink's cursor has passed them. */
#define SPOOL_MAX_BATCH_BYTES ((size_t)32 << 20)
#define SPOOL_MAX_BATCH_EVENTS 100000

struct spool_entry {
	uint64_t seq;
	int max_severity;
	uint64_t bytes;
};

struct spool_event {
	const char *json;       /* points into the batch text; not NUL-terminated */
	size_t len;
};

struct spool_batch {
	uint64_t seq;
	char key[64];
	int max_severity;
	int64_t created_ms;
	struct spool_event *events;
	size_t n_events;
	char *text;             /* owns the events' bytes */
	size_t text_len;
};

struct spool {
	char *dir;
	uint64_t cap_bytes;
	uint64_t next_seq;
	uint64_t bytes, batches;        /* as of the last append or scan */
	uint64_t dropped_events;        /* ever, persisted in DIR/dropped */
	uint64_t dropped_batches;
	uid_t owner_uid;                /* batches are handed to the uploader's user; -1 = ours */
	gid_t owner_gid;
};

/* Creates dir (0700) and its dead/ folder, owned by uid:gid ((uid_t)-1 = ours),
 * and finds the next sequence number. */
int spool_open(struct spool *sp, const char *dir, uint64_t cap_bytes, uid_t uid, gid_t gid, char *err,
	       size_t errlen);
void spool_close(struct spool *sp);
/* Writes one batch of n_events lines (each a JSON event, '\n'-terminated).
 * Makes room under the cap first by dropping the oldest lowest-severity
 * batches (counted in dropped_events); a batch bigger than the cap on its
 * own is dropped and counted. Returns 0 or a negative errno (-ENOSPC ...). */
int spool_append(struct spool *sp, const char *lines, size_t len, size_t n_events, int max_severity,
		 char *err, size_t errlen);

/* The batches now in dir, by sequence. */
int spool_list(const char *dir, struct spool_entry **out, size_t *n);
int spool_read_batch(const char *dir, uint64_t seq, int max_severity, struct spool_batch *out,
		     char *err, size_t errlen);
/* Parses a batch file's text (takes ownership of text; also the fuzz entry). */
int spool_parse_batch(char *text, size_t len, struct spool_batch *out, char *err, size_t errlen);
void spool_batch_free(struct spool_batch *b);

/* The last sequence a sink has finished with (0 = none). */
int spool_cursor_get(const char *dir, const char *sink, uint64_t *seq);
int spool_cursor_set(const char *dir, const char *sink, uint64_t seq);
/* Deletes the batches up to and including seq upto: the lowest cursor of
 * every sink, as the uploader holds them (a cursor it could not persist on a
 * full disk still frees the space). */
int spool_collect_garbage(const char *dir, uint64_t upto);
/* Saves events [from, to) of b under dir/dead/ for sink, with the reason. */
int spool_dead_letter(const char *dir, const char *sink, const struct spool_batch *b, size_t from, size_t to,
		      const char *reason);
/* Bytes and batches now in dir. */
int spool_usage(const char *dir, uint64_t *bytes, uint64_t *batches);
int spool_read_dropped(const char *dir, uint64_t *events);
