/* prim_audit.c: audit coverage: each Docker file or binary a rule names must be watched by an audit rule on itself or an ancestor directory. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "audit/host_state.h"
#include "audit/prim_util.h"

static int eval_watch(const struct audit_check *c, struct audit_outcome *o)
{
	const struct host_local *l = c->host->local;
	const char *targets = audit_param(c, "targets");
	if (!l || l->audit.status.state != FACT_OK) {
		audit_outcome_set(o, AUDIT_NOT_EVALUATED, "audit rules were not collected%s%s",
				  l ? ": " : "", l ? l->audit.status.reason : "");
		return 0;
	}
	const struct host_audit *a = &l->audit;
	const char *absent = NULL;
	for (size_t i = 0; i < a->n_bins; i++) {
		const struct host_binary *b = &a->bins[i];
		if (!audit_list_has(targets, b->name))
			continue;
		int r = 0;
		if (!b->path || strcmp(b->how, "absent") == 0) {
			absent = b->path ? b->path : b->name;
			r = audit_evidence_add(o, "file", b->path ? b->path : b->name, b->name, "%s: %s",
					       b->path ? b->path : b->name, b->how);
			if (r < 0)
				return r;
			continue;
		}
		o->n_objects++;
		const struct audit_watch *w = host_audit_covering(a, b->path);
		if (w)
			r = audit_evidence_add(o, "audit-rule", b->path, b->name, "%s (%s) watched by -w %s -p %s%s%s (%s)",
					       b->path, b->how, w->path, w->perms[0] ? w->perms : "rwxa",
					       w->key[0] ? " -k " : "", w->key, w->origin);
		else
			r = audit_offender_add(o, "file", b->path, b->name, "%s (%s) is not watched by any audit rule",
					       b->path, b->how);
		if (r < 0)
			return r;
	}
	if (o->n_offenders)
		audit_outcome_set(o, AUDIT_FAIL, "%zu of %zu paths not watched; rules from %s", o->n_offenders,
				  o->n_objects, a->source);
	else if (o->n_objects)
		audit_outcome_set(o, AUDIT_PASS, "%zu paths watched; rules from %s", o->n_objects, a->source);
	else
		audit_outcome_set(o, AUDIT_NOT_APPLICABLE, "%s is not on this host", absent ? absent : targets);
	return 0;
}

static int validate_watch(const struct audit_param *p, size_t n, char *err, size_t errlen)
{
	static const char *const known[] = { "dockerd", "containerd", "containerd-shim", "containerd-shim-runc-v1",
					     "containerd-shim-runc-v2", "runc", "data-root", "/run/containerd",
					     "/etc/docker", "/etc/default/docker", "/etc/containerd/config.toml",
					     "/etc/sysconfig/docker", "docker.service", "docker.socket", "docker.sock",
					     "containerd.sock", "daemon.json", NULL };
	const char *t = param_in(p, n, "targets");
	while (*t) {
		size_t len = strcspn(t, ", ");
		bool ok = false;
		for (size_t i = 0; known[i] && !ok; i++)
			ok = strlen(known[i]) == len && strncmp(known[i], t, len) == 0;
		if (len && !ok) {
			snprintf(err, errlen, "check.targets: \"%.*s\" is not a path dockward resolves", (int)len, t);
			return -EINVAL;
		}
		t += len;
		t += strspn(t, ", ");
	}
	return 0;
}

const struct audit_primitive audit_prim_audit_watch = {
	.name = "audit_watch",
	.summary = "fails when one of TARGETS (Docker binaries found from /proc, unit files, sockets, config files, "
		   "the data root) is not watched by a kernel or file audit rule on it or an ancestor directory",
	.required = (const char *const[]){ "targets", NULL },
	.needs = AUDIT_NEED_HOST_FILES | AUDIT_NEED_HOST_DAEMON | AUDIT_NEED_NETWORKS,
	.validate = validate_watch,
	.eval = eval_watch,
};
