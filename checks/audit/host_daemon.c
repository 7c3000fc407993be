/* host_daemon.c: the running dockerd's own configuration: its command line from /proc, the daemon.json it uses, DOCKER_OPTS, the systemd unit and drop-ins, merged into host_facts.daemon under daemon.json names. */
#include "audit/host_daemon.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/host_state.h"
#include "buf.h"
#include "json.h"
#include "report/term.h"

#define MAX_ARGS 512
#define MAX_DROPINS 64

/* dockerd flags and their daemon.json names. kind: 'b' boolean, 's' string, 'l' list (repeatable). */
static const struct flag {
	const char *flag, *shortflag, *name;
	char kind;
} flags[] = {
	{ "icc", NULL, "icc", 'b' }, { "live-restore", NULL, "live-restore", 'b' },
	{ "userland-proxy", NULL, "userland-proxy", 'b' }, { "no-new-privileges", NULL, "no-new-privileges", 'b' },
	{ "iptables", NULL, "iptables", 'b' }, { "ip6tables", NULL, "ip6tables", 'b' },
	{ "ip-forward", NULL, "ip-forward", 'b' }, { "ip-masq", NULL, "ip-masq", 'b' },
	{ "experimental", NULL, "experimental", 'b' }, { "debug", "D", "debug", 'b' },
	{ "tls", NULL, "tls", 'b' }, { "tlsverify", NULL, "tlsverify", 'b' },
	{ "selinux-enabled", NULL, "selinux-enabled", 'b' }, { "ipv6", NULL, "ipv6", 'b' },
	{ "authorization-plugin", NULL, "authorization-plugins", 'l' }, { "log-level", "l", "log-level", 's' },
	{ "tlscacert", NULL, "tlscacert", 's' }, { "tlscert", NULL, "tlscert", 's' },
	{ "tlskey", NULL, "tlskey", 's' }, { "host", "H", "hosts", 'l' },
	{ "userns-remap", NULL, "userns-remap", 's' }, { "default-ulimit", NULL, "default-ulimits", 'l' },
	{ "seccomp-profile", NULL, "seccomp-profile", 's' }, { "cgroup-parent", NULL, "cgroup-parent", 's' },
	{ "storage-driver", "s", "storage-driver", 's' }, { "storage-opt", NULL, "storage-opts", 'l' },
	{ "insecure-registry", NULL, "insecure-registries", 'l' }, { "log-driver", NULL, "log-driver", 's' },
	{ "log-opt", NULL, "log-opts", 'l' }, { "data-root", "g", "data-root", 's' },
	{ "graph", NULL, "data-root", 's' }, { "exec-root", NULL, "exec-root", 's' },
	{ "pidfile", "p", "pidfile", 's' }, { "containerd", NULL, "containerd", 's' },
	{ "default-runtime", NULL, "default-runtime", 's' }, { "ip", NULL, "ip", 's' },
	{ "bridge", "b", "bridge", 's' }, { "group", "G", "group", 's' },
	{ "registry-mirror", NULL, "registry-mirrors", 'l' }, { "dns", NULL, "dns", 'l' },
	{ "config-file", NULL, "config-file", 's' }, { "exec-opt", NULL, "exec-opts", 'l' },
	{ "default-cgroupns-mode", NULL, "default-cgroupns-mode", 's' },
	{ "default-ipc-mode", NULL, "default-ipc-mode", 's' }, { "metrics-addr", NULL, "metrics-addr", 's' },
};
#define N_FLAGS (sizeof(flags) / sizeof(flags[0]))

static const struct flag *find_flag(const char *name, bool is_short)
{
	for (size_t i = 0; i < N_FLAGS; i++)
		if (is_short ? flags[i].shortflag && strcmp(flags[i].shortflag, name) == 0
			     : strcmp(flags[i].flag, name) == 0)
			return &flags[i];
	return NULL;
}

