/* format.c: a batch's events as each destination wants them: JSON array, OTLP/HTTP JSON logs, Splunk HEC, RFC 5424. */
#include "upstream/format.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "json.h"
#include "report/jsonw.h"

int format_collector(const struct spool_batch *b, size_t from, size_t to, struct buf *out)
{
	int r = buf_append(out, "[", 1);
	for (size_t i = from; i < to && !r; i++) {
		if (i > from)
			r = buf_append(out, ",", 1);
		if (!r)
			r = buf_append(out, b->events[i].json, b->events[i].len);
	}
	return r ? r : buf_append(out, "]", 1);
}

/* The few fields the envelopes repeat, read from the event itself. */
struct event_facts {
	int64_t time_ms;
	int severity_id;
	int64_t class_uid, activity_id;
	char finding_uid[64];
	char severity[16];
};

static void event_facts(const struct spool_event *e, struct event_facts *f)
{
	yajl_val v;
	char err[64];
	memset(f, 0, sizeof(*f));
	if (json_parse(e->json, e->len, &v, err, sizeof(err)) < 0)
		return;
	f->time_ms = json_int(v, "time", 0);
	f->severity_id = (int)json_int(v, "severity_id", 0);
	f->class_uid = json_int(v, "class_uid", 0);
	f->activity_id = json_int(v, "activity_id", 0);
	const char *uid = json_str(v, "finding_info.uid");
	snprintf(f->finding_uid, sizeof(f->finding_uid), "%s", uid ? uid : "");
	const char *sev = json_str(v, "severity");
	snprintf(f->severity, sizeof(f->severity), "%s", sev ? sev : "Unknown");
	yajl_tree_free(v);
}

/* {"key":k,"value":{kind:v}}; kind is stringValue or intValue */
static void otlp_attr(struct jsonw *w, const char *k, const char *kind, const char *v)
{
	jsonw_obj_begin(w);
	jsonw_kstr(w, "key", k);
	jsonw_str(w, "value");
	jsonw_obj_begin(w);
	jsonw_kstr(w, kind, v);
	jsonw_obj_end(w);
	jsonw_obj_end(w);
}

static void otlp_attr_str(struct jsonw *w, const char *k, const char *v)
{
	otlp_attr(w, k, "stringValue", v);
}

static void otlp_attr_int(struct jsonw *w, const char *k, int64_t v)
{
	/* OTLP/JSON carries 64-bit integers as decimal strings */
	char s[24];
	snprintf(s, sizeof(s), "%lld", (long long)v);
	otlp_attr(w, k, "intValue", s);
}

/* OCSF severity_id → OpenTelemetry SeverityNumber */
static int otel_severity(int sev)
{
	static const int map[] = { 0, 9, 10, 13, 17, 21, 21 };
	return sev >= 0 && sev <= 6 ? map[sev] : 0;
}

static int jsonw_take(struct jsonw *w, struct buf *out)
{
	size_t len;
	const char *text = jsonw_text(w, &len);
	int r = w->status ? -EINVAL : buf_append(out, text, len);
	jsonw_free(w);
	return r;
}

int format_otlp(const struct format_host *h, const struct spool_batch *b, size_t from, size_t to, struct buf *out)
{
	struct jsonw w;
	if (jsonw_init(&w, false) < 0)
		return -ENOMEM;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	char observed[32];
	snprintf(observed, sizeof(observed), "%lld%09ld", (long long)now.tv_sec, now.tv_nsec);
	jsonw_obj_begin(&w);
	jsonw_str(&w, "resourceLogs");
	jsonw_arr_begin(&w);
	jsonw_obj_begin(&w);
	jsonw_str(&w, "resource");
	jsonw_obj_begin(&w);
	jsonw_str(&w, "attributes");
	jsonw_arr_begin(&w);
	otlp_attr_str(&w, "service.name", "dockward");
	otlp_attr_str(&w, "service.version", DOCKWARD_VERSION);
	if (h->host_name)
		otlp_attr_str(&w, "host.name", h->host_name);
	if (h->host_id)
		otlp_attr_str(&w, "host.id", h->host_id);
	jsonw_arr_end(&w);
	jsonw_obj_end(&w);
	jsonw_str(&w, "scopeLogs");
	jsonw_arr_begin(&w);
	jsonw_obj_begin(&w);
	jsonw_str(&w, "scope");
	jsonw_obj_begin(&w);
	jsonw_kstr(&w, "name", "dockward");
	jsonw_kstr(&w, "version", DOCKWARD_VERSION);
	jsonw_obj_end(&w);
	jsonw_str(&w, "logRecords");
	jsonw_arr_begin(&w);
	for (size_t i = from; i < to; i++) {
		struct event_facts f;
		event_facts(&b->events[i], &f);
		char t[32];
		snprintf(t, sizeof(t), "%lld000000", (long long)f.time_ms);
		jsonw_obj_begin(&w);
		jsonw_kstr(&w, "timeUnixNano", f.time_ms > 0 ? t : observed);
		jsonw_kstr(&w, "observedTimeUnixNano", observed);
		jsonw_kint(&w, "severityNumber", otel_severity(f.severity_id));
		jsonw_kstr(&w, "severityText", f.severity);
		jsonw_str(&w, "body");
		jsonw_obj_begin(&w);
		/* the event verbatim: any OCSF-aware pipeline parses it back */
		jsonw_str(&w, "stringValue");
		char *copy = strndup(b->events[i].json, b->events[i].len);
		if (!copy) {
			jsonw_free(&w);
			return -ENOMEM;
		}
		jsonw_str(&w, copy);
		free(copy);
		jsonw_obj_end(&w);
		jsonw_str(&w, "attributes");
		jsonw_arr_begin(&w);
		otlp_attr_int(&w, "ocsf.class_uid", f.class_uid);
		otlp_attr_int(&w, "ocsf.activity_id", f.activity_id);
		if (f.finding_uid[0])
			otlp_attr_str(&w, "ocsf.finding_info.uid", f.finding_uid);
		otlp_attr_str(&w, "dockward.batch_key", b->key);
		jsonw_arr_end(&w);
		jsonw_obj_end(&w);
	}
	jsonw_arr_end(&w);
	jsonw_obj_end(&w);
	jsonw_arr_end(&w);
	jsonw_obj_end(&w);
	jsonw_arr_end(&w);
	jsonw_obj_end(&w);
	return jsonw_take(&w, out);
}

