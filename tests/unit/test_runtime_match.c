/* test_runtime_match.c: runtime rule evaluation on events and launches, cgroup attribution (v1 and v2), posture from inspect data. */
#include "unit.h"

#include <errno.h>
#include <sys/socket.h>

#include "runtime/containers.h"
#include "runtime/match.h"

#define ID "4b845b27c374a1d2e3f4a5b6c7d8e9f00112233445566778899aabbccddeeff0"

static struct rt_ruleset load(const char *text)
{
	struct rt_ruleset rs = { 0 };
	char err[512] = "";
	if (rt_rules_parse_text(&rs, "t.ini", text, strlen(text), err, sizeof(err)) < 0)
		fail_msg("%s", err);
	return rs;
}

static bool match(const struct rt_rule *r, const struct rt_event *ev, const char *image)
{
	struct rt_event_view v;
	rt_event_view_init(&v, ev, NULL);
	return rt_rule_match_event(r, &v, image, "web");
}

static void exec_event(struct rt_event *ev, const char *file, const char *comm, const char *parent, uint32_t flags)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = RT_EV_EXEC;
	ev->flags = flags;
	snprintf(ev->path, sizeof(ev->path), "%s", file);
	snprintf(ev->path2, sizeof(ev->path2), "%s", file);
	snprintf(ev->comm, sizeof(ev->comm), "%s", comm);
	snprintf(ev->ancestors[0], sizeof(ev->ancestors[0]), "%s", parent);
	snprintf(ev->ancestors[1], sizeof(ev->ancestors[1]), "containerd-shim");
	snprintf(ev->args, sizeof(ev->args), "%s", comm);
	ev->args_len = (uint32_t)strlen(comm) + 1;
}

static void test_exec_rules(void **state)
{
	(void)state;
	struct rt_ruleset rs = load("[rev]\ndescription = d\nseverity = high\nevent = exec\nname = sh bash\n"
				    "any_flags = stdin_socket stdout_socket\n"
				    "[web]\ndescription = d\nseverity = high\nevent = exec\nname = sh\nancestor = httpd nginx\n"
				    "tty = false\nexcept_image = trusted/*\n"
				    "[pkg]\ndescription = d\nseverity = low\nevent = exec\nname = rpm apk\n");
	struct rt_event ev;
	exec_event(&ev, "/bin/sh", "sh", "nc", RT_F_STDOUT_SOCK);
	assert_true(match(&rs.rules[0], &ev, "img"));
	ev.flags = 0;
	assert_false(match(&rs.rules[0], &ev, "img"));      /* an inetd-style program: no socket stdio */
	exec_event(&ev, "/bin/cat", "cat", "nc", RT_F_STDIN_SOCK | RT_F_STDOUT_SOCK);
	assert_false(match(&rs.rules[0], &ev, "img"));      /* not a shell */
	exec_event(&ev, "/www/cgi-bin/run.cgi", "run.cgi", "httpd", 0);
	snprintf(ev.path2, sizeof(ev.path2), "/bin/sh");    /* a script: the interpreter names the shell */
	assert_true(match(&rs.rules[1], &ev, "img"));
	assert_false(match(&rs.rules[1], &ev, "trusted/web:1"));
	ev.flags = RT_F_TTY;
	assert_false(match(&rs.rules[1], &ev, "img"));
	/* busybox runs applets as /proc/self/exe: argv[0] names the program */
	exec_event(&ev, "/proc/self/exe", "exe", "sh", 0);
	snprintf(ev.args, sizeof(ev.args), "rpm");
	ev.args_len = 4;
	assert_true(match(&rs.rules[2], &ev, "img"));
	/* a host process never matches container-only rules; a rule never matches another event type */
	exec_event(&ev, "/usr/bin/rpm", "rpm", "bash", RT_F_HOST);
	assert_false(match(&rs.rules[2], &ev, ""));
	ev.flags = 0;
	ev.type = RT_EV_OPEN;
	assert_false(match(&rs.rules[2], &ev, ""));
	rt_rules_free(&rs);
}

