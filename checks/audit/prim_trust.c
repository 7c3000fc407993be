/* prim_trust.c: rule 4.5: Docker Content Trust switched on in the environment every user's session gives the docker client. */
#include <stdio.h>
#include <string.h>

#include "audit/host_state.h"
#include "audit/prim_util.h"

static bool trust_enabled(const char *v)
{
	return v && (strcmp(v, "1") == 0 || strcmp(v, "\"1\"") == 0 || strcmp(v, "'1'") == 0);
}

/* Pass: set to 1 in a session-wide file and switched off in none. Fail:
 * switched off in one (offenders: those files), or set in none (offender:
 * /etc/environment, where it belongs). Not evaluated: set in none while a
 * session file could not be read. Every source read is evidence. */
static int eval_content_trust(const struct audit_check *c, struct audit_outcome *o)
{
	const struct host_local *l = c->host->local;
	if (!l || l->trust.status.state != FACT_OK) {
		audit_outcome_set(o, AUDIT_NOT_EVALUATED, "%s", l && l->trust.status.reason[0] ? l->trust.status.reason
				  : "the host's environment files were not read");
		return 0;
	}
	size_t on = 0, off = 0, unread = 0, sessions = 0;
	for (size_t i = 0; i < l->trust.n; i++) {
		const struct host_trust_source *s = &l->trust.s[i];
		bool enabled = trust_enabled(s->value);
		char detail[200];
		if (s->err)
			snprintf(detail, sizeof(detail), "cannot read it: %s", strerror(s->err));
		else if (!s->value)
			snprintf(detail, sizeof(detail), "DOCKER_CONTENT_TRUST is not set");
		else
			snprintf(detail, sizeof(detail), "DOCKER_CONTENT_TRUST=%.60s%s%s", s->value,
				 enabled ? "" : " (not 1: content trust stays off)",
				 s->session ? "" : " (the daemon's environment: docker clients do not read it)");
		int r;
		if (s->session && s->value && !enabled)
			r = audit_offender_add(o, "file", s->path, s->path, "%s", detail);
		else
			r = audit_evidence_add(o, "file", s->path, s->path, "%s", detail);
		if (r < 0)
			return r;
		if (!s->session)
			continue;
		sessions++;
		o->n_objects++;
		on += enabled;
		off += s->value && !enabled;
		unread += s->err != 0;
	}
	if (off) {
		audit_outcome_set(o, AUDIT_FAIL, "%zu of %zu session environment files switch content trust off", off,
				  sessions);
		return 0;
	}
	if (on) {
		audit_outcome_set(o, AUDIT_PASS, "DOCKER_CONTENT_TRUST=1 is set for users' sessions in %zu of %zu "
				  "session environment files; services, cron jobs and CI runners that do not read them "
				  "need it in their own environment", on, sessions);
		return 0;
	}
	if (unread) {
		audit_outcome_set(o, AUDIT_NOT_EVALUATED, "DOCKER_CONTENT_TRUST=1 is in none of the session environment "
				  "files read, and %zu could not be read", unread);
		return 0;
	}
	int r = audit_offender_add(o, "file", "/etc/environment", "/etc/environment", "DOCKER_CONTENT_TRUST=1 is "
				   "set in no session environment file (/etc/environment, /etc/profile, "
				   "/etc/profile.d/*.sh, /etc/bash.bashrc)");
	if (r < 0)
		return r;
	audit_outcome_set(o, AUDIT_FAIL, "content trust is not switched on for users' sessions (%zu session "
			  "environment files read)", sessions);
	return 0;
}

const struct audit_primitive audit_prim_content_trust = {
	.name = "content_trust",
	.summary = "DOCKER_CONTENT_TRUST=1 in the session environment files (/etc/environment, /etc/profile, "
		   "/etc/profile.d/*.sh, /etc/bash.bashrc) and off in none; /etc/default/docker and the running "
		   "dockerd's environment are evidence",
	.needs = AUDIT_NEED_HOST_FILES | AUDIT_NEED_HOST_DAEMON,
	.eval = eval_content_trust,
};
