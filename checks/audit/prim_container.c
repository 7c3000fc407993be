/* prim_container.c: container predicates over every container in scope (running, stopped, created), read from their inspect documents. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "audit/host_state.h"
#include "audit/prim_util.h"
#include "inventory.h"
#include "json.h"

/* Whether the field at path ("HostConfig.Privileged", or "Mounts[].Propagation"
 * for every element of an array) satisfies op value; the value seen goes to seen. */
static bool field_satisfies(yajl_val doc, const char *path, enum audit_op op, const char *value,
			    char *seen, size_t seenlen)
{
	const char *arr = strstr(path, "[]");
	if (!arr) {
		yajl_val f = json_get(doc, path);
		audit_json_text(f, seen, seenlen);
		return audit_json_satisfies(f, op, value);
	}
	char head[256];
	snprintf(head, sizeof(head), "%.*s", (int)(arr - path), path);
	const char *tail = arr[2] == '.' ? arr + 3 : arr + 2;
	yajl_val a = json_get(doc, head);
	for (size_t i = 0; i < json_array_len(a); i++) {
		yajl_val el = json_array_at(a, i);
		if (*tail ? field_satisfies(el, tail, op, value, seen, seenlen)
			  : (audit_json_text(el, seen, seenlen), audit_json_satisfies(el, op, value)))
			return true;
	}
	return false;
}

static int eval_field(const struct audit_check *c, struct audit_outcome *o)
{
	const char *path = audit_param(c, "path");
	enum audit_op op = (enum audit_op)audit_op_parse(audit_param(c, "fail_if"));
	const char *value = audit_param(c, "value");
	const char *states = audit_param(c, "states");
	bool running_only = states && strcmp(states, "running") == 0;
	for (size_t i = 0; i < c->snap->n_containers; i++) {
		if (!container_selected(c, i, running_only))
			continue;
		const struct docker_container *ct = &c->snap->containers[i];
		o->n_objects++;
		char seen[256];
		if (field_satisfies(ct->raw, path, op, value, seen, sizeof(seen))) {
			int r = op == OP_PRESENT || op == OP_ABSENT
					? offender_container(o, ct, "%s %s (%s)", path, op == OP_PRESENT ? "is set" : "is not set",
							     ct->state)
					: offender_container(o, ct, "%s = %s (%s)", path, seen, ct->state);
			if (r < 0)
				return r;
		}
	}
	outcome_conclude(o, "containers", running_only ? "no running containers" : "no containers");
	return 0;
}

static int validate_field(const struct audit_param *p, size_t n, char *err, size_t errlen)
{
	const char *states = param_in(p, n, "states");
	if (states && strcmp(states, "running") != 0 && strcmp(states, "all") != 0) {
		snprintf(err, errlen, "check.states must be running or all");
		return -EINVAL;
	}
	return validate_op_value(p, n, err, errlen);
}

const struct audit_primitive audit_prim_container_field = {
	.name = "container_field",
	.summary = "fails each container whose inspect field PATH satisfies FAIL_IF VALUE",
	.required = (const char *const[]){ "path", "fail_if", NULL },
	.optional = (const char *const[]){ "value", "states", NULL },
	.validate = validate_field,
	.eval = eval_field,
};

/* Whether a bind mount of source exposes path: source is path or below it
 * ("below"), or source is path or one of its ancestors ("above"). */
static bool mount_hits(const char *source, const char *path, bool above)
{
	size_t ls = strlen(source), lp = strlen(path);
	while (ls > 1 && source[ls - 1] == '/')
		ls--;
	if (ls == lp && strncmp(source, path, lp) == 0)
		return true;
	if (strcmp(path, "/") == 0)
		return false;   /* "/" is sensitive itself, not everything under it */
	if (above)
		return ls == 1 ? source[0] == '/' : lp > ls && strncmp(path, source, ls) == 0 && path[ls] == '/';
	return ls > lp && strncmp(source, path, lp) == 0 && source[lp] == '/';
}

/* paths, plus the unix sockets of the daemon's "hosts" option when asked:
 * a daemon listening on /srv/docker.sock exposes itself there. */
static char *mount_paths(const struct audit_check *c)
{
	const char *paths = audit_param(c, "paths");
	const char *sockets = audit_param(c, "daemon_sockets");
	const struct daemon_opt *hosts = daemon_options_get(&c->host->daemon, "hosts");
	char *all = strdup(paths);
	if (!all || !sockets || strcmp(sockets, "true") != 0 || !hosts)
		return all;
	for (const char *p = strstr(hosts->value, "unix://"); p; p = strstr(p + 1, "unix://")) {
		size_t n = strcspn(p + 7, ",");
		char *grown;
		if (asprintf(&grown, "%s, %.*s", all, (int)n, p + 7) < 0) {
			free(all);
			return NULL;
		}
		free(all);
		all = grown;
	}
	return all;
}

