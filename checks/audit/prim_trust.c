/* prim_trust.c: rule 4.5: where Docker Content Trust is switched on, gathered for a person (it is a client setting of each user and job). */
#include <stdio.h>
#include <string.h>

#include "audit/host_state.h"
#include "audit/prim_util.h"

static int eval_content_trust(const struct audit_check *c, struct audit_outcome *o)
{
	const struct host_local *l = c->host->local;
	if (!l || l->trust.status.state != FACT_OK) {
		audit_outcome_set(o, AUDIT_NOT_EVALUATED, "%s", l && l->trust.status.reason[0] ? l->trust.status.reason
				  : "the host's environment files were not read");
		return 0;
	}
	size_t on = 0;
	for (size_t i = 0; i < l->trust.n; i++) {
		const struct host_trust_source *s = &l->trust.s[i];
		o->n_objects++;
		bool enabled = s->value && (strcmp(s->value, "1") == 0 || strcmp(s->value, "\"1\"") == 0 ||
					    strcmp(s->value, "'1'") == 0);
		on += enabled;
		char detail[160];
		if (s->err)
			snprintf(detail, sizeof(detail), "cannot read it: %s", strerror(s->err));
		else if (!s->value)
			snprintf(detail, sizeof(detail), "DOCKER_CONTENT_TRUST is not set");
		else
			snprintf(detail, sizeof(detail), "DOCKER_CONTENT_TRUST=%.60s%s", s->value,
				 enabled ? "" : " (not 1: content trust stays off)");
		int r = audit_evidence_add(o, "file", s->path, s->path, "%s", detail);
		if (r < 0)
			return r;
	}
	audit_outcome_set(o, AUDIT_MANUAL, "DOCKER_CONTENT_TRUST=1 is set in %zu of %zu host environment files "
			  "read%s; it is a setting of each docker client, so check the environment of every user, "
			  "CI job and service that pulls, builds or runs images", on, o->n_objects,
			  on ? "" : " (none)");
	return 0;
}

const struct audit_primitive audit_prim_content_trust = {
	.name = "content_trust",
	.summary = "where DOCKER_CONTENT_TRUST is set: /etc/environment, /etc/profile, /etc/bash.bashrc, "
		   "/etc/profile.d/*.sh, /etc/default/docker and the running dockerd's environment; always manual",
	.needs = AUDIT_NEED_HOST_FILES | AUDIT_NEED_HOST_DAEMON,
	.eval = eval_content_trust,
};
