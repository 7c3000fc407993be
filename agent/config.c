/* config.c: dockward.conf, its defaults, and the table of keys it may hold. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ini_file.h"
#include "upstream/sink_config.h"

enum key_type { KEY_STRING, KEY_BOOL, KEY_DURATION, KEY_SIZE, KEY_LOG_LEVEL };

struct config_key {
	const char *section;
	const char *name;
	enum key_type type;
	size_t offset;
	const char *def;        /* default, in the same syntax as the file */
	uint64_t min, max;      /* for durations (ms) and sizes (bytes); 0,0 = unbounded */
};

#define K(sec, key, type, field, def, min, max) \
	{ sec, key, type, offsetof(struct config, field), def, min, max }

/* The one list of keys: defaults, validation and packaging/dockward.conf follow it. */
static const struct config_key config_keys[] = {
	K("agent", "log_level", KEY_LOG_LEVEL, log_level, "warning", 0, 0),
	K("agent", "state_dir", KEY_STRING, state_dir, "/var/lib/dockward", 0, 0),
	K("agent", "host_root", KEY_STRING, host_root, "", 0, 0),
	K("docker", "host", KEY_STRING, docker_host, DOCKER_DEFAULT_HOST, 0, 0),
	K("docker", "connect_timeout", KEY_DURATION, connect_timeout_ms, "5s", 100, 600000),
	K("docker", "request_timeout", KEY_DURATION, request_timeout_ms, "60s", 100, 3600000),
	K("docker", "max_response_size", KEY_SIZE, max_response_bytes, "64M", 4096, (uint64_t)1 << 32),
	K("docker", "tls_verify", KEY_BOOL, tls_verify, "true", 0, 0),
	K("docker", "tls_ca", KEY_STRING, tls_ca, "", 0, 0),
	K("docker", "tls_cert", KEY_STRING, tls_cert, "", 0, 0),
	K("docker", "tls_key", KEY_STRING, tls_key, "", 0, 0),
	K("docker", "api_version", KEY_STRING, api_version, "", 0, 0),
	/* [audit] keys go here */
	K("audit", "rules_dir", KEY_STRING, audit_rules_dir, DOCKWARD_DATADIR "/rules", 0, 0),
	K("audit", "benchmark", KEY_STRING, audit_benchmark, "", 0, 0),
	K("audit", "waivers", KEY_STRING, audit_waivers, "", 0, 0),
	K("audit", "fail_on", KEY_STRING, audit_fail_on, "low", 0, 0),
	K("audit", "trusted_users", KEY_STRING, audit_trusted_users, "root", 0, 0),
	K("audit", "scan_images", KEY_STRING, audit_scan_images, "scan", 0, 0),
	K("scan", "recent_days", KEY_SIZE, scan_recent_days, "30", 0, 36500),
	K("scan", "max_image_size", KEY_SIZE, scan_max_image_bytes, "16G", 1 << 20, (uint64_t)1 << 42),
	K("scan", "max_file_size", KEY_SIZE, scan_max_file_bytes, "1G", 4096, (uint64_t)1 << 40),
	K("scan", "max_files", KEY_SIZE, scan_max_files, "2000000", 1000, 100000000),
	K("scan", "work_dir", KEY_STRING, scan_work_dir, "", 0, 0),
	K("scan", "vulndb_dir", KEY_STRING, scan_vulndb_dir, "/var/lib/dockward/vulndb", 0, 0),
	K("scan", "cache_max_size", KEY_SIZE, scan_cache_max_bytes, "256M", 4096, (uint64_t)1 << 40),
	/* [scan] keys go here */
	K("runtime", "rules_dir", KEY_STRING, runtime_rules_dir, DOCKWARD_DATADIR "/rules/runtime", 0, 0),
	K("runtime", "ring_buffer", KEY_SIZE, runtime_ring_buffer, "1M", 65536, (uint64_t)1 << 30),
	/* [runtime] keys go here */
	/* [upstream] keys go here */
	K("audit", "interval", KEY_DURATION, audit_interval_ms, "1h", 1000, 604800000),
	K("upstream", "url", KEY_STRING, upstream_url, "", 0, 0),
	K("upstream", "ca_file", KEY_STRING, upstream_ca_file, "", 0, 0),
	K("upstream", "client_cert", KEY_STRING, upstream_client_cert, "", 0, 0),
	K("upstream", "client_key", KEY_STRING, upstream_client_key, "", 0, 0),
	K("upstream", "token_file", KEY_STRING, upstream_token_file, "", 0, 0),
	K("upstream", "tls_verify", KEY_BOOL, upstream_tls_verify, "true", 0, 0),
	K("upstream", "allow_insecure", KEY_BOOL, upstream_allow_insecure, "false", 0, 0),
	K("upstream", "gzip", KEY_BOOL, upstream_gzip, "true", 0, 0),
	K("upstream", "timeout", KEY_DURATION, upstream_timeout_ms, "30s", 100, 600000),
	K("upstream", "retry_min", KEY_DURATION, upstream_retry_min_ms, "1s", 10, 3600000),
	K("upstream", "retry_max", KEY_DURATION, upstream_retry_max_ms, "5m", 10, 86400000),
	K("upstream", "batch_events", KEY_SIZE, upstream_batch_events, "500", 1, 100000),
	K("upstream", "flush_interval", KEY_DURATION, upstream_flush_ms, "2s", 10, 3600000),
	K("upstream", "heartbeat_interval", KEY_DURATION, upstream_heartbeat_ms, "5m", 100, 86400000),
	K("upstream", "flush_timeout", KEY_DURATION, upstream_flush_timeout_ms, "10s", 0, 600000),
	K("upstream", "spool_dir", KEY_STRING, upstream_spool_dir, "/var/lib/dockward/spool", 0, 0),
	K("upstream", "spool_max_size", KEY_SIZE, upstream_spool_max_bytes, "256M", 4096, (uint64_t)1 << 40),
	K("upstream", "user", KEY_STRING, upstream_user, "dockward", 0, 0),
	K("upstream", "enroll_url", KEY_STRING, upstream_enroll_url, "", 0, 0),
	K("upstream", "enroll_secret_file", KEY_STRING, upstream_enroll_secret_file, "", 0, 0),
	K("upstream", "node_key_file", KEY_STRING, upstream_node_key_file, "/var/lib/dockward/spool/node_key", 0, 0),
};

