/* engine.c: the audit engine: select rules, evaluate them over one snapshot and the host facts, apply waivers. */
#include "audit/engine.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/host_state.h"
#include "json.h"

const char *audit_param(const struct audit_check *c, const char *name)
{
	for (size_t i = 0; i < c->rule->n_params; i++)
		if (strcmp(c->rule->params[i].name, name) == 0)
			return c->rule->params[i].value;
	return NULL;
}

static bool rule_selected(const struct audit_ctx *ctx, const struct audit_rule *r)
{
	if (ctx->level == 1 && r->level != 1)
		return false;
	if (ctx->include && *ctx->include && !audit_id_matches(r->id, ctx->include))
		return false;
	if (ctx->exclude && *ctx->exclude && audit_id_matches(r->id, ctx->exclude))
		return false;
	return true;
}

void audit_plan(const struct audit_ctx *ctx, struct snapshot_request *sr, struct host_facts_request *hr)
{
	memset(sr, 0, sizeof(*sr));
	memset(hr, 0, sizeof(*hr));
	for (size_t i = 0; i < ctx->rules->n_rules; i++) {
		const struct audit_rule *r = &ctx->rules->rules[i];
		if (!rule_selected(ctx, r) || !r->prim)
			continue;
		unsigned n = r->prim->needs;
		sr->images |= (n & (AUDIT_NEED_IMAGES | AUDIT_NEED_HISTORY)) != 0;
		sr->image_history |= (n & AUDIT_NEED_HISTORY) != 0;
		sr->networks |= (n & AUDIT_NEED_NETWORKS) != 0;
		sr->top |= (n & AUDIT_NEED_TOP) != 0;
		hr->daemon |= (n & AUDIT_NEED_HOST_DAEMON) != 0;
		hr->files |= (n & AUDIT_NEED_HOST_FILES) != 0;
		hr->procs |= (n & AUDIT_NEED_HOST_PROCS) != 0;
		hr->image_scans |= (n & AUDIT_NEED_IMAGE_SCANS) != 0;
		sr->execs |= (n & AUDIT_NEED_EXECS) != 0;
		hr->exec_log |= (n & AUDIT_NEED_EXEC_LOG) != 0;
	}
	/* the daemon's options decide several container verdicts and the preconditions */
	hr->daemon |= hr->files || hr->procs;
}

static bool labels_match(const struct audit_ctx *ctx, const struct docker_container *ct)
{
	yajl_val labels = json_get(ct->raw, "Config.Labels");
	for (size_t i = 0; i < ctx->n_labels; i++) {
		const char *kv = ctx->labels[i], *eq = strchr(kv, '=');
		char key[256];
		snprintf(key, sizeof(key), "%.*s", (int)(eq ? (size_t)(eq - kv) : strlen(kv)), kv);
		const char *v = json_str(json_get_key(labels, key), "");
		if (!v || (eq && strcmp(v, eq + 1) != 0))
			return false;
	}
	return true;
}

static bool container_in_scope(const struct audit_ctx *ctx, const struct host_facts *h,
			       const struct docker_container *ct)
{
	if (h->own_container_id[0] && strcmp(ct->id, h->own_container_id) == 0)
		return false;
	if (ctx->only_container && strcmp(ct->id, ctx->only_container) != 0 &&
	    strcmp(ct->name, ctx->only_container) != 0)
		return false;
	if (ctx->container_pattern && fnmatch(ctx->container_pattern, ct->name, 0) != 0)
		return false;
	if (ctx->exclude_containers && fnmatch(ctx->exclude_containers, ct->name, 0) == 0)
		return false;
	return labels_match(ctx, ct);
}