/* Adds value to a list option of this origin (repeated flags accumulate). */
static int set_opt(struct daemon_options *d, const char *name, const char *value, bool list,
		   enum daemon_opt_origin origin, const char *source)
{
	const struct daemon_opt *old = daemon_options_get(d, name);
	if (list && old && old->origin == origin && strcmp(old->source, source) == 0 && old->value[0]) {
		char *joined = NULL;
		if (asprintf(&joined, "%s,%s", old->value, value) < 0)
			return -ENOMEM;
		int r = daemon_options_set(d, name, joined, origin, source);
		free(joined);
		return r;
	}
	return daemon_options_set(d, name, value, origin, source);
}

int host_daemon_apply_args(struct daemon_options *d, char *const *argv, size_t argc,
			   enum daemon_opt_origin origin, const char *source)
{
	for (size_t i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] != '-' || !a[1] || strcmp(a, "--") == 0)
			continue;
		bool is_short = a[1] != '-';
		const char *nm = a + (is_short ? 1 : 2);
		char name[128];
		const char *eq = strchr(nm, '=');
		size_t n = eq ? (size_t)(eq - nm) : strlen(nm);
		if (n == 0 || n >= sizeof(name))
			continue;
		memcpy(name, nm, n);
		name[n] = '\0';
		const char *value = eq ? eq + 1 : NULL;
		/* -Hunix:///x: a short flag glued to its value */
		if (is_short && !eq && n > 1 && find_flag((char[]){ name[0], '\0' }, true) &&
		    find_flag((char[]){ name[0], '\0' }, true)->kind != 'b') {
			value = nm + 1;
			name[1] = '\0';
		}
		const struct flag *fl = find_flag(name, is_short);
		char kind = fl ? fl->kind : 's';
		if (!value) {
			if (kind == 'b')
				value = "true";
			else if (i + 1 < argc && (argv[i + 1][0] != '-' || fl))
				value = argv[++i];
			else
				value = "true";         /* an unknown flag on its own: a switch */
		}
		if (kind == 'b' && strcmp(value, "true") != 0 && strcmp(value, "false") != 0)
			value = strcmp(value, "1") == 0 ? "true" : strcmp(value, "0") == 0 ? "false" : value;
		int r = set_opt(d, fl ? fl->name : name, value, kind == 'l', origin, source);
		if (r < 0)
			return r;
	}
	return 0;
}

