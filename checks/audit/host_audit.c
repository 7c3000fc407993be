/* host_audit.c: which paths the Linux audit system watches (the kernel's rules via netlink AUDIT_LIST_RULES, else /etc/audit/rules.d/ and audit.rules) and where the Docker binaries and files really are (/proc/PID/exe of running processes). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include "audit/host_state.h"

#define MAX_RULE_FILES 256

/* The architecture the kernel's syscall masks are numbered for when a rule names this machine's. */
#if defined(__x86_64__)
#define AUDIT_ARCH_NATIVE AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define AUDIT_ARCH_NATIVE AUDIT_ARCH_AARCH64
#else
#define AUDIT_ARCH_NATIVE 0u
#endif

static int add_watch(struct host_audit *a, const char *path, size_t plen, const char *perms, const char *key,
		     const char *origin)
{
	if (a->n >= HOST_MAX_WATCHES)
		return -E2BIG;
	struct audit_watch *grown = realloc(a->w, (a->n + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	a->w = grown;
	struct audit_watch *w = &grown[a->n];
	w->path = strndup(path, plen);
	w->perms = strdup(perms ? perms : "");
	w->key = strdup(key ? key : "");
	w->origin = strdup(origin);
	if (!w->path || !w->perms || !w->key || !w->origin) {
		free(w->path);
		free(w->perms);
		free(w->key);
		free(w->origin);
		return -ENOMEM;
	}
	/* "/etc/docker/" watches what "/etc/docker" does */
	size_t n = strlen(w->path);
	while (n > 1 && w->path[n - 1] == '/')
		w->path[--n] = '\0';
	a->n++;
	return 0;
}

/* One line of auditctl syntax. */
static int parse_rule_line(struct host_audit *a, char *line, const char *origin)
{
	char *tok[64];
	size_t n = 0;
	for (char *save = NULL, *t = strtok_r(line, " \t\r", &save); t && n < 64; t = strtok_r(NULL, " \t\r", &save))
		tok[n++] = t;
	const char *watch = NULL, *path = NULL, *perms = NULL, *key = NULL;
	bool exit_always = false, execve = false;
	for (size_t i = 0; i < n; i++) {
		const char *arg = i + 1 < n ? tok[i + 1] : NULL;
		if (strcmp(tok[i], "-w") == 0 && arg)
			watch = arg, i++;
		else if (strcmp(tok[i], "-p") == 0 && arg)
			perms = arg, i++;
		else if (strcmp(tok[i], "-k") == 0 && arg)
			key = arg, i++;
		else if (strcmp(tok[i], "-S") == 0 && arg) {
			/* -S execve, -S execve,execveat, -S all */
			for (const char *p = arg; (p = strstr(p, "execve")); p += 6)
				execve |= (p == arg || p[-1] == ',') && (p[6] == '\0' || p[6] == ',');
			execve |= strcmp(arg, "all") == 0;
			i++;
		}
		else if ((strcmp(tok[i], "-a") == 0 || strcmp(tok[i], "-A") == 0) && arg) {
			exit_always = strstr(arg, "always") && strstr(arg, "exit");
			i++;
		} else if (strcmp(tok[i], "-F") == 0 && arg) {
			if (strncmp(arg, "path=", 5) == 0 || strncmp(arg, "dir=", 4) == 0)
				path = strchr(arg, '=') + 1;
			else if (strncmp(arg, "perm=", 5) == 0)
				perms = arg + 5;
			else if (strncmp(arg, "key=", 4) == 0)
				key = arg + 4;
			i++;
		}
	}
	if (watch && *watch == '/')
		return add_watch(a, watch, strlen(watch), perms, key, origin);
	if (exit_always && path && *path == '/')
		return add_watch(a, path, strlen(path), perms, key, origin);
	if (exit_always && execve && !a->execve_rule[0])
		snprintf(a->execve_rule, sizeof(a->execve_rule), "%.120s", origin);
	return 0;
}

int host_audit_parse_rules(struct host_audit *a, const char *text, const char *origin)
{
	unsigned lineno = 0;
	int r = 0;
	for (const char *p = text; p && *p && r == 0;) {
		const char *end = strchr(p, '\n');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		lineno++;
		char line[4096], where[PATH_MAX + 16];
		if (len < sizeof(line)) {
			memcpy(line, p, len);
			line[len] = '\0';
			char *hash = strchr(line, '#');
			if (hash)
				*hash = '\0';
			snprintf(where, sizeof(where), "%s:%u", origin, lineno);
			r = parse_rule_line(a, line, where);
		}
		p = end ? end + 1 : NULL;
	}
	return r;
}

const struct audit_watch *host_audit_covering(const struct host_audit *a, const char *path)
{
	for (size_t i = 0; i < a->n; i++) {
		const char *w = a->w[i].path;
		size_t n = strlen(w);
		if (strcmp(w, "/") == 0 || (strncmp(path, w, n) == 0 && (path[n] == '\0' || path[n] == '/')))
			return &a->w[i];
	}
	return NULL;
}

void host_audit_free(struct host_audit *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->w[i].path);
		free(a->w[i].perms);
		free(a->w[i].key);
		free(a->w[i].origin);
	}
	for (size_t i = 0; i < a->n_bins; i++) {
		free(a->bins[i].name);
		free(a->bins[i].path);
		free(a->bins[i].how);
	}
	free(a->w);
	free(a->bins);
	memset(a, 0, sizeof(*a));
}