static void test_open_connect_rules(void **state)
{
	(void)state;
	struct rt_ruleset rs = load("[rd]\ndescription = d\nseverity = high\nevent = open\nopen = read\n"
				    "path = /etc/shadow /root/.ssh/id_*\nexcept_name = sshd\n"
				    "[wr]\ndescription = d\nseverity = high\nevent = open\nopen = write truncate\n"
				    "path = /etc/passwd\n"
				    "[miner]\ndescription = d\nseverity = high\nevent = connect\nport = 3333 14433-14444\n"
				    "[sock]\ndescription = d\nseverity = high\nevent = connect\nfamily = unix\n"
				    "path = */docker.sock\n");
	struct rt_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.type = RT_EV_OPEN;
	snprintf(ev.comm, sizeof(ev.comm), "cat");
	snprintf(ev.path, sizeof(ev.path), "/root/.ssh/id_ed25519");
	ev.arg[0] = 0;  /* O_RDONLY */
	assert_true(match(&rs.rules[0], &ev, ""));
	snprintf(ev.comm, sizeof(ev.comm), "sshd");
	assert_false(match(&rs.rules[0], &ev, ""));
	snprintf(ev.comm, sizeof(ev.comm), "vi");
	snprintf(ev.path, sizeof(ev.path), "/etc/passwd");
	assert_false(match(&rs.rules[1], &ev, ""));         /* read-only */
	ev.arg[0] = 02001;                                  /* O_WRONLY|O_APPEND */
	assert_true(match(&rs.rules[1], &ev, ""));
	snprintf(ev.path, sizeof(ev.path), "/etc/passwd-");
	assert_false(match(&rs.rules[1], &ev, ""));

	memset(&ev, 0, sizeof(ev));
	ev.type = RT_EV_CONNECT;
	ev.arg[0] = AF_INET;
	ev.arg[1] = 14440;
	assert_true(match(&rs.rules[2], &ev, ""));
	ev.arg[1] = 443;
	assert_false(match(&rs.rules[2], &ev, ""));
	ev.arg[0] = AF_UNIX;
	snprintf(ev.path, sizeof(ev.path), "/var/run/docker.sock");
	assert_true(match(&rs.rules[3], &ev, ""));
	ev.arg[0] = AF_INET;
	assert_false(match(&rs.rules[3], &ev, ""));
	rt_rules_free(&rs);
}

static void test_cgroup_attribution(void **state)
{
	(void)state;
	char id[RT_CONTAINER_ID_LEN + 1];
	/* cgroup v1 (and v2) with the cgroupfs driver: .../docker/<id> */
	assert_int_equal(rt_cgroup_leaf_container_id(ID, "docker", id), 0);
	assert_string_equal(id, ID);
	/* the systemd driver: docker-<id>.scope */
	assert_int_equal(rt_cgroup_leaf_container_id("docker-" ID ".scope", "system.slice", id), 0);
	assert_string_equal(id, ID);
	assert_int_equal(rt_cgroup_leaf_container_id(ID, "kubepods", id), -ENOENT);
	assert_int_equal(rt_cgroup_leaf_container_id("docker-abc.scope", "system.slice", id), -ENOENT);
	assert_int_equal(rt_cgroup_leaf_container_id("docker.service", "system.slice", id), -ENOENT);
	/* whole paths: /proc/PID/cgroup lines of v1 and v2 */
	assert_int_equal(rt_cgroup_path_container_id("0::/system.slice/docker-" ID ".scope\n", id), 0);
	assert_string_equal(id, ID);
	assert_int_equal(rt_cgroup_path_container_id("4:memory:/docker/" ID, id), 0);
	assert_int_equal(rt_cgroup_path_container_id("/sys/fs/cgroup/docker/" ID "/", id), 0);
	assert_int_equal(rt_cgroup_path_container_id("0::/user.slice/user-0.slice/session-1.scope", id), -ENOENT);
	assert_int_equal(rt_cgroup_path_container_id(ID, id), -ENOENT);
	assert_int_equal(rt_cgroup_path_container_id("", id), -ENOENT);
}

#define INSPECT_JSON \
	"{\"Id\":\"" ID "\",\"Name\":\"/web\",\"Image\":\"sha256:1\",\"State\":{\"Status\":\"running\",\"Pid\":0}," \
	"\"Config\":{\"Image\":\"nginx:1\",\"User\":\"\"}," \
	"\"HostConfig\":{\"Privileged\":%s,\"CapAdd\":[\"CAP_SYS_ADMIN\"],\"SecurityOpt\":[\"seccomp=unconfined\"]," \
	"\"PidMode\":\"host\",\"NetworkMode\":\"bridge\"}," \
	"\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/var/run/docker.sock\",\"Destination\":\"/var/run/docker.sock\"," \
	"\"RW\":true},{\"Type\":\"bind\",\"Source\":\"/etc\",\"Destination\":\"/host/etc\",\"RW\":false}]}"

