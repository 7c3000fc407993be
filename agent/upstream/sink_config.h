/* sink_config.h: the [sink.NAME] sections of dockward.conf: secondary destinations for the same events. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

enum sink_type { SINK_COLLECTOR, SINK_OTLP, SINK_HEC, SINK_FILE, SINK_SYSLOG };

struct sink_config {
	char *name;
	enum sink_type type;
	bool type_set;
	char *url;              /* collector, otlp (…/v1/logs), hec (…/services/collector/event) */
	char *token_file;       /* bearer (collector, otlp) or HEC token; must be readable by root only */
	char *ca_file, *client_cert, *client_key;
	bool tls_verify;
	bool allow_insecure;    /* required to run with tls_verify = false */
	bool gzip;
	char *path;             /* file */
	char *address;          /* syslog: HOST:PORT */
	bool udp;               /* syslog: protocol = udp (default tcp, octet-counted) */
	char *hec_index, *hec_sourcetype;
	/* enrolment (the primary collector only): POST {"secret"} to enroll_url,
	 * keep the node key it answers in node_key_file and send it as the bearer */
	char *enroll_url, *enroll_secret_file, *node_key_file;
};

#define SINK_MAX 16

/* name=value of [sink.NAME]; creates the sink on its first key. */
int sink_config_set(struct sink_config **sinks, size_t *n, const char *name, const char *key, const char *value,
		    char *err, size_t errlen);
/* Checks what one key alone cannot (type present, url or path given). */
int sink_config_validate(const struct sink_config *s, char *err, size_t errlen);
void sink_configs_free(struct sink_config *sinks, size_t n);
const char *sink_type_name(enum sink_type t);