int host_daemon_split_words(const char *text, char ***argv, size_t *argc)
{
	*argv = NULL;
	*argc = 0;
	struct buf w;
	buf_init(&w, 64 << 10);
	int r = 0;
	const char *p = text;
	while (*p && r == 0) {
		while (*p && isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		buf_reset(&w);
		char quote = 0;
		bool any = false;
		for (; *p && (quote || !isspace((unsigned char)*p)) && r == 0; p++) {
			if (quote && *p == quote) {
				quote = 0;
				continue;
			}
			if (!quote && (*p == '"' || *p == '\'')) {
				quote = *p;
				any = true;
				continue;
			}
			if (*p == '\\' && p[1] && quote != '\'')
				p++;
			r = buf_append(&w, p, 1);
			any = true;
		}
		if (r < 0 || !any)
			break;
		if (*argc >= MAX_ARGS) {
			r = -E2BIG;
			break;
		}
		char **grown = realloc(*argv, (*argc + 2) * sizeof(*grown));
		char *word = strdup(w.data ? w.data : "");
		if (!grown || !word) {
			if (grown)
				*argv = grown;
			free(word);
			r = -ENOMEM;
			break;
		}
		*argv = grown;
		grown[(*argc)++] = word;
		grown[*argc] = NULL;
	}
	buf_free(&w);
	if (r < 0) {
		host_daemon_free_words(*argv, *argc);
		*argv = NULL;
		*argc = 0;
	}
	return r;
}

void host_daemon_free_words(char **argv, size_t argc)
{
	for (size_t i = 0; argv && i < argc; i++)
		free(argv[i]);
	free(argv);
}

/* A JSON value as an option value: booleans true/false, arrays joined with ",",
 * objects as name=value pairs (default-ulimits: nofile=Soft:Hard). */
static int json_value_text(yajl_val v, struct buf *b)
{
	if (YAJL_IS_TRUE(v))
		return buf_printf(b, "true");
	if (YAJL_IS_FALSE(v))
		return buf_printf(b, "false");
	if (YAJL_IS_STRING(v))
		return buf_printf(b, "%s", v->u.string);
	if (YAJL_IS_NUMBER(v))
		return buf_printf(b, "%s", v->u.number.r);
	int r = 0;
	if (YAJL_IS_ARRAY(v))
		for (size_t i = 0; i < v->u.array.len && r == 0; i++) {
			if (i)
				r = buf_printf(b, ",");
			if (r == 0 && !YAJL_IS_OBJECT(v->u.array.values[i]) && !YAJL_IS_ARRAY(v->u.array.values[i]))
				r = json_value_text(v->u.array.values[i], b);
		}
	if (YAJL_IS_OBJECT(v))
		for (size_t i = 0; i < v->u.object.len && r == 0; i++) {
			yajl_val m = v->u.object.values[i];
			r = buf_printf(b, "%s%s", i ? "," : "", v->u.object.keys[i]);
			if (r == 0 && YAJL_IS_OBJECT(m) && json_get(m, "Soft"))
				r = buf_printf(b, "=%lld:%lld", (long long)json_int(m, "Soft", 0),
					       (long long)json_int(m, "Hard", 0));
			else if (r == 0 && !YAJL_IS_OBJECT(m) && !YAJL_IS_ARRAY(m) && !YAJL_IS_NULL(m)) {
				r = buf_printf(b, "=");
				if (r == 0)
					r = json_value_text(m, b);
			}
		}
	return r;
}

int host_daemon_apply_json(struct daemon_options *d, const char *text, size_t len, const char *source,
			   char *err, size_t errlen)
{
	yajl_val root = NULL;
	int r = json_parse(text, len, &root, err, errlen);
	if (r < 0)
		return r;
	if (!YAJL_IS_OBJECT(root)) {
		snprintf(err, errlen, "not a JSON object");
		yajl_tree_free(root);
		return -EBADMSG;
	}
	struct buf b;
	buf_init(&b, 1 << 20);
	for (size_t i = 0; i < root->u.object.len && r == 0; i++) {
		const char *key = root->u.object.keys[i];
		/* the flag spellings some files use: "authorization-plugin" -> the list name */
		const struct flag *fl = find_flag(key, false);
		buf_reset(&b);
		r = json_value_text(root->u.object.values[i], &b);
		if (r == 0)
			r = daemon_options_set(d, fl ? fl->name : key, b.data ? b.data : "", DOPT_CONFIG_FILE, source);
	}
	if (r == -EFBIG) {
		snprintf(err, errlen, "a value is too long");
		r = -EBADMSG;
	}
	buf_free(&b);
	yajl_tree_free(root);
	return r;
}

/* The value of VAR=... in a shell-style environment file, NULL if absent. */
char *host_env_file_value(const char *text, const char *var)
{
	size_t n = strlen(var);
	char *found = NULL;
	for (const char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		while (*line == ' ' || *line == '\t')
			line++;
		if (strncmp(line, "export ", 7) == 0)
			line += 7;
		if (strncmp(line, var, n) != 0 || line[n] != '=')
			continue;
		const char *v = line + n + 1;
		size_t len = strcspn(v, "\n");
		free(found);
		found = strndup(v, len);
		if (!found)
			return NULL;
	}
	return found;
}

static int apply_words(struct daemon_options *d, const char *text, bool skip_program,
		       enum daemon_opt_origin origin, const char *source)
{
	char **argv;
	size_t argc;
	int r = host_daemon_split_words(text, &argv, &argc);
	if (r == -E2BIG)
		return 0;
	if (r < 0)
		return r;
	size_t first = skip_program && argc ? 1 : 0;
	r = host_daemon_apply_args(d, argv + first, argc - first, origin, source);
	host_daemon_free_words(argv, argc);
	return r;
}

static int read_env_files(struct host_facts *f)
{
	static const char *const files[][2] = { { "/etc/default/docker", "DOCKER_OPTS" },
						{ "/etc/sysconfig/docker", "OPTIONS" },
						{ "/etc/sysconfig/docker", "DOCKER_OPTS" } };
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *text = NULL;
		if (host_read(f, files[i][0], HOST_FILE_CAP, &text) < 0)
			continue;
		char *v = host_env_file_value(text, files[i][1]);
		free(text);
		if (!v)
			continue;
		char source[128];
		snprintf(source, sizeof(source), "%s %s", files[i][0], files[i][1]);
		/* the shell value (quotes removed) is itself a word list; $VAR references are left unexpanded */
		char **words;
		size_t nw;
		int r = host_daemon_split_words(v, &words, &nw);
		free(v);
		if (r == -E2BIG)
			continue;
		struct buf joined;
		buf_init(&joined, 64 << 10);
		for (size_t k = 0; k < nw && r == 0; k++)
			r = buf_printf(&joined, "%s%s", k ? " " : "", words[k]);
		host_daemon_free_words(words, nw);
		if (r == 0 && joined.data)
			r = apply_words(&f->daemon, joined.data, false, DOPT_ENV_FILE, source);
		buf_free(&joined);
		r = r == -EFBIG ? 0 : r;
		if (r < 0)
			return r;
	}
	return 0;
}

