/* sink_config.c: the [sink.NAME] sections of dockward.conf: secondary destinations for the same events. */
#include "upstream/sink_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

static const char *const type_names[] = { "collector", "otlp", "hec", "file", "syslog" };

const char *sink_type_name(enum sink_type t)
{
	return (unsigned)t < 5 ? type_names[t] : "unknown";
}

static void sink_free(struct sink_config *s)
{
	free(s->name);
	free(s->url);
	free(s->token_file);
	free(s->ca_file);
	free(s->client_cert);
	free(s->client_key);
	free(s->path);
	free(s->address);
	free(s->hec_index);
	free(s->hec_sourcetype);
	free(s->enroll_url);
	free(s->enroll_secret_file);
	free(s->node_key_file);
}

void sink_configs_free(struct sink_config *sinks, size_t n)
{
	for (size_t i = 0; sinks && i < n; i++)
		sink_free(&sinks[i]);
	free(sinks);
}

static bool valid_name(const char *name)
{
	size_t n = strlen(name);
	if (!n || n > 32)
		return false;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' ||
		      *p == '-'))
			return false;
	/* "upstream" is the primary collector's cursor */
	return strcmp(name, "upstream") != 0;
}

static struct sink_config *find_or_add(struct sink_config **sinks, size_t *n, const char *name, char *err,
				       size_t errlen)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*sinks)[i].name, name) == 0)
			return &(*sinks)[i];
	if (!valid_name(name)) {
		snprintf(err, errlen, "[sink.%s]: a sink name is 1-32 letters, digits, '-' or '_' (not \"upstream\")",
			 name);
		return NULL;
	}
	if (*n >= SINK_MAX) {
		snprintf(err, errlen, "[sink.%s]: at most %d sinks", name, SINK_MAX);
		return NULL;
	}
	struct sink_config *p = realloc(*sinks, (*n + 1) * sizeof(*p));
	if (!p)
		return NULL;
	*sinks = p;
	struct sink_config *s = &p[*n];
	memset(s, 0, sizeof(*s));
	s->name = strdup(name);
	if (!s->name)
		return NULL;
	s->tls_verify = true;
	s->gzip = true;
	(*n)++;
	return s;
}

static int set_str(char **field, const char *value)
{
	char *d = strdup(value);
	if (!d)
		return -ENOMEM;
	free(*field);
	*field = d;
	return 0;
}

int sink_config_set(struct sink_config **sinks, size_t *n, const char *name, const char *key, const char *value,
		    char *err, size_t errlen)
{
	struct sink_config *s = find_or_add(sinks, n, name, err, errlen);
	if (!s)
		return err[0] ? -EINVAL : -ENOMEM;
	bool *flag = NULL;
	if (strcmp(key, "type") == 0) {
		for (int t = SINK_OTLP; t <= SINK_SYSLOG; t++)
			if (strcmp(value, type_names[t]) == 0) {
				s->type = (enum sink_type)t;
				s->type_set = true;
				return 0;
			}
		snprintf(err, errlen, "sink.%s.type: expected otlp, hec, file or syslog, got \"%s\"", name, value);
		return -EINVAL;
	}
	if (strcmp(key, "protocol") == 0) {
		if (strcmp(value, "tcp") != 0 && strcmp(value, "udp") != 0) {
			snprintf(err, errlen, "sink.%s.protocol: expected tcp or udp, got \"%s\"", name, value);
			return -EINVAL;
		}
		s->udp = strcmp(value, "udp") == 0;
		return 0;
	}
	if (strcmp(key, "tls_verify") == 0)
		flag = &s->tls_verify;
	else if (strcmp(key, "allow_insecure") == 0)
		flag = &s->allow_insecure;
	else if (strcmp(key, "gzip") == 0)
		flag = &s->gzip;
	if (flag) {
		if (parse_bool(value, flag) < 0) {
			snprintf(err, errlen, "sink.%s.%s: expected true or false, got \"%s\"", name, key, value);
			return -EINVAL;
		}
		return 0;
	}
	static const struct {
		const char *key;
		size_t off;
	} strs[] = {
		{ "url", offsetof(struct sink_config, url) },
		{ "token_file", offsetof(struct sink_config, token_file) },
		{ "ca_file", offsetof(struct sink_config, ca_file) },
		{ "client_cert", offsetof(struct sink_config, client_cert) },
		{ "client_key", offsetof(struct sink_config, client_key) },
		{ "path", offsetof(struct sink_config, path) },
		{ "address", offsetof(struct sink_config, address) },
		{ "index", offsetof(struct sink_config, hec_index) },
		{ "sourcetype", offsetof(struct sink_config, hec_sourcetype) },
	};
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (strcmp(key, strs[i].key) == 0)
			return set_str((char **)((char *)s + strs[i].off), value);
	snprintf(err, errlen, "unknown key \"%s\" in [sink.%s]", key, name);
	return -EINVAL;
}

int sink_config_validate(const struct sink_config *s, char *err, size_t errlen)
{
	/* the primary collector ("upstream") is typed by its section, not by a key */
	if (!s->type_set && strcmp(s->name, "upstream") != 0) {
		snprintf(err, errlen, "[sink.%s] has no type (otlp, hec, file or syslog)", s->name);
		return -EINVAL;
	}
	bool http = s->type == SINK_COLLECTOR || s->type == SINK_OTLP || s->type == SINK_HEC;
	if (http && (!s->url || strncmp(s->url, "https://", 8) != 0) &&
	    !(s->url && strncmp(s->url, "http://", 7) == 0 && s->allow_insecure)) {
		snprintf(err, errlen, "[sink.%s] needs url = https://... (http:// only with allow_insecure = true)",
			 s->name);
		return -EINVAL;
	}
	if (http && !s->tls_verify && !s->allow_insecure) {
		snprintf(err, errlen, "[sink.%s]: tls_verify = false needs allow_insecure = true", s->name);
		return -EINVAL;
	}
	if (s->type == SINK_HEC && !s->token_file) {
		snprintf(err, errlen, "[sink.%s]: Splunk HEC needs token_file", s->name);
		return -EINVAL;
	}
	if (s->type == SINK_FILE && (!s->path || s->path[0] != '/')) {
		snprintf(err, errlen, "[sink.%s] needs path = an absolute file name", s->name);
		return -EINVAL;
	}
	if (s->type == SINK_SYSLOG && (!s->address || !strchr(s->address, ':'))) {
		snprintf(err, errlen, "[sink.%s] needs address = HOST:PORT", s->name);
		return -EINVAL;
	}
	if (s->enroll_url && (strncmp(s->enroll_url, "https://", 8) != 0 || !s->enroll_secret_file ||
			      !s->node_key_file)) {
		snprintf(err, errlen, "[upstream]: enroll_url = https://... needs enroll_secret_file");
		return -EINVAL;
	}
	if (!!s->client_cert != !!s->client_key) {
		snprintf(err, errlen, "[sink.%s]: client_cert and client_key go together", s->name);
		return -EINVAL;
	}
	return 0;
}
