/* prim_container_execs.c: docker exec with --privileged or as root (rules 5.23, 5.24): the exec instances running now and the docker exec commands in the host's audit log. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "audit/host_state.h"
#include "audit/prim_util.h"
#include "json.h"
#include "timefmt.h"

enum exec_look { LOOK_PRIVILEGED, LOOK_ROOT_USER };

static bool user_is_root(const char *u)
{
	if (!u)
		return false;
	size_t n = strncmp(u, "root", 4) == 0 ? 4 : u[0] == '0' ? 1 : 0;
	return n && (u[n] == '\0' || u[n] == ':');
}

static bool hit(enum exec_look look, bool privileged, const char *user)
{
	return look == LOOK_PRIVILEGED ? privileged : user_is_root(user);
}

/* A container an exec command named (its name, or an id or id prefix). */
static const struct docker_container *find_container(const struct snapshot *s, const char *ref, size_t *idx)
{
	size_t len = strlen(ref);
	for (size_t i = 0; i < s->n_containers; i++) {
		const struct docker_container *ct = &s->containers[i];
		if (strcmp(ct->name, ref) == 0 || (len >= 4 && strncmp(ct->id, ref, len) == 0)) {
			*idx = i;
			return ct;
		}
	}
	return NULL;
}

/* Whether --containers/--label filters left containers out (the agent's own does not count). */
static bool containers_filtered(const struct audit_check *c)
{
	for (size_t i = 0; i < c->snap->n_containers; i++)
		if (!c->container_in_scope[i] && strcmp(c->snap->containers[i].id, c->host->own_container_id) != 0)
			return true;
	return false;
}

static int running_execs(const struct audit_check *c, enum exec_look look, struct audit_outcome *o, size_t *seen)
{
	const struct snapshot *s = c->snap;
	for (size_t k = 0; k < s->n_execs; k++) {
		size_t i = s->execs[k].container;
		if (!container_selected(c, i, false))
			continue;
		yajl_val v = s->execs[k].raw;
		bool privileged = json_bool(v, "ProcessConfig.privileged", false);
		const char *user = json_str(v, "ProcessConfig.user");
		const char *id = json_str(v, "ID"), *entry = json_str(v, "ProcessConfig.entrypoint");
		(*seen)++;
		if (!hit(look, privileged, user))
			continue;
		int r = offender_container(o, &s->containers[i], "running exec %.12s (%.80s) %s%s", id ? id : "?",
					   entry ? entry : "?", look == LOOK_PRIVILEGED ? "has --privileged" : "runs as ",
					   look == LOOK_PRIVILEGED ? "" : user);
		if (r < 0)
			return r;
	}
	return 0;
}

