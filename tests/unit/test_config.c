/* test_config.c: dockward.conf: defaults, every key of the table, value syntax and the FILE:LINE error messages. */
#include "unit.h"

#include <errno.h>
#include <unistd.h>

#include "config.h"

struct fx {
	struct config cfg;
	char err[512];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	assert_int_equal(config_defaults(&f->cfg), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	config_free(&f->cfg);
	free(f);
	return 0;
}

static int load(struct fx *f, const char *text)
{
	f->err[0] = '\0';
	return config_load_text(&f->cfg, "t.conf", text, strlen(text), f->err, sizeof(f->err));
}

/* Loads text that must fail with rc and exactly the message msg (the INI
 * reader reports every rejected value as -EINVAL, out of range included). */
static void load_fails(struct fx *f, const char *text, int rc, const char *msg)
{
	assert_int_equal(load(f, text), rc);
	assert_string_equal(f->err, msg);
}

/* Every field of the table compared with what a test expects. */
static void assert_config(const struct config *c, const struct config *want)
{
	assert_int_equal(c->log_level, want->log_level);
	assert_string_equal(c->state_dir, want->state_dir);
	assert_string_equal(c->host_root, want->host_root);
	assert_string_equal(c->docker_host, want->docker_host);
	assert_int_equal(c->connect_timeout_ms, want->connect_timeout_ms);
	assert_int_equal(c->request_timeout_ms, want->request_timeout_ms);
	assert_int_equal(c->max_response_bytes, want->max_response_bytes);
	assert_int_equal(c->tls_verify, want->tls_verify);
	assert_string_equal(c->tls_ca, want->tls_ca);
	assert_string_equal(c->tls_cert, want->tls_cert);
	assert_string_equal(c->tls_key, want->tls_key);
	assert_string_equal(c->api_version, want->api_version);
	assert_string_equal(c->source, want->source);
}

/* Sets one key alone in its section (on line 2). */
static int set_key(struct fx *f, const char *section, const char *key, const char *value)
{
	char text[256];
	snprintf(text, sizeof(text), "[%s]\n%s = %s\n", section, key, value);
	return load(f, text);
}

/* One key alone must be refused with "t.conf:2: SECTION.KEY: " and then reason. */
static void key_fails(struct fx *f, const char *section, const char *key, const char *value, const char *reason)
{
	char msg[512];
	assert_int_equal(set_key(f, section, key, value), -EINVAL);
	snprintf(msg, sizeof(msg), "t.conf:2: %s.%s: %s", section, key, reason);
	assert_string_equal(f->err, msg);
}

static void test_defaults(void **state)
{
	const struct config want = {
		.log_level = LOG_LEVEL_WARNING, .state_dir = "/var/lib/dockward", .host_root = "",
		.docker_host = "unix:///var/run/docker.sock", .connect_timeout_ms = 5000,
		.request_timeout_ms = 60000, .max_response_bytes = 64ULL << 20, .tls_verify = true,
		.tls_ca = "", .tls_cert = "", .tls_key = "", .api_version = "", .source = "",
	};
	assert_config(&((struct fx *)*state)->cfg, &want);
}

static void test_every_key(void **state)
{
	struct fx *f = *state;
	assert_int_equal(load(f, "# every key once\n"
				 "[agent]\n"
				 "log_level = debug\n"
				 "state_dir = /srv/dw\n"
				 "host_root = /host\n"
				 "[docker]\n"
				 "host = tcp://10.0.0.1:2376\n"
				 "connect_timeout = 250ms\n"
				 "request_timeout = 2m\n"
				 "max_response_size = 10M\n"
				 "tls_verify = no\n"
				 "tls_ca = /etc/dw/ca.pem\n"
				 "tls_cert = /etc/dw/cert.pem\n"
				 "tls_key = /etc/dw/key.pem\n"
				 "api_version = 1.41\n"),
			 0);
	const struct config want = {
		.log_level = LOG_LEVEL_DEBUG, .state_dir = "/srv/dw", .host_root = "/host",
		.docker_host = "tcp://10.0.0.1:2376", .connect_timeout_ms = 250,
		.request_timeout_ms = 120000, .max_response_bytes = 10ULL << 20, .tls_verify = false,
		.tls_ca = "/etc/dw/ca.pem", .tls_cert = "/etc/dw/cert.pem", .tls_key = "/etc/dw/key.pem",
		.api_version = "1.41", .source = "t.conf",
	};
	assert_config(&f->cfg, &want);
}

/* The whole key table, one row per key: its default, a good value, and the
 * values just past its bounds ("" = unbounded on that side). */
enum kind { STR, BOOL, DUR, SIZE };
struct key_row {
	const char *section, *key;
	enum kind kind;
	size_t off;
	const char *def;        /* STR: the text; BOOL: "1"/"0"; DUR/SIZE: the number */
	const char *good;       /* what the test writes */
	const char *good_is;    /* and reads back, as def */
	const char *too_low, *too_high;
};
#define ROW(sec, key, kind, field, def, good, good_is, lo, hi) \
	{ sec, key, kind, offsetof(struct config, field), def, good, good_is, lo, hi }
static const struct key_row key_rows[] = {
	ROW("agent", "state_dir", STR, state_dir, "/var/lib/dockward", "/srv/dw", "/srv/dw", "", ""),
	ROW("agent", "host_root", STR, host_root, "", "/host", "/host", "", ""),
	ROW("docker", "host", STR, docker_host, "unix:///var/run/docker.sock", "tcp://h:2375", "tcp://h:2375", "", ""),
	ROW("docker", "connect_timeout", DUR, connect_timeout_ms, "5000", "250ms", "250", "99ms", "601s"),
	ROW("docker", "request_timeout", DUR, request_timeout_ms, "60000", "2m", "120000", "99ms", "61m"),
	ROW("docker", "max_response_size", SIZE, max_response_bytes, "67108864", "10M", "10485760", "4095", "4097M"),
	ROW("docker", "tls_verify", BOOL, tls_verify, "1", "no", "0", "", ""),
	ROW("docker", "tls_ca", STR, tls_ca, "", "/ca.pem", "/ca.pem", "", ""),
	ROW("docker", "tls_cert", STR, tls_cert, "", "/cert.pem", "/cert.pem", "", ""),
	ROW("docker", "tls_key", STR, tls_key, "", "/key.pem", "/key.pem", "", ""),
	ROW("docker", "api_version", STR, api_version, "", "1.41", "1.41", "", ""),
	ROW("audit", "rules_dir", STR, audit_rules_dir, DOCKWARD_DATADIR "/rules", "/r", "/r", "", ""),
	ROW("audit", "benchmark", STR, audit_benchmark, "", "1.6.0", "1.6.0", "", ""),
	ROW("audit", "waivers", STR, audit_waivers, "", "/w.ini", "/w.ini", "", ""),
	ROW("audit", "fail_on", STR, audit_fail_on, "low", "high", "high", "", ""),
	ROW("audit", "trusted_users", STR, audit_trusted_users, "root", "root,ops", "root,ops", "", ""),
	ROW("audit", "interval", DUR, audit_interval_ms, "3600000", "1d", "86400000", "999ms", "8d"),
	ROW("scan", "recent_days", SIZE, scan_recent_days, "30", "7", "7", "", "36501"),
	ROW("scan", "max_image_size", SIZE, scan_max_image_bytes, "17179869184", "1M", "1048576", "1048575", "4097G"),
	ROW("scan", "max_file_size", SIZE, scan_max_file_bytes, "1073741824", "4K", "4096", "4095", "1025G"),
	ROW("scan", "max_files", SIZE, scan_max_files, "2000000", "1000", "1000", "999", "100000001"),
	ROW("scan", "work_dir", STR, scan_work_dir, "", "/work", "/work", "", ""),
	ROW("scan", "vulndb_dir", STR, scan_vulndb_dir, "/var/lib/dockward/vulndb", "/db", "/db", "", ""),
	ROW("runtime", "rules_dir", STR, runtime_rules_dir, DOCKWARD_DATADIR "/rules/runtime", "/rr", "/rr", "", ""),
	ROW("runtime", "ring_buffer", SIZE, runtime_ring_buffer, "1048576", "64K", "65536", "65535", "1025M"),
	ROW("upstream", "url", STR, upstream_url, "", "https://c/x", "https://c/x", "", ""),
	ROW("upstream", "ca_file", STR, upstream_ca_file, "", "/ca", "/ca", "", ""),
	ROW("upstream", "client_cert", STR, upstream_client_cert, "", "/cc", "/cc", "", ""),
	ROW("upstream", "client_key", STR, upstream_client_key, "", "/ck", "/ck", "", ""),
	ROW("upstream", "token_file", STR, upstream_token_file, "", "/t", "/t", "", ""),
	ROW("upstream", "tls_verify", BOOL, upstream_tls_verify, "1", "off", "0", "", ""),
	ROW("upstream", "allow_insecure", BOOL, upstream_allow_insecure, "0", "yes", "1", "", ""),
	ROW("upstream", "gzip", BOOL, upstream_gzip, "1", "false", "0", "", ""),
	ROW("upstream", "timeout", DUR, upstream_timeout_ms, "30000", "100ms", "100", "99ms", "11m"),
	ROW("upstream", "retry_min", DUR, upstream_retry_min_ms, "1000", "10ms", "10", "9ms", "61m"),
	ROW("upstream", "retry_max", DUR, upstream_retry_max_ms, "300000", "1d", "86400000", "9ms", "25h"),
	ROW("upstream", "batch_events", SIZE, upstream_batch_events, "500", "1", "1", "0", "100001"),
	ROW("upstream", "flush_interval", DUR, upstream_flush_ms, "2000", "1h", "3600000", "9ms", "61m"),
	ROW("upstream", "heartbeat_interval", DUR, upstream_heartbeat_ms, "300000", "100ms", "100", "99ms", "25h"),
	ROW("upstream", "flush_timeout", DUR, upstream_flush_timeout_ms, "10000", "0", "0", "", "601s"),
	ROW("upstream", "spool_dir", STR, upstream_spool_dir, "/var/lib/dockward/spool", "/sp", "/sp", "", ""),
	ROW("upstream", "spool_max_size", SIZE, upstream_spool_max_bytes, "268435456", "4K", "4096", "4095", "1025G"),
	ROW("upstream", "user", STR, upstream_user, "dockward", "nobody", "nobody", "", ""),
};

static void assert_key_is(const struct config *c, const struct key_row *k, const char *want)
{
	const char *field = (const char *)c + k->off;
	char got[64];
	switch (k->kind) {
	case STR:
		assert_string_equal(*(char *const *)field, want);
		return;
	case BOOL:
		snprintf(got, sizeof(got), "%d", *(const bool *)field);
		break;
	case DUR:
	case SIZE:
		snprintf(got, sizeof(got), "%llu", (unsigned long long)*(const uint64_t *)field);
		break;
	}
	assert_string_equal(got, want);
}

static void test_key_table(void **state)
{
	struct fx *f = *state;
	static const char *const syntax[] = {
		[BOOL] = "expected true or false, got \"x1\"",
		[DUR] = "expected a duration such as 30s, 500ms, 5m or 1h, got \"x1\"",
		[SIZE] = "expected a size such as 4096, 64K or 10M, got \"x1\"",
	};
	for (size_t i = 0; i < sizeof(key_rows) / sizeof(key_rows[0]); i++) {
		const struct key_row *k = &key_rows[i];
		struct config fresh;
		assert_int_equal(config_defaults(&fresh), 0);
		assert_key_is(&fresh, k, k->def);
		config_free(&fresh);
		assert_int_equal(set_key(f, k->section, k->key, k->good), 0);
		assert_key_is(&f->cfg, k, k->good_is);
		char reason[256];
		if (k->too_low[0]) {
			snprintf(reason, sizeof(reason), "\"%s\" is out of range", k->too_low);
			key_fails(f, k->section, k->key, k->too_low, reason);
		}
		if (k->too_high[0]) {
			snprintf(reason, sizeof(reason), "\"%s\" is out of range", k->too_high);
			key_fails(f, k->section, k->key, k->too_high, reason);
		}
		if (k->kind != STR)
			key_fails(f, k->section, k->key, "x1", syntax[k->kind]);
		/* a refused value leaves the good one */
		assert_key_is(&f->cfg, k, k->good_is);
	}
}

static void test_log_levels(void **state)
{
	struct fx *f = *state;
	static const struct { const char *v; int level; } ok[] = {
		{ "error", LOG_LEVEL_ERROR }, { "warning", LOG_LEVEL_WARNING },
		{ "INFO", LOG_LEVEL_INFO }, { "Debug", LOG_LEVEL_DEBUG },
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(set_key(f, "agent", "log_level", ok[i].v), 0);
		assert_int_equal(f->cfg.log_level, ok[i].level);
	}
	key_fails(f, "agent", "log_level", "verbose", "expected error, warning, info or debug, got \"verbose\"");
	key_fails(f, "agent", "log_level", "warn", "expected error, warning, info or debug, got \"warn\"");
}

static void test_booleans(void **state)
{
	struct fx *f = *state;
	static const char *yes[] = { "1", "yes", "true", "on", "TRUE", "Yes", "ON" };
	static const char *no[] = { "0", "no", "false", "off", "FALSE", "No", "Off" };
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		assert_int_equal(set_key(f, "docker", "tls_verify", no[i]), 0);
		assert_false(f->cfg.tls_verify);
		assert_int_equal(set_key(f, "docker", "tls_verify", yes[i]), 0);
		assert_true(f->cfg.tls_verify);
	}
	key_fails(f, "docker", "tls_verify", "2", "expected true or false, got \"2\"");
	load_fails(f, "[docker]\n\ntls_verify =\n", -EINVAL,
		   "t.conf:3: docker.tls_verify: expected true or false, got \"\"");
	key_fails(f, "docker", "tls_verify", "truee", "expected true or false, got \"truee\"");
	/* a failed value leaves the previous one */
	assert_true(f->cfg.tls_verify);
}

