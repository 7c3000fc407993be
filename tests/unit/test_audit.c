/* test_audit.c: the audit engine: rule loading and profiles, operators, container/image/daemon primitives, waivers, scope, finding ids. */
#include "unit.h"

#include <errno.h>

#include "audit/compare.h"
#include "audit/engine.h"

static const char *const HEAD = "[ruleset]\nname = T\nbenchmarks = 1.6.0, 1.8.0\n";

static void load_ok(struct audit_ruleset *rs, const char *body, const char *bench)
{
	char text[8192], err[512] = "";
	snprintf(text, sizeof(text), "%s%s", HEAD, body);
	int r = audit_ruleset_load_text(rs, "t.ini", text, strlen(text), bench, err, sizeof(err));
	if (r < 0)
		fail_msg("load failed: %s", err);
}

static void load_fails(const char *body, const char *bench, const char *want)
{
	char text[8192], err[512] = "";
	struct audit_ruleset rs;
	snprintf(text, sizeof(text), "%s%s", HEAD, body);
	assert_true(audit_ruleset_load_text(&rs, "t.ini", text, strlen(text), bench, err, sizeof(err)) < 0);
	if (!strstr(err, want))
		fail_msg("error \"%s\" does not say \"%s\"", err, want);
}

#define META "title = T\nsection = 5 S\nlevel = 1\nassessment = automated\nseverity = high\nscope = container\n"

static void test_rules_profiles_and_continuations(void **state)
{
	(void)state;
	const char *body =
		"[5.10]\n" META "rationale = one\n  two\n"
		"check = container_mounts\ncheck.paths = /etc\ncheck.paths@1.8.0 = /etc, /lib64\n"
		"[5.9]\n" META "assessment@1.8.0 = manual\nid@1.8.0 = 5.11\n";
	struct audit_ruleset rs;
	load_ok(&rs, body, NULL);
	assert_string_equal(rs.benchmark, "1.6.0");
	assert_int_equal(rs.n_rules, 2);
	assert_string_equal(rs.rules[0].id, "5.9");     /* numeric order: 5.9 < 5.10 */
	assert_string_equal(rs.rules[1].rationale, "one two");
	assert_string_equal(rs.rules[1].params[0].value, "/etc");
	assert_true(rs.rules[0].automated);
	assert_null(rs.rules[0].prim);
	audit_ruleset_free(&rs);

	load_ok(&rs, body, "1.8.0");
	assert_string_equal(rs.rules[0].id, "5.10");
	assert_string_equal(rs.rules[0].params[0].value, "/etc, /lib64");
	assert_string_equal(rs.rules[1].id, "5.11");    /* renumbered for 1.8.0 */
	assert_false(rs.rules[1].automated);
	assert_non_null(audit_ruleset_find(&rs, "5.11"));
	audit_ruleset_free(&rs);
}

static void test_rules_errors(void **state)
{
	(void)state;
	load_fails("[5.1]\n" META "check = nosuch\n", NULL, "t.ini:11: [5.1] unknown check primitive \"nosuch\"");
	load_fails("[5.1]\n" META "check = container_field\ncheck.path = X\n", NULL, "needs check.fail_if");
	load_fails("[5.1]\n" META "check = container_field\ncheck.path = X\ncheck.fail_if = eq\n", NULL,
		   "fail_if = eq needs check.value");
	load_fails("[5.1]\n" META "check = container_field\ncheck.path = X\ncheck.fail_if = like\n", NULL,
		   "is not one of");
	load_fails("[5.1]\n" META "check = container_restart\ncheck.bogus = 1\n", NULL, "has no parameter \"bogus\"");
	load_fails("[5.1]\n" META "colour = red\n", NULL, "unknown key \"colour\"");
	load_fails("[5.1]\ntitle = T\n", NULL, "has no section");
	load_fails("[5.1]\n" META "[5.2]\n" META "[5.1]\n" META, NULL, "defined twice");
	load_fails("[5.1]\n" META "title@1.8.0 = a\ntitle@1.8.0 = b\n", NULL, "given twice");
	load_fails("[5.1]\n" META, "9.9.9", "benchmark \"9.9.9\" is not in the rule set");
	load_fails("[x.1]\n" META, NULL, "a rule's section is its id");
	load_fails("[5.1]\n" META "check = swarm\ncheck.mode = on\n", NULL, "check.mode must be");
	load_fails("[5.1]\n" META "check = swarm\ncheck.mode = review\ncheck.requires = moon\n", NULL,
		   "check.requires must be");
	load_fails("[5.1]\n" META "id = 5.2\n", NULL, "id is the section name");
	load_fails("[5.1]\n" META "[5.2]\n" META "id@1.8.0 = 5.1\n", "1.8.0", "two rules are 5.1");
}