/* The kernel's loaded rules. Returns 0, or -errno (-EPERM without CAP_AUDIT_CONTROL). */
static int kernel_rules(struct host_audit *a)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
	if (fd < 0)
		return -errno;
	struct timeval tv = { .tv_sec = 2 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct nlmsghdr req = { .nlmsg_len = NLMSG_LENGTH(0), .nlmsg_type = AUDIT_LIST_RULES,
				.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK, .nlmsg_seq = 1 };
	int r = 0;
	char *buf = malloc(1 << 16);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	if (sendto(fd, &req, req.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = -errno;
		goto out;
	}
	for (size_t msgs = 0; msgs < HOST_MAX_WATCHES * 2;) {
		ssize_t len = recv(fd, buf, 1 << 16, 0);
		if (len < 0) {
			r = -errno;
			goto out;
		}
		for (struct nlmsghdr *nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)len); nh = NLMSG_NEXT(nh, len)) {
			msgs++;
			if (nh->nlmsg_type == NLMSG_DONE)
				goto out;
			if (nh->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(nh);
				if (e->error) {
					r = e->error;
					goto out;
				}
				continue;       /* the ack; the rules follow */
			}
			if (nh->nlmsg_type != AUDIT_LIST_RULES || nh->nlmsg_len < NLMSG_LENGTH(sizeof(struct audit_rule_data)))
				continue;
			struct audit_rule_data *d = NLMSG_DATA(nh);
			size_t avail = nh->nlmsg_len - NLMSG_LENGTH(sizeof(*d));
			if (d->buflen > avail || d->field_count > AUDIT_MAX_FIELDS)
				continue;
			const char *path = NULL, *key = NULL;
			size_t plen = 0, klen = 0, off = 0;
			bool foreign_arch = false;
			char perms[8] = "";
			for (unsigned i = 0; i < d->field_count; i++) {
				unsigned f = d->fields[i] & ~AUDIT_OPERATORS;
				bool is_str = f == AUDIT_WATCH || f == AUDIT_DIR || f == AUDIT_FILTERKEY ||
					      f == AUDIT_SUBJ_USER || f == AUDIT_SUBJ_ROLE || f == AUDIT_SUBJ_TYPE ||
					      f == AUDIT_SUBJ_SEN || f == AUDIT_SUBJ_CLR || f == AUDIT_OBJ_USER ||
					      f == AUDIT_OBJ_ROLE || f == AUDIT_OBJ_TYPE || f == AUDIT_OBJ_LEV_LOW ||
					      f == AUDIT_OBJ_LEV_HIGH || f == AUDIT_EXE;
				if (is_str && d->values[i] > d->buflen - off)
					break;
				if (f == AUDIT_WATCH || f == AUDIT_DIR)
					path = d->buf + off, plen = d->values[i];
				else if (f == AUDIT_FILTERKEY)
					key = d->buf + off, klen = d->values[i];
				else if (f == AUDIT_ARCH)
					foreign_arch = d->values[i] != AUDIT_ARCH_NATIVE;
				else if (f == AUDIT_PERM)
					snprintf(perms, sizeof(perms), "%s%s%s%s", d->values[i] & AUDIT_PERM_READ ? "r" : "",
						 d->values[i] & AUDIT_PERM_WRITE ? "w" : "", d->values[i] & AUDIT_PERM_EXEC ? "x" : "",
						 d->values[i] & AUDIT_PERM_ATTR ? "a" : "");
				if (is_str)
					off += d->values[i];
			}
			/* a rule on every execve of the native architecture: the docker CLI's runs are logged */
			bool execve = d->mask[__NR_execve / 32] & (1u << (__NR_execve % 32));
			if (!path && execve && !foreign_arch && d->action == AUDIT_ALWAYS &&
			    d->flags == AUDIT_FILTER_EXIT && !a->execve_rule[0])
				snprintf(a->execve_rule, sizeof(a->execve_rule), "kernel (AUDIT_LIST_RULES)");
			if (!path || d->action != AUDIT_ALWAYS)
				continue;
			char k[256];
			snprintf(k, sizeof(k), "%.*s", (int)(klen < sizeof(k) ? klen : sizeof(k) - 1), key ? key : "");
			r = add_watch(a, path, plen, perms, k, "kernel");
			if (r < 0)
				goto out;
		}
	}