static void test_durations(void **state)
{
	struct fx *f = *state;
	static const struct { const char *v; uint64_t ms; } ok[] = {
		{ "100ms", 100 }, { "1s", 1000 }, { "30", 30000 }, { "2m", 120000 },
		{ "10m", 600000 }, { "600000ms", 600000 },
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(set_key(f, "docker", "connect_timeout", ok[i].v), 0);
		assert_int_equal(f->cfg.connect_timeout_ms, ok[i].ms);
	}
	assert_int_equal(load(f, "[docker]\nrequest_timeout = 1h\n"), 0);
	assert_int_equal(f->cfg.request_timeout_ms, 3600000);
	/* the bounds: connect_timeout 100ms..10m, request_timeout 100ms..1h */
	key_fails(f, "docker", "connect_timeout", "99ms", "\"99ms\" is out of range");
	key_fails(f, "docker", "connect_timeout", "601s", "\"601s\" is out of range");
	key_fails(f, "docker", "connect_timeout", "0", "\"0\" is out of range");
	key_fails(f, "docker", "request_timeout", "1d", "\"1d\" is out of range");
	key_fails(f, "docker", "request_timeout", "3600001ms", "\"3600001ms\" is out of range");
	/* numbers past 64 bits are out of range too, not a syntax error */
	key_fails(f, "docker", "request_timeout", "99999999999999999999", "\"99999999999999999999\" is out of range");
	key_fails(f, "docker", "request_timeout", "18446744073709551615d", "\"18446744073709551615d\" is out of range");
	static const char *bad[] = { "5 s", "5sec", "-5s", "1.5s", "s", "", "5S", "+5s", " 5s5" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char reason[256];
		/* inih strips the spaces around a value */
		const char *shown = bad[i][0] == ' ' ? bad[i] + 1 : bad[i];
		snprintf(reason, sizeof(reason), "expected a duration such as 30s, 500ms, 5m or 1h, got \"%s\"", shown);
		key_fails(f, "docker", "connect_timeout", bad[i], reason);
	}
	assert_int_equal(f->cfg.connect_timeout_ms, 600000);
}

