/* test_audit_host.c: the audit's host side: file modes bit by bit and owners by the host's names, audit-rule parsing and coverage, partitions from mountinfo, daemon flags and daemon.json under daemon.json names, users, /proc status and cgroup paths. */
#include "unit.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/engine.h"
#include "audit/host_daemon.h"
#include "audit/host_state.h"

static void write_file(const char *root, const char *rel, const char *text, mode_t mode)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s%s", root, rel);
	for (char *p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

struct host_run {
	struct audit_ruleset rs;
	struct snapshot snap;
	struct host_facts host;
	struct audit_result res;
};

static const char *const RULES =
	"[ruleset]\nname = T\nbenchmarks = 1.6.0\n"
#define FILE_RULE(id, file, key, value) \
	"[" id "]\ntitle = T\nsection = 3 S\nlevel = 1\nassessment = automated\nseverity = low\nscope = file\n" \
	"check = file_perms\ncheck.file = " file "\ncheck." key " = " value "\n"
	FILE_RULE("3.1", "daemon.json", "mode", "0644")
	FILE_RULE("3.2", "daemon.json", "owner", "root:root")
	FILE_RULE("3.3", "tlskey", "mode", "0400")
	FILE_RULE("3.4", "/etc/default/docker", "mode", "0644")
	FILE_RULE("3.5", "/etc/sysconfig/docker", "mode", "0644")
	FILE_RULE("3.7", "tlscacert", "mode", "0444")
	FILE_RULE("3.6", "/etc/docker/certs.d", "mode", "0444")
	"check.contents = true\n"
	"[1.1.3]\ntitle = T\nsection = 1 S\nlevel = 1\nassessment = automated\nseverity = low\nscope = host\n"
	"check = audit_watch\ncheck.targets = /etc/docker, daemon.json\n"
	"[1.1.2]\ntitle = T\nsection = 1 S\nlevel = 1\nassessment = automated\nseverity = low\nscope = host\n"
	"check = docker_group_users\n";

static const struct audit_finding *finding(const struct audit_result *r, const char *id)
{
	for (size_t i = 0; i < r->n_findings; i++)
		if (strcmp(r->findings[i].rule->id, id) == 0)
			return &r->findings[i];
	fail_msg("no finding %s", id);
	return NULL;
}

static void host_run(struct host_run *h, const char *root, const char *trusted)
{
	char err[512] = "";
	memset(h, 0, sizeof(*h));
	if (audit_ruleset_load_text(&h->rs, "t.ini", RULES, strlen(RULES), NULL, err, sizeof(err)) < 0)
		fail_msg("rules: %s", err);
	struct audit_ctx ctx = { .rules = &h->rs, .now = 1 };
	struct snapshot_request sr;
	struct host_facts_request hr;
	audit_plan(&ctx, &sr, &hr);
	assert_true(hr.files);
	/* the engine's answers (what daemon_info.c reads) as a snapshot with no daemon behind it has them */
	h->snap.info.driver = h->snap.info.logging_driver = h->snap.info.cgroup_driver = "";
	h->snap.info.default_runtime = "";
	h->snap.info.docker_root_dir = "/var/lib/docker";
	assert_int_equal(host_facts_init(&h->host, root), 0);
	h->host.trusted_users = trusted;
	assert_int_equal(host_facts_collect(&h->host, &hr, &h->snap), 0);
	assert_int_equal(audit_run(&ctx, &h->snap, &h->host, &h->res), 0);
}

static void host_run_free(struct host_run *h)
{
	audit_result_free(&h->res);
	host_facts_free(&h->host);
	audit_ruleset_free(&h->rs);
}

static void test_file_modes_bit_by_bit(void **state)
{
	(void)state;
	char root[] = "/tmp/dwhostXXXXXX";
	assert_non_null(mkdtemp(root));
	write_file(root, "/etc/passwd", "root:x:0:0::/root:/bin/sh\nalice:x:1000:999::/home/alice:/bin/sh\n", 0644);
	write_file(root, "/etc/group", "root:x:0:\ndocker:x:999:bob\n", 0644);
	/* 620 < 644 in decimal, but group write is not allowed by 644 */
	write_file(root, "/etc/docker/daemon.json", "{\"tlscert\": \"/etc/docker/k/cert.pem\", \"tlskey\": \"/etc/docker/k/key.pem\", \"tlscacert\": \"/etc/docker/ca-link.pem\", "
		   "\"hosts\": [\"unix:///var/run/docker.sock\"]}", 0620);
	write_file(root, "/etc/docker/k/key.pem", "k", 0600);
	/* a relative link that climbs above the root stays inside it: /etc/docker/k/ca.pem of the tree */
	write_file(root, "/etc/docker/k/ca.pem", "c", 0444);
	char link[4200];
	snprintf(link, sizeof(link), "%s/etc/docker/ca-link.pem", root);
	assert_int_equal(symlink("../../../../../../../etc/docker/k/ca.pem", link), 0);
	write_file(root, "/etc/default/docker", "DOCKER_OPTS=\"--icc=false\"\n", 0604);  /* bitwise within 644 */
	write_file(root, "/etc/docker/certs.d/r:5000/ca.crt", "c", 0444);
	write_file(root, "/etc/docker/certs.d/r:5000/client.key", "c", 0440);
	write_file(root, "/etc/audit/rules.d/d.rules", "-w /etc/dock -p wa\n-a always,exit -F dir=/etc/docker/ -F perm=wa -k d\n", 0640);
	struct host_run h;
	host_run(&h, root, "root,bob");
	const struct audit_finding *f = finding(&h.res, "3.1");
	assert_int_equal(f->out.verdict, AUDIT_FAIL);
	assert_string_equal(f->out.offenders[0].id, "/etc/docker/daemon.json");
	assert_non_null(strstr(f->out.offenders[0].detail, "mode 0620 is more permissive than 0644 (group write)"));
	assert_int_equal(finding(&h.res, "3.2")->out.verdict, getuid() == 0 ? AUDIT_PASS : AUDIT_FAIL);
	f = finding(&h.res, "3.3");
	assert_int_equal(f->out.verdict, AUDIT_FAIL);       /* tlskey from daemon.json, 0600 has owner write */
	assert_non_null(strstr(f->out.offenders[0].detail, "owner write"));
	assert_int_equal(finding(&h.res, "3.4")->out.verdict, AUDIT_PASS);
	f = finding(&h.res, "3.7");
	assert_int_equal(f->out.verdict, AUDIT_PASS);
	assert_non_null(strstr(f->out.evidence[0].detail, "symlink to ../../../../../../../etc/docker/k/ca.pem; its target"));
	f = finding(&h.res, "3.5");
	assert_int_equal(f->out.verdict, AUDIT_NOT_APPLICABLE);
	assert_non_null(strstr(f->out.reason, "/etc/sysconfig/docker is absent"));
	f = finding(&h.res, "3.6");                         /* directories below keep their x bits */
	assert_int_equal(f->out.verdict, AUDIT_PASS);
	assert_int_equal(f->out.n_objects, 4);
	/* dir=/etc/docker/ covers /etc/docker and daemon.json; /etc/dock covers neither */
	f = finding(&h.res, "1.1.3");
	assert_int_equal(f->out.verdict, AUDIT_PASS);
	assert_non_null(strstr(f->out.reason, "/etc/audit/rules.d/d.rules"));
	/* alice's primary group is docker; bob is listed */
	f = finding(&h.res, "1.1.2");
	assert_int_equal(f->out.verdict, AUDIT_FAIL);
	assert_int_equal(f->out.n_offenders, 1);
	assert_string_equal(f->out.offenders[0].id, "alice");
	host_run_free(&h);
	host_run(&h, root, "");
	assert_int_equal(finding(&h.res, "1.1.2")->out.verdict, AUDIT_MANUAL);
	assert_int_equal(finding(&h.res, "1.1.2")->out.n_evidence, 2);
	host_run_free(&h);
	char cmd[4200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
}

static void test_audit_rules_parse_and_cover(void **state)
{
	(void)state;
	struct host_audit a = { 0 };
	const char *text = "# comment\n-D\n-w /usr/bin/dockerd -p rwxa -k docker\n"
			   "-a always,exit -F path=/usr/bin/runc -F perm=x -k runc\n"
			   "-a exit,always -F dir=/var/lib/docker/ -k lib\n"
			   "-a never,exit -F path=/etc/default/docker\n"
			   "-w relative/path\n-w /etc/dock -p wa   # a sibling prefix\n";
	assert_int_equal(host_audit_parse_rules(&a, text, "t.rules"), 0);
	assert_int_equal(a.n, 4);
	assert_string_equal(a.w[0].perms, "rwxa");
	assert_string_equal(a.w[0].key, "docker");
	assert_string_equal(a.w[0].origin, "t.rules:3");
	assert_string_equal(a.w[1].path, "/usr/bin/runc");
	assert_string_equal(a.w[2].path, "/var/lib/docker");
	assert_non_null(host_audit_covering(&a, "/usr/bin/dockerd"));
	assert_null(host_audit_covering(&a, "/usr/bin/dockerd-ce"));
	assert_non_null(host_audit_covering(&a, "/var/lib/docker/containers/x"));
	assert_null(host_audit_covering(&a, "/var/lib"));
	assert_null(host_audit_covering(&a, "/etc/default/docker"));
	assert_null(host_audit_covering(&a, "/etc/docker"));
	assert_string_equal(a.execve_rule, "");
	host_audit_free(&a);
	/* a syscall rule on execve records every program run, the docker CLI's too */
	memset(&a, 0, sizeof(a));
	assert_int_equal(host_audit_parse_rules(&a, "-a always,exit -F arch=b64 -S execveat -k x\n"
						"-a never,exit -S execve\n-a always,exit -S openat,execve -k exec\n",
						"e.rules"), 0);
	assert_string_equal(a.execve_rule, "e.rules:3");
	host_audit_free(&a);
}

/* EXECVE records of the audit log: hex-encoded arguments, options before and after exec, other programs. */
static void test_exec_log_lines(void **state)
{
	(void)state;
	struct host_exec_record r;
	/* "sh -c id" is hex: it holds spaces */
	assert_int_equal(host_execlog_parse_line("type=EXECVE msg=audit(1733190000.123:77): argc=6 a0=\"docker\" "
						 "a1=\"exec\" a2=\"--privileged\" a3=\"-u\" a4=\"0:0\" "
						 "a5=\"web\" a6=7368202D63206964", &r), 1);
	assert_true(r.privileged);
	assert_int_equal(r.when, 1733190000);
	assert_string_equal(r.container, "web");
	assert_string_equal(r.user, "0:0");
	assert_string_equal(r.cmdline, "docker exec --privileged -u 0:0 web sh -c id");
	host_exec_record_free(&r);
	/* global options, `container exec`, --user=, value options skipped */
	assert_int_equal(host_execlog_parse_line("type=EXECVE msg=audit(1.0:1): argc=9 a0=\"/usr/bin/docker\" "
						 "a1=\"-H\" a2=\"unix:///x.sock\" a3=\"container\" a4=\"exec\" "
						 "a5=\"-e\" a6=\"--privileged\" a7=\"--user=root\" a8=\"db\"", &r), 1);
	assert_false(r.privileged);        /* the value of -e, not an option */
	assert_string_equal(r.user, "root");
	assert_string_equal(r.container, "db");
	host_exec_record_free(&r);
	/* not docker exec: another program, another subcommand, no container, another record type */
	assert_int_equal(host_execlog_parse_line("type=EXECVE msg=audit(1.0:1): argc=3 a0=\"podman\" a1=\"exec\" "
						 "a2=\"c\"", &r), 0);
	assert_int_equal(host_execlog_parse_line("type=EXECVE msg=audit(1.0:1): argc=4 a0=\"docker\" a1=\"run\" "
						 "a2=\"img\" a3=\"exec\"", &r), 0);
	assert_int_equal(host_execlog_parse_line("type=EXECVE msg=audit(1.0:1): argc=3 a0=\"docker\" a1=\"exec\" "
						 "a2=\"-it\"", &r), 0);
	assert_int_equal(host_execlog_parse_line("type=SYSCALL msg=audit(1.0:1): a0=\"docker\" a1=\"exec\" "
						 "a2=\"c\"", &r), 0);
	/* control characters in an argument do not reach the report */
	assert_int_equal(host_execlog_parse_line("type=EXECVE msg=audit(1.0:1): argc=3 a0=\"docker\" a1=\"exec\" "
						 "a2=\"c\" a3=1B5B326A", &r), 1);
	assert_string_equal(r.cmdline, "docker exec c ?[2j");
	host_exec_record_free(&r);
}

/* Judges dir on a host whose root is /dev/sda1 plus one more mountinfo line. */
static bool judge(const char *extra, const char *dir, const char *want_detail)
{
	struct host_partition p;
	char mi[1024];
	memset(&p, 0, sizeof(p));
	snprintf(mi, sizeof(mi), "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n%s", extra);
	host_partition_judge(&p, mi, dir);
	assert_int_equal(p.status.state, FACT_OK);
	if (want_detail && !strstr(p.detail, want_detail))
		fail_msg("\"%s\" does not say \"%s\"", p.detail, want_detail);
	return p.separate;
}

static void test_partition_from_mountinfo(void **state)
{
	(void)state;
	assert_false(judge("", "/var/lib/docker", "on the filesystem mounted at /"));
	assert_true(judge("40 22 253:3 / /var/lib/docker rw - xfs /dev/vg rw\n", "/var/lib/docker", NULL));
	assert_false(judge("40 22 8:1 /srv/docker /var/lib/docker rw - ext4 /dev/sda1 rw\n", "/var/lib/docker",
			   "bind mount"));
	assert_false(judge("40 22 8:1 / /var/lib/docker rw - ext4 /dev/sda1 rw\n", "/var/lib/docker", "same device"));
	/* escaped spaces in mount points */
	assert_true(judge("41 22 9:9 / /srv/my\\040docker rw - ext4 /dev/x rw\n", "/srv/my docker", NULL));
}

static void test_daemon_flags_and_json(void **state)
{
	(void)state;
	struct daemon_options d = { 0 };
	char *argv[] = { "-Hunix:///run/a.sock", "--host", "tcp://0.0.0.0:2376", "--icc=false", "--log-level", "debug",
			 "--insecure-registry", "a:5000", "--insecure-registry=b:5000", "-D", "--live-restore",
			 "--userland-proxy=0", "--some-new-flag", "v", "--switch" };
	assert_int_equal(host_daemon_apply_args(&d, argv, sizeof(argv) / sizeof(argv[0]), DOPT_CMDLINE, "cmd"), 0);
	assert_string_equal(daemon_options_get(&d, "hosts")->value, "unix:///run/a.sock,tcp://0.0.0.0:2376");
	assert_string_equal(daemon_options_get(&d, "icc")->value, "false");
	assert_string_equal(daemon_options_get(&d, "log-level")->value, "debug");
	assert_string_equal(daemon_options_get(&d, "insecure-registries")->value, "a:5000,b:5000");
	assert_string_equal(daemon_options_get(&d, "debug")->value, "true");
	assert_string_equal(daemon_options_get(&d, "live-restore")->value, "true");
	assert_string_equal(daemon_options_get(&d, "userland-proxy")->value, "false");
	assert_string_equal(daemon_options_get(&d, "some-new-flag")->value, "v");
	assert_string_equal(daemon_options_get(&d, "switch")->value, "true");
	/* daemon.json loses to the command line, wins over defaults; unknown keys are kept */
	const char *json = "{\"icc\": true, \"no-new-privileges\": true, \"default-ulimits\": {\"nofile\": "
			   "{\"Name\": \"nofile\", \"Hard\": 64000, \"Soft\": 1024}}, \"authorization-plugins\": "
			   "[\"authz\"], \"future-key\": 3}";
	char err[128];
	assert_int_equal(host_daemon_apply_json(&d, json, strlen(json), "/etc/docker/daemon.json", err, sizeof(err)), 0);
	assert_string_equal(daemon_options_get(&d, "icc")->value, "false");
	assert_string_equal(daemon_options_get(&d, "no-new-privileges")->value, "true");
	assert_string_equal(daemon_options_get(&d, "no-new-privileges")->source, "/etc/docker/daemon.json");
	assert_string_equal(daemon_options_get(&d, "default-ulimits")->value, "nofile=1024:64000");
	assert_string_equal(daemon_options_get(&d, "authorization-plugins")->value, "authz");
	assert_string_equal(daemon_options_get(&d, "future-key")->value, "3");
	assert_int_equal(host_daemon_apply_json(&d, "[1]", 3, "x", err, sizeof(err)), -EBADMSG);
	assert_int_equal(host_daemon_apply_json(&d, "{\"a\":", 5, "x", err, sizeof(err)), -EBADMSG);
	daemon_options_free(&d);
	char **w;
	size_t n;
	assert_int_equal(host_daemon_split_words("  /usr/bin/dockerd -H \"fd:// x\" 'a b'\\ c --x=\"y\"", &w, &n), 0);
	assert_int_equal(n, 5);
	assert_string_equal(w[2], "fd:// x");
	assert_string_equal(w[3], "a b c");
	assert_string_equal(w[4], "--x=y");
	host_daemon_free_words(w, n);
}

static void test_users_status_cgroup(void **state)
{
	(void)state;
	struct host_users u = { 0 };
	assert_int_equal(host_users_parse_passwd(&u, "root:x:0:0::/:/bin/sh\n#c\nbad line\nx:x:-1:0::/:/bin/sh\n"), 0);
	assert_int_equal(host_users_parse_group(&u, "root:x:0:\ndocker:x:999:a,b\n"), 0);
	assert_int_equal(u.n_users, 1);
	assert_string_equal(host_user_name(&u, 0), "root");
	assert_null(host_user_name(&u, 5));
	assert_string_equal(host_group_name(&u, 999), "docker");
	assert_string_equal(u.groups[1].members, "a,b");
	host_users_free(&u);
	struct host_ctr_state s;
	host_proc_status_parse(&s, "Name:\tsh\nUid:\t1000\t0\t0\t0\nGid:\t5\t6\t6\t6\nNoNewPrivs:\t1\nSeccomp:\t2\n"
				   "CapEff:\t00000000a80425fb\n");
	assert_int_equal(s.uid, 0);
	assert_int_equal(s.gid, 6);
	assert_int_equal(s.no_new_privs, 1);
	assert_int_equal(s.seccomp, 2);
	assert_true(s.cap_eff == 0xa80425fbULL);
	char path[256];
	const char *v1 = "12:pids:/docker/abc\n4:cpu,cpuacct:/docker/abc\n0::/\n";
	assert_int_equal(host_cgroup_path(v1, "cpu", path, sizeof(path)), 0);
	assert_string_equal(path, "/docker/abc");
	assert_int_equal(host_cgroup_path(v1, "memory", path, sizeof(path)), -ENOENT);
	assert_int_equal(host_cgroup_path("0::/system.slice/docker-abc.scope\n", NULL, path, sizeof(path)), 0);
	assert_string_equal(path, "/system.slice/docker-abc.scope");
}

static const char *const PROC_RULES =
	"[ruleset]\nname = T\nbenchmarks = 1.6.0\n"
#define CTR_RULE(id, check) \
	"[" id "]\ntitle = T\nsection = 5 S\nlevel = 1\nassessment = automated\nseverity = low\nscope = container\n" \
	"check = " check "\n"
	CTR_RULE("4.1", "image_user")
	CTR_RULE("5.22", "container_seccomp")
	CTR_RULE("5.26", "container_no_new_privileges")
	CTR_RULE("5.7", "container_process") "check.names = sshd\n";

/* A container that declares user 1000 and no-new-privileges, whose init
 * process the host's /proc shows as uid 0 without NoNewPrivs or seccomp,
 * running sshd in its cgroup. */
static void test_running_state_beside_declared(void **state)
{
	(void)state;
	char root[] = "/tmp/dwprocXXXXXX";
	assert_non_null(mkdtemp(root));
	const char *id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	char rel[256];
	write_file(root, "/proc/321/status", "Name:\tsshd\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nNoNewPrivs:\t0\n"
		   "Seccomp:\t0\nCapEff:\t000001ffffffffff\n", 0644);
	snprintf(rel, sizeof(rel), "12:pids:/docker/%s\n4:cpu,cpuacct:/docker/%s\n", id, id);
	write_file(root, "/proc/321/cgroup", rel, 0644);
	write_file(root, "/proc/321/comm", "sshd\n", 0644);
	snprintf(rel, sizeof(rel), "/sys/fs/cgroup/pids/docker/%s/cgroup.procs", id);
	write_file(root, rel, "321\n", 0644);
	struct host_run h;
	char err[512] = "";
	memset(&h, 0, sizeof(h));
	if (audit_ruleset_load_text(&h.rs, "t.ini", PROC_RULES, strlen(PROC_RULES), NULL, err, sizeof(err)) < 0)
		fail_msg("rules: %s", err);
	const char *inspect = "{\"Config\": {\"User\": \"1000\", \"Labels\": {}}, "
			      "\"HostConfig\": {\"SecurityOpt\": [\"no-new-privileges\"]}}";
	yajl_val raw;
	assert_int_equal(json_parse(inspect, strlen(inspect), &raw, err, sizeof(err)), 0);
	struct docker_container ct = { .id = id, .name = "web", .image_ref = "app:1", .image_id = "sha256:img",
				       .state = "running", .created = "", .started_at = "", .user = "1000",
				       .network_mode = "default", .restart_policy = "no", .pid = 321, .raw = raw };
	const char *tags[] = { "app:1" };
	struct docker_image img = { .id = "sha256:img", .repo_tags = tags, .n_repo_tags = 1, .created = "",
				    .user = "1000", .raw = raw };
	h.snap.containers = &ct;
	h.snap.n_containers = 1;
	h.snap.images = &img;
	h.snap.n_images = 1;
	h.snap.have_images = true;
	h.snap.info.driver = h.snap.info.logging_driver = h.snap.info.cgroup_driver = "";
	h.snap.info.default_runtime = "";
	h.snap.info.docker_root_dir = "/var/lib/docker";
	struct audit_ctx ctx = { .rules = &h.rs, .now = 1 };
	struct snapshot_request sr;
	struct host_facts_request hr;
	audit_plan(&ctx, &sr, &hr);
	assert_true(hr.procs);
	assert_int_equal(host_facts_init(&h.host, root), 0);
	assert_int_equal(host_facts_collect(&h.host, &hr, &h.snap), 0);
	assert_int_equal(audit_run(&ctx, &h.snap, &h.host, &h.res), 0);
	const struct audit_finding *f = finding(&h.res, "4.1");
	assert_int_equal(f->out.verdict, AUDIT_FAIL);
	assert_non_null(strstr(f->out.offenders[0].detail, "names user 1000, but its init process (pid 321) runs as uid 0"));
	f = finding(&h.res, "5.22");
	assert_int_equal(f->out.verdict, AUDIT_FAIL);
	assert_non_null(strstr(f->out.offenders[0].detail, "Seccomp: 0"));
	f = finding(&h.res, "5.26");
	assert_int_equal(f->out.verdict, AUDIT_FAIL);
	assert_non_null(strstr(f->out.offenders[0].detail, "NoNewPrivs: 0 although it sets no-new-privileges"));
	f = finding(&h.res, "5.7");
	assert_int_equal(f->out.verdict, AUDIT_FAIL);
	snprintf(rel, sizeof(rel), "runs sshd (pid 321, exe unreadable; from cgroup /sys/fs/cgroup/pids/docker/%s)", id);
	assert_string_equal(f->out.offenders[0].detail, rel);
	host_run_free(&h);
	yajl_tree_free(raw);
	char cmd[4200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
}

/* A pid the engine reports but whose cgroup names another container (a remote
 * engine, or a pid reused since the snapshot) is never read as the container's. */
static void test_pid_of_another_cgroup_is_not_the_container(void **state)
{
	(void)state;
	char root[] = "/tmp/dwpid2XXXXXX";
	assert_non_null(mkdtemp(root));
	const char *id = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	write_file(root, "/proc/555/status", "Name:\tbash\nUid:\t0\t0\t0\t0\nNoNewPrivs:\t0\nSeccomp:\t0\n", 0644);
	write_file(root, "/proc/555/cgroup", "12:pids:/user.slice/session-1.scope\n0::/user.slice\n", 0644);
	struct docker_container ct = { .id = id, .name = "remote", .image_ref = "", .image_id = "",
				       .state = "running", .created = "", .started_at = "", .user = "",
				       .network_mode = "default", .restart_policy = "no", .pid = 555 };
	struct snapshot snap;
	memset(&snap, 0, sizeof(snap));
	snap.containers = &ct;
	snap.n_containers = 1;
	struct host_facts hf;
	struct host_facts_request hr = { .procs = true };
	assert_int_equal(host_facts_init(&hf, root), 0);
	assert_int_equal(host_facts_collect(&hf, &hr, &snap), 0);
	const struct host_ctr_state *c = host_ctr_state_find(&hf, id);
	assert_non_null(c);
	assert_int_equal(c->status.state, FACT_UNAVAILABLE);
	assert_int_equal(c->procs_status.state, FACT_UNAVAILABLE);
	assert_non_null(strstr(c->status.reason, "not in the container's cgroup"));
	host_facts_free(&hf);
	char cmd[64];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_modes_bit_by_bit),
		cmocka_unit_test(test_audit_rules_parse_and_cover),
		cmocka_unit_test(test_exec_log_lines),
		cmocka_unit_test(test_partition_from_mountinfo),
		cmocka_unit_test(test_daemon_flags_and_json),
		cmocka_unit_test(test_users_status_cgroup),
		cmocka_unit_test(test_running_state_beside_declared),
		cmocka_unit_test(test_pid_of_another_cgroup_is_not_the_container),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