out:
	free(buf);
	close(fd);
	return r;
}

/* Whether a process of this name runs under ROOT/proc (by comm). */
static bool process_running(const struct host_facts *f, const char *comm)
{
	char dir[PATH_MAX];
	if (host_path(f, "/proc", dir, sizeof(dir)) < 0)
		return false;
	DIR *d = opendir(dir);
	if (!d)
		return false;
	bool found = false;
	struct dirent *e;
	while (!found && (e = readdir(d))) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		char rel[64], *text = NULL;
		snprintf(rel, sizeof(rel), "/proc/%.20s/comm", e->d_name);
		if (host_read(f, rel, 4096, &text) == 0) {
			text[strcspn(text, "\n")] = '\0';
			found = strcmp(text, comm) == 0;
		}
		free(text);
	}
	closedir(d);
	return found;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int file_rules(const struct host_facts *f, struct host_audit *a)
{
	char dir[PATH_MAX];
	char *names[MAX_RULE_FILES];
	size_t n = 0;
	int r = 0;
	DIR *d = host_path(f, "/etc/audit/rules.d", dir, sizeof(dir)) == 0 ? opendir(dir) : NULL;
	struct dirent *e;
	while (d && (e = readdir(d)) && n < MAX_RULE_FILES) {
		size_t l = strlen(e->d_name);
		if (l > 6 && strcmp(e->d_name + l - 6, ".rules") == 0 && (names[n] = strdup(e->d_name)))
			n++;
	}
	if (d)
		closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_str);
	size_t used = 0, read = 0;
	for (size_t i = 0; i <= n; i++) {
		char rel[PATH_MAX], *text = NULL;
		if (i < n)
			snprintf(rel, sizeof(rel), "/etc/audit/rules.d/%s", names[i]);
		else
			snprintf(rel, sizeof(rel), "/etc/audit/audit.rules");
		if (i < n)
			free(names[i]);
		if (r < 0 || host_read(f, rel, HOST_FILE_CAP, &text) < 0)
			continue;
		read++;
		r = host_audit_parse_rules(a, text, rel);
		free(text);
		if (i == n || read <= 3)
			used += (size_t)snprintf(a->source + used, used < sizeof(a->source) ? sizeof(a->source) - used : 0,
						 "%s%s", used ? ", " : "", rel);
		else if (read == 4)
			used += (size_t)snprintf(a->source + used, used < sizeof(a->source) ? sizeof(a->source) - used : 0,
						 ", ...");
	}
	if (!read)
		snprintf(a->source, sizeof(a->source), "no /etc/audit/rules.d/*.rules or /etc/audit/audit.rules");
	return r == -E2BIG ? 0 : r;
}

