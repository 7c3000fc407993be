/* test_runtime_rules.c: runtime rule parsing and validation, the shipped rule set, and the kernel filter it implies. */
#include "unit.h"

#include <errno.h>
#include <sys/socket.h>

#include "runtime/rules.h"

static int parse(struct rt_ruleset *rs, const char *text, char *err, size_t errlen)
{
	return rt_rules_parse_text(rs, "t.ini", text, strlen(text), err, errlen);
}

static void parse_fails(const char *text, const char *why)
{
	struct rt_ruleset rs = { 0 };
	char err[512] = "";
	assert_int_equal(parse(&rs, text, err, sizeof(err)), -EINVAL);
	if (!strstr(err, why))
		fail_msg("error \"%s\" does not say \"%s\"", err, why);
	assert_int_equal(rs.n, 0);
	rt_rules_free(&rs);
}

static void test_parse_full_rule(void **state)
{
	(void)state;
	struct rt_ruleset rs = { 0 };
	char err[512] = "";
	const char *text = "# comment\n"
			   "[rev]\n"
			   "description = reverse shell\n"
			   "severity = Critical\n"
			   "mitre = T1059.004\n"
			   "event = exec\n"
			   "name = sh, bash\n"
			   "name = zsh\n"
			   "any_flags = stdin_socket stdout_socket\n"
			   "flags = tty\n"
			   "except_image = trusted/*\n"
			   "[miner]\n"
			   "description = pool\n"
			   "severity = high\n"
			   "event = connect\n"
			   "port = 3333 14433-14444\n"
			   "container_only = false\n";
	assert_int_equal(parse(&rs, text, err, sizeof(err)), 0);
	assert_int_equal(rs.n, 2);
	const struct rt_rule *r = &rs.rules[0];
	assert_string_equal(r->id, "rev");
	assert_int_equal(r->severity, RT_SEV_CRITICAL);
	assert_int_equal(r->event, RT_EV_EXEC);
	assert_int_equal(r->name.n, 3);
	assert_string_equal(r->name.v[2], "zsh");
	assert_int_equal(r->flags_any, RT_F_STDIN_SOCK | RT_F_STDOUT_SOCK);
	assert_int_equal(r->flags_all, RT_F_TTY);
	assert_true(r->enabled && r->container_only);
	assert_string_equal(r->origin, "t.ini:3");    /* its first key */
	const struct rt_rule *m = &rs.rules[1];
	assert_int_equal(m->n_ports, 2);
	assert_int_equal(m->ports[1].lo, 14433);
	assert_int_equal(m->ports[1].hi, 14444);
	assert_false(m->container_only);
	rt_rules_free(&rs);
}

