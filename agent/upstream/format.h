/* format.h: a batch's events as each destination wants them: JSON array, OTLP/HTTP JSON logs, Splunk HEC, RFC 5424. */
#pragma once
#include <stddef.h>

#include "buf.h"
#include "upstream/spool.h"

struct format_host {
	const char *host_name;
	const char *host_id;
};

/* [e1,e2,...] for the central collector */
int format_collector(const struct spool_batch *b, size_t from, size_t to, struct buf *out);
/* One ExportLogsServiceRequest (OTLP/HTTP JSON, /v1/logs): every event a log
 * record whose body is the OCSF event as a string. */
int format_otlp(const struct format_host *h, const struct spool_batch *b, size_t from, size_t to, struct buf *out);
/* Splunk HEC /services/collector/event: concatenated {"time","host","source","sourcetype","event"} objects. */
int format_hec(const struct format_host *h, const char *index, const char *sourcetype, const struct spool_batch *b,
	       size_t from, size_t to, struct buf *out);
/* One RFC 5424 message (no framing) for one event. */
int format_syslog(const struct format_host *h, const struct spool_event *e, struct buf *out);
/* gzip (RFC 1952) of in; 0 or -ENOMEM/-EFBIG (the cap of out). */
int gzip_buf(const char *in, size_t len, struct buf *out);