static void test_id_matches(void **state)
{
	(void)state;
	assert_true(audit_id_matches("5.1", "5"));
	assert_true(audit_id_matches("5.10", "4,5.10"));
	assert_false(audit_id_matches("5.10", "5.1"));
	assert_true(audit_id_matches("1.1.3", "1.1"));
	assert_false(audit_id_matches("1.10", "1.1"));
	assert_false(audit_id_matches("15.1", "5"));
	assert_true(audit_id_cmp("1.2", "1.10") < 0);
	assert_true(audit_id_cmp("2", "1.10") > 0);
	assert_int_equal(audit_id_cmp("5.4", "5.4"), 0);
}

static void test_operators(void **state)
{
	(void)state;
	assert_true(audit_str_satisfies("info", OP_EQ, "info"));
	assert_true(audit_str_satisfies("debug", OP_NOT_IN, "info, warn"));
	assert_true(audit_str_satisfies("", OP_IN, ",root,0"));
	assert_true(audit_str_satisfies("0", OP_IN, ",root,0"));
	assert_false(audit_str_satisfies("app", OP_IN, ",root,0"));
	assert_true(audit_str_satisfies(NULL, OP_LE, "0"));
	assert_true(audit_str_satisfies("dm.basesize=20G,x=y", OP_CONTAINS, "dm.basesize*"));
	assert_true(audit_str_satisfies("", OP_EMPTY, NULL));
	assert_true(audit_str_satisfies(NULL, OP_ABSENT, NULL));
	assert_false(audit_str_satisfies("12", OP_LT, "abc"));  /* not a number: no verdict either way */
	yajl_val v = json_lit("{\"caps\":[\"NET_ADMIN\",\"CHOWN\"],\"n\":0,\"b\":true,\"z\":null,\"e\":[]}");
	assert_true(audit_json_satisfies(json_get(v, "caps"), OP_CONTAINS, "NET_*"));
	assert_true(audit_json_satisfies(json_get(v, "caps"), OP_LACKS, "SYS_ADMIN"));
	assert_true(audit_json_satisfies(json_get(v, "caps"), OP_EQ, "CHOWN"));
	assert_true(audit_json_satisfies(json_get(v, "n"), OP_LE, "0"));
	assert_true(audit_json_satisfies(json_get(v, "b"), OP_EQ, "true"));
	assert_true(audit_json_satisfies(json_get(v, "z"), OP_ABSENT, NULL));
	assert_true(audit_json_satisfies(json_get(v, "missing"), OP_LE, "0"));
	assert_true(audit_json_satisfies(json_get(v, "e"), OP_EMPTY, NULL));
	assert_false(audit_json_satisfies(json_get(v, "caps"), OP_EMPTY, NULL));
	char text[64];
	audit_json_text(json_get(v, "caps"), text, sizeof(text));
	assert_string_equal(text, "[NET_ADMIN,CHOWN]");
	yajl_tree_free(v);
	/* arrays of objects (HostConfig.Devices, HostConfig.Ulimits) show their members, not "[]" */
	v = json_lit("{\"dev\":[{\"PathOnHost\":\"/dev/null\",\"PathInContainer\":\"/dev/x\",\"CgroupPermissions\":\"rwm\"}],"
		     "\"ul\":[{\"Name\":\"nofile\",\"Hard\":2048,\"Soft\":1024},{\"Name\":\"nproc\",\"Hard\":9,\"Soft\":9}],"
		     "\"o\":{\"a\":1,\"b\":{\"c\":2},\"l\":[1]}}");
	char big[160];
	audit_json_text(json_get(v, "dev"), big, sizeof(big));
	assert_string_equal(big, "[{PathOnHost=/dev/null,PathInContainer=/dev/x,CgroupPermissions=rwm}]");
	audit_json_text(json_get(v, "ul"), big, sizeof(big));
	assert_string_equal(big, "[{Name=nofile,Hard=2048,Soft=1024},{Name=nproc,Hard=9,Soft=9}]");
	audit_json_text(json_get(v, "o"), big, sizeof(big));
	assert_string_equal(big, "{a=1,b=...,l=...}");
	char small[12];
	audit_json_text(json_get(v, "ul"), small, sizeof(small));
	assert_string_equal(small, "[{Name=nofi");   /* cut, terminated */
	yajl_tree_free(v);
}