static void container_from(struct docker_container *c, const char *privileged)
{
	char text[2048], err[256];
	snprintf(text, sizeof(text), INSPECT_JSON, privileged);
	yajl_val v;
	assert_int_equal(json_parse(text, strlen(text), &v, err, sizeof(err)), 0);
	if (docker_parse_container(v, c, err, sizeof(err)) < 0)
		fail_msg("%s", err);
}

/* A runtime's argv as sched_process_exec sends it: its first RT_NOTE_HEAD and last RT_NOTE_TAIL bytes. */
static void make_note(struct rt_note *n, const char *const *argv)
{
	static char all[4096];
	size_t len = 0;
	for (size_t i = 0; argv[i]; i++) {
		size_t l = strlen(argv[i]) + 1;
		memcpy(all + len, argv[i], l);
		len += l;
	}
	memset(n, 0, sizeof(*n));
	n->type = RT_NOTE_RUNTIME;
	n->args_len = (uint32_t)len;
	memcpy(n->head, all, len < RT_NOTE_HEAD ? len : RT_NOTE_HEAD);
	size_t from = len > RT_NOTE_TAIL ? len - RT_NOTE_TAIL : 0;
	memcpy(n->tail, all + from, len - from);
}

static void test_runtime_created_id(void **state)
{
	(void)state;
	struct rt_note n;
	char id[RT_CONTAINER_ID_LEN + 1];
	const char *create[] = { "runc", "--root", "/run/containerd/runc/moby", "--log", "/run/x/log.json", "--log-format",
				 "json", "create", "--bundle", "/run/containerd/io.containerd.runtime.v2.task/moby/" ID,
				 "--pid-file", "/run/x/init.pid", ID, NULL };
	make_note(&n, create);
	assert_int_equal(rt_runtime_created_id(&n, id), 0);
	assert_string_equal(id, ID);
	const char *run[] = { "crun", "run", "--bundle", "/b", ID, NULL };
	make_note(&n, run);
	assert_int_equal(rt_runtime_created_id(&n, id), 0);
	/* commands that create nothing: start, delete, exec, state */
	const char *start[] = { "runc", "--root", "/run/r", "start", ID, NULL };
	make_note(&n, start);
	assert_int_equal(rt_runtime_created_id(&n, id), -ENOENT);
	const char *del[] = { "runc", "--root", "/run/r", "delete", "--force", ID, NULL };
	make_note(&n, del);
	assert_int_equal(rt_runtime_created_id(&n, id), -ENOENT);
	/* no command at all */
	const char *ver[] = { "runc", "--version", NULL };
	make_note(&n, ver);
	assert_int_equal(rt_runtime_created_id(&n, id), -ENOENT);
	/* a last argument that is no container id */
	const char *other[] = { "runc", "create", "--bundle", "/b", "mycontainer", NULL };
	make_note(&n, other);
	assert_int_equal(rt_runtime_created_id(&n, id), -ENOENT);
	/* an argv longer than the head: the command may be cut off, the id still ends it */
	static char longpath[900];
	memset(longpath, 'p', sizeof(longpath) - 1);
	longpath[0] = '/';
	const char *longer[] = { "runc", "--root", longpath, "--log", longpath, "create", "--bundle", "/b", ID, NULL };
	make_note(&n, longer);
	assert_true(n.args_len > RT_NOTE_HEAD);
	assert_int_equal(rt_runtime_created_id(&n, id), 0);
	assert_string_equal(id, ID);
	/* a last argument longer than the tail cannot be read whole */
	const char *cut[] = { "runc", "create", longpath, NULL };
	make_note(&n, cut);
	assert_int_equal(rt_runtime_created_id(&n, id), -ENOENT);
}

