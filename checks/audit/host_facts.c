/* host_facts.c: the host facts of one audit run: root prefix, our own container, the collectors that fill the rest. */
#include "audit/host_facts.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ini_file.h"

/* Collectors in order; later ones may read what earlier ones filled. */
extern const struct host_collector host_collector_daemon_info;
/* host collectors (files, daemon process config, audit rules, procs) go here */
extern const struct host_collector host_collector_daemon_process;
extern const struct host_collector host_collector_users;
extern const struct host_collector host_collector_files;
extern const struct host_collector host_collector_audit;
extern const struct host_collector host_collector_partition;
extern const struct host_collector host_collector_procs;
extern const struct host_collector host_collector_trust;
extern const struct host_collector host_collector_execlog;
static const struct host_collector *const collectors[] = {
	&host_collector_daemon_info,
	&host_collector_daemon_process,
	&host_collector_users,
	&host_collector_files,
	&host_collector_audit,
	&host_collector_partition,
	&host_collector_procs,
	&host_collector_trust,
	&host_collector_execlog,
};
#define N_COLLECTORS (sizeof(collectors) / sizeof(collectors[0]))

int host_path(const struct host_facts *f, const char *path, char *out, size_t outlen)
{
	const char *root = f && f->root[0] ? f->root : "";
	int n = snprintf(out, outlen, "%s%s", root, path);
	if (n < 0 || (size_t)n >= outlen)
		return -ENAMETOOLONG;
	return 0;
}

const char *host_find_in(const struct host_facts *f, const char *const *dirs, const char *name, char *out,
			 size_t outlen)
{
	for (const char *const *d = dirs; *d; d++) {
		char full[PATH_MAX];
		struct stat st;
		int n = snprintf(out, outlen, "%s/%s", *d, name);
		if (n > 0 && (size_t)n < outlen && host_path(f, out, full, sizeof(full)) == 0 && lstat(full, &st) == 0)
			return *d;
	}
	return NULL;
}

/* A run of 64 hex digits right after one of the markers Docker and
 * containerd put in cgroup paths and in the container's own mounts. */
static bool find_id_after(const char *text, const char *marker, char out[65])
{
	for (const char *p = text ? strstr(text, marker) : NULL; p; p = strstr(p + 1, marker)) {
		const char *q = p + strlen(marker);
		size_t n = 0;
		while (n < 64 && isxdigit((unsigned char)q[n]) && !isupper((unsigned char)q[n]))
			n++;
		if (n == 64 && !isxdigit((unsigned char)q[64])) {
			memcpy(out, q, 64);
			out[64] = '\0';
			return true;
		}
	}
	return false;
}

void host_own_container_id(const char *cgroup_text, const char *mountinfo_text, char out[65])
{
	static const char *const cgroup_markers[] = { "/docker/", "/docker-", "docker-", "/moby/" };
	out[0] = '\0';
	for (size_t i = 0; i < sizeof(cgroup_markers) / sizeof(cgroup_markers[0]); i++)
		if (find_id_after(cgroup_text, cgroup_markers[i], out))
			return;
	/* cgroup namespaces hide the path; the container's /etc/hostname is
	 * still a bind mount from .../containers/ID/hostname */
	find_id_after(mountinfo_text, "/containers/", out);
}

int host_facts_init(struct host_facts *f, const char *root)
{
	memset(f, 0, sizeof(*f));
	if (root && *root && strcmp(root, "/") != 0) {
		size_t n = strlen(root);
		while (n > 1 && root[n - 1] == '/')
			n--;
		if (n >= sizeof(f->root))
			return -ENAMETOOLONG;
		memcpy(f->root, root, n);
		f->root[n] = '\0';
	}
	char *cg = NULL, *mi = NULL;
	size_t len;
	/* our own process: never under the host root */
	if (read_file_capped("/proc/self/cgroup", 1 << 20, &cg, &len) < 0)
		cg = NULL;
	if (read_file_capped("/proc/self/mountinfo", 4 << 20, &mi, &len) < 0)
		mi = NULL;
	host_own_container_id(cg, mi, f->own_container_id);
	free(cg);
	free(mi);
	return 0;
}

int host_facts_collect(struct host_facts *f, const struct host_facts_request *req, const struct snapshot *s)
{
	for (size_t i = 0; i < N_COLLECTORS; i++) {
		if (!collectors[i]->wanted(req))
			continue;
		int r = collectors[i]->collect(f, s);
		if (r < 0)
			return r;
	}
	return 0;
}

void host_facts_free(struct host_facts *f)
{
	if (!f)
		return;
	for (size_t i = N_COLLECTORS; i-- > 0;)
		if (collectors[i]->free)
			collectors[i]->free(f);
	daemon_options_free(&f->daemon);
}

int daemon_options_set(struct daemon_options *d, const char *name, const char *value,
		       enum daemon_opt_origin origin, const char *source)
{
	struct daemon_opt *o = NULL;
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->opts[i].name, name) == 0)
			o = &d->opts[i];
	if (o && o->origin > origin)
		return 0;
	char *v = strdup(value), *src = strdup(source);
	if (!v || !src) {
		free(v);
		free(src);
		return -ENOMEM;
	}
	if (!o) {
		struct daemon_opt *grown = realloc(d->opts, (d->n + 1) * sizeof(*grown));
		char *nm = strdup(name);
		if (!grown || !nm) {
			if (grown)
				d->opts = grown;
			free(nm);
			free(v);
			free(src);
			return -ENOMEM;
		}
		d->opts = grown;
		o = &d->opts[d->n++];
		o->name = nm;
	} else {
		free(o->value);
		free(o->source);
	}
	o->value = v;
	o->source = src;
	o->origin = origin;
	return 0;
}

const struct daemon_opt *daemon_options_get(const struct daemon_options *d, const char *name)
{
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->opts[i].name, name) == 0)
			return &d->opts[i];
	return NULL;
}

void daemon_options_free(struct daemon_options *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->opts[i].name);
		free(d->opts[i].value);
		free(d->opts[i].source);
	}
	free(d->opts);
	d->opts = NULL;
	d->n = 0;
}