/* A container from a short inspect document. */
static void add_container(struct snapshot *s, const char *name, const char *state, const char *extra)
{
	char doc[4096], err[256] = "";
	char id[65];
	snprintf(id, sizeof(id), "%064zx", s->n_containers + 1);
	snprintf(doc, sizeof(doc),
		 "{\"Id\":\"%s\",\"Name\":\"/%s\",\"Image\":\"sha256:aa\",\"State\":{\"Status\":\"%s\",\"Running\":%s},"
		 "\"Config\":{\"Image\":\"img:1\",\"Labels\":{\"team\":\"%s\"}}%s%s}",
		 id, name, state, strcmp(state, "running") == 0 ? "true" : "false", name, extra[0] ? "," : "", extra);
	s->containers = realloc(s->containers, (s->n_containers + 1) * sizeof(*s->containers));
	assert_non_null(s->containers);
	yajl_val v = json_lit(doc);
	memset(&s->containers[s->n_containers], 0, sizeof(s->containers[0]));
	if (docker_parse_container(v, &s->containers[s->n_containers], err, sizeof(err)) < 0)
		fail_msg("%s", err);
	s->n_containers++;
}

struct fixture {
	struct snapshot snap;
	struct host_facts host;
	struct audit_ruleset rs;
	struct audit_result res;
};

static void run_rules(struct fixture *f, const char *body, const char *bench, struct audit_ctx *ctx)
{
	load_ok(&f->rs, body, bench);
	ctx->rules = &f->rs;
	assert_int_equal(audit_run(ctx, &f->snap, &f->host, &f->res), 0);
}

static void fixture_free(struct fixture *f)
{
	audit_result_free(&f->res);
	audit_ruleset_free(&f->rs);
	host_facts_free(&f->host);
	for (size_t i = 0; i < f->snap.n_containers; i++)
		docker_container_free(&f->snap.containers[i]);
	free(f->snap.containers);
	memset(&f->snap, 0, sizeof(f->snap));
}

static const struct audit_finding *finding(const struct audit_result *r, const char *id)
{
	for (size_t i = 0; i < r->n_findings; i++)
		if (strcmp(r->findings[i].rule->id, id) == 0)
			return &r->findings[i];
	fail_msg("no finding for %s", id);
	return NULL;
}

/* The offenders' names, joined by spaces, in order. */
static const char *offender_names(const struct audit_finding *fd)
{
	static char out[1024];
	out[0] = '\0';
	for (size_t i = 0; i < fd->out.n_offenders; i++)
		snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s", i ? " " : "", fd->out.offenders[i].name);
	return out;
}

