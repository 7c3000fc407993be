/* ocsf.c: findings and the host heartbeat as OCSF events (Compliance 2003, Vulnerability 2002, Detection 2004, Inventory 5001). */
#include "upstream/ocsf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "report/jsonw.h"

void ocsf_uuid4(char out[37])
{
	unsigned char b[16];
	ssize_t n = getrandom(b, sizeof(b), GRND_NONBLOCK);
	if (n != (ssize_t)sizeof(b)) {
		/* no entropy yet (very early boot): time and pid still make it unique here */
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		uint64_t h = fnv1a(FNV1A_INIT, &ts, sizeof(ts));
		pid_t pid = getpid();
		uint64_t h2 = fnv1a(h, &pid, sizeof(pid));
		memcpy(b, &h, 8);
		memcpy(b + 8, &h2, 8);
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

static void kstr_opt(struct jsonw *w, const char *k, const char *v)
{
	if (nonempty(v))
		jsonw_kstr(w, k, v);
}

static void write_metadata(struct jsonw *w, int64_t now_ms)
{
	char uid[37];
	ocsf_uuid4(uid);
	jsonw_str(w, "metadata");
	jsonw_obj_begin(w);
	jsonw_kstr(w, "version", OCSF_SCHEMA_VERSION);
	jsonw_kstr(w, "uid", uid);
	jsonw_kstr(w, "log_name", "dockward");
	jsonw_kstr(w, "log_provider", "dockward");
	jsonw_kint(w, "logged_time", now_ms);
	jsonw_str(w, "product");
	jsonw_obj_begin(w);
	jsonw_kstr(w, "name", "dockward");
	jsonw_kstr(w, "vendor_name", "dockward");
	jsonw_kstr(w, "version", DOCKWARD_VERSION);
	jsonw_obj_end(w);
	jsonw_obj_end(w);
}

static void write_device(struct jsonw *w, const struct ocsf_context *ctx)
{
	jsonw_str(w, "device");
	jsonw_obj_begin(w);
	jsonw_kint(w, "type_id", 1);
	jsonw_kstr(w, "type", "Server");
	kstr_opt(w, "hostname", ctx->host_name);
	kstr_opt(w, "uid", ctx->host_id);
	jsonw_obj_end(w);
}

/* The head every event shares: classification, severity, time, metadata. */
static void write_head(struct jsonw *w, int class_uid, const char *class_name, int category_uid,
		       const char *category_name, int activity_id, const char *activity_name, int severity,
		       int64_t now_ms)
{
	char type_name[96];
	snprintf(type_name, sizeof(type_name), "%s: %s", class_name, activity_name);
	jsonw_kint(w, "activity_id", activity_id);
	jsonw_kstr(w, "activity_name", activity_name);
	jsonw_kint(w, "category_uid", category_uid);
	jsonw_kstr(w, "category_name", category_name);
	jsonw_kint(w, "class_uid", class_uid);
	jsonw_kstr(w, "class_name", class_name);
	jsonw_kint(w, "type_uid", (int64_t)class_uid * 100 + activity_id);
	jsonw_kstr(w, "type_name", type_name);
	jsonw_kint(w, "severity_id", severity);
	jsonw_kstr(w, "severity", finding_severity_name(severity));
	jsonw_kint(w, "time", now_ms);
	jsonw_kint(w, "timezone_offset", 0);
	write_metadata(w, now_ms);
}

static void write_object_ref(struct jsonw *w, const struct finding *f)
{
	jsonw_obj_begin(w);
	jsonw_kstr(w, "type", finding_object_name(f->object_type));
	jsonw_kstr(w, "uid", nonempty(f->object_id) ? f->object_id : "-");
	kstr_opt(w, "name", f->object_name);
	jsonw_obj_end(w);
}

static void write_remediation(struct jsonw *w, const struct finding *f)
{
	if (!nonempty(f->remediation))
		return;
	jsonw_str(w, "remediation");
	jsonw_obj_begin(w);
	jsonw_kstr(w, "desc", f->remediation);
	jsonw_obj_end(w);
}

static void write_compliance(struct jsonw *w, const struct finding *f)
{
	jsonw_str(w, "compliance");
	jsonw_obj_begin(w);
	jsonw_str(w, "standards");
	jsonw_arr_begin(w);
	jsonw_str(w, nonempty(f->standard) ? f->standard : "dockward");
	jsonw_arr_end(w);
	kstr_opt(w, "control", f->rule_id);
	if (nonempty(f->rule_id)) {
		jsonw_str(w, "requirements");
		jsonw_arr_begin(w);
		jsonw_str(w, f->rule_id);
		jsonw_arr_end(w);
	}
	jsonw_kint(w, "status_id", f->failed ? 3 : 1);
	jsonw_kstr(w, "status", f->failed ? "Fail" : "Pass");
	kstr_opt(w, "status_detail", f->evidence);
	jsonw_obj_end(w);
}

static void write_vulnerabilities(struct jsonw *w, const struct finding *f)
{
	jsonw_str(w, "vulnerabilities");
	jsonw_arr_begin(w);
	jsonw_obj_begin(w);
	/* exactly one of cve/cwe/advisory (1.8) and one of cve/cwe (1.3): the
	 * advisory id goes in cve.uid whatever its namespace (CVE, GHSA, DSA) */
	jsonw_str(w, "cve");
	jsonw_obj_begin(w);
	jsonw_kstr(w, "uid", nonempty(f->rule_id) ? f->rule_id : "unknown");
	if (f->cvss_score > 0) {
		jsonw_str(w, "cvss");
		jsonw_arr_begin(w);
		jsonw_obj_begin(w);
		jsonw_str(w, "base_score");
		yajl_gen_double(w->g, f->cvss_score);
		jsonw_kstr(w, "version", nonempty(f->cvss_version) ? f->cvss_version : "3.1");
		jsonw_obj_end(w);
		jsonw_arr_end(w);
	}
	jsonw_obj_end(w);
	kstr_opt(w, "title", f->title);
	kstr_opt(w, "desc", f->description);
	jsonw_kstr(w, "severity", finding_severity_name(f->severity));
	if (nonempty(f->package_name)) {
		jsonw_str(w, "affected_packages");
		jsonw_arr_begin(w);
		jsonw_obj_begin(w);
		jsonw_kstr(w, "name", f->package_name);
		jsonw_kstr(w, "version", nonempty(f->package_version) ? f->package_version : "unknown");
		kstr_opt(w, "fixed_in_version", f->fixed_version);
		jsonw_obj_end(w);
		jsonw_arr_end(w);
	}
	jsonw_kbool(w, "is_fix_available", nonempty(f->fixed_version) != NULL);
	write_remediation(w, f);
	jsonw_obj_end(w);
	jsonw_arr_end(w);
}

static void write_evidences(struct jsonw *w, const struct finding *f)
{
	jsonw_str(w, "evidences");
	jsonw_arr_begin(w);
	jsonw_obj_begin(w);
	jsonw_str(w, "data");
	jsonw_obj_begin(w);
	jsonw_kstr(w, "evidence", nonempty(f->evidence) ? f->evidence : "");
	jsonw_obj_end(w);
	if (f->object_type == OBJECT_CONTAINER && nonempty(f->object_id)) {
		jsonw_str(w, "container");
		jsonw_obj_begin(w);
		jsonw_kstr(w, "uid", f->object_id);
		kstr_opt(w, "name", f->object_name);
		jsonw_obj_end(w);
	}
	jsonw_obj_end(w);
	jsonw_arr_end(w);
}

static const struct {
	int uid;
	const char *name;
} finding_classes[FINDING_N_CLASSES] = {
	[FINDING_COMPLIANCE] = { 2003, "Compliance Finding" },
	[FINDING_VULNERABILITY] = { 2002, "Vulnerability Finding" },
	[FINDING_DETECTION] = { 2004, "Detection Finding" },
};

static int finish(struct jsonw *w, struct buf *out)
{
	size_t len;
	const char *text = jsonw_text(w, &len);
	int r = w->status ? -EINVAL : buf_append(out, text, len);
	jsonw_free(w);
	return r;
}

int ocsf_finding_event(const struct ocsf_context *ctx, const struct finding_state_change *c, int64_t now_ms,
		       struct buf *out)
{
	static const char *const activities[] = { "", "Create", "Update", "Close" };
	const struct finding *f = c->f;
	if ((unsigned)f->cls >= FINDING_N_CLASSES || c->change < CHANGE_RAISED || c->change > CHANGE_RESOLVED)
		return -EINVAL;
	struct jsonw w;
	if (jsonw_init(&w, false) < 0)
		return -ENOMEM;
	bool closed = c->change == CHANGE_RESOLVED;
	jsonw_obj_begin(&w);
	write_head(&w, finding_classes[f->cls].uid, finding_classes[f->cls].name, 2, "Findings", c->change,
		   activities[c->change], f->severity, now_ms);
	jsonw_kint(&w, "status_id", closed ? 4 : 1);
	jsonw_kstr(&w, "status", closed ? "Resolved" : "New");
	char msg[512];
	snprintf(msg, sizeof(msg), "%s %s on %s %s%s%s", nonempty(f->rule_id) ? f->rule_id : "finding",
		 closed ? "resolved" : (c->change == CHANGE_RAISED ? "raised" : "updated"),
		 finding_object_name(f->object_type), nonempty(f->object_name) ? f->object_name : f->object_id,
		 closed && c->reason ? ": " : "", closed && c->reason ? c->reason : "");
	jsonw_kstr(&w, "message", msg);

	jsonw_str(&w, "finding_info");
	jsonw_obj_begin(&w);
	jsonw_kstr(&w, "uid", c->id);
	jsonw_kstr(&w, "title", nonempty(f->title) ? f->title : (nonempty(f->rule_id) ? f->rule_id : "finding"));
	kstr_opt(&w, "desc", f->description);
	jsonw_kint(&w, "created_time", c->first_seen_ms);
	jsonw_kint(&w, "first_seen_time", c->first_seen_ms);
	jsonw_kint(&w, "last_seen_time", c->last_seen_ms);
	jsonw_kint(&w, "modified_time", now_ms);
	jsonw_str(&w, "types");
	jsonw_arr_begin(&w);
	jsonw_str(&w, nonempty(f->engine) ? f->engine : "dockward");
	jsonw_arr_end(&w);
	if (nonempty(f->rule_id)) {
		jsonw_str(&w, "analytic");
		jsonw_obj_begin(&w);
		jsonw_kint(&w, "type_id", 1);
		jsonw_kstr(&w, "type", "Rule");
		jsonw_kstr(&w, "uid", f->rule_id);
		jsonw_kstr(&w, "name", f->rule_id);
		jsonw_obj_end(&w);
	}
	jsonw_obj_end(&w);

	write_device(&w, ctx);
	jsonw_str(&w, "resources");
	jsonw_arr_begin(&w);
	write_object_ref(&w, f);
	jsonw_arr_end(&w);

	switch (f->cls) {
	case FINDING_COMPLIANCE:
		write_compliance(&w, f);
		write_remediation(&w, f);
		break;
	case FINDING_VULNERABILITY:
		write_vulnerabilities(&w, f);
		break;
	case FINDING_DETECTION:
		write_evidences(&w, f);
		write_remediation(&w, f);
		break;
	}
	jsonw_str(&w, "unmapped");
	jsonw_obj_begin(&w);
	jsonw_kstr(&w, "engine", nonempty(f->engine) ? f->engine : "");
	if (closed && c->reason)
		jsonw_kstr(&w, "resolution", c->reason);
	jsonw_obj_end(&w);
	jsonw_obj_end(&w);
	return finish(&w, out);
}

int ocsf_heartbeat_event(const struct ocsf_context *ctx, const struct ocsf_heartbeat *hb, int64_t now_ms,
			 struct buf *out)
{
	struct jsonw w;
	if (jsonw_init(&w, false) < 0)
		return -ENOMEM;
	jsonw_obj_begin(&w);
	/* Device Inventory Info, activity 2 Collect */
	write_head(&w, 5001, "Device Inventory Info", 5, "Discovery", 2, "Collect", SEVERITY_INFO, now_ms);
	jsonw_kstr(&w, "message", hb->docker_reachable ? "dockward heartbeat" : "dockward heartbeat: Docker unreachable");
	write_device(&w, ctx);
	jsonw_str(&w, "unmapped");
	jsonw_obj_begin(&w);
	jsonw_kstr(&w, "agent_version", DOCKWARD_VERSION);
	jsonw_kbool(&w, "docker_reachable", hb->docker_reachable);
	kstr_opt(&w, "docker_version", hb->docker_version);
	kstr_opt(&w, "docker_api_version", hb->api_version);
	kstr_opt(&w, "os", hb->os_name);
	kstr_opt(&w, "kernel_version", hb->kernel_version);
	jsonw_kint(&w, "images", (int64_t)hb->images);
	jsonw_kint(&w, "containers", (int64_t)hb->containers);
	jsonw_kint(&w, "containers_running", (int64_t)hb->running);
	jsonw_str(&w, "engines");
	jsonw_obj_begin(&w);
	for (size_t i = 0; i < hb->n_engines; i++)
		jsonw_kstr(&w, hb->engines[i].name, hb->engines[i].status);
	jsonw_obj_end(&w);
	jsonw_str(&w, "open_findings");
	jsonw_obj_begin(&w);
	for (int c = 0; c < FINDING_N_CLASSES; c++)
		jsonw_kint(&w, finding_class_name((enum finding_class)c), (int64_t)hb->open_findings[c]);
	jsonw_obj_end(&w);
	jsonw_kint(&w, "dropped_events", (int64_t)hb->dropped_events);
	jsonw_kint(&w, "spool_bytes", (int64_t)hb->spool_bytes);
	jsonw_kint(&w, "spool_batches", (int64_t)hb->spool_batches);
	jsonw_obj_end(&w);
	jsonw_obj_end(&w);
	return finish(&w, out);
}
