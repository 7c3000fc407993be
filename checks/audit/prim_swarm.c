/* prim_swarm.c: swarm mode: whether it is on, autolock, encrypted overlay networks, and its settings for review. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "audit/prim_util.h"
#include "json.h"

static bool swarm_active(const struct snapshot *s)
{
	return strcmp(s->info.swarm_state, "active") == 0;
}

static int eval_swarm(const struct audit_check *c, struct audit_outcome *o)
{
	const struct snapshot *s = c->snap;
	const char *mode = audit_param(c, "mode");
	yajl_val sw = json_get(s->info.raw, "Swarm");
	o->n_objects = 1;
	if (strcmp(mode, "inactive") == 0) {
		const char *state = s->info.swarm_state[0] ? s->info.swarm_state : "inactive";
		if (swarm_active(s)) {
			audit_outcome_set(o, AUDIT_FAIL, "swarm mode is active on this engine");
			return audit_offender_add(o, "engine", "swarm", "swarm", "LocalNodeState = %s, node %s", state,
						  json_str(sw, "NodeID") ? json_str(sw, "NodeID") : "?");
		}
		audit_outcome_set(o, AUDIT_PASS, "swarm mode is %s", state);
		return 0;
	}
	if (!swarm_active(s)) {
		audit_outcome_set(o, AUDIT_NOT_APPLICABLE, "swarm mode is not active");
		return 0;
	}
	if (strcmp(mode, "encrypted-overlay") == 0) {
		if (!s->have_networks) {
			audit_outcome_set(o, AUDIT_NOT_EVALUATED, "the networks were not collected");
			return 0;
		}
		o->n_objects = 0;
		for (size_t i = 0; i < s->n_networks; i++) {
			const struct docker_network *n = &s->networks[i];
			if (strcmp(n->driver, "overlay") != 0 || strcmp(n->name, "ingress") == 0)
				continue;
			o->n_objects++;
			yajl_val opts = json_get(n->raw, "Options");
			if (!json_get_key(opts, "encrypted")) {
				int r = audit_offender_add(o, "network", n->id, n->name, "overlay network without encryption");
				if (r < 0)
					return r;
			}
		}
		outcome_conclude(o, "overlay networks", "no overlay networks");
		return 0;
	}
	if (strcmp(mode, "autolock") == 0) {
		bool lock = json_bool(sw, "Cluster.Spec.EncryptionConfig.AutoLockManagers", false);
		if (!json_get(sw, "Cluster.Spec")) {
			audit_outcome_set(o, AUDIT_NOT_EVALUATED, "this node is not a manager: the cluster spec is not visible");
			return 0;
		}
		audit_outcome_set(o, lock ? AUDIT_PASS : AUDIT_FAIL, "autolock is %s", lock ? "on" : "off");
		return lock ? 0 : audit_offender_add(o, "engine", "swarm", "swarm", "AutoLockManagers = false");
	}
	/* review: the settings a person needs */
	audit_outcome_set(o, AUDIT_MANUAL, "swarm node %s: %lld managers, %lld nodes, listening on %s",
			  json_str(sw, "NodeID") ? json_str(sw, "NodeID") : "?", (long long)json_int(sw, "Managers", 0),
			  (long long)json_int(sw, "Nodes", 0), json_str(sw, "NodeAddr") ? json_str(sw, "NodeAddr") : "?");
	int r = audit_evidence_add(o, "engine", "swarm", "swarm", "%s", o->reason);
	char cert[64];
	audit_json_text(json_get(sw, "Cluster.Spec.CAConfig.NodeCertExpiry"), cert, sizeof(cert));
	if (r == 0)
		r = audit_evidence_add(o, "engine", "swarm.node-cert-expiry", "node certificate expiry", "%s ns", cert);
	return r;
}

static int validate_swarm(const struct audit_param *p, size_t n, char *err, size_t errlen)
{
	static const char *const modes[] = { "inactive", "encrypted-overlay", "autolock", "review" };
	const char *mode = param_in(p, n, "mode");
	for (size_t i = 0; i < 4; i++)
		if (strcmp(mode, modes[i]) == 0)
			return 0;
	snprintf(err, errlen, "check.mode must be inactive, encrypted-overlay, autolock or review");
	return -EINVAL;
}

const struct audit_primitive audit_prim_swarm = {
	.name = "swarm",
	.summary = "swarm mode: MODE = inactive (fails when swarm is on), encrypted-overlay, autolock, review; "
		   "not applicable when swarm is off",
	.required = (const char *const[]){ "mode", NULL },
	.needs = AUDIT_NEED_NETWORKS,
	.validate = validate_swarm,
	.eval = eval_swarm,
};
