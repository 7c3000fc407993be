/* alert_format.c: one runtime alert as a text line or a JSON object (shared by `watch` and the daemon). */
#include "runtime/alert_format.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "report/term.h"

static void format_time(int64_t ns, char *out, size_t len)
{
	time_t t = (time_t)(ns / 1000000000LL);
	struct tm tm;
	gmtime_r(&t, &tm);
	char base[32];
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, len, "%s.%03dZ", base, (int)((ns / 1000000) % 1000));
}

/* mount events carry the file-system type in addr, NUL-padded */
static void mount_fstype(const struct rt_event *ev, char out[17])
{
	memcpy(out, ev->addr, 16);
	out[16] = 0;
}

static const char *family_name(int64_t f)
{
	switch (f) {
	case AF_UNIX: return "unix";
	case AF_INET: return "inet";
	case AF_INET6: return "inet6";
	case AF_PACKET: return "packet";
	}
	return "other";
}

/* The event's own details as "key=value" text (sanitized) */
static void details_text(const struct rt_alert *a, char *out, size_t len)
{
	const struct rt_event_view *v = a->view;
	const struct rt_event *ev = v->ev;
	char p1[RT_PATH_LEN * 4 + 1], p2[RT_PATH_LEN * 4 + 1], addr[INET6_ADDRSTRLEN] = "";
	term_sanitize(v->path, p1, sizeof(p1));
	term_sanitize(v->path2, p2, sizeof(p2));
	switch (ev->type) {
	case RT_EV_EXEC:
		snprintf(out, len, "file=%s%s%s%s%s%s%s%s%s", p1, strcmp(v->path, v->path2) && v->path2[0] ? " interpreter=" : "",
			 strcmp(v->path, v->path2) && v->path2[0] ? p2 : "", ev->flags & RT_F_TTY ? " tty" : "",
			 ev->flags & RT_F_STDIN_SOCK ? " stdin=socket" : "", ev->flags & RT_F_STDOUT_SOCK ? " stdout=socket" : "",
			 ev->flags & RT_F_MEMFD ? " memfd" : "", ev->flags & RT_F_DELETED ? " deleted" : "",
			 ev->flags & RT_F_NEW_FILE ? " new-file" : "");
		return;
	case RT_EV_OPEN:
	case RT_EV_TRUNCATE:
		snprintf(out, len, "path=%s flags=0%llo", p1, (unsigned long long)ev->arg[0]);
		return;
	case RT_EV_CHMOD:
		snprintf(out, len, "path=%s mode=0%llo", p1[0] ? p1 : "(fd)", (unsigned long long)ev->arg[0]);
		return;
	case RT_EV_SYMLINK:
		snprintf(out, len, "link=%s target=%s", p2, p1);
		return;
	case RT_EV_CONNECT:
		if (ev->arg[0] == AF_UNIX) {
			snprintf(out, len, "unix=%s", p1);
			return;
		}
		inet_ntop(ev->arg[0] == AF_INET ? AF_INET : AF_INET6, ev->addr, addr, sizeof(addr));
		snprintf(out, len, "address=%s port=%lld", addr, (long long)ev->arg[1]);
		return;
	case RT_EV_MOUNT: {
		char fs[17], fss[80];
		mount_fstype(ev, fs);
		term_sanitize(fs, fss, sizeof(fss));
		snprintf(out, len, "source=%s target=%s fstype=%s flags=0x%llx", p1, p2, fss, (unsigned long long)ev->arg[0]);
		return;
	}
	case RT_EV_UNSHARE:
	case RT_EV_SETNS:
		snprintf(out, len, "namespaces=0x%llx", (unsigned long long)ev->arg[0]);
		return;
	case RT_EV_PTRACE:
		snprintf(out, len, "request=%lld target=%lld", (long long)ev->arg[0], (long long)ev->arg[1]);
		return;
	case RT_EV_SOCKET:
		snprintf(out, len, "family=%s type=%lld", family_name(ev->arg[0]), (long long)ev->arg[1]);
		return;
	case RT_EV_BPF:
		snprintf(out, len, "cmd=%lld", (long long)ev->arg[0]);
		return;
	case RT_EV_VM_WRITEV:
		snprintf(out, len, "target=%lld", (long long)ev->arg[0]);
		return;
	case RT_EV_MODULE:
		snprintf(out, len, "capability=%lld", (long long)ev->arg[0]);
		return;
	case RT_EV_MODULE_SYSCALL:
		snprintf(out, len, "syscall=%lld", (long long)ev->arg[0]);
		return;
	}
	out[0] = 0;
}

