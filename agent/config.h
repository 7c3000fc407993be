/* config.h: dockward.conf, its defaults, and the table of keys it may hold. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sink_config;

#define CONFIG_DEFAULT_PATH DOCKWARD_SYSCONFDIR "/dockward/dockward.conf"
#define DOCKER_DEFAULT_HOST "unix:///var/run/docker.sock"

enum log_level { LOG_LEVEL_ERROR, LOG_LEVEL_WARNING, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

struct config {
	/* [agent] */
	int log_level;                  /* enum log_level */
	char *state_dir;
	char *host_root;                /* prefix for every host file read; "" = / */
	/* [docker] */
	char *docker_host;
	uint64_t connect_timeout_ms;
	uint64_t request_timeout_ms;
	uint64_t max_response_bytes;
	bool tls_verify;
	char *tls_ca;
	char *tls_cert;
	char *tls_key;
	char *api_version;              /* "" = negotiate */
	/* [audit] fields go here */
	char *audit_rules_dir;          /* [audit] rules_dir: the rule set (*.ini) */
	char *audit_benchmark;          /* [audit] benchmark: "" = the rule set's default */
	char *audit_waivers;            /* [audit] waivers: waivers file, "" = none */
	char *audit_fail_on;            /* [audit] fail_on: low|medium|high|critical */
	char *audit_trusted_users;      /* [audit] trusted_users: who may be in the docker group */
	char *audit_scan_images;        /* [audit] scan_images: off|cached|scan (rules 4.3, 4.4, 4.8) */
	uint64_t scan_recent_days;      /* also scan images created/pulled within this many days */
	uint64_t scan_max_image_bytes;  /* an exported or unpacked image */
	uint64_t scan_max_file_bytes;   /* one file of an unpacked image */
	uint64_t scan_max_files;        /* entries walked per image */
	char *scan_work_dir;            /* unpacking exported images; "" = $TMPDIR or /var/tmp */
	char *scan_vulndb_dir;          /* the compiled vulnerability database (`dockward db import`) */
	uint64_t scan_cache_max_bytes;  /* STATE_DIR/cache past which least recently used entries go */
	/* [scan] fields go here */
	char *runtime_rules_dir;        /* [runtime] rules_dir: detection rules of `watch` (*.ini) */
	uint64_t runtime_ring_buffer;   /* [runtime] ring_buffer: kernel-to-agent buffer, a power of two */
	/* [runtime] fields go here */
	/* [upstream] fields go here */
	uint64_t audit_interval_ms;     /* [audit] interval: the daemon's full audit */
	char *upstream_url;             /* "" = no central collector */
	char *upstream_ca_file, *upstream_client_cert, *upstream_client_key, *upstream_token_file;
	bool upstream_tls_verify, upstream_allow_insecure, upstream_gzip;
	uint64_t upstream_timeout_ms, upstream_retry_min_ms, upstream_retry_max_ms;
	uint64_t upstream_batch_events, upstream_flush_ms, upstream_heartbeat_ms, upstream_flush_timeout_ms;
	char *upstream_spool_dir;
	uint64_t upstream_spool_max_bytes;
	char *upstream_user;            /* the uploader process runs as this user when it exists */
	char *upstream_enroll_url;      /* "" = no enrolment; else POST the secret, get a node key */
	char *upstream_enroll_secret_file, *upstream_node_key_file;
	struct sink_config *sinks;      /* [sink.NAME] sections */
	size_t n_sinks;

	char *source;                   /* file the values came from, "" for built-ins */
};

/* Fills cfg with the documented defaults. */
int config_defaults(struct config *cfg);
/* Loads path over the defaults. explicit_path=false tolerates a missing file.
 * Returns 0, -ENOENT (missing explicit file) or -EINVAL etc. with a message
 * naming FILE:LINE and the key in err. */
int config_load(struct config *cfg, const char *path, bool explicit_path, char *err, size_t errlen);
int config_load_text(struct config *cfg, const char *origin, const char *text, size_t len,
		     char *err, size_t errlen);
void config_free(struct config *cfg);

/* Parsers shared with other INI readers (rules, waivers). Return 0 or -EINVAL. */
int parse_bool(const char *s, bool *out);
int parse_duration_ms(const char *s, uint64_t *out);  /* "30s", "500ms", "2m", "1h", "1d", bare = seconds */
int parse_size(const char *s, uint64_t *out);         /* "512", "64K", "10M", "1G" */