#define BIND(src, dst, rw) "{\"Type\":\"bind\",\"Source\":\"" src "\",\"Destination\":\"" dst "\",\"RW\":" rw "}"

static void test_container_primitives(void **state)
{
	(void)state;
	struct fixture f = { 0 };
	assert_int_equal(host_facts_init(&f.host, NULL), 0);
	f.host.own_container_id[0] = '\0';
	add_container(&f.snap, "etcsub", "exited", "\"Mounts\":[" BIND("/etc/ssl", "/ssl", "false") "]");
	add_container(&f.snap, "lib64", "running", "\"Mounts\":[" BIND("/lib64", "/l", "true") "]");
	add_container(&f.snap, "etcetera", "created", "\"Mounts\":[" BIND("/etcetera", "/x", "true") "]");
	add_container(&f.snap, "runmount", "created", "\"Mounts\":[" BIND("/var/run", "/r", "true") "]");
	add_container(&f.snap, "srvsock", "created", "\"Mounts\":[" BIND("/srv/d.sock", "/d.sock", "true") "]");
	add_container(&f.snap, "priv", "created", "\"HostConfig\":{\"Privileged\":true}");
	add_container(&f.snap, "ports", "running",
		      "\"NetworkSettings\":{\"Ports\":{\"80/tcp\":[{\"HostIp\":\"::\",\"HostPort\":\"80\"}],"
		      "\"8443/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"8443\"}]}}");
	add_container(&f.snap, "retry6", "exited", "\"HostConfig\":{\"RestartPolicy\":{\"Name\":\"on-failure\",\"MaximumRetryCount\":6}}");
	add_container(&f.snap, "retry3", "exited", "\"HostConfig\":{\"RestartPolicy\":{\"Name\":\"on-failure\",\"MaximumRetryCount\":3}}");
	add_container(&f.snap, "nnpfalse", "created", "\"HostConfig\":{\"SecurityOpt\":[\"no-new-privileges=false\"]}");
	add_container(&f.snap, "unconfined", "created", "\"HostConfig\":{\"SecurityOpt\":[\"seccomp:unconfined\"],"
		      "\"CapAdd\":[\"CAP_SYS_ADMIN\",\"NET_BIND_SERVICE\"]}");
	/* adds back default capabilities only, in an older engine's spelling: not an offender of 5.4 */
	add_container(&f.snap, "capback", "created", "\"HostConfig\":{\"CapDrop\":[\"ALL\"],"
		      "\"CapAdd\":[\"chown\",\"cap_net_bind_service\"]}");
	assert_int_equal(daemon_options_set(&f.host.daemon, "hosts", "fd://,unix:///srv/d.sock", DOPT_CMDLINE,
					    "dockerd command line"), 0);
	/* the daemon's default comes from daemon.json: evidence, unlike a bare default */
	assert_int_equal(daemon_options_set(&f.host.daemon, "no-new-privileges", "true", DOPT_CONFIG_FILE,
					    "/etc/docker/daemon.json"), 0);
	const char *body =
		"[5.6]\n" META "check = container_mounts\ncheck.paths = /, /etc, /lib\n"
		"check.paths@1.8.0 = /, /etc, /lib, /lib64\n"
		"[5.32]\n" META "check = container_mounts\ncheck.paths = /var/run/docker.sock\ncheck.match = above\n"
		"check.daemon_sockets = true\n"
		"[5.5]\n" META "check = container_field\ncheck.path = HostConfig.Privileged\ncheck.fail_if = eq\n"
		"check.value = true\n"
		"[5.8]\n" META "check = container_ports\ncheck.mode = privileged\n"
		"[5.14]\n" META "check = container_ports\ncheck.mode = unbound\n"
		"[5.15]\n" META "check = container_restart\n"
		"[5.26]\n" META "check = container_no_new_privileges\n"
		"[5.22]\n" META "check = container_seccomp\n"
		"[5.4]\n" META "check = container_capabilities\ncheck.allowed = NET_BIND_SERVICE, CHOWN\n"
		"[5.27]\n" META "check = container_field\ncheck.path = State.Health\ncheck.fail_if = absent\n"
		"check.states = running\n"
		"[5.9]\ntitle = T\nsection = 5 S\nlevel = 2\nassessment = manual\nseverity = low\nscope = container\n"
		"check = container_ports\ncheck.mode = list\n";
	struct audit_ctx ctx = { 0 };
	run_rules(&f, body, NULL, &ctx);
	assert_string_equal(offender_names(finding(&f.res, "5.6")), "etcsub");
	assert_string_equal(offender_names(finding(&f.res, "5.32")), "runmount srvsock");
	assert_string_equal(offender_names(finding(&f.res, "5.5")), "priv");
	assert_string_equal(offender_names(finding(&f.res, "5.8")), "ports");
	assert_string_equal(finding(&f.res, "5.8")->out.offenders[0].detail, "publishes [::]:80->80/tcp");
	assert_string_equal(offender_names(finding(&f.res, "5.14")), "ports");
	assert_string_equal(offender_names(finding(&f.res, "5.15")), "retry6");
	assert_string_equal(offender_names(finding(&f.res, "5.26")), "nnpfalse");
	assert_non_null(strstr(finding(&f.res, "5.26")->out.offenders[0].detail, "overriding the daemon's default"));
	assert_string_equal(offender_names(finding(&f.res, "5.22")), "priv unconfined");
	assert_string_equal(offender_names(finding(&f.res, "5.4")), "priv unconfined");
	assert_string_equal(finding(&f.res, "5.4")->out.offenders[1].detail, "adds capabilities SYS_ADMIN");
	assert_string_equal(offender_names(finding(&f.res, "5.27")), "lib64 ports");
	const struct audit_finding *m = finding(&f.res, "5.9");
	assert_int_equal(m->out.verdict, AUDIT_MANUAL);
	assert_int_equal(m->out.n_evidence, 2);
	assert_int_equal(f.res.counts[AUDIT_FAIL], 10);
	assert_true(audit_has_failures(&f.res, SEV_HIGH));
	assert_false(audit_has_failures(&f.res, SEV_CRITICAL));
	audit_result_free(&f.res);
	audit_ruleset_free(&f.rs);

	/* v1.8.0 adds /lib64 */
	run_rules(&f, body, "1.8.0", &ctx);
	assert_string_equal(offender_names(finding(&f.res, "5.6")), "etcsub lib64");
	audit_result_free(&f.res);
	audit_ruleset_free(&f.rs);

	/* scope: name patterns, labels, a targeted re-audit, our own container */
	ctx.container_pattern = "retry*";
	run_rules(&f, body, NULL, &ctx);
	assert_int_equal(f.res.n_containers, 2);
	assert_string_equal(offender_names(finding(&f.res, "5.15")), "retry6");
	assert_int_equal(finding(&f.res, "5.5")->out.verdict, AUDIT_PASS);
	audit_result_free(&f.res);
	audit_ruleset_free(&f.rs);
	ctx.container_pattern = NULL;
	const char *labels[] = { "team=priv" };
	ctx.labels = labels;
	ctx.n_labels = 1;
	run_rules(&f, body, NULL, &ctx);
	assert_int_equal(f.res.n_containers, 1);
	audit_result_free(&f.res);
	audit_ruleset_free(&f.rs);
	ctx.n_labels = 0;
	memcpy(f.host.own_container_id, f.snap.containers[5].id, 65);   /* "priv" is where we run */
	run_rules(&f, body, NULL, &ctx);
	assert_int_equal(f.res.n_containers, f.snap.n_containers - 1);
	assert_int_equal(finding(&f.res, "5.5")->out.verdict, AUDIT_PASS);
	fixture_free(&f);
}