static void posture_text(const struct rt_posture *p, char *out, size_t len)
{
	if (!p->known) {
		snprintf(out, len, "unknown");
		return;
	}
	char caps[200] = "";
	size_t n = 0;
	for (size_t i = 0; i < p->cap_add.n && n + 2 < sizeof(caps); i++)
		n += (size_t)snprintf(caps + n, sizeof(caps) - n, "%s%s", i ? "," : "", p->cap_add.v[i]);
	char caps_s[800];
	term_sanitize(caps, caps_s, sizeof(caps_s));
	snprintf(out, len, "%s%s%s%s%s%s%s%s vuln=%s", p->privileged ? "privileged " : "", p->root ? "root" : "non-root",
		 p->seccomp_unconfined ? " seccomp=unconfined" : "", p->docker_sock ? " docker.sock" : "",
		 p->pid_host ? " pid=host" : "", p->network_host ? " net=host" : "", caps[0] ? " cap_add=" : "", caps_s,
		 p->vulnerable < 0 ? "unknown" : p->vulnerable ? "yes" : "no");
}

int rt_alert_write_text(FILE *f, const struct rt_alert *a, bool color)
{
	char when[48], name[256], image[512], desc[1024], comm[80], exe[RT_PATH_LEN * 4], cmd[RT_ARGS_LEN * 4];
	char details[2400], posture[1200], chain[RT_ANCESTORS * 80] = "";
	const struct rt_rule *r = a->rule;
	format_time(a->time_ns, when, sizeof(when));
	term_sanitize(r->description, desc, sizeof(desc));
	term_sanitize(a->container ? a->container->name : "?", name, sizeof(name));
	term_sanitize(a->container ? a->container->image : "?", image, sizeof(image));
	const char *sev_color = r->severity >= RT_SEV_HIGH ? TERM_RED : r->severity == RT_SEV_MEDIUM ? TERM_YELLOW : "";
	fprintf(f, "%s  %s%-8s%s %s  container=%s (%.12s) image=%s", when, color ? sev_color : "",
		rt_severity_name(r->severity), color ? TERM_RESET : "", r->id, name,
		a->container_id[0] ? a->container_id : "host", image);
	if (a->view) {
		const struct rt_event *ev = a->view->ev;
		term_sanitize(a->view->comm, comm, sizeof(comm));
		term_sanitize(a->view->exe[0] ? a->view->exe : "?", exe, sizeof(exe));
		term_sanitize(a->cmdline, cmd, sizeof(cmd));
		size_t n = 0;
		for (int i = 0; i < RT_ANCESTORS && a->view->ancestors[i][0]; i++) {
			char s[80];
			term_sanitize(a->view->ancestors[i], s, sizeof(s));
			n += (size_t)snprintf(chain + n, sizeof(chain) - n, "%s%s(%u)", i ? "<" : "", s, ev->ancestor_pids[i]);
			if (n >= sizeof(chain))
				break;
		}
		details_text(a, details, sizeof(details));
		fprintf(f, "  process=%s pid=%u ppid=%u uid=%u exe=%s cmd=\"%s\" parents=%s  %s", comm, ev->tgid, ev->ppid,
			ev->uid, exe, cmd, chain[0] ? chain : "-", details);
	}
	if (a->container) {
		posture_text(&a->container->posture, posture, sizeof(posture));
		fprintf(f, "  posture=[%s]", posture);
	}
	fprintf(f, "  # %s%s%s\n", desc, r->mitre ? " " : "", r->mitre ? r->mitre : "");
	return fflush(f) == 0 ? 0 : -errno;
}