const char *const host_unit_dirs[] = { "/etc/systemd/system", "/run/systemd/system", "/lib/systemd/system",
				       "/usr/lib/systemd/system", NULL };

int host_find_unit(const struct host_facts *f, const char *unit, char *out, size_t outlen)
{
	for (size_t i = 0; host_unit_dirs[i]; i++) {
		char rel[PATH_MAX], full[PATH_MAX];
		snprintf(rel, sizeof(rel), "%s/%s", host_unit_dirs[i], unit);
		struct stat st;
		/* lstat: a symlink's absolute target is inside the host root, not ours */
		if (host_path(f, rel, full, sizeof(full)) == 0 && lstat(full, &st) == 0) {
			snprintf(out, outlen, "%s", rel);
			return 0;
		}
	}
	return -ENOENT;
}

/* The ExecStart of a unit text (line continuations joined); an empty
 * ExecStart= resets what came before, as systemd does. */
static int unit_exec_start(const char *text, struct buf *exec)
{
	int r = 0;
	const char *line = text;
	while (line && *line && r == 0) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		if (strncmp(line, "ExecStart=", 10) == 0) {
			buf_reset(exec);
			const char *v = line + 10;
			size_t vl = len - 10;
			for (;;) {
				bool cont = vl && v[vl - 1] == '\\';
				r = buf_append(exec, v, cont ? vl - 1 : vl);
				if (r < 0 || !cont || !end)
					break;
				line = end + 1;
				end = strchr(line, '\n');
				v = line;
				vl = end ? (size_t)(end - line) : strlen(line);
				if (r == 0)
					r = buf_append(exec, " ", 1);
			}
		}
		line = end ? end + 1 : NULL;
	}
	return r == -EFBIG ? 0 : r;
}

static int cmp_basenames(const void *a, const void *b)
{
	return strcmp(strrchr(*(char *const *)a, '/') + 1, strrchr(*(char *const *)b, '/') + 1);
}

