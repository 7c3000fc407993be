/* host_execlog.c: the docker exec commands the host's audit log recorded (EXECVE records of the docker CLI), for rules 5.23 and 5.24. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "audit/host_state.h"

#define EXECLOG_MAX_BYTES ((size_t)64 << 20)  /* read across the log and its rotations, newest first */
#define EXECLOG_MAX_FILES 100                   /* audit.log, audit.log.1 ... audit.log.99 */
#define EXECLOG_MAX_RECORDS 512                 /* docker exec records kept; more are counted */
#define EXECLOG_LINE_MAX 65536                  /* longer lines (huge argument lists) are skipped */
#define EXEC_MAX_ARGS 64
#define EXEC_ARG_MAX 256

/* One aN= value: "quoted", or hex when it held spaces or other specials; (null) and split args are empty. */
static size_t decode_arg(const char *v, char *out)
{
	size_t n = 0;
	if (*v == '"') {
		for (v++; *v && *v != '"' && n < EXEC_ARG_MAX - 1; v++)
			out[n++] = *v;
	} else {
		for (; isxdigit((unsigned char)v[0]) && isxdigit((unsigned char)v[1]) && n < EXEC_ARG_MAX - 1; v += 2) {
			char hex[3] = { v[0], v[1], '\0' };
			out[n++] = (char)strtoul(hex, NULL, 16);
		}
	}
	out[n] = '\0';
	return n;
}

/* Docker CLI options before the subcommand that take a value. */
static bool global_takes_value(const char *a)
{
	static const char *const opts[] = { "-H", "--host", "-c", "--context", "--config", "-l", "--log-level",
					    "--tlscacert", "--tlscert", "--tlskey", NULL };
	for (const char *const *o = opts; *o; o++)
		if (strcmp(a, *o) == 0)
			return true;
	return false;
}

/* docker exec options that take a value (the rest are flags). */
static bool exec_takes_value(const char *a)
{
	static const char *const opts[] = { "-e", "--env", "--env-file", "-w", "--workdir", "--detach-keys", "-u",
					    "--user", NULL };
	for (const char *const *o = opts; *o; o++)
		if (strcmp(a, *o) == 0)
			return true;
	return false;
}

int host_execlog_parse_line(const char *line, struct host_exec_record *out)
{
	memset(out, 0, sizeof(*out));
	if (strncmp(line, "type=EXECVE ", 12) != 0 || !strstr(line, "\"exec\""))
		return 0;
	const char *m = strstr(line, "msg=audit(");
	long long when = m ? strtoll(m + 10, NULL, 10) : 0;
	char a[EXEC_MAX_ARGS][EXEC_ARG_MAX];
	size_t argc = 0;
	for (const char *p = line; argc < EXEC_MAX_ARGS && (p = strstr(p, " a"));) {
		p += 2;
		char *end;
		unsigned long idx = strtoul(p, &end, 10);
		if (end == p || *end != '=' || idx != argc)
			continue;       /* a1_len=, a1[0]= (split arguments) or out of order */
		decode_arg(end + 1, a[argc++]);
	}
	if (argc < 3)
		return 0;
	const char *base = strrchr(a[0], '/');
	base = base ? base + 1 : a[0];
	if (strcmp(base, "docker") != 0)
		return 0;
	size_t i = 1;
	while (i < argc && a[i][0] == '-')
		i += global_takes_value(a[i]) ? 2 : 1;
	if (i < argc && strcmp(a[i], "container") == 0)
		i++;
	if (i >= argc || strcmp(a[i], "exec") != 0)
		return 0;
	bool privileged = false;
	const char *user = NULL;
	for (i++; i < argc && a[i][0] == '-'; i++) {
		if (strcmp(a[i], "--privileged") == 0 || strcmp(a[i], "--privileged=true") == 0)
			privileged = true;
		else if ((strcmp(a[i], "-u") == 0 || strcmp(a[i], "--user") == 0) && i + 1 < argc)
			user = a[i + 1];
		else if (strncmp(a[i], "--user=", 7) == 0)
			user = a[i] + 7;
		else if (strncmp(a[i], "-u", 2) == 0)
			user = a[i] + 2;
		if (exec_takes_value(a[i]))
			i++;
	}
	if (i >= argc)
		return 0;       /* no container named: the CLI refused it */
	char cmd[EXEC_ARG_MAX];
	size_t n = 0;
	for (size_t k = 0; k < argc && n < sizeof(cmd) - 1; k++)
		n += (size_t)snprintf(cmd + n, sizeof(cmd) - n, "%s%s", k ? " " : "", a[k]);
	for (char *c = cmd; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	out->when = when;
	out->privileged = privileged;
	out->container = strdup(a[i]);
	out->user = strdup(user ? user : "");
	out->cmdline = strdup(cmd);
	if (!out->container || !out->user || !out->cmdline) {
		host_exec_record_free(out);
		return -ENOMEM;
	}
	return 1;
}

void host_exec_record_free(struct host_exec_record *r)
{
	if (!r)
		return;
	free(r->container);
	free(r->user);
	free(r->cmdline);
	memset(r, 0, sizeof(*r));
}

/* log_file of /etc/audit/auditd.conf, else auditd's default. */
static void log_location(const struct host_facts *f, char *out, size_t len)
{
	snprintf(out, len, "/var/log/audit/audit.log");
	char *text = NULL;
	if (host_read(f, "/etc/audit/auditd.conf", HOST_FILE_CAP, &text) < 0)
		return;
	for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		while (isspace((unsigned char)*l))
			l++;
		if (strncmp(l, "log_file", 8) != 0)
			continue;
		char *v = l + 8;
		while (isspace((unsigned char)*v))
			v++;
		if (*v != '=')
			continue;
		for (v++; isspace((unsigned char)*v); v++)
			;
		v[strcspn(v, " \t\r")] = '\0';
		if (*v == '/')
			snprintf(out, len, "%s", v);
	}
	free(text);
}

