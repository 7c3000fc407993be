/* prim_container_procs.c: what runs in containers (from the process lists the engine reads through each container's cgroup) and whether they run their image's current version. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "audit/host_state.h"
#include "audit/prim_util.h"

/* The command's program name: the last path element of its first word. */
static void program_name(const char *cmd, char *out, size_t outlen)
{
	size_t n = strcspn(cmd, " ");
	const char *start = cmd;
	for (const char *p = cmd; p < cmd + n; p++)
		if (*p == '/')
			start = p + 1;
	snprintf(out, outlen, "%.*s", (int)(cmd + n - start), start);
}

static int eval_process(const struct audit_check *c, struct audit_outcome *o)
{
	const char *names = audit_param(c, "names");
	size_t unknown = 0;
	for (size_t i = 0; i < c->snap->n_containers; i++) {
		if (!container_selected(c, i, true))
			continue;
		const struct docker_container *ct = &c->snap->containers[i];
		/* first choice: the processes of its cgroup, read from the host's /proc (host_procs.c) */
		const struct host_ctr_state *ps = host_ctr_state_find(c->host, ct->id);
		if (ps && ps->procs_status.state == FACT_OK) {
			o->n_objects++;
			for (size_t k = 0; k < ps->n_procs; k++) {
				const struct host_proc *hp = &ps->procs[k];
				const char *base = strrchr(hp->exe, '/') ? strrchr(hp->exe, '/') + 1 : hp->exe;
				if (audit_list_has(names, hp->comm) || (base[0] && audit_list_has(names, base))) {
					int r = offender_container(o, ct, "runs %s (pid %d, %s; from cgroup %s)", hp->comm,
								   hp->pid, hp->exe[0] ? hp->exe : "exe unreadable", ps->cgroup);
					if (r < 0)
						return r;
					break;
				}
			}
			continue;
		}
		if (!c->snap->have_top) {
			unknown++;
			continue;
		}
		const struct docker_top *t = &c->snap->tops[i];
		size_t col = t->n_titles;
		for (size_t k = 0; k < t->n_titles; k++)
			if (strcmp(t->titles[k], "CMD") == 0 || strcmp(t->titles[k], "COMMAND") == 0)
				col = k;
		o->n_objects++;
		if (col == t->n_titles)
			continue;
		for (size_t row = 0; row < t->n_rows; row++) {
			char prog[256];
			program_name(t->rows[row][col], prog, sizeof(prog));
			if (audit_list_has(names, prog)) {
				int r = offender_container(o, ct, "runs %s", t->rows[row][col]);
				if (r < 0)
					return r;
				break;
			}
		}
	}
	if (!o->n_offenders && unknown) {
		audit_outcome_set(o, AUDIT_NOT_EVALUATED, "the process lists of %zu running containers were not "
				  "collected", unknown);
		return 0;
	}
	outcome_conclude(o, "running containers", "no running containers");
	return 0;
}

const struct audit_primitive audit_prim_container_process = {
	.name = "container_process",
	.summary = "fails running containers with a process named one of NAMES (from the engine's process "
		   "list of each container's cgroup, never by exec)",
	.required = (const char *const[]){ "names", NULL },
	.needs = AUDIT_NEED_TOP | AUDIT_NEED_HOST_PROCS,
	.eval = eval_process,
};

/* The image that the reference a container was created from names now. */
static const struct docker_image *image_by_ref(const struct snapshot *s, const char *ref)
{
	char withtag[512];
	bool has_tag = strrchr(ref, ':') > strrchr(ref, '/') || (strchr(ref, ':') && !strchr(ref, '/'));
	snprintf(withtag, sizeof(withtag), "%s%s", ref, has_tag || strchr(ref, '@') ? "" : ":latest");
	for (size_t i = 0; i < s->n_images; i++)
		for (size_t t = 0; t < s->images[i].n_repo_tags; t++)
			if (strcmp(s->images[i].repo_tags[t], withtag) == 0)
				return &s->images[i];
	return NULL;
}

static int eval_image_current(const struct audit_check *c, struct audit_outcome *o)
{
	if (!c->snap->have_images) {
		audit_outcome_set(o, AUDIT_NOT_EVALUATED, "the images were not collected");
		return 0;
	}
	for (size_t i = 0; i < c->snap->n_containers; i++) {
		if (!container_selected(c, i, false))
			continue;
		const struct docker_container *ct = &c->snap->containers[i];
		o->n_objects++;
		if (strncmp(ct->image_ref, "sha256:", 7) == 0 || strchr(ct->image_ref, '@'))
			continue;       /* pinned by digest: the person chose that version */
		const struct docker_image *now = image_by_ref(c->snap, ct->image_ref);
		int r = 0;
		if (!now)
			r = offender_container(o, ct, "image %s is no longer tagged here", ct->image_ref);
		else if (strcmp(now->id, ct->image_id) != 0)
			r = offender_container(o, ct, "runs an older %s (%.19s) than the tag names now (%.19s)",
					       ct->image_ref, ct->image_id, now->id);
		if (r < 0)
			return r;
	}
	outcome_conclude(o, "containers", "no containers");
	return 0;
}

const struct audit_primitive audit_prim_container_image_current = {
	.name = "container_image_current",
	.summary = "fails containers whose image tag now names a newer image than the one they were created from",
	.needs = AUDIT_NEED_IMAGES,
	.eval = eval_image_current,
};
