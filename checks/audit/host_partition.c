/* host_partition.c: whether the Docker root directory is its own partition: a mount at that directory, with a device other than its parent's, whose root is "/" (a bind mount is not a partition). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/host_state.h"

struct mount_line { char dev[32]; char root[PATH_MAX]; char point[PATH_MAX]; };

/* Undoes mountinfo's octal escapes (\040 for a space). */
static void unescape(char *s)
{
	char *w = s;
	for (char *p = s; *p; p++) {
		if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' && p[3] >= '0' && p[3] <= '7') {
			*w++ = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
			p += 3;
		} else {
			*w++ = *p;
		}
	}
	*w = '\0';
}

static bool parse_mount(const char *line, size_t len, struct mount_line *m)
{
	char copy[3 * PATH_MAX];
	if (len >= sizeof(copy))
		return false;
	memcpy(copy, line, len);
	copy[len] = '\0';
	char *f[5], *save = NULL;
	size_t n = 0;
	for (char *t = strtok_r(copy, " ", &save); t && n < 5; t = strtok_r(NULL, " ", &save))
		f[n++] = t;
	if (n < 5 || strlen(f[2]) >= sizeof(m->dev) || strlen(f[3]) >= sizeof(m->root) || strlen(f[4]) >= sizeof(m->point))
		return false;
	strcpy(m->dev, f[2]);
	strcpy(m->root, f[3]);
	strcpy(m->point, f[4]);
	unescape(m->root);
	unescape(m->point);
	return true;
}

/* The mount holding path: the longest mount point above it, the last one mounted there. */
static bool covering(const char *mountinfo, const char *path, struct mount_line *out)
{
	size_t best = 0;
	bool found = false;
	struct mount_line m;
	for (const char *p = mountinfo; p && *p;) {
		const char *end = strchr(p, '\n');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (parse_mount(p, len, &m)) {
			size_t n = strlen(m.point);
			bool above = strcmp(m.point, "/") == 0 ||
				     (strncmp(path, m.point, n) == 0 && (path[n] == '/' || path[n] == '\0'));
			if (above && (n >= best || !found)) {
				best = n;
				*out = m;
				found = true;
			}
		}
		p = end ? end + 1 : NULL;
	}
	return found;
}

void host_partition_judge(struct host_partition *p, const char *mountinfo, const char *dir)
{
	snprintf(p->dir, sizeof(p->dir), "%s", dir);
	char parent[PATH_MAX];
	snprintf(parent, sizeof(parent), "%s", dir);
	char *slash = strrchr(parent, '/');
	if (slash == parent)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	struct mount_line m, pm;
	if (!covering(mountinfo, dir, &m) || !covering(mountinfo, parent, &pm)) {
		p->status.state = FACT_UNAVAILABLE;
		snprintf(p->status.reason, sizeof(p->status.reason), "no mount above %.200s in mountinfo", dir);
		return;
	}
	p->status.state = FACT_OK;
	if (strcmp(m.point, dir) != 0)
		snprintf(p->detail, sizeof(p->detail), "%.200s is on the filesystem mounted at %.200s (device %s)", dir,
			 m.point, m.dev);
	else if (strcmp(m.root, "/") != 0)
		snprintf(p->detail, sizeof(p->detail), "%.200s is a bind mount of %.200s on device %s, not a partition",
			 dir, m.root, m.dev);
	else if (strcmp(m.dev, pm.dev) == 0)
		snprintf(p->detail, sizeof(p->detail), "%.200s is mounted from device %s, the same device as %.200s",
			 dir, m.dev, pm.point);
	else {
		p->separate = true;
		snprintf(p->detail, sizeof(p->detail), "%.200s is its own mount (device %s; %.200s is on %s)", dir, m.dev,
			 pm.point, pm.dev);
	}
}

static int collect_partition(struct host_facts *f, const struct snapshot *s)
{
	struct host_local *l = host_local_get(f);
	if (!l)
		return -ENOMEM;
	const char *dir = s->info.docker_root_dir && s->info.docker_root_dir[0] ? s->info.docker_root_dir : NULL;
	const struct daemon_opt *o = daemon_options_get(&f->daemon, "data-root");
	if (!dir && o && o->value[0])
		dir = o->value;
	/* our own mounts are the host's unless we look at a host root from a container */
	const char *mi_path = f->root[0] ? "/proc/1/mountinfo" : "/proc/self/mountinfo";
	char *mi = NULL;
	int r = host_read(f, mi_path, 16 << 20, &mi);
	if (r == -ENOMEM)
		return r;
	if (!dir) {
		l->partition.status.state = FACT_UNAVAILABLE;
		snprintf(l->partition.status.reason, sizeof(l->partition.status.reason),
			 "the engine did not report its root directory");
	} else if (r < 0) {
		l->partition.status.state = FACT_UNAVAILABLE;
		snprintf(l->partition.status.reason, sizeof(l->partition.status.reason), "cannot read %s: %s", mi_path,
			 strerror(-r));
	} else {
		host_partition_judge(&l->partition, mi, dir);
	}
	free(mi);
	return 0;
}

static bool wanted_files(const struct host_facts_request *req)
{
	return req->files;
}

const struct host_collector host_collector_partition = {
	.name = "host-partition",
	.wanted = wanted_files,
	.collect = collect_partition,
};