static int add_record(struct host_execlog *x, struct host_exec_record *r)
{
	x->records++;
	if (!x->since || r->when < x->since)
		x->since = r->when;
	if (x->n >= EXECLOG_MAX_RECORDS) {
		x->records_dropped++;
		host_exec_record_free(r);
		return 0;
	}
	struct host_exec_record *grown = realloc(x->r, (x->n + 1) * sizeof(*grown));
	if (!grown) {
		host_exec_record_free(r);
		return -ENOMEM;
	}
	x->r = grown;
	grown[x->n++] = *r;
	return 0;
}

/* One log file, line by line; *budget is what may still be read. */
static int read_log(struct host_execlog *x, const char *path, size_t *budget, char *line)
{
	FILE *fp = fopen(path, "re");
	if (!fp)
		return -errno;
	int r = 0;
	bool skipping = false;
	while (r == 0 && *budget && fgets(line, EXECLOG_LINE_MAX, fp)) {
		size_t len = strlen(line);
		*budget = len < *budget ? *budget - len : 0;
		bool whole = len && line[len - 1] == '\n';
		if (skipping || !whole) {
			skipping = !whole;      /* the rest of an over-long line */
			continue;
		}
		line[len - 1] = '\0';
		struct host_exec_record rec;
		r = host_execlog_parse_line(line, &rec);
		if (r > 0)
			r = add_record(x, &rec);
	}
	if (r == 0 && ferror(fp))
		r = -EIO;
	if (!*budget)
		x->truncated = true;
	fclose(fp);
	x->files_read++;
	return r;
}

static void find_cli(const struct host_facts *f, struct host_execlog *x)
{
	static const char *const dirs[] = { "/usr/bin", "/usr/local/bin", "/bin", "/snap/bin", NULL };
	if (!host_find_in(f, dirs, "docker", x->cli_path, sizeof(x->cli_path)))
		x->cli_path[0] = '\0';
}

static int collect_execlog(struct host_facts *f, const struct snapshot *s)
{
	(void)s;
	struct host_local *l = host_local_get(f);
	if (!l)
		return -ENOMEM;
	struct host_execlog *x = &l->execlog;
	find_cli(f, x);
	log_location(f, x->log_path, sizeof(x->log_path));
	char *line = malloc(EXECLOG_LINE_MAX);
	if (!line)
		return -ENOMEM;
	size_t budget = EXECLOG_MAX_BYTES;
	int r = 0, first_err = 0;
	for (unsigned i = 0; i < EXECLOG_MAX_FILES && budget && r >= 0; i++) {
		char rel[sizeof(x->log_path) + 8], full[PATH_MAX];
		if (i)
			snprintf(rel, sizeof(rel), "%s.%u", x->log_path, i);
		else
			snprintf(rel, sizeof(rel), "%s", x->log_path);
		if (host_path(f, rel, full, sizeof(full)) < 0)
			break;
		r = read_log(x, full, &budget, line);
		if (r == -ENOENT) {
			r = 0;
			break;
		}
		if (r < 0 && r != -ENOMEM) {
			if (!i)
				first_err = r;
			r = 0;
			break;
		}
	}
	free(line);
	if (r < 0)
		return r;
	if (first_err) {
		x->status.state = FACT_UNAVAILABLE;
		snprintf(x->status.reason, sizeof(x->status.reason), "the host audit log %.180s could not be read: %s",
			 x->log_path, strerror(-first_err));
		return 0;
	}
	x->status.state = FACT_OK;
	return 0;
}

static bool wanted(const struct host_facts_request *req)
{
	return req->exec_log;
}

static void free_execlog(struct host_facts *f)
{
	if (!f->local)
		return;
	struct host_execlog *x = &f->local->execlog;
	for (size_t i = 0; i < x->n; i++)
		host_exec_record_free(&x->r[i]);
	free(x->r);
	memset(x, 0, sizeof(*x));
}

const struct host_collector host_collector_execlog = {
	.name = "exec-log",
	.wanted = wanted,
	.collect = collect_execlog,
	.free = free_execlog,
};