int format_hec(const struct format_host *h, const char *index, const char *sourcetype, const struct spool_batch *b,
	       size_t from, size_t to, struct buf *out)
{
	int r = 0;
	for (size_t i = from; i < to && !r; i++) {
		struct event_facts f;
		event_facts(&b->events[i], &f);
		struct jsonw w;
		if (jsonw_init(&w, false) < 0)
			return -ENOMEM;
		jsonw_obj_begin(&w);
		char t[32];
		snprintf(t, sizeof(t), "%lld.%03lld", (long long)(f.time_ms / 1000), (long long)(f.time_ms % 1000));
		jsonw_str(&w, "time");
		yajl_gen_number(w.g, t, strlen(t));
		if (h->host_name)
			jsonw_kstr(&w, "host", h->host_name);
		jsonw_kstr(&w, "source", "dockward");
		jsonw_kstr(&w, "sourcetype", sourcetype && *sourcetype ? sourcetype : "ocsf:finding");
		if (index && *index)
			jsonw_kstr(&w, "index", index);
		jsonw_obj_end(&w);
		size_t len;
		const char *text = jsonw_text(&w, &len);
		/* splice the event in as a JSON value: {...,"event":EVENT} */
		r = w.status ? -EINVAL : buf_append(out, text, len - 1);
		if (!r)
			r = buf_append(out, ",\"event\":", 9);
		if (!r)
			r = buf_append(out, b->events[i].json, b->events[i].len);
		if (!r)
			r = buf_append(out, "}\n", 2);
		jsonw_free(&w);
	}
	return r;
}

/* RFC 5424 PRINTUSASCII without spaces, at most max characters */
static void header_field(const char *s, char *out, size_t max)
{
	size_t n = 0;
	for (; s && *s && n + 1 < max; s++)
		out[n++] = *s > 32 && *s < 127 ? *s : '_';
	if (!n)
		out[n++] = '-';
	out[n] = '\0';
}

int format_syslog(const struct format_host *h, const struct spool_event *e, struct buf *out)
{
	static const int syslog_sev[] = { 6, 6, 5, 4, 3, 2, 2 };
	struct event_facts f;
	event_facts(e, &f);
	int sev = f.severity_id >= 0 && f.severity_id <= 6 ? syslog_sev[f.severity_id] : 6;
	int pri = 16 * 8 + sev;     /* facility local0 */
	int64_t ms = f.time_ms;
	if (ms <= 0) {
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
	}
	time_t secs = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&secs, &tm);
	char ts[40], host[256], uid[64];
	strftime(ts, 24, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(ts + strlen(ts), sizeof(ts) - strlen(ts), ".%03dZ", (int)(ms % 1000));
	header_field(h->host_name, host, sizeof(host));
	/* PARAM-VALUE escapes '"', '\' and ']'; a finding uid is hex anyway */
	header_field(f.finding_uid, uid, sizeof(uid));
	for (char *p = uid; *p; p++)
		if (*p == '"' || *p == '\\' || *p == ']')
			*p = '_';
	int r = buf_printf(out, "<%d>1 %s %s dockward %d ocsf%lld [dockward@32473 class_uid=\"%lld\" finding_uid=\"%s\"] ",
			   pri, ts, host, (int)getpid(), (long long)f.class_uid, (long long)f.class_uid, uid);
	return r ? r : buf_append(out, e->json, e->len);
}

int gzip_buf(const char *in, size_t len, struct buf *out)
{
	z_stream z;
	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)len;
	int r = 0, zr;
	do {
		char chunk[16384];
		z.next_out = (Bytef *)chunk;
		z.avail_out = sizeof(chunk);
		zr = deflate(&z, Z_FINISH);
		if (zr == Z_STREAM_ERROR) {
			r = -EINVAL;
			break;
		}
		r = buf_append(out, chunk, sizeof(chunk) - z.avail_out);
	} while (!r && zr != Z_STREAM_END);
	deflateEnd(&z);
	return r;
}