static void test_daemon_options_need_evidence(void **state)
{
	(void)state;
	struct fixture f = { 0 };
	assert_int_equal(host_facts_init(&f.host, NULL), 0);
	const char *body =
		"[2.2]\n" META "check = daemon_option\ncheck.option = icc\ncheck.fail_if = ne\ncheck.value = false\n"
		"[2.15]\n" META "check = daemon_option\ncheck.option = live-restore\ncheck.fail_if = ne\ncheck.value = true\n"
		"[2.7]\n" META "check = daemon_option\ncheck.requires = tcp-socket\ncheck.option = tlsverify\n"
		"check.fail_if = ne\ncheck.value = true\n"
		"[5.2]\n" META "check = container_field\ncheck.requires = apparmor\ncheck.path = AppArmorProfile\n"
		"check.fail_if = eq\ncheck.value = unconfined\n"
		"[7.5]\n" META "check = swarm\ncheck.mode = autolock\n"
		"[5.1]\n" META "check = swarm\ncheck.mode = inactive\n";
	assert_int_equal(daemon_options_set(&f.host.daemon, "icc", "true", DOPT_DEFAULT, "default"), 0);
	assert_int_equal(daemon_options_set(&f.host.daemon, "live-restore", "false", DOPT_INFO, "/info"), 0);
	/* a default never replaces what a better source said */
	assert_int_equal(daemon_options_set(&f.host.daemon, "live-restore", "true", DOPT_DEFAULT, "default"), 0);
	f.snap.info.swarm_state = "inactive";
	struct audit_ctx ctx = { 0 };
	run_rules(&f, body, NULL, &ctx);
	assert_int_equal(finding(&f.res, "2.2")->out.verdict, AUDIT_NOT_EVALUATED);
	assert_int_equal(finding(&f.res, "2.15")->out.verdict, AUDIT_FAIL);
	assert_string_equal(finding(&f.res, "2.15")->out.offenders[0].detail, "live-restore = false (/info)");
	assert_int_equal(finding(&f.res, "2.7")->out.verdict, AUDIT_NOT_EVALUATED);
	assert_int_equal(finding(&f.res, "5.2")->out.verdict, AUDIT_NOT_APPLICABLE);
	assert_int_equal(finding(&f.res, "7.5")->out.verdict, AUDIT_NOT_APPLICABLE);
	assert_int_equal(finding(&f.res, "5.1")->out.verdict, AUDIT_PASS);
	audit_result_free(&f.res);
	audit_ruleset_free(&f.rs);

	/* once the daemon's own configuration was read, defaults are evidence */
	f.host.daemon.process_config.state = FACT_OK;
	assert_int_equal(daemon_options_set(&f.host.daemon, "hosts", "unix:///run/docker.sock,tcp://0.0.0.0:2375",
					    DOPT_CMDLINE, "dockerd command line"), 0);
	assert_int_equal(daemon_options_set(&f.host.daemon, "tlsverify", "false", DOPT_DEFAULT, "default"), 0);
	f.snap.info.swarm_state = "active";
	run_rules(&f, body, NULL, &ctx);
	assert_int_equal(finding(&f.res, "2.2")->out.verdict, AUDIT_FAIL);
	assert_int_equal(finding(&f.res, "2.7")->out.verdict, AUDIT_FAIL);
	assert_int_equal(finding(&f.res, "5.1")->out.verdict, AUDIT_FAIL);
	assert_int_equal(finding(&f.res, "7.5")->out.verdict, AUDIT_NOT_EVALUATED);  /* not a manager */
	f.snap.info.swarm_state = NULL;
	fixture_free(&f);
}

