/* test_upstream_format.c: OCSF events, the wire formats (collector, OTLP, HEC, RFC 5424, gzip), retry decisions, [sink.NAME] config. */
#include "unit.h"

#include <errno.h>
#include <zlib.h>

#include "config.h"
#include "upstream/format.h"
#include "upstream/ocsf.h"
#include "upstream/sink_config.h"
#include "upstream/uploader.h"

static const char batch_text[] =
	"{\"seq\":3,\"key\":\"k-1\",\"events\":2,\"max_severity\":4}\n"
	"{\"time\":1700000000123,\"severity_id\":4,\"severity\":\"High\",\"class_uid\":2003,\"activity_id\":1,"
	"\"finding_info\":{\"uid\":\"abc\"}}\n"
	"{\"time\":1700000001000,\"severity_id\":1,\"severity\":\"Informational\",\"class_uid\":5001,\"activity_id\":2}\n";

static void load_batch(struct spool_batch *b)
{
	char err[128];
	assert_int_equal(spool_parse_batch(strdup(batch_text), sizeof(batch_text) - 1, b, err, sizeof(err)), 0);
}

static void test_collector_and_hec(void **state)
{
	(void)state;
	struct spool_batch b;
	load_batch(&b);
	struct buf out;
	buf_init(&out, 0);
	assert_int_equal(format_collector(&b, 0, 2, &out), 0);
	assert_true(out.data[0] == '[' && out.data[out.len - 1] == ']');
	yajl_val v;
	char err[128];
	assert_int_equal(json_parse(out.data, out.len, &v, err, sizeof(err)), 0);
	assert_int_equal(json_array_len(v), 2);
	yajl_tree_free(v);
	buf_reset(&out);
	assert_int_equal(format_collector(&b, 1, 2, &out), 0);
	assert_int_equal(strncmp(out.data, "[{\"time\":1700000001000", 22), 0);

	buf_reset(&out);
	struct format_host h = { .host_name = "web-1", .host_id = "m1" };
	assert_int_equal(format_hec(&h, "sec", NULL, &b, 0, 1, &out), 0);
	assert_string_equal(out.data, "{\"time\":1700000000.123,\"host\":\"web-1\",\"source\":\"dockward\","
				      "\"sourcetype\":\"ocsf:finding\",\"index\":\"sec\",\"event\":"
				      "{\"time\":1700000000123,\"severity_id\":4,\"severity\":\"High\",\"class_uid\":2003,"
				      "\"activity_id\":1,\"finding_info\":{\"uid\":\"abc\"}}}\n");
	buf_free(&out);
	spool_batch_free(&b);
}

static void test_otlp_shape(void **state)
{
	(void)state;
	struct spool_batch b;
	load_batch(&b);
	struct buf out;
	buf_init(&out, 0);
	struct format_host h = { .host_name = "web-1", .host_id = "m1" };
	assert_int_equal(format_otlp(&h, &b, 0, 2, &out), 0);
	yajl_val v;
	char err[128];
	assert_int_equal(json_parse(out.data, out.len, &v, err, sizeof(err)), 0);
	yajl_val rl = json_array_at(json_get(v, "resourceLogs"), 0);
	yajl_val recs = json_get(json_array_at(json_get(rl, "scopeLogs"), 0), "logRecords");
	assert_int_equal(json_array_len(recs), 2);
	yajl_val r0 = json_array_at(recs, 0);
	assert_string_equal(json_str(r0, "timeUnixNano"), "1700000000123000000");
	assert_int_equal(json_int(r0, "severityNumber", 0), 17);
	assert_string_equal(json_str(r0, "severityText"), "High");
	/* the body is the event itself, as a string */
	const char *body = json_str(r0, "body.stringValue");
	assert_non_null(body);
	assert_int_equal(strncmp(body, "{\"time\":1700000000123", 21), 0);
	yajl_val a0 = json_array_at(json_get(r0, "attributes"), 0);
	assert_string_equal(json_str(a0, "key"), "ocsf.class_uid");
	assert_string_equal(json_str(a0, "value.intValue"), "2003");
	yajl_val res0 = json_array_at(json_get(rl, "resource.attributes"), 0);
	assert_string_equal(json_str(res0, "value.stringValue"), "dockward");
	yajl_tree_free(v);
	buf_free(&out);
	spool_batch_free(&b);
}

static void test_syslog_rfc5424(void **state)
{
	(void)state;
	struct spool_batch b;
	load_batch(&b);
	struct buf out;
	buf_init(&out, 0);
	struct format_host h = { .host_name = "web 1" };
	assert_int_equal(format_syslog(&h, &b.events[0], &out), 0);
	char want[512];
	snprintf(want, sizeof(want), "<131>1 2023-11-14T22:13:20.123Z web_1 dockward %d ocsf2003 "
		 "[dockward@32473 class_uid=\"2003\" finding_uid=\"abc\"] {\"time\"", (int)getpid());
	assert_int_equal(strncmp(out.data, want, strlen(want)), 0);
	buf_free(&out);
	spool_batch_free(&b);
}