#define SIZE_SYNTAX "expected a size such as 4096, 64K or 10M, got "

static void test_sizes(void **state)
{
	struct fx *f = *state;
	static const struct { const char *v; uint64_t bytes; } ok[] = {
		{ "4096", 4096 }, { "4K", 4096 }, { "64K", 65536 }, { "64KiB", 65536 },
		{ "10M", 10 << 20 }, { "10MiB", 10 << 20 }, { "1G", 1ULL << 30 }, { "4GiB", 1ULL << 32 },
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(set_key(f, "docker", "max_response_size", ok[i].v), 0);
		assert_int_equal(f->cfg.max_response_bytes, ok[i].bytes);
	}
	key_fails(f, "docker", "max_response_size", "4095", "\"4095\" is out of range");
	key_fails(f, "docker", "max_response_size", "3K", "\"3K\" is out of range");
	key_fails(f, "docker", "max_response_size", "4097M", "\"4097M\" is out of range");
	key_fails(f, "docker", "max_response_size", "17179869184G", "\"17179869184G\" is out of range");
	key_fails(f, "docker", "max_response_size", "10MB", SIZE_SYNTAX "\"10MB\"");
	key_fails(f, "docker", "max_response_size", "lots", SIZE_SYNTAX "\"lots\"");
	assert_int_equal(f->cfg.max_response_bytes, 1ULL << 32);
}