static int add_target(struct host_audit *a, const char *name, const char *path, const char *how)
{
	struct host_binary *grown = realloc(a->bins, (a->n_bins + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	a->bins = grown;
	struct host_binary *b = &grown[a->n_bins];
	b->name = strdup(name);
	b->path = path ? strdup(path) : NULL;
	b->how = strdup(how);
	if (!b->name || !b->how || (path && !b->path)) {
		free(b->name);
		free(b->path);
		free(b->how);
		return -ENOMEM;
	}
	a->n_bins++;
	return 0;
}

static const char *const binaries[] = { "dockerd", "containerd", "containerd-shim", "containerd-shim-runc-v1",
					"containerd-shim-runc-v2", "runc", NULL };
static const char *const bin_dirs[] = { "/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin", "/bin",
					"/sbin", "/usr/libexec/docker", NULL };

static bool host_exists(const struct host_facts *f, const char *path)
{
	char full[PATH_MAX];
	struct stat st;
	return host_path(f, path, full, sizeof(full)) == 0 && lstat(full, &st) == 0;
}

/* Where each Docker binary is: the exe of a running process, else the usual directories. */
static int find_binaries(const struct host_facts *f, struct host_audit *a)
{
	char found[6][PATH_MAX] = { "" }, how[6][64] = { "" };
	char dir[PATH_MAX];
	/* the dockerd the engine answered from, when several run */
	int own = f->local ? f->local->dockerd_pid : 0;
	if (own > 0) {
		char rel[64], full[PATH_MAX];
		snprintf(rel, sizeof(rel), "/proc/%d/exe", own);
		ssize_t n = host_path(f, rel, full, sizeof(full)) == 0 ? readlink(full, found[0], sizeof(found[0]) - 1) : -1;
		found[0][n > 0 ? n : 0] = '\0';
		char *del = n > 0 ? strstr(found[0], " (deleted)") : NULL;
		if (del && !del[10])
			*del = '\0';
		if (n > 0)
			snprintf(how[0], sizeof(how[0]), "the running process %d", own);
	}
	DIR *d = host_path(f, "/proc", dir, sizeof(dir)) == 0 ? opendir(dir) : NULL;
	struct dirent *e;
	size_t seen = 0;
	while (d && (e = readdir(d)) && seen < 1 << 20) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		seen++;
		char rel[64], full[PATH_MAX], exe[PATH_MAX];
		snprintf(rel, sizeof(rel), "/proc/%.20s/exe", e->d_name);
		if (host_path(f, rel, full, sizeof(full)) < 0)
			continue;
		ssize_t n = readlink(full, exe, sizeof(exe) - 1);
		if (n <= 0)
			continue;
		exe[n] = '\0';
		char *del = strstr(exe, " (deleted)");
		if (del && !del[10])
			*del = '\0';
		const char *base = strrchr(exe, '/') ? strrchr(exe, '/') + 1 : exe;
		for (size_t i = 0; binaries[i]; i++)
			if (!found[i][0] && strcmp(base, binaries[i]) == 0) {
				snprintf(found[i], sizeof(found[i]), "%s", exe);
				snprintf(how[i], sizeof(how[i]), "the running process %.20s", e->d_name);
			}
	}
	if (d)
		closedir(d);
	int r = 0;
	for (size_t i = 0; binaries[i] && r == 0; i++) {
		if (!found[i][0]) {
			const char *in = host_find_in(f, bin_dirs, binaries[i], found[i], sizeof(found[i]));
			if (in)
				snprintf(how[i], sizeof(how[i]), "not running: found in %s", in);
			else
				found[i][0] = '\0';
		}
		r = add_target(a, binaries[i], found[i][0] ? found[i] : NULL,
			       found[i][0] ? how[i] : "not running and not in /usr/bin, /usr/sbin, /usr/local/bin, "
						      "/usr/local/sbin, /bin, /sbin, /usr/libexec/docker");
	}
	return r;
}

/* The files the audit rules name, from the effective configuration. */
static int find_files(struct host_facts *f, struct host_audit *a)
{
	const struct daemon_opt *dr = daemon_options_get(&f->daemon, "data-root");
	const char *data_root = dr && dr->value[0] ? dr->value : "/var/lib/docker";
	static const char *const literal[] = { "/run/containerd", "/etc/docker", "/etc/default/docker",
					       "/etc/containerd/config.toml", "/etc/sysconfig/docker", NULL };
	int r = add_target(a, "data-root", data_root, host_exists(f, data_root) ? "the Docker root directory" : "absent");
	for (size_t i = 0; literal[i] && r == 0; i++)
		r = add_target(a, literal[i], literal[i], host_exists(f, literal[i]) ? "present" : "absent");
	/* unit files, sockets and daemon.json as the file collector resolved them */
	static const char *const from_files[] = { "docker.service", "docker.socket", "docker.sock", "containerd.sock",
						  "daemon.json", NULL };
	const struct host_files *hf = &f->local->files;
	for (size_t t = 0; from_files[t] && r == 0; t++) {
		bool any = false;
		for (size_t i = 0; i < hf->n_files && r == 0; i++)
			if (strcmp(hf->files[i].target, from_files[t]) == 0) {
				any = true;
				r = add_target(a, from_files[t], hf->files[i].path, hf->files[i].err ? "absent" : "present");
			}
		if (!any && r == 0)
			r = add_target(a, from_files[t], NULL, "not found on this host");
	}
	return r;
}

static int collect_audit(struct host_facts *f, const struct snapshot *s)
{
	(void)s;
	struct host_local *l = host_local_get(f);
	if (!l)
		return -ENOMEM;
	struct host_audit *a = &l->audit;
	int r = 0;
	bool auditd = process_running(f, "auditd");
	int kr = auditd ? kernel_rules(a) : -ESRCH;
	if (kr == 0) {
		snprintf(a->source, sizeof(a->source), "kernel audit rules (AUDIT_LIST_RULES, auditd running)");
	} else {
		if (kr == -ENOMEM)
			return kr;
		host_audit_free(a);
		r = file_rules(f, a);
		char why[96];
		snprintf(why, sizeof(why), "%s", kr == -ESRCH ? "auditd is not running" : strerror(-kr));
		char src[sizeof(a->source)];
		snprintf(src, sizeof(src), "%.120s (kernel rules not read: %s)", a->source, why);
		snprintf(a->source, sizeof(a->source), "%s", src);
	}
	if (r == 0)
		r = find_binaries(f, a);
	if (r == 0)
		r = find_files(f, a);
	if (r == 0)
		a->status.state = FACT_OK;
	return r;
}

static bool wanted_files(const struct host_facts_request *req)
{
	return req->files;
}

static void free_audit(struct host_facts *f)
{
	if (f->local)
		host_audit_free(&f->local->audit);
}

const struct host_collector host_collector_audit = {
	.name = "host-audit",
	.wanted = wanted_files,
	.collect = collect_audit,
	.free = free_audit,
};