int audit_images_wanted(const struct audit_ctx *ctx, const struct snapshot *s, bool **wanted)
{
	*wanted = NULL;
	if (!ctx->only_container && !ctx->container_pattern && !ctx->exclude_containers && !ctx->n_labels)
		return 0;
	bool *w = calloc(s->n_images + 1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	for (size_t i = 0; i < s->n_images; i++)
		for (size_t k = 0; k < s->n_containers && !w[i]; k++) {
			const struct docker_container *c = &s->containers[k];
			if (ctx->only_container && strcmp(c->id, ctx->only_container) != 0)
				continue;
			w[i] = strcmp(c->image_id, s->images[i].id) == 0;
		}
	*wanted = w;
	return 0;
}

int audit_collect_tops(struct docker_client *dc, const struct audit_ctx *ctx, const struct host_facts *h,
		       struct snapshot *s)
{
	bool *want = calloc(s->n_containers ? s->n_containers : 1, sizeof(*want));
	if (!want)
		return -ENOMEM;
	for (size_t i = 0; i < s->n_containers; i++) {
		const struct docker_container *ct = &s->containers[i];
		const struct host_ctr_state *ps = host_ctr_state_find(h, ct->id);
		want[i] = container_in_scope(ctx, h, ct) && !(ps && ps->procs_status.state == FACT_OK);
	}
	int r = snapshot_collect_tops(dc, s, want);
	free(want);
	return r;
}

static bool container_filtered(const struct audit_ctx *ctx)
{
	return ctx->only_container || ctx->container_pattern || ctx->exclude_containers || ctx->n_labels;
}

/* Preconditions a rule states with "requires": unmet means not applicable. */
static bool requirement_unmet(const struct audit_rule *r, const struct snapshot *s, const struct host_facts *h,
			      struct audit_outcome *o)
{
	const char *req = NULL;
	for (size_t i = 0; i < r->n_params; i++)
		if (strcmp(r->params[i].name, "requires") == 0)
			req = r->params[i].value;
	if (!req)
		return false;
	if (strcmp(req, "apparmor") == 0 || strcmp(req, "selinux") == 0) {
		char want[32];
		snprintf(want, sizeof(want), "name=%s", req);
		for (size_t i = 0; i < s->info.n_security_options; i++)
			if (strncmp(s->info.security_options[i], want, strlen(want)) == 0)
				return false;
		audit_outcome_set(o, AUDIT_NOT_APPLICABLE, "%s is not in use on this host (the engine reports no "
				  "%s security option)", strcmp(req, "apparmor") == 0 ? "AppArmor" : "SELinux", req);
		return true;
	}
	if (strcmp(req, "swarm") == 0) {
		if (strcmp(s->info.swarm_state, "active") == 0)
			return false;
		audit_outcome_set(o, AUDIT_NOT_APPLICABLE, "swarm mode is %s",
				  s->info.swarm_state[0] ? s->info.swarm_state : "inactive");
		return true;
	}
	/* tcp-socket */
	const struct daemon_opt *hosts = daemon_options_get(&h->daemon, "hosts");
	if (hosts && strstr(hosts->value, "tcp://"))
		return false;
	if (hosts && (hosts->origin != DOPT_DEFAULT || h->daemon.process_config.state == FACT_OK)) {
		audit_outcome_set(o, AUDIT_NOT_APPLICABLE, "the daemon listens on no TCP socket (hosts = %s)", hosts->value);
		return true;
	}
	audit_outcome_set(o, AUDIT_NOT_EVALUATED, "whether the daemon listens on TCP is not known: %s",
			  h->daemon.process_config.reason[0] ? h->daemon.process_config.reason
							     : "the daemon's configuration was not read");
	return true;
}

static int evaluate(const struct audit_rule *r, const struct audit_check *chk, struct audit_outcome *o)
{
	if (requirement_unmet(r, chk->snap, chk->host, o))
		return 0;
	if (!r->prim) {
		if (r->automated)
			audit_outcome_set(o, AUDIT_NOT_EVALUATED, "no automated check for this rule in this build");
		else
			audit_outcome_set(o, AUDIT_MANUAL, "no evidence is gathered for this rule; review it by hand");
		return 0;
	}
	int ret = r->prim->eval(chk, o);
	if (ret < 0)
		return ret;
	if (r->automated || o->verdict == AUDIT_NOT_APPLICABLE || o->verdict == AUDIT_MANUAL ||
	    o->verdict == AUDIT_NOT_EVALUATED)
		return 0;
	/* a manual rule: what the check found is evidence for a person */
	char reason[sizeof(o->reason)];
	snprintf(reason, sizeof(reason), "%s", o->reason);
	enum audit_verdict found = o->verdict;
	audit_outcome_set(o, AUDIT_MANUAL, "%s%s", found == AUDIT_FAIL ? "for review: " : "", reason);
	for (size_t i = 0; i < o->n_offenders; i++) {
		struct audit_item *grown = realloc(o->evidence, (o->n_evidence + 1) * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		o->evidence = grown;
		grown[o->n_evidence++] = o->offenders[i];
	}
	free(o->offenders);
	o->offenders = NULL;
	o->n_offenders = 0;
	return 0;
}

static const struct docker_container *find_container(const struct snapshot *s, const char *id)
{
	for (size_t i = 0; i < s->n_containers; i++)
		if (strcmp(s->containers[i].id, id) == 0)
			return &s->containers[i];
	return NULL;
}

static bool waiver_covers(const struct audit_waiver *w, const struct audit_item *it, const struct snapshot *s)
{
	if (!w->container && !w->image)
		return true;
	if (strcmp(it->kind, "container") == 0) {
		const struct docker_container *ct = find_container(s, it->id);
		if (w->container && fnmatch(w->container, it->name, 0) != 0)
			return false;
		if (w->image && (!ct || fnmatch(w->image, ct->image_ref, 0) != 0))
			return false;
		return true;
	}
	if (strcmp(it->kind, "image") == 0)
		return !w->container && fnmatch(w->image, it->name, 0) == 0;
	return false;
}

static int apply_waivers(const struct audit_ctx *ctx, const struct snapshot *s, time_t now, struct audit_finding *f)
{
	if (!ctx->waivers || f->out.verdict != AUDIT_FAIL)
		return 0;
	for (size_t w = 0; w < ctx->waivers->n; w++) {
		const struct audit_waiver *wv = &ctx->waivers->w[w];
		if (!audit_id_matches(f->rule->id, wv->rule) || audit_waiver_expired(wv, now))
			continue;
		size_t keep = 0;
		for (size_t i = 0; i < f->out.n_offenders; i++) {
			struct audit_item *it = &f->out.offenders[i];
			if (!waiver_covers(wv, it, s)) {
				f->out.offenders[keep++] = *it;
				continue;
			}
			struct audit_item *grown = realloc(f->waived, (f->n_waived + 1) * sizeof(*grown));
			const struct audit_waiver **by = grown ? realloc(f->waived_by, (f->n_waived + 1) * sizeof(*by)) : NULL;
			if (grown)
				f->waived = grown;
			if (by)
				f->waived_by = by;
			if (!grown || !by) {
				/* keep the offender where it is: the finding stays whole */
				f->out.offenders[keep++] = *it;
				for (size_t j = i + 1; j < f->out.n_offenders; j++)
					f->out.offenders[keep++] = f->out.offenders[j];
				f->out.n_offenders = keep;
				return -ENOMEM;
			}
			by[f->n_waived] = wv;
			grown[f->n_waived++] = *it;
		}
		f->out.n_offenders = keep;
		if (!keep) {
			f->waiver_reason = wv->reason;
			audit_outcome_set(&f->out, AUDIT_WAIVED, "waived by [%s] until %s: %s", wv->name,
					  wv->expires ? wv->expires_text : "further notice", wv->reason);
			return 0;
		}
	}
	return 0;
}

int audit_run(const struct audit_ctx *ctx, const struct snapshot *s, const struct host_facts *h,
	      struct audit_result *out)
{
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(out, 0, sizeof(*out));
	time_t now = ctx->now ? ctx->now : time(NULL);
	out->started = now;
	int r = -ENOMEM;
	bool *cscope = calloc(s->n_containers + 1, sizeof(bool));
	bool *iscope = calloc(s->n_images + 1, sizeof(bool));
	out->benchmark = strdup(ctx->rules->benchmark);
	char hn[256] = "";
	if (s->info.name && s->info.name[0])
		snprintf(hn, sizeof(hn), "%s", s->info.name);
	else if (gethostname(hn, sizeof(hn) - 1) < 0)
		hn[0] = '\0';
	out->hostname = strdup(hn);
	out->findings = calloc(ctx->rules->n_rules + 1, sizeof(*out->findings));
	if (!cscope || !iscope || !out->benchmark || !out->hostname || !out->findings)
		goto out;
	for (size_t i = 0; i < s->n_containers; i++)
		out->n_containers += cscope[i] = container_in_scope(ctx, h, &s->containers[i]);
	bool filtered = container_filtered(ctx);
	for (size_t i = 0; i < s->n_images; i++) {
		iscope[i] = !filtered;
		for (size_t k = 0; k < s->n_containers && !iscope[i]; k++)
			iscope[i] = cscope[k] && strcmp(s->containers[k].image_id, s->images[i].id) == 0;
		out->n_images += iscope[i];
	}
	for (size_t i = 0; i < ctx->rules->n_rules; i++) {
		const struct audit_rule *rule = &ctx->rules->rules[i];
		if (!rule_selected(ctx, rule))
			continue;
		struct audit_finding *f = &out->findings[out->n_findings++];
		f->rule = rule;
		struct audit_check chk = { .rule = rule, .snap = s, .host = h, .container_in_scope = cscope,
					   .image_in_scope = iscope };
		r = evaluate(rule, &chk, &f->out);
		if (r == 0)
			r = apply_waivers(ctx, s, now, f);
		if (r < 0)
			goto out;
		out->counts[f->out.verdict]++;
	}
	if (ctx->waivers) {
		for (size_t w = 0; w < ctx->waivers->n; w++) {
			if (!audit_waiver_expired(&ctx->waivers->w[w], now))
				continue;
			const struct audit_waiver **grown = realloc(out->expired, (out->n_expired + 1) * sizeof(*grown));
			if (!grown) {
				r = -ENOMEM;
				goto out;
			}
			out->expired = grown;
			grown[out->n_expired++] = &ctx->waivers->w[w];
		}
	}
	r = 0;
out:
	out->container_in_scope = cscope;
	out->image_in_scope = iscope;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	out->elapsed_ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	if (r < 0)
		audit_result_free(out);
	return r;
}

void audit_result_free(struct audit_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_findings; i++) {
		audit_outcome_free(&r->findings[i].out);
		for (size_t k = 0; k < r->findings[i].n_waived; k++)
			audit_item_free(&r->findings[i].waived[k]);
		free(r->findings[i].waived);
		free(r->findings[i].waived_by);
	}
	free(r->findings);
	free(r->expired);
	free(r->container_in_scope);
	free(r->image_in_scope);
	free(r->benchmark);
	free(r->hostname);
	memset(r, 0, sizeof(*r));
}

void audit_finding_id(const char *rule_id, const struct audit_item *object, char out[24])
{
	uint64_t h = 1469598103934665603ULL;
	const char *parts[3] = { rule_id, object ? object->kind : "", object ? object->id : "" };
	for (int p = 0; p < 3; p++) {
		for (const unsigned char *c = (const unsigned char *)parts[p]; *c; c++)
			h = (h ^ *c) * 1099511628211ULL;
		h = (h ^ 0xff) * 1099511628211ULL;      /* separator: ("a","bc") != ("ab","c") */
	}
	snprintf(out, 24, "DW-%016llx", (unsigned long long)h);
}

double audit_score(const struct audit_result *r)
{
	size_t pass = r->counts[AUDIT_PASS], fail = r->counts[AUDIT_FAIL];
	return pass + fail ? 100.0 * (double)pass / (double)(pass + fail) : 100.0;
}

bool audit_has_failures(const struct audit_result *r, enum audit_severity min)
{
	for (size_t i = 0; i < r->n_findings; i++)
		if (r->findings[i].out.verdict == AUDIT_FAIL && r->findings[i].rule->severity >= min)
			return true;
	return false;
}
