/* sink_local.h: destinations written synchronously: an NDJSON file for log shippers, RFC 5424 syslog. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "upstream/format.h"
#include "upstream/spool.h"

/* Appends events [from, to) to path, one per line, and fsyncs. 0 or -errno. */
int sink_file_write(const char *path, const struct spool_batch *b, size_t from, size_t to, char *err, size_t errlen);

/* A syslog connection: TCP with octet-counted framing (RFC 6587), or UDP. */
struct syslog_conn {
	int fd;
	bool udp;
};
void syslog_conn_init(struct syslog_conn *c, bool udp);
void syslog_conn_close(struct syslog_conn *c);
/* Sends events [from, to) to HOST:PORT, connecting when needed (timeout_ms for
 * connect and each send). On failure the connection is closed; 0 or -errno. */
int sink_syslog_send(struct syslog_conn *c, const char *address, unsigned timeout_ms, const struct format_host *h,
		     const struct spool_batch *b, size_t from, size_t to, char *err, size_t errlen);