static int read_systemd(struct host_facts *f)
{
	char unit[PATH_MAX], source[PATH_MAX + 32];
	if (host_find_unit(f, "docker.service", unit, sizeof(unit)) < 0)
		return 0;
	struct buf exec;
	buf_init(&exec, 64 << 10);
	char *text = NULL;
	int r = 0;
	snprintf(source, sizeof(source), "%s", unit);
	if (host_read(f, unit, HOST_FILE_CAP, &text) == 0)
		r = unit_exec_start(text, &exec);
	free(text);
	/* drop-ins from every unit directory (a name in /etc hides the same name
	 * further down), applied in name order; each may replace ExecStart */
	char *names[MAX_DROPINS];
	size_t n = 0;
	for (size_t d = 0; host_unit_dirs[d]; d++) {
		char rel_dir[PATH_MAX], dir[PATH_MAX];
		snprintf(rel_dir, sizeof(rel_dir), "%s/docker.service.d", host_unit_dirs[d]);
		DIR *dh = host_path(f, rel_dir, dir, sizeof(dir)) == 0 ? opendir(dir) : NULL;
		struct dirent *e;
		while (dh && (e = readdir(dh)) && n < MAX_DROPINS) {
			size_t l = strlen(e->d_name);
			bool hidden = false;
			for (size_t k = 0; k < n && !hidden; k++)
				hidden = strcmp(strrchr(names[k], '/') + 1, e->d_name) == 0;
			if (l > 5 && strcmp(e->d_name + l - 5, ".conf") == 0 && !hidden &&
			    asprintf(&names[n], "%s/%s", rel_dir, e->d_name) >= 0)
				n++;
		}
		if (dh)
			closedir(dh);
	}
	qsort(names, n, sizeof(names[0]), cmp_basenames);
	for (size_t i = 0; i < n; i++) {
		if (r == 0 && host_read(f, names[i], HOST_FILE_CAP, &text) == 0) {
			if (strstr(text, "ExecStart="))
				snprintf(source, sizeof(source), "%s", names[i]);
			r = unit_exec_start(text, &exec);
			free(text);
		}
		free(names[i]);
	}
	if (r == 0 && exec.data && exec.data[0])
		r = apply_words(&f->daemon, exec.data + (exec.data[0] == '-' ? 1 : 0), true, DOPT_SYSTEMD, source);
	buf_free(&exec);
	return r;
}

/* argv of a /proc/PID/cmdline (NUL-separated). */
static int cmdline_words(const char *text, size_t len, char ***argv, size_t *argc)
{
	*argv = NULL;
	*argc = 0;
	for (size_t i = 0; i < len && *argc < MAX_ARGS;) {
		size_t n = strnlen(text + i, len - i);
		char **grown = realloc(*argv, (*argc + 2) * sizeof(*grown));
		char *word = strndup(text + i, n);
		if (!grown || !word) {
			if (grown)
				*argv = grown;
			free(word);
			host_daemon_free_words(*argv, *argc);
			*argv = NULL;
			*argc = 0;
			return -ENOMEM;
		}
		*argv = grown;
		grown[(*argc)++] = word;
		grown[*argc] = NULL;
		i += n + 1;
	}
	return 0;
}

/* The value of a flag in argv, NULL if absent. */
static const char *arg_value(char *const *argv, size_t argc, const char *longflag, const char *shortflag)
{
	const char *v = NULL;
	for (size_t i = 1; i < argc; i++) {
		const char *a = argv[i];
		for (int s = 0; s < 2; s++) {
			const char *f = s ? shortflag : longflag;
			if (!f)
				continue;
			char pre[64];
			snprintf(pre, sizeof(pre), "%s%s", s ? "-" : "--", f);
			size_t n = strlen(pre);
			if (strncmp(a, pre, n) != 0)
				continue;
			if (a[n] == '=')
				v = a + n + 1;
			else if (!a[n] && i + 1 < argc)
				v = argv[i + 1];
		}
	}
	return v;
}

struct dockerd_proc {
	int pid;
	char **argv;
	size_t argc;
	int err;        /* errno reading its cmdline */
};