static void flags_json(struct jsonw *w, uint32_t flags)
{
	static const struct { uint32_t bit; const char *name; } names[] = {
		{ RT_F_TTY, "tty" }, { RT_F_STDIN_SOCK, "stdin_socket" }, { RT_F_STDOUT_SOCK, "stdout_socket" },
		{ RT_F_MEMFD, "memfd" }, { RT_F_DELETED, "deleted" }, { RT_F_NEW_FILE, "new_file" },
		{ RT_F_SETID, "setid" },
	};
	jsonw_str(w, "flags");
	jsonw_arr_begin(w);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (flags & names[i].bit)
			jsonw_str(w, names[i].name);
	jsonw_arr_end(w);
}

static void event_json(struct jsonw *w, const struct rt_alert *a)
{
	const struct rt_event_view *v = a->view;
	const struct rt_event *ev = v->ev;
	char addr[INET6_ADDRSTRLEN] = "";
	jsonw_obj_begin(w);
	jsonw_kstr(w, "type", rt_event_name((int)ev->type));
	switch (ev->type) {
	case RT_EV_EXEC:
		jsonw_kstr(w, "file", v->path);
		jsonw_kstr(w, "interpreter", v->path2);
		break;
	case RT_EV_OPEN:
	case RT_EV_TRUNCATE:
		jsonw_kstr(w, "path", v->path);
		jsonw_kint(w, ev->type == RT_EV_OPEN ? "open_flags" : "length", ev->arg[0]);
		break;
	case RT_EV_CHMOD:
		jsonw_kstr(w, "path", v->path);
		jsonw_kint(w, "mode", ev->arg[0]);
		break;
	case RT_EV_SYMLINK:
		jsonw_kstr(w, "target", v->path);
		jsonw_kstr(w, "link", v->path2);
		break;
	case RT_EV_CONNECT:
		jsonw_kstr(w, "family", family_name(ev->arg[0]));
		if (ev->arg[0] == AF_UNIX) {
			jsonw_kstr(w, "path", v->path);
		} else {
			inet_ntop(ev->arg[0] == AF_INET ? AF_INET : AF_INET6, ev->addr, addr, sizeof(addr));
			jsonw_kstr(w, "address", addr);
			jsonw_kint(w, "port", ev->arg[1]);
		}
		break;
	case RT_EV_MOUNT: {
		char fs[17];
		mount_fstype(ev, fs);
		jsonw_kstr(w, "source", v->path);
		jsonw_kstr(w, "target", v->path2);
		jsonw_kstr(w, "fstype", fs);
		jsonw_kint(w, "mount_flags", ev->arg[0]);
		break;
	}
	case RT_EV_UNSHARE:
	case RT_EV_SETNS:
		jsonw_kint(w, "namespaces", ev->arg[0]);
		break;
	case RT_EV_PTRACE:
		jsonw_kint(w, "request", ev->arg[0]);
		jsonw_kint(w, "target_pid", ev->arg[1]);
		break;
	case RT_EV_SOCKET:
		jsonw_kstr(w, "family", family_name(ev->arg[0]));
		jsonw_kint(w, "socket_type", ev->arg[1]);
		break;
	case RT_EV_BPF:
		jsonw_kint(w, "cmd", ev->arg[0]);
		break;
	case RT_EV_VM_WRITEV:
		jsonw_kint(w, "target_pid", ev->arg[0]);
		break;
	case RT_EV_MODULE:
		jsonw_kint(w, "capability", ev->arg[0]);
		break;
	case RT_EV_MODULE_SYSCALL:
		jsonw_kint(w, "syscall", ev->arg[0]);
		break;
	}
	flags_json(w, ev->flags);
	jsonw_obj_end(w);
}