static void test_posture_and_launch_rules(void **state)
{
	(void)state;
	struct docker_container dc;
	container_from(&dc, "true");
	struct rt_posture p;
	assert_int_equal(rt_posture_from_inspect(&dc, &p), 0);
	assert_true(p.known && p.privileged && p.root && p.seccomp_unconfined && p.pid_host && p.docker_sock);
	assert_false(p.network_host);
	assert_int_equal(p.vulnerable, -1);
	assert_int_equal(p.cap_add.n, 1);
	assert_int_equal(p.mount_sources.n, 2);

	/* the shipped launch rules, including the privileged one no test daemon here can start */
	const char *src = getenv("DOCKWARD_SRC");
	char path[4096], *text = NULL, err[512] = "";
	size_t len;
	snprintf(path, sizeof(path), "%s%srules/runtime/launch.ini", src ? src : "", src ? "/" : "");
	assert_int_equal(read_file_capped(path, 1 << 20, &text, &len), 0);
	struct rt_ruleset rs = { 0 };
	if (rt_rules_parse_text(&rs, path, text, len, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	free(text);
	const char *want[] = { "privileged_container_started", "sensitive_host_mount", "docker_socket_mounted",
			       "host_namespaces_container" };
	for (size_t i = 0; i < rs.n; i++) {
		bool expected = false;
		for (size_t k = 0; k < 4; k++)
			expected = expected || strcmp(rs.rules[i].id, want[k]) == 0;
		if (rt_rule_match_launch(&rs.rules[i], &p, "nginx:1", "web") != expected)
			fail_msg("%s: expected %s", rs.rules[i].id, expected ? "a match" : "no match");
	}
	rt_posture_free(&p);
	docker_container_free(&dc);

	/* without privileged, the capability and seccomp rules speak instead */
	container_from(&dc, "false");
	assert_int_equal(rt_posture_from_inspect(&dc, &p), 0);
	for (size_t i = 0; i < rs.n; i++) {
		bool m = rt_rule_match_launch(&rs.rules[i], &p, "nginx:1", "web");
		if (strcmp(rs.rules[i].id, "dangerous_capabilities_added") == 0 ||
		    strcmp(rs.rules[i].id, "seccomp_unconfined_container") == 0)
			assert_true(m);
		if (strcmp(rs.rules[i].id, "privileged_container_started") == 0)
			assert_false(m);
	}
	/* an unknown posture (never inspected) raises nothing */
	p.known = false;
	for (size_t i = 0; i < rs.n; i++)
		assert_false(rt_rule_match_launch(&rs.rules[i], &p, "nginx:1", "web"));
	rt_posture_free(&p);
	docker_container_free(&dc);
	rt_rules_free(&rs);
}

static void test_container_table(void **state)
{
	(void)state;
	struct docker_container dc;
	container_from(&dc, "false");
	struct rt_containers t = { 0 };
	assert_int_equal(rt_containers_upsert(&t, &dc, "/nonexistent-root"), 0);
	assert_int_equal(rt_containers_upsert(&t, &dc, "/nonexistent-root"), 0);
	assert_int_equal(t.n, 1);
	struct rt_container *c = rt_containers_find(&t, ID);
	assert_non_null(c);
	assert_string_equal(c->name, "web");
	assert_string_equal(c->image, "nginx:1");
	assert_ptr_equal(rt_containers_find(&t, "4b845b27c374"), c);
	assert_null(rt_containers_find(&t, "4b845b"));      /* too short to be an id */
	c->cgroup_id = 77;
	c->mntns = 4026532000u;
	assert_ptr_equal(rt_containers_find_key(&t, 77, 0), c);
	assert_ptr_equal(rt_containers_find_key(&t, 0, 4026532000u), c);
	assert_null(rt_containers_find_key(&t, 78, 1));
	/* a scan verdict survives a refresh of the same image */
	c->posture.vulnerable = 1;
	assert_int_equal(rt_containers_upsert(&t, &dc, "/nonexistent-root"), 0);
	assert_int_equal(rt_containers_find(&t, ID)->posture.vulnerable, 1);
	rt_containers_remove(&t, ID);
	assert_int_equal(t.n, 0);
	rt_containers_free(&t);
	docker_container_free(&dc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exec_rules),
		cmocka_unit_test(test_open_connect_rules),
		cmocka_unit_test(test_cgroup_attribution),
		cmocka_unit_test(test_runtime_created_id),
		cmocka_unit_test(test_posture_and_launch_rules),
		cmocka_unit_test(test_container_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