/* Every process named dockerd under ROOT/proc (at most 16). */
static size_t find_dockerds(const struct host_facts *f, struct dockerd_proc *out, size_t max, int *proc_err)
{
	char procdir[PATH_MAX];
	size_t n = 0;
	*proc_err = 0;
	if (host_path(f, "/proc", procdir, sizeof(procdir)) < 0)
		return 0;
	DIR *dh = opendir(procdir);
	if (!dh) {
		*proc_err = errno;
		return 0;
	}
	struct dirent *e;
	while ((e = readdir(dh)) && n < max) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		char rel[64], *comm = NULL;
		snprintf(rel, sizeof(rel), "/proc/%.20s/comm", e->d_name);
		if (host_read(f, rel, 4096, &comm) < 0)
			continue;
		bool is = strncmp(comm, "dockerd", 7) == 0 && (comm[7] == '\n' || comm[7] == '\0');
		free(comm);
		if (!is)
			continue;
		struct dockerd_proc *p = &out[n++];
		memset(p, 0, sizeof(*p));
		p->pid = atoi(e->d_name);
		snprintf(rel, sizeof(rel), "/proc/%.20s/cmdline", e->d_name);
		char *text = NULL;
		size_t len = 0;
		int r = host_read_n(f, rel, 256 << 10, &text, &len);
		if (r < 0 && r != -ENOMEM) {
			p->err = -r;
		} else if (r == 0 && len == 0) {
			p->err = EACCES;
		} else if (r < 0 || cmdline_words(text, len, &p->argv, &p->argc) < 0) {
			free(text);
			closedir(dh);
			*proc_err = ENOMEM;
			return n;
		}
		free(text);
	}
	closedir(dh);
	return n;
}

/* The data root a dockerd command line uses (flag, else its daemon.json, else the default). */
static void proc_data_root(const struct host_facts *f, const struct dockerd_proc *p, char *out, size_t outlen)
{
	const char *v = arg_value(p->argv, p->argc, "data-root", "g");
	if (!v)
		v = arg_value(p->argv, p->argc, "graph", NULL);
	snprintf(out, outlen, "%s", v ? v : "/var/lib/docker");
	if (v)
		return;
	const char *cfg = arg_value(p->argv, p->argc, "config-file", NULL);
	char *text = NULL;
	if (host_read(f, cfg ? cfg : "/etc/docker/daemon.json", HOST_FILE_CAP, &text) == 0) {
		yajl_val root = NULL;
		char err[64];
		if (json_parse(text, strlen(text), &root, err, sizeof(err)) == 0 && json_str(root, "data-root") &&
		    *json_str(root, "data-root"))
			snprintf(out, outlen, "%s", json_str(root, "data-root"));
		yajl_tree_free(root);
	}
	free(text);
	size_t n = strlen(out);
	while (n > 1 && out[n - 1] == '/')
		out[--n] = '\0';
}

static int read_config_file(struct host_facts *f, const char *path, bool explicit_path)
{
	char *text = NULL;
	int r = host_read(f, path, HOST_FILE_CAP, &text);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		/* an absent default daemon.json just means no file configuration */
		if (explicit_path || r != -ENOENT)
			return daemon_options_set(&f->daemon, "config-file-error", strerror(-r), DOPT_CONFIG_FILE, path);
		return 0;
	}
	char err[256] = "";
	r = host_daemon_apply_json(&f->daemon, text, strlen(text), path, err, sizeof(err));
	free(text);
	if (r == -EBADMSG)
		return daemon_options_set(&f->daemon, "config-file-error", err, DOPT_CONFIG_FILE, path);
	return r;
}

__attribute__((format(printf, 2, 3)))
static void set_unavailable(struct fact_status *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	s->state = FACT_UNAVAILABLE;
	vsnprintf(s->reason, sizeof(s->reason), fmt, ap);
	va_end(ap);
}

