/* host_procs.c: what /proc says about running containers: their init process's NoNewPrivs, Seccomp, Uid, Gid and CapEff, and every process in their cgroup (comm and exe), read without entering the container. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/host_state.h"

void host_proc_status_parse(struct host_ctr_state *s, const char *text)
{
	s->no_new_privs = -1;
	s->seccomp = -1;
	s->uid = s->gid = -1;
	s->cap_eff = 0;
	for (const char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		long a, b;
		unsigned long long caps;
		if (sscanf(line, "NoNewPrivs: %ld", &a) == 1)
			s->no_new_privs = (int)(a != 0);
		else if (sscanf(line, "Seccomp: %ld", &a) == 1)
			s->seccomp = a >= 0 && a <= 2 ? (int)a : -1;
		else if (sscanf(line, "Uid: %ld %ld", &a, &b) == 2)
			s->uid = b;
		else if (sscanf(line, "Gid: %ld %ld", &a, &b) == 2)
			s->gid = b;
		else if (sscanf(line, "CapEff: %llx", &caps) == 1)
			s->cap_eff = caps;
	}
}

int host_cgroup_path(const char *text, const char *ctl, char *out, size_t outlen)
{
	for (const char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		size_t len = strcspn(line, "\n");
		const char *c1 = memchr(line, ':', len);
		const char *c2 = c1 ? memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - line)) : NULL;
		if (!c2)
			continue;
		bool match;
		if (!ctl) {
			match = c2 == c1 + 1 && strncmp(line, "0:", 2) == 0;
		} else {
			/* "4:cpu,cpuacct:/docker/ID": the controller is one of a comma list */
			match = false;
			for (const char *p = c1 + 1; p < c2 && !match;) {
				size_t n = strcspn(p, ",:");
				match = n == strlen(ctl) && strncmp(p, ctl, n) == 0;
				p += n + 1;
			}
		}
		if (!match)
			continue;
		size_t plen = len - (size_t)(c2 + 1 - line);
		if (plen >= outlen)
			return -ENAMETOOLONG;
		memcpy(out, c2 + 1, plen);
		out[plen] = '\0';
		return 0;
	}
	return -ENOENT;
}

/* Lists the processes of the cgroup dir (ROOT/sys/fs/cgroup/...). */
static int list_cgroup(const struct host_facts *f, struct host_ctr_state *c, const char *cgdir)
{
	char rel[PATH_MAX + 32];
	snprintf(rel, sizeof(rel), "%s/cgroup.procs", cgdir);
	char *text = NULL;
	int r = host_read(f, rel, 1 << 20, &text);
	if (r < 0)
		return r;
	for (const char *p = text; *p && c->n_procs < HOST_MAX_PROCS; p += strcspn(p, "\n"), p += *p == '\n') {
		int pid = atoi(p);
		if (pid <= 0)
			continue;
		struct host_proc *grown = realloc(c->procs, (c->n_procs + 1) * sizeof(*grown));
		if (!grown) {
			free(text);
			return -ENOMEM;
		}
		c->procs = grown;
		struct host_proc *hp = &grown[c->n_procs++];
		memset(hp, 0, sizeof(*hp));
		hp->pid = pid;
		char prel[64], *comm = NULL, full[PATH_MAX];
		snprintf(prel, sizeof(prel), "/proc/%d/comm", pid);
		if (host_read(f, prel, 4096, &comm) == 0)
			snprintf(hp->comm, sizeof(hp->comm), "%.*s", (int)strcspn(comm, "\n"), comm);
		free(comm);
		snprintf(prel, sizeof(prel), "/proc/%d/exe", pid);
		if (host_path(f, prel, full, sizeof(full)) == 0) {
			ssize_t n = readlink(full, hp->exe, sizeof(hp->exe) - 1);
			hp->exe[n > 0 ? n : 0] = '\0';
		}
	}
	free(text);
	return 0;
}

