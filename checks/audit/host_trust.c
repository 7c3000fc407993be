/* host_trust.c: where DOCKER_CONTENT_TRUST is set on the host (rule 4.5): /etc/environment, the login profiles, /etc/default/docker and the running dockerd's own environment. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/host_state.h"

#define TRUST_VAR "DOCKER_CONTENT_TRUST"
#define MAX_PROFILE_FILES 256

static int add_source(struct host_trust *t, const char *path, const char *value, int err, bool session)
{
	struct host_trust_source *grown = realloc(t->s, (t->n + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	t->s = grown;
	struct host_trust_source *s = &grown[t->n];
	s->path = strdup(path);
	s->value = value ? strdup(value) : NULL;
	s->err = err;
	s->session = session;
	if (!s->path || (value && !s->value)) {
		free(s->path);
		free(s->value);
		return -ENOMEM;
	}
	t->n++;
	return 0;
}

/* A shell-style file: absent files are not listed, unreadable ones are, without a value. */
static int read_env_file(const struct host_facts *f, struct host_trust *t, const char *path, bool session)
{
	char *text = NULL;
	int r = host_read(f, path, 1 << 20, &text);
	if (r == -ENOENT)
		return 0;
	if (r == -ENOMEM)
		return r;
	char *v = r == 0 ? host_env_file_value(text, TRUST_VAR) : NULL;
	free(text);
	r = add_source(t, path, v, r < 0 ? -r : 0, session);
	free(v);
	return r;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int read_profile_d(const struct host_facts *f, struct host_trust *t)
{
	char dir[4200];
	if (host_path(f, "/etc/profile.d", dir, sizeof(dir)) < 0)
		return 0;
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	char *names[MAX_PROFILE_FILES];
	size_t n = 0;
	int r = 0;
	for (struct dirent *e; (e = readdir(d)) && n < MAX_PROFILE_FILES;) {
		size_t len = strlen(e->d_name);
		if (len > 3 && strcmp(e->d_name + len - 3, ".sh") == 0 && !(names[n++] = strdup(e->d_name))) {
			n--;
			r = -ENOMEM;
			break;
		}
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		char path[600];
		snprintf(path, sizeof(path), "/etc/profile.d/%s", names[i]);
		if (r == 0)
			r = read_env_file(f, t, path, true);
		free(names[i]);
	}
	return r;
}

/* NUL-separated NAME=VALUE pairs of /proc/PID/environ. */
static int read_dockerd_environ(const struct host_facts *f, struct host_trust *t, int pid)
{
	char path[64], shown[96], *text = NULL;
	size_t len = 0;
	snprintf(path, sizeof(path), "/proc/%d/environ", pid);
	snprintf(shown, sizeof(shown), "%s (dockerd)", path);
	int r = host_read_n(f, path, 1 << 20, &text, &len);
	if (r == -ENOMEM)
		return r;
	const char *value = NULL;
	for (size_t off = 0; r == 0 && off < len; off += strlen(text + off) + 1)
		if (strncmp(text + off, TRUST_VAR "=", sizeof(TRUST_VAR)) == 0)
			value = text + off + sizeof(TRUST_VAR);
	r = add_source(t, shown, r < 0 ? NULL : value, r < 0 ? -r : 0, false);
	free(text);
	return r;
}

static int collect_trust(struct host_facts *f, const struct snapshot *s)
{
	(void)s;
	struct host_local *l = host_local_get(f);
	if (!l)
		return -ENOMEM;
	/* the client reads the variable: users' sessions count; the daemon's own
	 * environment (/etc/default/docker, its /proc environ, which holds what
	 * systemd's Environment= lines gave it) is evidence of a misplaced setting */
	static const struct { const char *path; bool session; } files[] = {
		{ "/etc/environment", true }, { "/etc/profile", true }, { "/etc/bash.bashrc", true },
		{ "/etc/default/docker", false },
	};
	int r = 0;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]) && r == 0; i++)
		r = read_env_file(f, &l->trust, files[i].path, files[i].session);
	if (r == 0)
		r = read_profile_d(f, &l->trust);
	if (r == 0 && l->dockerd_pid > 0)
		r = read_dockerd_environ(f, &l->trust, l->dockerd_pid);
	if (r < 0)
		return r;
	l->trust.status.state = FACT_OK;
	return 0;
}

static bool wanted(const struct host_facts_request *req)
{
	return req->files;
}

static void free_trust(struct host_facts *f)
{
	if (!f->local)
		return;
	struct host_trust *t = &f->local->trust;
	for (size_t i = 0; i < t->n; i++) {
		free(t->s[i].path);
		free(t->s[i].value);
	}
	free(t->s);
	memset(t, 0, sizeof(*t));
}

const struct host_collector host_collector_trust = {
	.name = "content-trust",
	.wanted = wanted,
	.collect = collect_trust,
	.free = free_trust,
};