static int eval_mounts(const struct audit_check *c, struct audit_outcome *o)
{
	char *paths = mount_paths(c);
	if (!paths)
		return -ENOMEM;
	const char *match = audit_param(c, "match");
	bool above = match && strcmp(match, "above") == 0;
	for (size_t i = 0; i < c->snap->n_containers; i++) {
		if (!container_selected(c, i, false))
			continue;
		const struct docker_container *ct = &c->snap->containers[i];
		o->n_objects++;
		for (size_t m = 0; m < ct->n_mounts; m++) {
			const struct docker_mount *mt = &ct->mounts[m];
			if (strcmp(mt->type, "bind") != 0 || !mt->source[0])
				continue;
			const char *p = paths;
			while (*p) {
				size_t n = strcspn(p, ", ");
				char one[1024];
				snprintf(one, sizeof(one), "%.*s", (int)(n < sizeof(one) ? n : sizeof(one) - 1), p);
				if (n && mount_hits(mt->source, one, above)) {
					int r = offender_container(o, ct, "mounts %s at %s (%s)", mt->source,
								   mt->destination, mt->rw ? "read-write" : "read-only");
					if (r < 0) {
						free(paths);
						return r;
					}
					break;
				}
				p += n;
				p += strspn(p, ", ");
			}
		}
	}
	free(paths);
	outcome_conclude(o, "containers", "no containers");
	return 0;
}

static int validate_mounts(const struct audit_param *p, size_t n, char *err, size_t errlen)
{
	const char *match = param_in(p, n, "match");
	if (match && strcmp(match, "below") != 0 && strcmp(match, "above") != 0) {
		snprintf(err, errlen, "check.match must be below or above");
		return -EINVAL;
	}
	const char *sockets = param_in(p, n, "daemon_sockets");
	if (sockets && strcmp(sockets, "true") != 0 && strcmp(sockets, "false") != 0) {
		snprintf(err, errlen, "check.daemon_sockets must be true or false");
		return -EINVAL;
	}
	return 0;
}

const struct audit_primitive audit_prim_container_mounts = {
	.name = "container_mounts",
	.summary = "fails each container with a bind mount of one of PATHS or anything below it "
		   "(match = above: of one of PATHS or an ancestor directory)",
	.required = (const char *const[]){ "paths", NULL },
	.optional = (const char *const[]){ "match", "daemon_sockets", NULL },
	.needs = AUDIT_NEED_HOST_DAEMON,
	.validate = validate_mounts,
	.eval = eval_mounts,
};

static bool ip_unbound(const char *ip)
{
	return !ip[0] || strcmp(ip, "0.0.0.0") == 0 || strcmp(ip, "::") == 0;
}

static int eval_ports(const struct audit_check *c, struct audit_outcome *o)
{
	const char *mode = audit_param(c, "mode");
	const char *below_s = audit_param(c, "below");
	long below = below_s ? strtol(below_s, NULL, 10) : 1024;
	bool privileged = strcmp(mode, "privileged") == 0, unbound = strcmp(mode, "unbound") == 0;
	for (size_t i = 0; i < c->snap->n_containers; i++) {
		if (!container_selected(c, i, false))
			continue;
		const struct docker_container *ct = &c->snap->containers[i];
		o->n_objects++;
		for (size_t p = 0; p < ct->n_ports; p++) {
			const struct docker_port *pt = &ct->ports[p];
			char where[128];
			format_port(pt, where, sizeof(where));
			bool hit = privileged ? pt->host_port != 0 && pt->host_port < below
					      : unbound ? ip_unbound(pt->host_ip) : true;
			int r = 0;
			if (hit && (privileged || unbound))
				r = offender_container(o, ct, "publishes %s", where);
			else if (hit)
				r = evidence_container(o, ct, "publishes %s", where);
			if (r < 0)
				return r;
		}
	}
	if (privileged || unbound)
		outcome_conclude(o, "containers", "no containers");
	else
		audit_outcome_set(o, AUDIT_MANUAL, "%zu published ports on %zu containers; check that each is needed",
				  o->n_evidence, o->n_objects);
	return 0;
}

static int validate_ports(const struct audit_param *p, size_t n, char *err, size_t errlen)
{
	const char *mode = param_in(p, n, "mode");
	if (strcmp(mode, "privileged") != 0 && strcmp(mode, "unbound") != 0 && strcmp(mode, "list") != 0) {
		snprintf(err, errlen, "check.mode must be privileged, unbound or list");
		return -EINVAL;
	}
	const char *below = param_in(p, n, "below");
	if (below && (atoi(below) < 1 || atoi(below) > 65536)) {
		snprintf(err, errlen, "check.below must be a port number");
		return -EINVAL;
	}
	return 0;
}