static void posture_json(struct jsonw *w, const struct rt_posture *p)
{
	jsonw_obj_begin(w);
	jsonw_kbool(w, "privileged", p->privileged);
	jsonw_kbool(w, "root", p->root);
	jsonw_kbool(w, "seccomp_unconfined", p->seccomp_unconfined);
	jsonw_kbool(w, "docker_sock", p->docker_sock);
	jsonw_kbool(w, "pid_host", p->pid_host);
	jsonw_kbool(w, "network_host", p->network_host);
	jsonw_str(w, "cap_add");
	jsonw_arr_begin(w);
	for (size_t i = 0; i < p->cap_add.n; i++)
		jsonw_str(w, p->cap_add.v[i]);
	jsonw_arr_end(w);
	jsonw_str(w, "vulnerable");
	if (p->vulnerable < 0)
		jsonw_null(w);
	else
		jsonw_bool(w, p->vulnerable == 1);
	if (p->vulnerable_note[0])
		jsonw_kstr(w, "vulnerable_note", p->vulnerable_note);
	jsonw_obj_end(w);
}

void rt_alert_json(struct jsonw *w, const struct rt_alert *a)
{
	char when[48];
	const struct rt_rule *r = a->rule;
	format_time(a->time_ns, when, sizeof(when));
	jsonw_obj_begin(w);
	jsonw_kstr(w, "time", when);
	jsonw_kstr(w, "rule", r->id);
	jsonw_kstr(w, "severity", rt_severity_name(r->severity));
	jsonw_kstr(w, "mitre", r->mitre);
	jsonw_kstr(w, "description", r->description);
	jsonw_str(w, "container");
	if (a->container_id[0] || a->container) {
		jsonw_obj_begin(w);
		jsonw_kstr(w, "id", a->container_id[0] ? a->container_id : a->container->id);
		jsonw_kstr(w, "name", a->container ? a->container->name : NULL);
		jsonw_kstr(w, "image", a->container ? a->container->image : NULL);
		jsonw_obj_end(w);
	} else {
		jsonw_null(w);
	}
	if (a->view) {
		const struct rt_event *ev = a->view->ev;
		jsonw_str(w, "process");
		jsonw_obj_begin(w);
		jsonw_kint(w, "pid", ev->tgid);
		jsonw_kint(w, "tid", ev->pid);
		jsonw_kint(w, "ppid", ev->ppid);
		jsonw_kint(w, "uid", ev->uid);
		jsonw_kint(w, "gid", ev->gid);
		jsonw_kstr(w, "name", a->view->comm);
		jsonw_kstr(w, "exe", a->view->exe);
		jsonw_kstr(w, "cmdline", a->cmdline);
		jsonw_kbool(w, "tty", (ev->flags & RT_F_TTY) != 0);
		jsonw_str(w, "parents");
		jsonw_arr_begin(w);
		for (int i = 0; i < RT_ANCESTORS && a->view->ancestors[i][0]; i++) {
			jsonw_obj_begin(w);
			jsonw_kint(w, "pid", ev->ancestor_pids[i]);
			jsonw_kstr(w, "name", a->view->ancestors[i]);
			jsonw_obj_end(w);
		}
		jsonw_arr_end(w);
		jsonw_obj_end(w);
		jsonw_str(w, "event");
		event_json(w, a);
	} else {
		jsonw_str(w, "event");
		jsonw_obj_begin(w);
		jsonw_kstr(w, "type", "container_start");
		jsonw_obj_end(w);
	}
	jsonw_str(w, "posture");
	if (a->container)
		posture_json(w, &a->container->posture);
	else
		jsonw_null(w);
	jsonw_obj_end(w);
}