static int collect_daemon_process(struct host_facts *f, const struct snapshot *s)
{
	struct host_local *l = host_local_get(f);
	if (!l)
		return -ENOMEM;
	struct dockerd_proc procs[16];
	int proc_err = 0;
	size_t n = find_dockerds(f, procs, 16, &proc_err);
	int r = proc_err == ENOMEM ? -ENOMEM : 0;
	/* the dockerd this snapshot talked to: the one with the engine's data root */
	const char *engine_root = s->info.docker_root_dir ? s->info.docker_root_dir : "";
	struct dockerd_proc *pick = NULL;
	for (size_t i = 0; i < n && !pick; i++) {
		char root[PATH_MAX];
		if (procs[i].err)
			continue;
		proc_data_root(f, &procs[i], root, sizeof(root));
		if (!engine_root[0] || strcmp(root, engine_root) == 0)
			pick = &procs[i];
	}
	if (!pick && n == 1)
		pick = &procs[0];
	const char *cfg = pick ? arg_value(pick->argv, pick->argc, "config-file", NULL) : NULL;
	char pid[32];
	/* the unit and its environment files configure the dockerd systemd
	 * starts; one started some other way (by hand, by a test) has only its
	 * command line and daemon.json */
	bool from_systemd = true;
	if (pick) {
		char rel[64], *cg = NULL;
		snprintf(rel, sizeof(rel), "/proc/%d/cgroup", pick->pid);
		int cr = host_read(f, rel, 64 << 10, &cg);
		if (cr == -ENOMEM)
			r = cr;
		from_systemd = cr < 0 || strstr(cg, "/docker.service") != NULL;
		free(cg);
	}
	if (r == 0 && from_systemd)
		r = read_env_files(f);
	if (r == 0 && from_systemd)
		r = read_systemd(f);
	if (r == 0)
		r = read_config_file(f, cfg ? cfg : "/etc/docker/daemon.json", cfg != NULL);
	if (!pick) {
		if (proc_err)
			set_unavailable(&f->daemon.process_config, "cannot list %.200s/proc: %s", f->root, strerror(proc_err));
		else if (!n && !f->root[0] && f->own_container_id[0])
			set_unavailable(&f->daemon.process_config, "%s", "dockerd is not visible from the container dockward "
					"runs in: give it the host's / with --host-root and the host's PID namespace");
		else if (!n)
			set_unavailable(&f->daemon.process_config, "dockerd not running on this host%s%s",
					f->root[0] ? " (no dockerd under " : "", f->root[0] ? "the host root's /proc)" : "");
		else
			set_unavailable(&f->daemon.process_config, "%s%s", "no dockerd process with the engine's data root ",
					engine_root);
	} else if (pick->err) {
		snprintf(pid, sizeof(pid), "%d", pick->pid);
		set_unavailable(&f->daemon.process_config, "cannot read /proc/%s/cmdline: %s", pid, strerror(pick->err));
	} else if (r == 0) {
		snprintf(pid, sizeof(pid), "%d", pick->pid);
		char source[64];
		snprintf(source, sizeof(source), "dockerd command line (pid %s)", pid);
		r = host_daemon_apply_args(&f->daemon, pick->argv + 1, pick->argc ? pick->argc - 1 : 0, DOPT_CMDLINE,
					   source);
		if (r == 0) {
			f->daemon.process_config.state = FACT_OK;
			f->daemon.process_config.reason[0] = '\0';
			l->dockerd_pid = pick->pid;
			struct buf b;
			buf_init(&b, sizeof(l->dockerd_cmdline) - 1);
			for (size_t i = 0; i < pick->argc && buf_printf(&b, "%s%s", i ? " " : "", pick->argv[i]) == 0; i++)
				;
			term_sanitize(b.data ? b.data : "", l->dockerd_cmdline, sizeof(l->dockerd_cmdline));
			buf_free(&b);
		}
	}
	for (size_t i = 0; i < n; i++)
		host_daemon_free_words(procs[i].argv, procs[i].argc);
	return r;
}

static bool wanted(const struct host_facts_request *req)
{
	return req->daemon || req->files;
}

const struct host_collector host_collector_daemon_process = {
	.name = "daemon-process",
	.wanted = wanted,
	.collect = collect_daemon_process,
};