const struct audit_primitive audit_prim_container_ports = {
	.name = "container_ports",
	.summary = "published ports, IPv4 and IPv6: mode = privileged fails host ports below BELOW (1024), "
		   "unbound fails ports on every address (0.0.0.0, ::), list gathers them for a person",
	.required = (const char *const[]){ "mode", NULL },
	.optional = (const char *const[]){ "below", NULL },
	.validate = validate_ports,
	.eval = eval_ports,
};

static int eval_restart(const struct audit_check *c, struct audit_outcome *o)
{
	const char *max_s = audit_param(c, "max_retries");
	long max = max_s ? strtol(max_s, NULL, 10) : 5;
	for (size_t i = 0; i < c->snap->n_containers; i++) {
		if (!container_selected(c, i, false))
			continue;
		const struct docker_container *ct = &c->snap->containers[i];
		o->n_objects++;
		const char *pol = ct->restart_policy;
		int r = 0;
		if (strcmp(pol, "always") == 0 || strcmp(pol, "unless-stopped") == 0)
			r = offender_container(o, ct, "restart policy %s restarts without limit", pol);
		else if (strcmp(pol, "on-failure") == 0 && (ct->restart_max_retries <= 0 || ct->restart_max_retries > max))
			r = offender_container(o, ct, "restart policy on-failure:%lld (%s)",
					       (long long)ct->restart_max_retries,
					       ct->restart_max_retries <= 0 ? "no limit" : "more than the limit");
		if (r < 0)
			return r;
	}
	outcome_conclude(o, "containers", "no containers");
	return 0;
}

const struct audit_primitive audit_prim_container_restart = {
	.name = "container_restart",
	.summary = "fails containers restarted without limit (always, unless-stopped, on-failure:0) or "
		   "on-failure with more than MAX_RETRIES (5) retries",
	.optional = (const char *const[]){ "max_retries", NULL },
	.eval = eval_restart,
};

static bool secopt_is(const char *opt, const char *key, const char *value)
{
	size_t k = strlen(key);
	return strncmp(opt, key, k) == 0 && (opt[k] == '=' || opt[k] == ':') && strcmp(opt + k + 1, value) == 0;
}

static int eval_seccomp(const struct audit_check *c, struct audit_outcome *o)
{
	const struct daemon_opt *dp = daemon_options_get(&c->host->daemon, "seccomp-profile");
	bool daemon_unconfined = dp && strcmp(dp->value, "unconfined") == 0;
	for (size_t i = 0; i < c->snap->n_containers; i++) {
		if (!container_selected(c, i, false))
			continue;
		const struct docker_container *ct = &c->snap->containers[i];
		o->n_objects++;
		yajl_val so = json_get(ct->raw, "HostConfig.SecurityOpt");
		const char *why = NULL;
		for (size_t k = 0; k < json_array_len(so) && !why; k++) {
			yajl_val e = json_array_at(so, k);
			if (YAJL_IS_STRING(e) && secopt_is(YAJL_GET_STRING(e), "seccomp", "unconfined"))
				why = "runs with --security-opt seccomp=unconfined";
		}
		/* Docker applies no seccomp filter to privileged containers */
		if (!why && ct->privileged)
			why = "is privileged, which turns seccomp off";
		if (!why && daemon_unconfined)
			why = "inherits the daemon's seccomp-profile=unconfined";
		/* what the kernel applies to its init process (host_procs.c), beside what was declared */
		const struct host_ctr_state *ps = host_ctr_state_find(c->host, ct->id);
		if (!why && ps && ps->status.state == FACT_OK && ps->seccomp == 0)
			why = "runs without a seccomp filter (its init process's /proc status says Seccomp: 0)";
		if (why) {
			int r = offender_container(o, ct, "%s", why);
			if (r < 0)
				return r;
		}
	}
	outcome_conclude(o, "containers", "no containers");
	return 0;
}

const struct audit_primitive audit_prim_container_seccomp = {
	.name = "container_seccomp",
	.summary = "fails containers without a seccomp filter: seccomp=unconfined, privileged, or the daemon's "
		   "profile unconfined",
	.needs = AUDIT_NEED_HOST_DAEMON | AUDIT_NEED_HOST_PROCS,
	.eval = eval_seccomp,
};

/* The container's own no-new-privileges setting: 1 true, 0 false, -1 not set. */
static int container_nnp(const struct docker_container *ct)
{
	yajl_val so = json_get(ct->raw, "HostConfig.SecurityOpt");
	int v = -1;
	for (size_t k = 0; k < json_array_len(so); k++) {
		yajl_val e = json_array_at(so, k);
		if (!YAJL_IS_STRING(e))
			continue;
		const char *s = YAJL_GET_STRING(e);
		if (strcmp(s, "no-new-privileges") == 0 || secopt_is(s, "no-new-privileges", "true"))
			v = 1;
		else if (secopt_is(s, "no-new-privileges", "false"))
			v = 0;
	}
	return v;
}

