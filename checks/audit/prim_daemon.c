/* prim_daemon.c: daemon-level checks: an effective daemon option against a condition, and facts gathered for a person (engine version, sprawl). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "audit/prim_util.h"

static int eval_option(const struct audit_check *c, struct audit_outcome *o)
{
	const struct daemon_options *d = &c->host->daemon;
	const char *name = audit_param(c, "option");
	enum audit_op op = (enum audit_op)audit_op_parse(audit_param(c, "fail_if"));
	const struct daemon_opt *opt = daemon_options_get(d, name);
	if (!opt) {
		audit_outcome_set(o, AUDIT_NOT_EVALUATED, "the daemon option %s is not known: %s", name,
				  d->info.state == FACT_OK ? d->process_config.reason : "the engine's /info was not read");
		return 0;
	}
	o->n_objects = 1;
	if (opt->origin == DOPT_DEFAULT && d->process_config.state != FACT_OK) {
		int r = audit_evidence_add(o, "daemon-option", name, name, "%s = %s (Docker's default; no source "
					   "the API shows overrides it)", name, opt->value[0] ? opt->value : "\"\"");
		audit_outcome_set(o, AUDIT_NOT_EVALUATED, "%s: only Docker's default is known, and %s", name,
				  d->process_config.reason);
		return r;
	}
	bool bad = audit_str_satisfies(opt->value, op, audit_param(c, "value"));
	int r = bad ? audit_offender_add(o, "daemon-option", name, name, "%s = %s (%s)", name,
					 opt->value[0] ? opt->value : "\"\"", opt->source)
		    : audit_evidence_add(o, "daemon-option", name, name, "%s = %s (%s)", name,
					 opt->value[0] ? opt->value : "\"\"", opt->source);
	if (bad)
		audit_outcome_set(o, AUDIT_FAIL, "%s = %s", name, opt->value[0] ? opt->value : "\"\"");
	else
		audit_outcome_set(o, AUDIT_PASS, "%s = %s", name, opt->value[0] ? opt->value : "\"\"");
	return r;
}

const struct audit_primitive audit_prim_daemon_option = {
	.name = "daemon_option",
	.summary = "fails when the effective daemon option OPTION (daemon.json name) satisfies FAIL_IF VALUE",
	.required = (const char *const[]){ "option", "fail_if", NULL },
	.optional = (const char *const[]){ "value", NULL },
	.needs = AUDIT_NEED_HOST_DAEMON | AUDIT_NEED_NETWORKS,
	.validate = validate_op_value,
	.eval = eval_option,
};

static int eval_options_list(const struct audit_check *c, struct audit_outcome *o)
{
	const char *names = audit_param(c, "options");
	const char *p = names;
	while (*p) {
		size_t n = strcspn(p, ", ");
		char name[128];
		snprintf(name, sizeof(name), "%.*s", (int)(n < sizeof(name) ? n : sizeof(name) - 1), p);
		const struct daemon_opt *opt = n ? daemon_options_get(&c->host->daemon, name) : NULL;
		int r = 0;
		if (opt)
			r = audit_evidence_add(o, "daemon-option", name, name, "%s = %s (%s)", name,
					       opt->value[0] ? opt->value : "\"\"", opt->source);
		if (r < 0)
			return r;
		o->n_objects += opt != NULL;
		p += n;
		p += strspn(p, ", ");
	}
	audit_outcome_set(o, AUDIT_MANUAL, "%zu daemon options gathered for review", o->n_evidence);
	return 0;
}

const struct audit_primitive audit_prim_daemon_options_list = {
	.name = "daemon_options_list",
	.summary = "gathers the effective values of OPTIONS for a person to review",
	.required = (const char *const[]){ "options", NULL },
	.needs = AUDIT_NEED_HOST_DAEMON | AUDIT_NEED_NETWORKS,
	.eval = eval_options_list,
};

static int sprawl(const struct audit_check *c, struct audit_outcome *o, bool images)
{
	const struct snapshot *s = c->snap;
	if (images) {
		size_t used = 0, dangling = 0;
		for (size_t i = 0; i < s->n_images; i++) {
			bool in_use = false;
			for (size_t k = 0; k < s->n_containers && !in_use; k++)
				in_use = strcmp(s->containers[k].image_id, s->images[i].id) == 0;
			used += in_use;
			dangling += !s->images[i].n_repo_tags ||
				    strcmp(s->images[i].repo_tags[0], "<none>:<none>") == 0;
		}
		o->n_objects = s->n_images;
		audit_outcome_set(o, AUDIT_MANUAL, "%zu images: %zu used by containers, %zu unused, %zu untagged",
				  s->n_images, used, s->n_images - used, dangling);
		return audit_evidence_add(o, "engine", "images", "images", "%s", o->reason);
	}
	size_t running, stopped, created;
	snapshot_count_states(s, &running, &stopped, &created);
	o->n_objects = s->n_containers;
	audit_outcome_set(o, AUDIT_MANUAL, "%zu containers: %zu running, %zu stopped, %zu created and never started",
			  s->n_containers, running, stopped, created);
	return audit_evidence_add(o, "engine", "containers", "containers", "%s", o->reason);
}

static int eval_engine_facts(const struct audit_check *c, struct audit_outcome *o)
{
	const char *what = audit_param(c, "show");
	if (strcmp(what, "images") == 0)
		return c->snap->have_images ? sprawl(c, o, true)
					    : (audit_outcome_set(o, AUDIT_NOT_EVALUATED, "images not collected"), 0);
	if (strcmp(what, "containers") == 0)
		return sprawl(c, o, false);
	const struct snapshot *s = c->snap;
	o->n_objects = 1;
	audit_outcome_set(o, AUDIT_MANUAL, "Docker Engine %s (API %s), %s, kernel %s", s->version.version,
			  s->version.api_version, s->info.operating_system, s->info.kernel_version);
	return audit_evidence_add(o, "engine", "version", "Docker Engine", "%s", o->reason);
}

static int validate_engine_facts(const struct audit_param *p, size_t n, char *err, size_t errlen)
{
	const char *what = param_in(p, n, "show");
	if (strcmp(what, "version") != 0 && strcmp(what, "images") != 0 && strcmp(what, "containers") != 0) {
		snprintf(err, errlen, "check.show must be version, images or containers");
		return -EINVAL;
	}
	return 0;
}

const struct audit_primitive audit_prim_engine_facts = {
	.name = "engine_facts",
	.summary = "gathers for a person: SHOW = version (engine, API, OS, kernel), images or containers (counts)",
	.required = (const char *const[]){ "show", NULL },
	.needs = AUDIT_NEED_IMAGES,
	.validate = validate_engine_facts,
	.eval = eval_engine_facts,
};
