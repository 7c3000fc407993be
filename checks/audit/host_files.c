/* host_files.c: owner and mode of the files the Docker rules name (unit files, sockets, /etc/docker, certificates, TLS files, daemon.json, environment files), resolved from the effective configuration and lstat'ed under the host root. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/host_daemon.h"
#include "audit/host_state.h"

static int add_note(struct host_files *hf, const char *target, const char *why)
{
	struct host_file_note *grown = realloc(hf->notes, (hf->n_notes + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	hf->notes = grown;
	struct host_file_note *n = &grown[hf->n_notes];
	n->target = strdup(target);
	n->why = strdup(why);
	if (!n->target || !n->why) {
		free(n->target);
		free(n->why);
		return -ENOMEM;
	}
	hf->n_notes++;
	return 0;
}

/* Collapses "." and ".." in an absolute path, never above "/" (the host root). */
static void normalize(char *path)
{
	char out[PATH_MAX];
	size_t len = 0;
	for (const char *p = path; *p;) {
		while (*p == '/')
			p++;
		size_t n = strcspn(p, "/");
		if (n == 0)
			break;
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			while (len > 0 && out[len - 1] != '/')
				len--;
			if (len > 0)
				len--;
		} else if (!(n == 1 && p[0] == '.') && len + n + 1 < sizeof(out)) {
			out[len++] = '/';
			memcpy(out + len, p, n);
			len += n;
		}
		p += n;
	}
	if (!len)
		out[len++] = '/';
	out[len] = '\0';
	memcpy(path, out, len + 1);
}

/* stat()s what the symlink at path (host-relative) points to, hop by hop
 * inside the host root: an absolute target is under the root, a relative
 * one is taken from the link's own directory. 0 or -errno (-ELOOP). */
static int follow_link(const struct host_facts *f, const char *path, struct stat *st)
{
	char cur[PATH_MAX], full[PATH_MAX], to[PATH_MAX];
	snprintf(cur, sizeof(cur), "%s", path);
	for (int hop = 0; hop < 16; hop++) {
		normalize(cur);
		if (host_path(f, cur, full, sizeof(full)) < 0)
			return -ENAMETOOLONG;
		if (lstat(full, st) < 0)
			return -errno;
		if (!S_ISLNK(st->st_mode))
			return 0;
		ssize_t n = readlink(full, to, sizeof(to) - 1);
		if (n <= 0)
			return n < 0 ? -errno : -ENOENT;
		to[n] = '\0';
		if (to[0] == '/') {
			snprintf(cur, sizeof(cur), "%s", to);
		} else {
			char *slash = strrchr(cur, '/');
			size_t dirlen = slash ? (size_t)(slash - cur) : 0;
			char next[PATH_MAX];
			if ((size_t)snprintf(next, sizeof(next), "%.*s/%s", (int)dirlen, cur, to) >= sizeof(next))
				return -ENAMETOOLONG;
			snprintf(cur, sizeof(cur), "%s", next);
		}
	}
	return -ELOOP;
}