static void test_parse_errors(void **state)
{
	(void)state;
	const char *head = "[r]\ndescription = d\nseverity = high\n";
	char t[512];
	parse_fails("description = d\n", "outside of any");
	parse_fails("[r]\ndescription = d\nevent = exec\n", "no severity");
	parse_fails("[r]\nseverity = high\nevent = exec\n", "no description");
	parse_fails("[r]\ndescription = d\nseverity = high\n", "no event");
	parse_fails("[r]\ndescription = d\nseverity = urgent\nevent = exec\n", "severity must be");
	snprintf(t, sizeof(t), "%sevent = teleport\n", head);
	parse_fails(t, "unknown event");
	snprintf(t, sizeof(t), "%sevent = exec\ncolour = red\n", head);
	parse_fails(t, "unknown key \"colour\"");
	snprintf(t, sizeof(t), "%sevent = open\nopen = read\n", head);
	parse_fails(t, "needs a path");
	snprintf(t, sizeof(t), "%sevent = open\npath = /etc/shadow\n", head);
	parse_fails(t, "open = read");
	snprintf(t, sizeof(t), "%sevent = open\nopen = read\npath = etc/shadow\n", head);
	parse_fails(t, "must be absolute");
	snprintf(t, sizeof(t), "%sevent = open\nopen = read\npath = */id_*\n", head);
	parse_fails(t, "literal NAME");
	snprintf(t, sizeof(t), "%sevent = open\nopen = sideways\npath = /x\n", head);
	parse_fails(t, "unknown open mode");
	snprintf(t, sizeof(t), "%sevent = connect\nport = 0\n", head);
	parse_fails(t, "bad port");
	snprintf(t, sizeof(t), "%sevent = connect\nport = 10-5\n", head);
	parse_fails(t, "bad port");
	snprintf(t, sizeof(t), "%sevent = connect\nport = 70000\n", head);
	parse_fails(t, "bad port");
	snprintf(t, sizeof(t), "%sevent = connect\n", head);
	parse_fails(t, "connect needs");
	snprintf(t, sizeof(t), "%sevent = exec\npath = /x\n", head);
	parse_fails(t, "path is not a condition");
	snprintf(t, sizeof(t), "%sevent = open\nopen = read\npath = /x\nflags = tty\n", head);
	parse_fails(t, "exec only");
	snprintf(t, sizeof(t), "%sevent = exec\nflags = sparkly\n", head);
	parse_fails(t, "unknown flag");
	snprintf(t, sizeof(t), "%sevent = exec\nprivileged = true\n", head);
	parse_fails(t, "launch conditions");
	snprintf(t, sizeof(t), "%sevent = container_start\nname = sh\n", head);
	parse_fails(t, "process conditions");
	snprintf(t, sizeof(t), "%sevent = exec\n[s]\ndescription = d\nseverity = low\nevent = bpf\n[r]\nx = y\n", head);
	parse_fails(t, "defined twice");
	snprintf(t, sizeof(t), "%sevent = exec\nenabled = maybe\n", head);
	parse_fails(t, "expected true or false");
}

static void test_file_is_all_or_nothing(void **state)
{
	(void)state;
	struct rt_ruleset rs = { 0 };
	char err[512];
	assert_int_equal(parse(&rs, "[a]\ndescription = d\nseverity = low\nevent = bpf\n", err, sizeof(err)), 0);
	assert_int_equal(parse(&rs, "[b]\ndescription = d\nseverity = low\nevent = bpf\n[c]\nseverity = low\n", err,
			       sizeof(err)),
			 -EINVAL);
	assert_int_equal(rs.n, 1);
	assert_string_equal(rs.rules[0].id, "a");
	/* an id is unique across files too */
	assert_int_equal(parse(&rs, "[a]\ndescription = d\nseverity = low\nevent = bpf\n", err, sizeof(err)), -EINVAL);
	rt_rules_free(&rs);
}

static const struct rt_path_filter *find_filter(const struct rt_probe_config *c, const char *path, bool suffix)
{
	for (size_t i = 0; i < c->n_paths; i++)
		if (strcmp(c->paths[i].path, path) == 0 && c->paths[i].suffix == suffix)
			return &c->paths[i];
	return NULL;
}