static void test_shared_parsers(void **state)
{
	(void)state;
	uint64_t u = 7;
	bool b = false;
	assert_int_equal(parse_duration_ms("0", &u), 0);
	assert_int_equal(u, 0);
	assert_int_equal(parse_duration_ms("1d", &u), 0);
	assert_int_equal(u, 86400000);
	assert_int_equal(parse_duration_ms("", &u), -EINVAL);
	assert_int_equal(parse_duration_ms("213503982335d", &u), -ERANGE);
	assert_int_equal(parse_size("0", &u), 0);
	assert_int_equal(u, 0);
	assert_int_equal(parse_size("1k", &u), -EINVAL);
	assert_int_equal(parse_size("18446744073709551616", &u), -ERANGE);
	assert_int_equal(parse_bool("off", &b), 0);
	assert_false(b);
	assert_int_equal(parse_bool("", &b), -EINVAL);
}

static void test_strings(void **state)
{
	struct fx *f = *state;
	/* inline comments need a space before ';'; '#' lines are comments */
	assert_int_equal(load(f, "[docker]\nhost = unix:///run/d.sock ; the engine\n# host = nope\n"
				 "api_version =\n[agent]\nstate_dir=/a;b\n"),
			 0);
	assert_string_equal(f->cfg.docker_host, "unix:///run/d.sock");
	assert_string_equal(f->cfg.api_version, "");
	assert_string_equal(f->cfg.state_dir, "/a;b");
	/* a later assignment wins; CRLF line ends and a UTF-8 BOM are fine */
	assert_int_equal(load(f, "\xEF\xBB\xBF[agent]\r\nhost_root = /x\r\nhost_root = /y\r\n"), 0);
	assert_string_equal(f->cfg.host_root, "/y");
}