#define N_KEYS (sizeof(config_keys) / sizeof(config_keys[0]))

int parse_bool(const char *s, bool *out)
{
	static const char *yes[] = { "1", "yes", "true", "on" };
	static const char *no[] = { "0", "no", "false", "off" };
	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

/* A whole number followed by a unit from table; multiplies with overflow check. */
static int parse_scaled(const char *s, const char *const *units, const uint64_t *mult, size_t n_units,
			uint64_t bare_mult, uint64_t *out)
{
	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno)
		return errno == ERANGE ? -ERANGE : -EINVAL;
	uint64_t m = 0;
	if (*end == '\0') {
		m = bare_mult;
	} else {
		for (size_t i = 0; i < n_units; i++)
			if (strcmp(end, units[i]) == 0)
				m = mult[i];
	}
	if (!m)
		return -EINVAL;
	if (v > UINT64_MAX / m)
		return -ERANGE;
	*out = (uint64_t)v * m;
	return 0;
}

int parse_duration_ms(const char *s, uint64_t *out)
{
	static const char *const units[] = { "ms", "s", "m", "h", "d" };
	static const uint64_t mult[] = { 1, 1000, 60000, 3600000, 86400000 };
	return parse_scaled(s, units, mult, 5, 1000, out);
}

int parse_size(const char *s, uint64_t *out)
{
	static const char *const units[] = { "K", "M", "G", "KiB", "MiB", "GiB" };
	static const uint64_t mult[] = { 1ULL << 10, 1ULL << 20, 1ULL << 30, 1ULL << 10, 1ULL << 20, 1ULL << 30 };
	return parse_scaled(s, units, mult, 6, 1, out);
}

static int parse_log_level(const char *s, int *out)
{
	static const char *names[] = { "error", "warning", "info", "debug" };
	for (int i = 0; i < 4; i++)
		if (strcasecmp(s, names[i]) == 0) {
			*out = i;
			return 0;
		}
	return -EINVAL;
}

