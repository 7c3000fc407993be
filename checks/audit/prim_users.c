/* prim_users.c: who is in the docker group (listed members and users whose primary group it is), against the [audit] trusted_users allow-list. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "audit/host_state.h"
#include "audit/prim_util.h"

static int judge_member(const struct audit_check *c, struct audit_outcome *o, const char *user, const char *how,
			bool *seen_any)
{
	const char *allowed = c->host->trusted_users ? c->host->trusted_users : "";
	*seen_any = true;
	o->n_objects++;
	if (allowed[0] && !audit_list_has(allowed, user))
		return audit_offender_add(o, "user", user, user, "%s is in the docker group (%s) and not in "
					  "[audit] trusted_users", user, how);
	return audit_evidence_add(o, "user", user, user, "%s is in the docker group (%s)%s", user, how,
				  allowed[0] ? ", trusted" : "");
}

static int eval_users(const struct audit_check *c, struct audit_outcome *o)
{
	const struct host_local *l = c->host->local;
	const char *group = audit_param(c, "group") ? audit_param(c, "group") : "docker";
	if (!l || l->users.status.state != FACT_OK) {
		audit_outcome_set(o, AUDIT_NOT_EVALUATED, "%s", l ? l->users.status.reason : "host users were not read");
		return 0;
	}
	const struct host_users *u = &l->users;
	const struct host_group *g = NULL;
	for (size_t i = 0; i < u->n_groups && !g; i++)
		if (strcmp(u->groups[i].name, group) == 0)
			g = &u->groups[i];
	if (!g) {
		audit_outcome_set(o, AUDIT_NOT_APPLICABLE, "no %s group in the host's /etc/group", group);
		return 0;
	}
	bool any = false;
	int r = 0;
	for (const char *p = g->members; *p && r == 0;) {
		size_t n = strcspn(p, ",");
		char name[256];
		snprintf(name, sizeof(name), "%.*s", (int)(n < sizeof(name) ? n : sizeof(name) - 1), p);
		if (name[0])
			r = judge_member(c, o, name, "listed in /etc/group", &any);
		p += n;
		p += *p == ',';
	}
	for (size_t i = 0; i < u->n_users && r == 0; i++)
		if (u->users[i].gid == g->id && !audit_list_has(g->members, u->users[i].name))
			r = judge_member(c, o, u->users[i].name, "primary group in /etc/passwd", &any);
	if (r < 0)
		return r;
	const char *allowed = c->host->trusted_users ? c->host->trusted_users : "";
	if (!any)
		audit_outcome_set(o, AUDIT_PASS, "the %s group has no members", group);
	else if (!allowed[0])
		audit_outcome_set(o, AUDIT_MANUAL, "%zu members of the %s group; no [audit] trusted_users to compare "
				  "with", o->n_evidence, group);
	else if (o->n_offenders)
		audit_outcome_set(o, AUDIT_FAIL, "%zu of %zu members of the %s group are not trusted", o->n_offenders,
				  o->n_objects, group);
	else
		audit_outcome_set(o, AUDIT_PASS, "all %zu members of the %s group are trusted", o->n_objects, group);
	return 0;
}

const struct audit_primitive audit_prim_docker_group_users = {
	.name = "docker_group_users",
	.summary = "fails when a member of GROUP (docker) in the host's /etc/group, or a user whose primary "
		   "group it is, is not in [audit] trusted_users; manual with the members when that list is empty",
	.optional = (const char *const[]){ "group", NULL },
	.needs = AUDIT_NEED_HOST_FILES,
	.eval = eval_users,
};