static void test_unknown_section(void **state)
{
	load_fails(*state, "[agent]\nlog_level = info\n\n[dockr]\nhost = x\n", -EINVAL,
		   "t.conf:5: unknown section [dockr]");
}

static void test_unknown_key(void **state)
{
	load_fails(*state, "[docker]\nhost = unix:///x\ntimeout = 5s\n", -EINVAL,
		   "t.conf:3: unknown key \"timeout\" in [docker]");
	/* keys are case-sensitive, and a key of one section is unknown in another */
	load_fails(*state, "[agent]\nhost = unix:///x\n", -EINVAL, "t.conf:2: unknown key \"host\" in [agent]");
	load_fails(*state, "[docker]\nHost = unix:///x\n", -EINVAL, "t.conf:2: unknown key \"Host\" in [docker]");
}

static void test_key_outside_section(void **state)
{
	load_fails(*state, "; comment\nlog_level = debug\n[agent]\n", -EINVAL,
		   "t.conf:2: key \"log_level\" outside of any [section]");
}

static void test_syntax_errors(void **state)
{
	struct fx *f = *state;
	load_fails(f, "[agent]\nlog_level = info\njust words\n", -EINVAL,
		   "t.conf:3: syntax error (expected [section] or key = value)");
	load_fails(f, "[agent\nlog_level = info\n", -EINVAL,
		   "t.conf:1: syntax error (expected [section] or key = value)");
	char nul[] = "[agent]\nlog_level = info\0debug\n";
	assert_int_equal(config_load_text(&f->cfg, "t.conf", nul, sizeof(nul) - 1, f->err, sizeof(f->err)),
			 -EINVAL);
	assert_string_equal(f->err, "t.conf: NUL byte in file");
}

