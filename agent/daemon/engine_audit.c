/* engine_audit.c: the audit engine (checks/audit) as a daemon engine: rule results become compliance findings. */
#include "daemon/engine_audit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/engine.h"
#include "audit/image_scans.h"

struct audit_engine {
	struct audit_ruleset rules;
	struct audit_waivers waivers;
	bool have_waivers;
	char *host_root;
	char *trusted_users;
	char standard[96];
	/* the daemon's configuration: it frees and re-creates every engine after a
	 * reload, so this outlives the engine */
	const struct config *cfg;
};

static void audit_engine_free(void *p)
{
	struct audit_engine *e = p;
	if (!e)
		return;
	audit_ruleset_free(&e->rules);
	if (e->have_waivers)
		audit_waivers_free(&e->waivers);
	free(e->host_root);
	free(e->trusted_users);
	free(e);
}

static int severity_of(enum audit_severity s)
{
	switch (s) {
	case SEV_LOW: return SEVERITY_LOW;
	case SEV_MEDIUM: return SEVERITY_MEDIUM;
	case SEV_HIGH: return SEVERITY_HIGH;
	case SEV_CRITICAL: return SEVERITY_CRITICAL;
	default: return SEVERITY_UNKNOWN;
	}
}

/* "container" / "image" / "file" offenders are objects of their own; the
 * rest (daemon options, users, ...) are facts of the host, named kind:id. */
static void object_of(const struct audit_item *it, struct finding *f, char *buf, size_t buflen)
{
	if (strcmp(it->kind, "container") == 0) {
		f->object_type = OBJECT_CONTAINER;
		f->object_id = it->id;
	} else if (strcmp(it->kind, "image") == 0) {
		f->object_type = OBJECT_IMAGE;
		f->object_id = it->id;
	} else if (strcmp(it->kind, "file") == 0) {
		f->object_type = OBJECT_FILE;
		f->object_id = it->id;
	} else {
		f->object_type = OBJECT_HOST;
		snprintf(buf, buflen, "%s:%s", it->kind, it->id ? it->id : "");
		f->object_id = buf;
	}
	f->object_name = it->name;
}

static int report_rule(const struct audit_engine *e, const struct audit_finding *af, const char *only_container,
		       const struct finding_sink *out)
{
	const struct audit_rule *r = af->rule;
	enum audit_verdict v = af->out.verdict;
	if (v == AUDIT_NOT_EVALUATED) {
		if (out->not_evaluated)
			out->not_evaluated(out->user, r->id);
		return 0;
	}
	if (v != AUDIT_FAIL)
		return 0;       /* passed, waived, not applicable, manual: nothing open; the round resolves the rest */
	struct finding f = {
		.cls = FINDING_COMPLIANCE, .engine = "audit", .rule_id = r->id, .title = r->title,
		.description = r->rationale, .severity = severity_of(r->severity), .failed = true,
		.remediation = r->remediation, .standard = e->standard,
	};
	char obj[512];
	if (!af->out.n_offenders) {
		if (only_container)
			return 0;
		f.object_type = OBJECT_HOST;
		f.object_id = "host";
		f.evidence = af->out.reason;
		return out->emit(out->user, &f);
	}
	for (size_t i = 0; i < af->out.n_offenders; i++) {
		const struct audit_item *it = &af->out.offenders[i];
		object_of(it, &f, obj, sizeof(obj));
		if (only_container && (f.object_type != OBJECT_CONTAINER || strcmp(f.object_id, only_container) != 0))
			continue;
		f.evidence = it->detail && *it->detail ? it->detail : af->out.reason;
		int r2 = out->emit(out->user, &f);
		if (r2 < 0)
			return r2;
	}
	return 0;
}

static int audit_evaluate(void *ctx, struct docker_client *dc, int object_type, const char *object_id,
			  const struct finding_sink *out, char *err, size_t errlen)
{
	struct audit_engine *e = ctx;
	struct audit_ctx actx = {
		.rules = &e->rules, .waivers = e->have_waivers ? &e->waivers : NULL,
		.only_container = object_type == OBJECT_CONTAINER ? object_id : NULL,
	};
	struct snapshot_request sreq;
	struct host_facts_request hreq;
	struct snapshot snap = { 0 };
	struct host_facts host;
	struct audit_result res = { 0 };
	struct audit_image_scans scans = { 0 };
	audit_plan(&actx, &sreq, &hreq);
	if (host_facts_init(&host, e->host_root) < 0) {
		snprintf(err, errlen, "host root %s: path too long", e->host_root);
		return -ENAMETOOLONG;
	}
	host.trusted_users = e->trusted_users;
	/* process lists: from the host's /proc first; the engine is asked only for the containers it cannot list */
	bool want_top = sreq.top;
	sreq.top = false;
	int r = snapshot_collect(dc, &sreq, &snap);
	if (r < 0) {
		snprintf(err, errlen, "%s", docker_client_error(dc));
		host_facts_free(&host);
		return r;
	}
	/* rules 4.3, 4.4 and 4.8: from the scan cache the scan engine fills, scanning what it lacks */
	if (hreq.image_scans) {
		bool *wanted = NULL;
		r = audit_images_wanted(&actx, &snap, &wanted);
		if (r == 0)
			r = audit_image_scans_collect(dc, &snap, e->cfg, wanted, &scans);
		free(wanted);
		if (r < 0) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
		host.scans = &scans;
	}
	if (host_facts_collect(&host, &hreq, &snap) < 0) {
		snprintf(err, errlen, "out of memory");
		r = -ENOMEM;
		goto out;
	}
	if (want_top && (r = audit_collect_tops(dc, &actx, &host, &snap)) < 0) {
		snprintf(err, errlen, "%s", r == -ENOMEM ? "out of memory" : docker_client_error(dc));
		goto out;
	}
	if (audit_run(&actx, &snap, &host, &res) < 0) {
		snprintf(err, errlen, "out of memory");
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < res.n_findings && r == 0; i++)
		r = report_rule(e, &res.findings[i], actx.only_container, out);
out:
	audit_result_free(&res);
	audit_image_scans_free(&scans);
	host_facts_free(&host);
	snapshot_free(&snap);
	return r;
}

int engine_audit_init(const struct config *cfg, struct daemon_engine *eng, char *err, size_t errlen)
{
	struct audit_engine *e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	int r = audit_ruleset_load_dir(&e->rules, cfg->audit_rules_dir,
				       cfg->audit_benchmark[0] ? cfg->audit_benchmark : NULL, err, errlen);
	if (r < 0) {
		free(e);
		return r;
	}
	if (cfg->audit_waivers[0]) {
		r = audit_waivers_load(&e->waivers, cfg->audit_waivers, err, errlen);
		if (r < 0) {
			audit_ruleset_free(&e->rules);
			free(e);
			return r;
		}
		e->have_waivers = true;
	}
	e->cfg = cfg;
	e->host_root = strdup(cfg->host_root);
	e->trusted_users = strdup(cfg->audit_trusted_users);
	if (!e->host_root || !e->trusted_users) {
		audit_engine_free(e);
		return -ENOMEM;
	}
	snprintf(e->standard, sizeof(e->standard), "CIS Docker Benchmark %s", e->rules.benchmark);
	eng->ctx = e;
	eng->free_ctx = audit_engine_free;
	eng->evaluate = audit_evaluate;
	eng->handles_object = OBJECT_CONTAINER;
	snprintf(eng->status, sizeof(eng->status), "available (%s, %zu rules)", e->standard, e->rules.n_rules);
	return 0;
}