static void test_gzip_round_trip(void **state)
{
	(void)state;
	struct buf out;
	buf_init(&out, 0);
	char in[10000];
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (char)('a' + i % 7);
	assert_int_equal(gzip_buf(in, sizeof(in), &out), 0);
	assert_true((unsigned char)out.data[0] == 0x1f && (unsigned char)out.data[1] == 0x8b);
	char back[10000];
	z_stream z = { 0 };
	assert_int_equal(inflateInit2(&z, 16 + 15), Z_OK);
	z.next_in = (Bytef *)out.data;
	z.avail_in = (uInt)out.len;
	z.next_out = (Bytef *)back;
	z.avail_out = sizeof(back);
	assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
	assert_int_equal(z.total_out, sizeof(in));
	inflateEnd(&z);
	assert_memory_equal(in, back, sizeof(in));
	buf_free(&out);
}

static void test_ocsf_finding_events(void **state)
{
	(void)state;
	struct ocsf_context ctx = { .host_name = "h", .host_id = "m" };
	struct finding f = { .cls = FINDING_VULNERABILITY, .engine = "scan", .rule_id = "CVE-2024-1", .title = "t",
			     .object_type = OBJECT_IMAGE, .object_id = "sha256:1", .severity = 5, .failed = true,
			     .package_name = "openssl", .package_version = "3.0.1", .fixed_version = "3.0.2",
			     .cvss_score = 9.8 };
	struct finding_state_change c = { .change = CHANGE_RAISED, .f = &f, .id = "0123", .first_seen_ms = 1 };
	struct buf out;
	buf_init(&out, 0);
	assert_int_equal(ocsf_finding_event(&ctx, &c, 5, &out), 0);
	yajl_val v;
	char err[128];
	assert_int_equal(json_parse(out.data, out.len, &v, err, sizeof(err)), 0);
	assert_int_equal(json_int(v, "class_uid", 0), 2002);
	assert_int_equal(json_int(v, "type_uid", 0), 200201);
	assert_int_equal(json_int(v, "category_uid", 0), 2);
	assert_string_equal(json_str(v, "finding_info.uid"), "0123");
	assert_int_equal(strlen(json_str(v, "metadata.uid")), 36);
	yajl_val vu = json_array_at(json_get(v, "vulnerabilities"), 0);
	assert_string_equal(json_str(vu, "cve.uid"), "CVE-2024-1");
	assert_null(json_get(vu, "cwe"));
	assert_null(json_get(vu, "advisory"));
	assert_string_equal(json_str(json_array_at(json_get(vu, "affected_packages"), 0), "fixed_in_version"), "3.0.2");
	char uid1[40];
	snprintf(uid1, sizeof(uid1), "%s", json_str(v, "metadata.uid"));
	yajl_tree_free(v);
	/* a resolve of a compliance finding: Close, Pass, Resolved; a fresh metadata.uid */
	struct finding g = { .cls = FINDING_COMPLIANCE, .engine = "audit", .rule_id = "5.4", .object_type = OBJECT_HOST,
			     .object_id = "host", .severity = 4, .failed = false };
	struct finding_state_change d = { .change = CHANGE_RESOLVED, .f = &g, .id = "0123", .reason = "check passed" };
	buf_reset(&out);
	assert_int_equal(ocsf_finding_event(&ctx, &d, 5, &out), 0);
	assert_int_equal(json_parse(out.data, out.len, &v, err, sizeof(err)), 0);
	assert_int_equal(json_int(v, "activity_id", 0), 3);
	assert_int_equal(json_int(v, "compliance.status_id", 0), 1);
	assert_string_equal(json_str(v, "status"), "Resolved");
	assert_string_equal(json_str(json_array_at(json_get(v, "compliance.standards"), 0), ""), "dockward");
	assert_string_not_equal(json_str(v, "metadata.uid"), uid1);
	yajl_tree_free(v);
	buf_free(&out);
}