static int eval_nnp(const struct audit_check *c, struct audit_outcome *o)
{
	const struct daemon_options *d = &c->host->daemon;
	const struct daemon_opt *dp = daemon_options_get(d, "no-new-privileges");
	/* the daemon's default is evidence only once its own configuration was read */
	int daemon = dp && (dp->origin != DOPT_DEFAULT || d->process_config.state == FACT_OK)
			     ? strcmp(dp->value, "true") == 0 : -1;
	size_t unknown = 0;
	for (size_t i = 0; i < c->snap->n_containers; i++) {
		if (!container_selected(c, i, false))
			continue;
		const struct docker_container *ct = &c->snap->containers[i];
		o->n_objects++;
		int v = container_nnp(ct);
		int r = 0;
		const struct host_ctr_state *ps = host_ctr_state_find(c->host, ct->id);
		int running_nnp = ps && ps->status.state == FACT_OK ? ps->no_new_privs : -1;
		if (v != 0 && running_nnp == 0 && (v == 1 || daemon != 0))
			r = offender_container(o, ct, "its init process (pid %d) runs with NoNewPrivs: 0%s", ps->pid,
					       v == 1 ? " although it sets no-new-privileges" : "");
		else if (v < 0 && daemon < 0 && running_nnp == 1)
			r = evidence_container(o, ct, "its init process (pid %d) runs with NoNewPrivs: 1", ps->pid);
		else if (v == 0)
			r = offender_container(o, ct, "sets no-new-privileges=false%s",
					       daemon == 1 ? ", overriding the daemon's default" : "");
		else if (v < 0 && daemon == 0)
			r = offender_container(o, ct, "does not set no-new-privileges and the daemon's default is false (%s)",
					       dp->source);
		else if (v < 0 && daemon < 0) {
			unknown++;
			r = evidence_container(o, ct, "does not set no-new-privileges; the daemon's default is unknown");
		}
		if (r < 0)
			return r;
	}
	if (!o->n_offenders && unknown) {
		audit_outcome_set(o, AUDIT_NOT_EVALUATED,
				  "%zu containers follow the daemon's no-new-privileges default, which is unknown: %s",
				  unknown, d->process_config.reason[0] ? d->process_config.reason
								       : "the daemon's configuration was not read");
		return 0;
	}
	outcome_conclude(o, "containers", "no containers");
	return 0;
}

const struct audit_primitive audit_prim_container_no_new_privileges = {
	.name = "container_no_new_privileges",
	.summary = "fails containers that may gain privileges: no-new-privileges=false, or unset with the "
		   "daemon's default false",
	.needs = AUDIT_NEED_HOST_DAEMON | AUDIT_NEED_HOST_PROCS,
	.eval = eval_nnp,
};

static int eval_caps(const struct audit_check *c, struct audit_outcome *o)
{
	const char *allowed = audit_param(c, "allowed");
	for (size_t i = 0; i < c->snap->n_containers; i++) {
		if (!container_selected(c, i, false))
			continue;
		const struct docker_container *ct = &c->snap->containers[i];
		o->n_objects++;
		if (ct->privileged) {
			int r = offender_container(o, ct, "is privileged: every capability");
			if (r < 0)
				return r;
			continue;
		}
		yajl_val add = json_get(ct->raw, "HostConfig.CapAdd");
		char list[512] = "";
		size_t used = 0;
		for (size_t k = 0; k < json_array_len(add); k++) {
			yajl_val e = json_array_at(add, k);
			if (!YAJL_IS_STRING(e))
				continue;
			/* engines before 20.10 keep the case the user gave (--cap-add chown) */
			char bare[64];
			const char *cap = YAJL_GET_STRING(e);
			size_t n = 0;
			if (strncasecmp(cap, "CAP_", 4) == 0)
				cap += 4;
			for (; cap[n] && n < sizeof(bare) - 1; n++)
				bare[n] = (char)toupper((unsigned char)cap[n]);
			bare[n] = '\0';
			if (allowed && audit_list_has(allowed, bare))
				continue;
			if (used < sizeof(list))
				used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s", used ? "," : "", bare);
		}
		if (list[0]) {
			int r = offender_container(o, ct, "adds capabilities %s", list);
			if (r < 0)
				return r;
		}
	}
	outcome_conclude(o, "containers", "no containers");
	return 0;
}

const struct audit_primitive audit_prim_container_capabilities = {
	.name = "container_capabilities",
	.summary = "fails containers that add capabilities (other than ALLOWED, compared without CAP_ and case) or run "
		   "privileged",
	.optional = (const char *const[]){ "allowed", NULL },
	.eval = eval_caps,
};