static int collect_one(const struct host_facts *f, struct host_ctr_state *c)
{
	char rel[64], *text = NULL;
	snprintf(rel, sizeof(rel), "/proc/%d/status", c->pid);
	int r = host_read(f, rel, 64 << 10, &text);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		c->status.state = c->procs_status.state = FACT_UNAVAILABLE;
		snprintf(c->status.reason, sizeof(c->status.reason), "cannot read /proc/%d/status: %s", c->pid,
			 strerror(-r));
		snprintf(c->procs_status.reason, sizeof(c->procs_status.reason), "%s", c->status.reason);
		return 0;
	}
	host_proc_status_parse(c, text);
	free(text);
	c->status.state = FACT_OK;
	snprintf(rel, sizeof(rel), "/proc/%d/cgroup", c->pid);
	if ((r = host_read(f, rel, 64 << 10, &text)) == -ENOMEM)
		return r;
	/* The pid comes from the engine: with a remote engine, or a pid reused
	 * since the snapshot, it is some other local process. Its cgroup must
	 * name the container (docker/ID, docker-ID.scope) before anything read
	 * from /proc/PID counts as the container's. */
	if (r == 0 && text && !strstr(text, c->id)) {
		free(text);
		c->status.state = c->procs_status.state = FACT_UNAVAILABLE;
		snprintf(c->status.reason, sizeof(c->status.reason),
			 "pid %d on this host is not in the container's cgroup (remote engine, or the process ended)",
			 c->pid);
		snprintf(c->procs_status.reason, sizeof(c->procs_status.reason), "%s", c->status.reason);
		return 0;
	}
	/* cgroup v1: a controller's hierarchy; v2: the unified one */
	static const char *const ctls[] = { "pids", "memory", "cpu", NULL };
	char path[PATH_MAX], dir[PATH_MAX + 32];
	r = r < 0 ? r : -ENOENT;
	for (size_t i = 0; ctls[i] && r < 0 && r != -ENOMEM && text; i++)
		if (host_cgroup_path(text, ctls[i], path, sizeof(path)) == 0) {
			snprintf(dir, sizeof(dir), "/sys/fs/cgroup/%s%s", ctls[i], path);
			r = list_cgroup(f, c, dir);
		}
	if (r < 0 && r != -ENOMEM && text && host_cgroup_path(text, NULL, path, sizeof(path)) == 0) {
		snprintf(dir, sizeof(dir), "/sys/fs/cgroup%s", path);
		r = list_cgroup(f, c, dir);
	}
	free(text);
	if (r == -ENOMEM)
		return r;
	if (r == 0) {
		c->procs_status.state = FACT_OK;
		snprintf(c->cgroup, sizeof(c->cgroup), "%.4000s", dir);
	} else {
		c->procs_status.state = FACT_UNAVAILABLE;
		snprintf(c->procs_status.reason, sizeof(c->procs_status.reason),
			 "cannot list the cgroup of pid %d: %s", c->pid, strerror(-r));
	}
	return 0;
}

static int collect_procs(struct host_facts *f, const struct snapshot *s)
{
	struct host_local *l = host_local_get(f);
	if (!l)
		return -ENOMEM;
	struct host_ctr_states *cs = &l->ctrs;
	if (s->n_containers && !(cs->c = calloc(s->n_containers, sizeof(*cs->c))))
		return -ENOMEM;
	for (size_t i = 0; i < s->n_containers; i++) {
		const struct docker_container *ct = &s->containers[i];
		if (ct->pid <= 0)
			continue;
		struct host_ctr_state *c = &cs->c[cs->n++];
		snprintf(c->id, sizeof(c->id), "%s", ct->id);
		c->pid = (int)ct->pid;
		int r = collect_one(f, c);
		if (r < 0)
			return r;
	}
	cs->status.state = FACT_OK;
	return 0;
}

const struct host_ctr_state *host_ctr_state_find(const struct host_facts *f, const char *id)
{
	if (!f->local || f->local->ctrs.status.state != FACT_OK)
		return NULL;
	for (size_t i = 0; i < f->local->ctrs.n; i++)
		if (strcmp(f->local->ctrs.c[i].id, id) == 0)
			return &f->local->ctrs.c[i];
	return NULL;
}

static bool wanted_procs(const struct host_facts_request *req)
{
	return req->procs;
}

static void free_procs(struct host_facts *f)
{
	if (!f->local)
		return;
	for (size_t i = 0; i < f->local->ctrs.n; i++)
		free(f->local->ctrs.c[i].procs);
	free(f->local->ctrs.c);
	memset(&f->local->ctrs, 0, sizeof(f->local->ctrs));
}

const struct host_collector host_collector_procs = {
	.name = "host-procs",
	.wanted = wanted_procs,
	.collect = collect_procs,
	.free = free_procs,
};