static void test_long_line(void **state)
{
	struct fx *f = *state;
	char text[1024];
	/* inih reads 200-byte lines: 197 characters and a CRLF always fit */
	char val[600];
	memset(val, 'a', sizeof(val));
	val[197 - 12] = '\0';
	snprintf(text, sizeof(text), "[agent]\nstate_dir = /%s\r\n", val + 1);
	assert_int_equal(load(f, text), 0);
	assert_int_equal(strlen(f->cfg.state_dir), 197 - 12);
	memset(val, 'a', sizeof(val));
	val[500] = '\0';
	snprintf(text, sizeof(text), "[agent]\nlog_level = info\nstate_dir = /%s\nbogus = 1\n", val);
	load_fails(f, text, -EINVAL,
		   "t.conf:3: line longer than 197 characters; continue long values on indented lines");
}

static void test_first_error_wins(void **state)
{
	struct fx *f = *state;
	load_fails(f, "[agent]\nlog_level = loud\n[docker]\ntls_verify = maybe\n[nope]\n", -EINVAL,
		   "t.conf:2: agent.log_level: expected error, warning, info or debug, got \"loud\"");
	/* a syntax error before a bad key is the one reported */
	load_fails(f, "[agent]\nno equals sign here\nlog_level = loud\n", -EINVAL,
		   "t.conf:2: syntax error (expected [section] or key = value)");
	load_fails(f, "[agent]\nlog_level = loud\nno equals sign here\n", -EINVAL,
		   "t.conf:2: agent.log_level: expected error, warning, info or debug, got \"loud\"");
}

static void test_load_files(void **state)
{
	struct fx *f = *state;
	char dir[] = "/tmp/dwcfgXXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[256], missing[256];
	snprintf(path, sizeof(path), "%s/dockward.conf", dir);
	snprintf(missing, sizeof(missing), "%s/absent.conf", dir);

	/* a missing default file: the defaults, no error */
	f->err[0] = '\0';
	assert_int_equal(config_load(&f->cfg, missing, false, f->err, sizeof(f->err)), 0);
	assert_string_equal(f->err, "");
	assert_string_equal(f->cfg.source, "");
	assert_int_equal(f->cfg.log_level, LOG_LEVEL_WARNING);

	/* a missing file the user named is an error */
	assert_int_equal(config_load(&f->cfg, missing, true, f->err, sizeof(f->err)), -ENOENT);
	char want[600];
	snprintf(want, sizeof(want), "%s: No such file or directory", missing);
	assert_string_equal(f->err, want);

	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("[agent]\nlog_level = error\n[docker]\nconnect_timeout = 1s\nmax_response_size = 1K\n", fp);
	fclose(fp);
	assert_int_equal(config_load(&f->cfg, path, true, f->err, sizeof(f->err)), -EINVAL);
	snprintf(want, sizeof(want), "%s:5: docker.max_response_size: \"1K\" is out of range", path);
	assert_string_equal(f->err, want);

	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("[agent]\nlog_level = error\n", fp);
	fclose(fp);
	assert_int_equal(config_load(&f->cfg, path, false, f->err, sizeof(f->err)), 0);
	assert_int_equal(f->cfg.log_level, LOG_LEVEL_ERROR);
	assert_string_equal(f->cfg.source, path);

	/* a directory is not a config file, even when not named explicitly */
	assert_int_equal(config_load(&f->cfg, dir, false, f->err, sizeof(f->err)), -EISDIR);
	snprintf(want, sizeof(want), "%s: Is a directory", dir);
	assert_string_equal(f->err, want);

	unlink(path);
	rmdir(dir);
}

static void test_free_twice(void **state)
{
	struct fx *f = *state;
	assert_int_equal(load(f, "[agent]\nstate_dir = /x\n"), 0);
	config_free(&f->cfg);
	config_free(&f->cfg);   /* leaves NULLs: a second free is harmless */
	config_free(NULL);
	assert_null(f->cfg.state_dir);
	assert_int_equal(config_defaults(&f->cfg), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_levels, setup, teardown),
		cmocka_unit_test_setup_teardown(test_booleans, setup, teardown),
		cmocka_unit_test_setup_teardown(test_durations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sizes, setup, teardown),
		cmocka_unit_test(test_shared_parsers),
		cmocka_unit_test_setup_teardown(test_strings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_section, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_outside_section, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syntax_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_first_error_wins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_twice, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
