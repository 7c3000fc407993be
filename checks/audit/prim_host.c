/* prim_host.c: host layout checks: the Docker root directory on its own partition. */
#include <stdio.h>

#include "audit/host_state.h"
#include "audit/prim_util.h"

static int eval_partition(const struct audit_check *c, struct audit_outcome *o)
{
	const struct host_local *l = c->host->local;
	if (!l || l->partition.status.state != FACT_OK) {
		audit_outcome_set(o, AUDIT_NOT_EVALUATED, "%s",
				  l && l->partition.status.reason[0] ? l->partition.status.reason : "mounts were not read");
		return 0;
	}
	o->n_objects = 1;
	const struct host_partition *p = &l->partition;
	if (p->separate) {
		audit_outcome_set(o, AUDIT_PASS, "%s", p->detail);
		return audit_evidence_add(o, "file", p->dir, p->dir, "%s", p->detail);
	}
	audit_outcome_set(o, AUDIT_FAIL, "%s", p->detail);
	return audit_offender_add(o, "file", p->dir, p->dir, "%s", p->detail);
}

const struct audit_primitive audit_prim_host_partition = {
	.name = "host_partition",
	.summary = "fails when the Docker root directory is not a mount of its own (another device than its "
		   "parent, mount root /: a bind mount is not a partition)",
	.needs = AUDIT_NEED_HOST_FILES | AUDIT_NEED_HOST_DAEMON | AUDIT_NEED_NETWORKS,
	.eval = eval_partition,
};