static void test_verdicts_and_backoff(void **state)
{
	(void)state;
	assert_int_equal(uploader_verdict(200, false, 5), VERDICT_DONE);
	assert_int_equal(uploader_verdict(202, false, 5), VERDICT_DONE);
	assert_int_equal(uploader_verdict(0, true, 5), VERDICT_RETRY);
	assert_int_equal(uploader_verdict(500, false, 5), VERDICT_RETRY);
	assert_int_equal(uploader_verdict(503, false, 5), VERDICT_RETRY);
	assert_int_equal(uploader_verdict(429, false, 5), VERDICT_RETRY);
	assert_int_equal(uploader_verdict(408, false, 5), VERDICT_RETRY);
	assert_int_equal(uploader_verdict(401, false, 5), VERDICT_RETRY);
	assert_int_equal(uploader_verdict(413, false, 5), VERDICT_SPLIT);
	assert_int_equal(uploader_verdict(413, false, 1), VERDICT_DEAD_LETTER);
	assert_int_equal(uploader_verdict(400, false, 5), VERDICT_DEAD_LETTER);
	assert_int_equal(uploader_verdict(422, false, 5), VERDICT_DEAD_LETTER);
	for (unsigned f = 1; f < 40; f++)
		for (uint64_t rnd = 0; rnd < 5000; rnd += 777) {
			uint64_t d = uploader_backoff_ms(f, 100, 10000, -1, rnd);
			uint64_t full = f >= 8 ? 10000 : 100u << (f - 1);
			if (full > 10000)
				full = 10000;
			assert_true(d >= full / 2 && d <= full);
		}
	assert_int_equal(uploader_backoff_ms(3, 100, 10000, 7000, 0), 7000);
	assert_int_equal(uploader_parse_retry_after("5", 0), 5000);
	assert_int_equal(uploader_parse_retry_after(" 0 ", 0), 0);
	assert_int_equal(uploader_parse_retry_after("soon", 0), -1);
	assert_int_equal(uploader_parse_retry_after("-3", 0), -1);
	assert_int_equal(uploader_parse_retry_after("99999999999", 0), 3600 * 1000);
	/* Sun, 06 Nov 1994 08:49:37 GMT is 784111777 */
	assert_int_equal(uploader_parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784111770), 7000);
	assert_int_equal(uploader_parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784111999), 0);
}

static int load(struct config *cfg, const char *text, char *err, size_t errlen)
{
	config_free(cfg);
	assert_int_equal(config_defaults(cfg), 0);
	return config_load_text(cfg, "t.conf", text, strlen(text), err, errlen);
}

static void test_sink_sections(void **state)
{
	(void)state;
	struct config cfg = { 0 };
	char err[256] = "";
	assert_int_equal(load(&cfg, "[sink.otel]\ntype = otlp\nurl = https://c:4318/v1/logs\n"
				    "[sink.log]\ntype = file\npath = /var/log/dw.ndjson\n"
				    "[sink.otel]\ngzip = false\n", err, sizeof(err)), 0);
	assert_int_equal(cfg.n_sinks, 2);
	assert_string_equal(cfg.sinks[0].name, "otel");
	assert_int_equal(cfg.sinks[0].type, SINK_OTLP);
	assert_false(cfg.sinks[0].gzip);
	assert_true(cfg.sinks[0].tls_verify);
	assert_int_equal(sink_config_validate(&cfg.sinks[0], err, sizeof(err)), 0);
	assert_int_equal(sink_config_validate(&cfg.sinks[1], err, sizeof(err)), 0);
	assert_int_equal(load(&cfg, "[sink.x]\ntype = kafka\n", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "t.conf:2: sink.x.type: expected otlp, hec, file or syslog"));
	assert_int_equal(load(&cfg, "[sink.x]\ncolour = red\n", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "unknown key \"colour\" in [sink.x]"));
	assert_int_equal(load(&cfg, "[sink.upstream]\ntype = file\n", err, sizeof(err)), -EINVAL);
	assert_int_equal(load(&cfg, "[sink.a/b]\ntype = file\n", err, sizeof(err)), -EINVAL);
	struct {
		const char *text, *why;
	} bad[] = {
		{ "[sink.s]\npath = /x\n", "has no type" },
		{ "[sink.s]\ntype = otlp\nurl = http://c/v1/logs\n", "https://" },
		{ "[sink.s]\ntype = otlp\nurl = https://c/v1/logs\ntls_verify = false\n", "allow_insecure" },
		{ "[sink.s]\ntype = hec\nurl = https://c/services/collector/event\n", "token_file" },
		{ "[sink.s]\ntype = file\npath = relative.ndjson\n", "absolute" },
		{ "[sink.s]\ntype = syslog\naddress = localhost\n", "HOST:PORT" },
		{ "[sink.s]\ntype = otlp\nurl = https://c/\nclient_cert = /c.pem\n", "go together" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(load(&cfg, bad[i].text, err, sizeof(err)), 0);
		assert_int_equal(sink_config_validate(&cfg.sinks[0], err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, bad[i].why));
	}
	config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_collector_and_hec),
		cmocka_unit_test(test_otlp_shape),
		cmocka_unit_test(test_syslog_rfc5424),
		cmocka_unit_test(test_gzip_round_trip),
		cmocka_unit_test(test_ocsf_finding_events),
		cmocka_unit_test(test_verdicts_and_backoff),
		cmocka_unit_test(test_sink_sections),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