/* lstat()s one path (and a symlink's target) and records it. */
static int add_file(const struct host_facts *f, struct host_files *hf, const char *target, const char *path)
{
	if (hf->n_files >= HOST_MAX_DIR_ENTRIES)
		return 0;
	for (size_t i = 0; i < hf->n_files; i++)
		if (strcmp(hf->files[i].target, target) == 0 && strcmp(hf->files[i].path, path) == 0)
			return 0;
	struct host_file *grown = realloc(hf->files, (hf->n_files + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	hf->files = grown;
	struct host_file *h = &grown[hf->n_files];
	memset(h, 0, sizeof(*h));
	h->target = strdup(target);
	h->path = strdup(path);
	if (!h->target || !h->path) {
		free(h->target);
		free(h->path);
		return -ENOMEM;
	}
	hf->n_files++;
	char full[PATH_MAX];
	struct stat st;
	if (host_path(f, path, full, sizeof(full)) < 0) {
		h->err = ENAMETOOLONG;
		return 0;
	}
	if (lstat(full, &st) < 0) {
		h->err = errno;
		return 0;
	}
	h->is_link = S_ISLNK(st.st_mode);
	if (h->is_link) {
		char to[PATH_MAX];
		ssize_t n = readlink(full, to, sizeof(to) - 1);
		to[n > 0 ? n : 0] = '\0';
		if (!(h->link_to = strdup(to)))
			return -ENOMEM;
		int r = follow_link(f, path, &st);
		if (r < 0) {
			h->target_err = -r;
			return 0;
		}
	}
	h->is_dir = S_ISDIR(st.st_mode);
	h->mode = st.st_mode & 07777;
	h->uid = st.st_uid;
	h->gid = st.st_gid;
	return 0;
}

/* The directory and everything below it (two levels: certs.d/REGISTRY/FILE). */
static int add_tree(const struct host_facts *f, struct host_files *hf, const char *target, const char *path,
		    int depth)
{
	int r = add_file(f, hf, target, path);
	char full[PATH_MAX];
	if (r < 0 || depth <= 0 || host_path(f, path, full, sizeof(full)) < 0)
		return r;
	struct stat st;
	if (lstat(full, &st) < 0 || !S_ISDIR(st.st_mode))
		return 0;
	DIR *d = opendir(full);
	if (!d)
		return 0;
	struct dirent *e;
	char **names = NULL;
	size_t n = 0;
	while ((e = readdir(d)) && n < HOST_MAX_DIR_ENTRIES) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char **grown = realloc(names, (n + 1) * sizeof(*grown));
		if (!grown || !(grown[n] = strdup(e->d_name))) {
			if (grown)
				names = grown;
			r = -ENOMEM;
			break;
		}
		names = grown;
		n++;
	}
	closedir(d);
	for (size_t i = 0; i < n; i++) {
		char child[PATH_MAX];
		if (r == 0 && (size_t)snprintf(child, sizeof(child), "%s/%s", path, names[i]) < sizeof(child))
			r = add_tree(f, hf, target, child, depth - 1);
		free(names[i]);
	}
	free(names);
	return r;
}

static const char *opt_value(const struct host_facts *f, const char *name)
{
	const struct daemon_opt *o = daemon_options_get(&f->daemon, name);
	return o && o->value[0] ? o->value : NULL;
}

static int add_unit(const struct host_facts *f, struct host_files *hf, const char *unit)
{
	char path[PATH_MAX];
	if (host_find_unit(f, unit, path, sizeof(path)) == 0)
		return add_file(f, hf, unit, path);
	char why[PATH_MAX];
	snprintf(why, sizeof(why), "no %s unit file in /etc/systemd/system, /run/systemd/system, "
		 "/lib/systemd/system or /usr/lib/systemd/system", unit);
	return add_note(hf, unit, why);
}

static int add_configured(const struct host_facts *f, struct host_files *hf, const char *opt)
{
	const char *v = opt_value(f, opt);
	if (v)
		return add_file(f, hf, opt, v);
	char why[128];
	snprintf(why, sizeof(why), "the daemon has no %s configured", opt);
	return add_note(hf, opt, why);
}

/* Every unix socket the daemon listens on (-H / hosts); fd:// is socket
 * activation through docker.socket, which listens on /run/docker.sock. */
static int add_sockets(const struct host_facts *f, struct host_files *hf)
{
	const char *hosts = opt_value(f, "hosts");
	if (!hosts)
		hosts = "unix:///var/run/docker.sock";
	int r = 0;
	size_t found = 0;
	for (const char *p = hosts; *p && r == 0;) {
		size_t n = strcspn(p, ",");
		char h[PATH_MAX];
		snprintf(h, sizeof(h), "%.*s", (int)(n < sizeof(h) ? n : sizeof(h) - 1), p);
		if (strncmp(h, "unix://", 7) == 0) {
			r = add_file(f, hf, "docker.sock", h[7] ? h + 7 : "/var/run/docker.sock");
			found++;
		} else if (strncmp(h, "fd://", 5) == 0) {
			r = add_file(f, hf, "docker.sock", "/var/run/docker.sock");
			found++;
		}
		p += n;
		p += *p == ',';
	}
	if (r == 0 && !found)
		r = add_note(hf, "docker.sock", "the daemon listens on no unix socket");
	return r;
}

static int collect_files(struct host_facts *f, const struct snapshot *s)
{
	(void)s;
	struct host_local *l = host_local_get(f);
	if (!l)
		return -ENOMEM;
	struct host_files *hf = &l->files;
	const char *cfg = opt_value(f, "config-file");
	const char *containerd = opt_value(f, "containerd");
	int r = add_unit(f, hf, "docker.service");
	if (r == 0)
		r = add_unit(f, hf, "docker.socket");
	if (r == 0)
		r = add_file(f, hf, "/etc/docker", "/etc/docker");
	if (r == 0)
		r = add_tree(f, hf, "/etc/docker/certs.d", "/etc/docker/certs.d", 3);
	if (r == 0)
		r = add_configured(f, hf, "tlscacert");
	if (r == 0)
		r = add_configured(f, hf, "tlscert");
	if (r == 0)
		r = add_configured(f, hf, "tlskey");
	if (r == 0)
		r = add_sockets(f, hf);
	if (r == 0)
		r = add_file(f, hf, "daemon.json", cfg ? cfg : "/etc/docker/daemon.json");
	if (r == 0)
		r = add_file(f, hf, "/etc/default/docker", "/etc/default/docker");
	if (r == 0)
		r = add_file(f, hf, "/etc/sysconfig/docker", "/etc/sysconfig/docker");
	/* a dockerd without --containerd starts its own, under its exec root */
	char own_containerd[PATH_MAX], full[PATH_MAX];
	const char *exec_root = opt_value(f, "exec-root");
	snprintf(own_containerd, sizeof(own_containerd), "%.4000s/containerd/containerd.sock",
		 exec_root ? exec_root : "/var/run/docker");
	struct stat st;
	if (!containerd)
		containerd = host_path(f, "/run/containerd/containerd.sock", full, sizeof(full)) == 0 &&
					     lstat(full, &st) < 0 && host_path(f, own_containerd, full, sizeof(full)) == 0 &&
					     lstat(full, &st) == 0
				     ? own_containerd : "/run/containerd/containerd.sock";
	if (r == 0)
		r = add_file(f, hf, "containerd.sock", containerd);
	if (r == 0)
		hf->status.state = FACT_OK;
	return r;
}

static bool wanted_files(const struct host_facts_request *req)
{
	return req->files;
}

static void free_files(struct host_facts *f)
{
	if (!f->local)
		return;
	struct host_files *hf = &f->local->files;
	for (size_t i = 0; i < hf->n_files; i++) {
		free(hf->files[i].target);
		free(hf->files[i].path);
		free(hf->files[i].link_to);
	}
	for (size_t i = 0; i < hf->n_notes; i++) {
		free(hf->notes[i].target);
		free(hf->notes[i].why);
	}
	free(hf->files);
	free(hf->notes);
	memset(hf, 0, sizeof(*hf));
}

const struct host_collector host_collector_files = {
	.name = "host-files",
	.wanted = wanted_files,
	.collect = collect_files,
	.free = free_files,
};