static void test_probe_config(void **state)
{
	(void)state;
	struct rt_ruleset rs = { 0 };
	char err[512] = "";
	const char *text = "[read]\ndescription = d\nseverity = high\nevent = open\nopen = read\n"
			   "path = /etc/shadow /etc/* /root/.ssh/id_*\n"
			   "[write]\ndescription = d\nseverity = high\nevent = open\nopen = write truncate\n"
			   "path = /etc/passwd */release_agent\n"
			   "[sock]\ndescription = d\nseverity = high\nevent = connect\nfamily = unix\npath = */docker.sock\n"
			   "[miner]\ndescription = d\nseverity = high\nevent = connect\nport = 3333 3334-3335 3333\n"
			   "[shell]\ndescription = d\nseverity = high\nevent = exec\nname = sh bash\n"
			   "[memfd]\ndescription = d\nseverity = high\nevent = exec\nflags = memfd\n"
			   "[off]\ndescription = d\nseverity = high\nevent = bpf\nenabled = false\n";
	assert_int_equal(parse(&rs, text, err, sizeof(err)), 0);
	struct rt_probe_config c;
	assert_int_equal(rt_rules_probe_config(&rs, NULL, &c), 0);
	assert_true(c.want[RT_EV_OPEN] && c.want[RT_EV_CONNECT] && c.want[RT_EV_EXEC]);
	/* ports on the TCP state tracepoint, unix paths on sys_enter_connect */
	assert_true(c.connect_inet && c.connect_unix);
	assert_false(c.want[RT_EV_BPF]);       /* disabled */
	assert_false(c.include_host);
	assert_false(c.exec_pass_all);
	assert_int_equal(c.exec_pass_flags, RT_F_MEMFD);
	assert_int_equal(c.n_ports, 3);
	/* exact entries carry the masks of the prefixes that cover them (the trie answers the longest match) */
	const struct rt_path_filter *f = find_filter(&c, "/etc/passwd", false);
	assert_non_null(f);
	assert_true(f->exact);
	assert_int_equal(f->mask, RT_PM_WRITE | RT_PM_TRUNC | RT_PM_READ);
	f = find_filter(&c, "/etc/", false);
	assert_non_null(f);
	assert_false(f->exact);
	assert_int_equal(f->mask, RT_PM_READ);
	f = find_filter(&c, "/root/.ssh/id_", false);
	assert_true(f && !f->exact);
	f = find_filter(&c, "/release_agent", true);
	assert_true(f && f->mask == (RT_PM_WRITE | RT_PM_TRUNC));
	f = find_filter(&c, "/docker.sock", true);
	assert_true(f && f->mask == RT_PM_UNIX);
	f = find_filter(&c, "/sh", true);
	assert_true(f && f->mask == RT_PM_EXEC);
	assert_non_null(find_filter(&c, "/bash", true));
	rt_probe_config_free(&c);

	/* a wildcard program name cannot be filtered in the kernel: every exec crosses */
	struct rt_ruleset rs2 = { 0 };
	assert_int_equal(parse(&rs2, "[x]\ndescription = d\nseverity = low\nevent = exec\nname = python*\n"
				     "container_only = false\n", err, sizeof(err)), 0);
	assert_int_equal(rt_rules_probe_config(&rs2, NULL, &c), 0);
	assert_true(c.exec_pass_all && c.include_host);
	rt_probe_config_free(&c);
	/* and rules that are not active load nothing */
	bool active[1] = { false };
	assert_int_equal(rt_rules_probe_config(&rs2, active, &c), 0);
	assert_false(c.want[RT_EV_EXEC] || c.exec_pass_all);
	rt_probe_config_free(&c);
	rt_rules_free(&rs2);
	rt_rules_free(&rs);
}

static void test_shipped_rules_load(void **state)
{
	(void)state;
	const char *src = getenv("DOCKWARD_SRC");
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s%srules/runtime", src ? src : "", src ? "/" : "");
	struct rt_ruleset rs = { 0 };
	char err[512] = "";
	if (rt_rules_load_dir(&rs, dir, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	assert_true(rs.n >= 30);
	size_t launch = 0;
	for (size_t i = 0; i < rs.n; i++) {
		assert_non_null(rs.rules[i].mitre);
		assert_true(rs.rules[i].mitre[0] == 'T');
		launch += rs.rules[i].event == RT_RULE_EV_CONTAINER_START;
	}
	assert_true(launch >= 5);
	struct rt_probe_config c;
	assert_int_equal(rt_rules_probe_config(&rs, NULL, &c), 0);
	/* the defaults must stay cheap: no every-exec pass, no host events */
	assert_false(c.exec_pass_all);
	assert_false(c.include_host);
	assert_true(c.want[RT_EV_MODULE]);             /* on the capability check */
	assert_false(c.want[RT_EV_MODULE_SYSCALL]);    /* raw_syscalls: only when enabled */
	rt_probe_config_free(&c);
	rt_rules_free(&rs);
	struct rt_ruleset none = { 0 };
	assert_int_equal(rt_rules_load_dir(&none, "/nonexistent-dir", err, sizeof(err)), -ENOENT);
	rt_rules_free(&none);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_full_rule),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_file_is_all_or_nothing),
		cmocka_unit_test(test_probe_config),
		cmocka_unit_test(test_shipped_rules_load),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
