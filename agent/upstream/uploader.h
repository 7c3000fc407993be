/* uploader.h: the delivery loop: every sink walks the spool with its own cursor, retries, dead-letters. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "upstream/sink_config.h"

struct uploader_options {
	const char *spool_dir;
	const struct sink_config *sinks;        /* the primary collector is the one named "upstream" */
	size_t n_sinks;
	uint64_t timeout_ms, retry_min_ms, retry_max_ms, flush_timeout_ms;
	const char *host_name, *host_id;
	int notify_fd;          /* readable: new batches; end of file: the daemon is gone. -1 = none */
	int signal_fd;          /* a signalfd for SIGTERM/SIGINT, or -1 */
};

struct uploader;

/* Reads every secret (tokens, client keys, CA files) now, so that the
 * process may give up its privileges before uploader_run. Token and key
 * files must not be readable by group or others. */
int uploader_new(const struct uploader_options *o, struct uploader **out, char *err, size_t errlen);
/* Runs until a signal or the end of notify_fd, then tries for at most
 * flush_timeout to deliver what is spooled. Returns 0 or a negative errno. */
int uploader_run(struct uploader *u);
/* One pass without waiting (tests, `dockward status`-free tooling): starts and
 * finishes what it can within timeout_ms. */
int uploader_drain(struct uploader *u, uint64_t timeout_ms);
void uploader_free(struct uploader *u);

/* Delay before retry number `failures` (1, 2, ...): exponential from min to
 * max with jitter in [delay/2, delay], or Retry-After when the server said so. */
uint64_t uploader_backoff_ms(unsigned failures, uint64_t min_ms, uint64_t max_ms, int64_t retry_after_ms,
			     uint64_t random);
/* Parses a Retry-After value (seconds or an HTTP date) into ms from now; -1 when invalid. */
int64_t uploader_parse_retry_after(const char *value, int64_t now_s);

/* What an HTTP answer means for the batch part that got it. */
enum delivery_verdict { VERDICT_DONE, VERDICT_RETRY, VERDICT_SPLIT, VERDICT_DEAD_LETTER };
enum delivery_verdict uploader_verdict(long http_status, bool transport_error, size_t part_events);