static int logged_execs(const struct audit_check *c, enum exec_look look, const struct host_execlog *x,
			struct audit_outcome *o)
{
	bool filtered = containers_filtered(c);
	for (size_t k = 0; k < x->n; k++) {
		const struct host_exec_record *rec = &x->r[k];
		if (!hit(look, rec->privileged, rec->user))
			continue;
		char when[32];
		format_utc((time_t)rec->when, when, sizeof(when));
		size_t i;
		const struct docker_container *ct = find_container(c->snap, rec->container, &i);
		int r;
		if (ct && !container_selected(c, i, false))
			continue;
		if (ct)
			r = offender_container(o, ct, "%s (host audit log, %s)", rec->cmdline, when);
		else if (filtered)
			continue;       /* a container no longer there cannot be matched against the filter */
		else {
			char id[300];
			snprintf(id, sizeof(id), "%s@%lld", rec->container, rec->when);
			r = audit_offender_add(o, "exec", id, rec->container, "%s (host audit log, %s; the container "
					       "is gone)", rec->cmdline, when);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

/* Why past execs are (not) on record: NULL when the log records every run of the docker CLI. */
static const char *coverage_gap(const struct host_local *l, char *buf, size_t len)
{
	const struct host_execlog *x = &l->execlog;
	const struct host_audit *a = &l->audit;
	if (x->status.state != FACT_OK)
		return x->status.reason[0] ? x->status.reason : "the host audit log was not read";
	if (!x->cli_path[0])
		return "no docker CLI was found on the host (/usr/bin, /usr/local/bin, /bin, /snap/bin)";
	if (!x->files_read) {
		snprintf(buf, len, "there is no host audit log at %s", x->log_path);
		return buf;
	}
	if (a->status.state != FACT_OK) {
		snprintf(buf, len, "the host's audit rules are not known: %s", a->status.reason);
		return buf;
	}
	if (a->execve_rule[0])
		return NULL;
	const struct audit_watch *w = host_audit_covering(a, x->cli_path);
	if (w && (!w->perms[0] || strchr(w->perms, 'x')))
		return NULL;
	snprintf(buf, len, "no audit rule records the docker CLI's runs (%s is not watched for execution and no "
		 "rule audits execve)", x->cli_path);
	return buf;
}

static int eval_execs(const struct audit_check *c, struct audit_outcome *o)
{
	enum exec_look look = strcmp(audit_param(c, "look_for"), "privileged") == 0 ? LOOK_PRIVILEGED : LOOK_ROOT_USER;
	const char *what = look == LOOK_PRIVILEGED ? "--privileged" : "--user root";
	const struct host_local *l = c->host->local;
	if (!c->snap->have_execs || !l) {
		audit_outcome_set(o, AUDIT_NOT_EVALUATED, "the containers' exec instances were not collected");
		return 0;
	}
	size_t seen = 0;
	int r = running_execs(c, look, o, &seen);
	size_t running_hits = o->n_offenders;
	const struct host_execlog *x = &l->execlog;
	if (r == 0 && x->status.state == FACT_OK)
		r = logged_execs(c, look, x, o);
	if (r < 0)
		return r;
	o->n_objects = containers_selected(c, false);
	char since[32] = "", gapbuf[300];
	if (x->since)
		format_utc((time_t)x->since, since, sizeof(since));
	if (x->status.state == FACT_OK && x->files_read &&
	    (r = audit_evidence_add(o, "file", x->log_path, x->log_path, "%zu docker exec command%s%s%s in %zu "
				    "file%s%s%s", x->records, x->records == 1 ? "" : "s", since[0] ? " since " : "",
				    since, x->files_read, x->files_read == 1 ? "" : "s",
				    x->truncated ? "; older rotations not read (64 MiB read)" : "",
				    x->records_dropped ? "; only the first 512 kept" : "")) < 0)
		return r;
	if (o->n_offenders) {
		audit_outcome_set(o, AUDIT_FAIL, "%zu docker exec%s used %s (%zu running now, %zu in the host audit log)",
				  o->n_offenders, o->n_offenders == 1 ? "" : "s", what, running_hits,
				  o->n_offenders - running_hits);
		return 0;
	}
	const char *gap = coverage_gap(l, gapbuf, sizeof(gapbuf));
	if (!gap) {
		audit_outcome_set(o, AUDIT_PASS, "no docker exec used %s: %zu running exec instance%s, %zu docker exec "
				  "command%s in the host audit log%s%s; execs that other API clients made are seen only "
				  "while they run", what, seen, seen == 1 ? "" : "s", x->records,
				  x->records == 1 ? "" : "s", since[0] ? " since " : "", since);
		return 0;
	}
	if (!o->n_objects) {
		audit_outcome_set(o, AUDIT_NOT_APPLICABLE, "no containers");
		return 0;
	}
	/* the engine forgets an exec when it exits: without the log, past ones are unknown */
	audit_outcome_set(o, AUDIT_NOT_EVALUATED, "none of the %zu running exec instances uses %s, but past execs are "
			  "not on record: %s", seen, what, gap);
	return 0;
}

static int validate_execs(const struct audit_param *p, size_t n, char *err, size_t errlen)
{
	const char *v = param_in(p, n, "look_for");
	if (v && strcmp(v, "privileged") != 0 && strcmp(v, "root-user") != 0) {
		snprintf(err, errlen, "check.look_for must be privileged or root-user, not \"%s\"", v);
		return -EINVAL;
	}
	return 0;
}

const struct audit_primitive audit_prim_container_execs = {
	.name = "container_execs",
	.summary = "docker exec with LOOK_FOR (privileged, root-user): the exec instances running now (the engine "
		   "forgets ended ones) and the docker CLI's exec commands in the host's audit log; passes only "
		   "when the audit rules record every run of the docker CLI",
	.required = (const char *const[]){ "look_for", NULL },
	.needs = AUDIT_NEED_EXECS | AUDIT_NEED_EXEC_LOG | AUDIT_NEED_HOST_FILES,
	.validate = validate_execs,
	.eval = eval_execs,
};