static int key_set(struct config *cfg, const struct config_key *k, const char *value, char *err, size_t errlen)
{
	void *field = (char *)cfg + k->offset;
	uint64_t u;
	int r;
	switch (k->type) {
	case KEY_STRING: {
		char *dup = strdup(value);
		if (!dup)
			return -ENOMEM;
		free(*(char **)field);
		*(char **)field = dup;
		return 0;
	}
	case KEY_BOOL:
		if (parse_bool(value, field) < 0) {
			snprintf(err, errlen, "%s.%s: expected true or false, got \"%s\"", k->section, k->name, value);
			return -EINVAL;
		}
		return 0;
	case KEY_LOG_LEVEL:
		if (parse_log_level(value, field) < 0) {
			snprintf(err, errlen, "%s.%s: expected error, warning, info or debug, got \"%s\"",
				 k->section, k->name, value);
			return -EINVAL;
		}
		return 0;
	case KEY_DURATION:
	case KEY_SIZE:
		r = k->type == KEY_DURATION ? parse_duration_ms(value, &u) : parse_size(value, &u);
		if (r < 0 && r != -ERANGE) {
			snprintf(err, errlen, "%s.%s: expected %s, got \"%s\"", k->section, k->name,
				 k->type == KEY_DURATION ? "a duration such as 30s, 500ms, 5m or 1h"
							 : "a size such as 4096, 64K or 10M",
				 value);
			return -EINVAL;
		}
		if (r == -ERANGE || ((k->min || k->max) && (u < k->min || u > k->max))) {
			snprintf(err, errlen, "%s.%s: \"%s\" is out of range", k->section, k->name, value);
			return -ERANGE;
		}
		*(uint64_t *)field = u;
		return 0;
	}
	return -EINVAL;
}

static int config_handler(void *user, const char *section, const char *name, const char *value,
			  unsigned line, char *err, size_t errlen)
{
	struct config *cfg = user;
	bool known_section = false;
	if (strncmp(section, "sink.", 5) == 0)
		return sink_config_set(&cfg->sinks, &cfg->n_sinks, section + 5, name, value, err, errlen);
	for (size_t i = 0; i < N_KEYS; i++) {
		const struct config_key *k = &config_keys[i];
		if (strcmp(k->section, section) != 0)
			continue;
		known_section = true;
		if (strcmp(k->name, name) == 0)
			return key_set(cfg, k, value, err, errlen);
	}
	if (!section[0])
		snprintf(err, errlen, "key \"%s\" outside of any [section]", name);
	else if (!known_section)
		snprintf(err, errlen, "unknown section [%s]", section);
	else
		snprintf(err, errlen, "unknown key \"%s\" in [%s]", name, section);
	return -EINVAL;
}

int config_defaults(struct config *cfg)
{
	char err[256];
	memset(cfg, 0, sizeof(*cfg));
	cfg->source = strdup("");
	if (!cfg->source)
		return -ENOMEM;
	for (size_t i = 0; i < N_KEYS; i++) {
		int r = key_set(cfg, &config_keys[i], config_keys[i].def, err, sizeof(err));
		if (r < 0)
			return r;
	}
	return 0;
}

int config_load_text(struct config *cfg, const char *origin, const char *text, size_t len,
		     char *err, size_t errlen)
{
	int r = ini_file_parse_text(origin, text, len, config_handler, cfg, err, errlen);
	if (r < 0)
		return r;
	char *src = strdup(origin);
	if (!src)
		return -ENOMEM;
	free(cfg->source);
	cfg->source = src;
	return 0;
}

int config_load(struct config *cfg, const char *path, bool explicit_path, char *err, size_t errlen)
{
	char *text;
	size_t len;
	int r = read_file_capped(path, INI_FILE_MAX_BYTES, &text, &len);
	if (r == -ENOENT && !explicit_path)
		return 0;
	if (r < 0) {
		snprintf(err, errlen, "%s: %s", path, r == -EFBIG ? "file too large" : strerror(-r));
		return r;
	}
	r = config_load_text(cfg, path, text, len, err, errlen);
	free(text);
	return r;
}

void config_free(struct config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < N_KEYS; i++)
		if (config_keys[i].type == KEY_STRING) {
			char **p = (char **)((char *)cfg + config_keys[i].offset);
			free(*p);
			*p = NULL;
		}
	free(cfg->source);
	cfg->source = NULL;
	sink_configs_free(cfg->sinks, cfg->n_sinks);
	cfg->sinks = NULL;
	cfg->n_sinks = 0;
}