static void test_waivers(void **state)
{
	(void)state;
	const char *text =
		"[db-needs-caps]\nrule = 5.4\ncontainer = unconf*\nreason = the database\n  tunes the kernel\n"
		"expires = 2099-12-31\n"
		"[old]\nrule = 5.15\nreason = was fine once\nexpires = 2020-01-31\n"
		"[all-priv]\nrule = 5.5\nreason = lab host\n";
	struct audit_waivers ws;
	char err[256] = "";
	assert_int_equal(audit_waivers_load_text(&ws, "w.ini", text, strlen(text), err, sizeof(err)), 0);
	assert_int_equal(ws.n, 3);
	assert_string_equal(ws.w[0].reason, "the database tunes the kernel");
	assert_false(audit_waiver_expired(&ws.w[0], 1700000000));
	assert_true(audit_waiver_expired(&ws.w[1], 1700000000));
	/* the expiry day itself is still covered */
	assert_false(audit_waiver_expired(&ws.w[1], 1580428800 + 86399));
	assert_true(audit_waiver_expired(&ws.w[1], 1580428800 + 86400));

	struct fixture f = { 0 };
	assert_int_equal(host_facts_init(&f.host, NULL), 0);
	f.host.own_container_id[0] = '\0';
	add_container(&f.snap, "unconf", "created", "\"HostConfig\":{\"CapAdd\":[\"SYS_ADMIN\"],\"Privileged\":true}");
	add_container(&f.snap, "other", "created", "\"HostConfig\":{\"CapAdd\":[\"NET_ADMIN\"]}");
	add_container(&f.snap, "retry", "created", "\"HostConfig\":{\"RestartPolicy\":{\"Name\":\"always\"}}");
	const char *body =
		"[5.4]\n" META "check = container_capabilities\n"
		"[5.5]\n" META "check = container_field\ncheck.path = HostConfig.Privileged\ncheck.fail_if = eq\n"
		"check.value = true\n"
		"[5.15]\n" META "check = container_restart\n";
	struct audit_ctx ctx = { .waivers = &ws, .now = 1700000000 };
	run_rules(&f, body, NULL, &ctx);
	const struct audit_finding *caps = finding(&f.res, "5.4");
	assert_int_equal(caps->out.verdict, AUDIT_FAIL);        /* "other" is not waived */
	assert_string_equal(offender_names(caps), "other");
	assert_int_equal(caps->n_waived, 1);
	assert_string_equal(caps->waived[0].name, "unconf");
	assert_string_equal(caps->waived_by[0]->name, "db-needs-caps");
	assert_int_equal(finding(&f.res, "5.5")->out.verdict, AUDIT_WAIVED);
	assert_int_equal(finding(&f.res, "5.15")->out.verdict, AUDIT_FAIL);      /* its waiver expired */
	assert_int_equal(f.res.n_expired, 1);
	assert_string_equal(f.res.expired[0]->name, "old");
	fixture_free(&f);
	audit_waivers_free(&ws);

	static const char *const bad[][2] = {
		{ "[a]\nrule = 5.4\n", "has no reason" },
		{ "[a]\nreason = x\n", "has no rule" },
		{ "[a]\nrule = 5.4\nreason = x\nexpires = 2023-02-29\n", "expires must be a date" },
		{ "[a]\nrule = 5.4\nreason = x\nexpires = tomorrow\n", "expires must be a date" },
		{ "[a]\nrule = five\nreason = x\n", "rule must be a rule id" },
		{ "[a]\nrule = 5.4\nreason = x\nowner = me\n", "unknown key \"owner\"" },
		{ "rule = 5.4\n", "outside of any" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(audit_waivers_load_text(&ws, "w.ini", bad[i][0], strlen(bad[i][0]), err, sizeof(err)),
				 -EINVAL);
		if (!strstr(err, bad[i][1]) || strncmp(err, "w.ini:", 6) != 0)
			fail_msg("waiver error \"%s\" does not say \"%s\"", err, bad[i][1]);
	}
}

static void test_own_container_id(void **state)
{
	(void)state;
	char id[65];
	const char *hex = "4f2d9d8a1e0b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d";
	char cg[512], mi[512];
	snprintf(cg, sizeof(cg), "12:pids:/docker/%s\n11:memory:/docker/%s\n", hex, hex);
	host_own_container_id(cg, NULL, id);
	assert_string_equal(id, hex);
	snprintf(cg, sizeof(cg), "0::/system.slice/docker-%s.scope\n", hex);
	host_own_container_id(cg, NULL, id);
	assert_string_equal(id, hex);
	snprintf(mi, sizeof(mi), "630 610 254:1 /var/lib/docker/containers/%s/hostname /etc/hostname rw\n", hex);
	host_own_container_id("0::/\n", mi, id);
	assert_string_equal(id, hex);
	host_own_container_id("12:pids:/user.slice\n", "25 1 0:22 / / rw\n", id);
	assert_string_equal(id, "");
	/* 65 hex digits are not an id */
	snprintf(cg, sizeof(cg), "1:cpu:/docker/%sa\n", hex);
	host_own_container_id(cg, NULL, id);
	assert_string_equal(id, "");
}

static void test_finding_ids_and_host_path(void **state)
{
	(void)state;
	struct audit_item a = { .kind = "container", .id = "abc" }, b = { .kind = "container", .id = "abd" };
	char x[24], y[24], z[24];
	audit_finding_id("5.4", &a, x);
	audit_finding_id("5.4", &a, y);
	assert_string_equal(x, y);
	assert_int_equal(strlen(x), 19);
	audit_finding_id("5.4", &b, z);
	assert_string_not_equal(x, z);
	audit_finding_id("5.5", &a, z);
	assert_string_not_equal(x, z);
	struct host_facts h;
	char p[64];
	assert_int_equal(host_facts_init(&h, "/host/"), 0);
	assert_int_equal(host_path(&h, "/etc/docker", p, sizeof(p)), 0);
	assert_string_equal(p, "/host/etc/docker");
	host_facts_free(&h);
	assert_int_equal(host_facts_init(&h, "/"), 0);
	assert_int_equal(host_path(&h, "/etc/docker", p, sizeof(p)), 0);
	assert_string_equal(p, "/etc/docker");
	assert_int_equal(host_path(&h, "/very/long/path/that/does/not/fit/in/a/small/buffer/of/64/bytes/at/all", p,
				   sizeof(p)), -ENAMETOOLONG);
	host_facts_free(&h);
}

static void test_shipped_rules_load(void **state)
{
	(void)state;
	const char *src = getenv("DOCKWARD_SRC");
	char dir[4096], err[512] = "";
	snprintf(dir, sizeof(dir), "%s%srules", src ? src : "", src ? "/" : "");
	static const char *const benches[] = { "1.6.0", "1.8.0" };
	for (size_t b = 0; b < 2; b++) {
		struct audit_ruleset rs;
		if (audit_ruleset_load_dir(&rs, dir, benches[b], err, sizeof(err)) < 0)
			fail_msg("%s", err);
		assert_int_equal(rs.n_rules, b == 1 ? 118 : 117);   /* v1.8.0 adds 2.7 (devicemapper) */
		const struct audit_rule *r = audit_ruleset_find(&rs, "5.6");
		assert_non_null(r);
		assert_true((strstr(r->params[0].value, "/lib64") != NULL) == (b == 1));
		audit_ruleset_free(&rs);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules_profiles_and_continuations),
		cmocka_unit_test(test_rules_errors),
		cmocka_unit_test(test_id_matches),
		cmocka_unit_test(test_operators),
		cmocka_unit_test(test_container_primitives),
		cmocka_unit_test(test_daemon_options_need_evidence),
		cmocka_unit_test(test_waivers),
		cmocka_unit_test(test_own_container_id),
		cmocka_unit_test(test_finding_ids_and_host_path),
		cmocka_unit_test(test_shipped_rules_load),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
