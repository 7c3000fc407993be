/* test_docker_parse.c: the JSON → struct mappings of docker/model.h against answers recorded from a real dockerd, and against broken ones. */
#include "unit.h"

#include <errno.h>

#include "docker/model.h"

#define BUSYBOX_ID "sha256:4923b267cc9e53506875c6b119ece1b0dfe561b80dea4561f117a6ed423c8389"
#define ENGINE "20.10.24+dfsg1"
#define KERNEL "6.18.44-fc-v595"

static char err[512];

static void container_from(const char *fixture, struct docker_container *c)
{
	yajl_val v = fixture_json(fixture);
	err[0] = '\0';
	assert_int_equal(docker_parse_container(v, c, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_ptr_equal(c->raw, v);
}

static void container_from_text(const char *text, struct docker_container *c)
{
	yajl_val v = json_lit(text);
	assert_int_equal(docker_parse_container(v, c, err, sizeof(err)), 0);
}

static void image_from(yajl_val v, struct docker_image *img)
{
	assert_int_equal(docker_parse_image(v, img, err, sizeof(err)), 0);
	assert_ptr_equal(img->raw, v);
}

static void assert_port(const struct docker_port *p, const char *proto, uint16_t priv, const char *ip, uint16_t host)
{
	assert_string_equal(p->proto, proto);
	assert_int_equal(p->private_port, priv);
	assert_string_equal(p->host_ip, ip);
	assert_int_equal(p->host_port, host);
}

static void assert_mount(const struct docker_mount *m, const char *type, const char *name, const char *source,
			 const char *dest, const char *mode, const char *propagation, bool rw)
{
	assert_string_equal(m->type, type);
	assert_string_equal(m->name, name);
	assert_string_equal(m->source, source);
	assert_string_equal(m->destination, dest);
	assert_string_equal(m->mode, mode);
	assert_string_equal(m->propagation, propagation);
	assert_int_equal(m->rw, rw);
}

/* Containers as the tests compare them: identity, state and settings. */
struct want_container {
	const char *id, *name, *image_ref, *image_id, *state, *created, *started_at, *user;
	const char *network_mode, *restart_policy;
	int64_t restart_max_retries, pid;
	bool privileged;
	size_t n_ports, n_mounts;
};

static void assert_container(const struct docker_container *c, const struct want_container *w)
{
	assert_string_equal(c->id, w->id);
	assert_string_equal(c->name, w->name);
	assert_string_equal(c->image_ref, w->image_ref);
	assert_string_equal(c->image_id, w->image_id);
	assert_string_equal(c->state, w->state);
	assert_string_equal(c->created, w->created);
	assert_string_equal(c->started_at, w->started_at);
	assert_string_equal(c->user, w->user);
	assert_string_equal(c->network_mode, w->network_mode);
	assert_string_equal(c->restart_policy, w->restart_policy);
	assert_int_equal(c->restart_max_retries, w->restart_max_retries);
	assert_int_equal(c->pid, w->pid);
	assert_int_equal(c->privileged, w->privileged);
	assert_int_equal(c->n_ports, w->n_ports);
	assert_int_equal(c->n_mounts, w->n_mounts);
}

#define NEVER "0001-01-01T00:00:00Z"

static void test_version(void **state)
{
	(void)state;
	struct docker_version v;
	yajl_val j = fixture_json("version.json");
	assert_int_equal(docker_parse_version(j, &v, err, sizeof(err)), 0);
	assert_string_equal(v.version, ENGINE);
	assert_string_equal(v.api_version, "1.41");
	assert_string_equal(v.min_api_version, "1.12");
	assert_string_equal(v.os, "linux");
	assert_string_equal(v.arch, "amd64");
	assert_string_equal(v.kernel_version, KERNEL);
	assert_string_equal(v.go_version, "go1.19.8");
	assert_string_equal(v.git_commit, "5d6db84");
	assert_ptr_equal(v.raw, j);
	docker_version_free(&v);
	docker_version_free(&v);
	docker_version_free(NULL);
}

static void test_info(void **state)
{
	(void)state;
	struct docker_info i;
	yajl_val j = fixture_json("info.json");
	assert_int_equal(docker_parse_info(j, &i, err, sizeof(err)), 0);
	assert_string_equal(i.id, "DYRX:5FUM:UVPR:7YRV:HYBN:QXV7:C7N5:IHDE:VDOO:E2T5:VJJK:ZJGA");
	assert_string_equal(i.name, "vm");
	assert_string_equal(i.server_version, ENGINE);
	assert_string_equal(i.operating_system, "Debian GNU/Linux 12 (bookworm)");
	assert_string_equal(i.os_type, "linux");
	assert_string_equal(i.os_version, "12");
	assert_string_equal(i.kernel_version, KERNEL);
	assert_string_equal(i.architecture, "x86_64");
	assert_string_equal(i.driver, "overlay2");
	assert_string_equal(i.docker_root_dir, "/tmp/dwd.cQ1I/data");
	assert_string_equal(i.logging_driver, "json-file");
	assert_string_equal(i.cgroup_driver, "cgroupfs");
	assert_string_equal(i.cgroup_version, "1");
	assert_string_equal(i.default_runtime, "runc");
	assert_string_equal(i.swarm_state, "inactive");
	assert_string_equal(i.init_binary, "docker-init");
	assert_int_equal(i.n_security_options, 1);
	assert_string_equal(i.security_options[0], "name=seccomp,profile=default");
	assert_int_equal(i.images, 1);
	assert_int_equal(i.containers, 3);
	assert_int_equal(i.containers_running, 1);
	assert_int_equal(i.containers_paused, 0);
	assert_int_equal(i.containers_stopped, 2);
	assert_int_equal(i.ncpu, 2);
	assert_int_equal(i.mem_total, 25276514304LL);
	assert_false(i.live_restore);
	assert_false(i.debug);
	assert_false(i.experimental);
	assert_true(i.ipv4_forwarding);
	docker_info_free(&i);
	docker_info_free(NULL);
}

static void test_container_running_with_ports(void **state)
{
	(void)state;
	struct docker_container c;
	container_from("inspect_web.json", &c);
	const struct want_container w = {
		.id = "52b944972c3ee85488b23f110bda993d570daad7e2982c1937a09b96864aecac", .name = "web",
		.image_ref = "dwtest/busybox:1", .image_id = BUSYBOX_ID, .state = "running",
		.created = "2026-11-23T09:17:34.864021336Z", .started_at = "2026-11-23T09:17:35.175007112Z",
		.user = "", .network_mode = "default", .restart_policy = "no", .pid = 3056, .n_ports = 2,
	};
	assert_container(&c, &w);
	/* what Docker bound, on IPv4 and IPv6 */
	assert_port(&c.ports[0], "tcp", 80, "0.0.0.0", 8080);
	assert_port(&c.ports[1], "tcp", 80, "::", 8080);
	docker_container_free(&c);
	docker_container_free(&c);
	docker_container_free(NULL);
}

static void test_container_created_privileged(void **state)
{
	(void)state;
	struct docker_container c;
	container_from("inspect_priv.json", &c);
	struct want_container w = {
		.id = "077a8b2fa76bfdab6714cefbc90577ba27b491f870caf6208f59657ca7db9bde", .name = "priv",
		.image_ref = "dwtest/busybox:1", .image_id = BUSYBOX_ID, .state = "created",
		.created = "2026-11-23T09:17:36.226545088Z", .started_at = NEVER, .user = "",
		.network_mode = "default", .restart_policy = "no", .privileged = true,
	};
	assert_container(&c, &w);
	docker_container_free(&c);

	container_from("inspect_priv2.json", &c);
	w.id = "2c2f4f23bb5328609e7f798d2bee92b0a84901b6a5155a47faccae7d7bf7ea3c";
	w.name = "priv2";
	w.created = "2026-11-23T09:17:36.538795079Z";
	assert_container(&c, &w);
	docker_container_free(&c);
}

static void test_container_mounts_restart(void **state)
{
	(void)state;
	struct docker_container c;
	container_from("inspect_mounts.json", &c);
	const struct want_container w = {
		.id = "01ce64a1d93cd47f1148a63997f31eaa0b003454863a34d8ca79d25af8f4ea37", .name = "mounts",
		.image_ref = "dwtest/busybox:1",
		.image_id = "sha256:7402c6cc4f964b8ed84b7dcfb292275da5178ef8ec02e6f69d0b7fae2797edac",
		.state = "running", .created = "2026-11-23T09:32:00.3385503Z",
		.started_at = "2026-11-23T09:32:00.668201476Z", .user = "", .network_mode = "default",
		.restart_policy = "on-failure", .restart_max_retries = 3, .pid = 11814, .n_mounts = 4,
	};
	assert_container(&c, &w);
	assert_mount(&c.mounts[0], "tmpfs", "", "", "/scratch", "", "", true);
	assert_mount(&c.mounts[1], "bind", "", "/tmp/dwrece4o2_db1/hostdata", "/data", "ro", "rprivate", false);
	assert_mount(&c.mounts[2], "volume", "dwvol", "/tmp/dwm6y06hyi/data/volumes/dwvol/_data", "/vol", "z", "",
		     true);
	assert_mount(&c.mounts[3], "bind", "", "/tmp/dwrece4o2_db1/hostdata", "/rw", "", "rprivate", true);
	docker_container_free(&c);
}

static void test_container_created_port_requests(void **state)
{
	(void)state;
	struct docker_container c;
	/* created: the ports it asked for, -p 80 -p 127.0.0.1::53/udp -p 9000-9001:9000-9001 */
	container_from("inspect_always.json", &c);
	const struct want_container w = {
		.id = "21fa7aa5f047d5893204c316571b9c2ad92a7cb1eeb39482e3d10c80b896a2e7", .name = "always",
		.image_ref = "dwtest/health:1",
		.image_id = "sha256:5140b441694147b7a8eb3c587061c5a297ef936612dca5843dd269a334a58180",
		.state = "created", .created = "2026-11-23T09:32:00.68503467Z", .started_at = NEVER,
		.user = "nobody", .network_mode = "default", .restart_policy = "always", .n_ports = 4,
	};
	assert_container(&c, &w);
	assert_port(&c.ports[0], "udp", 53, "127.0.0.1", 0);
	assert_port(&c.ports[1], "tcp", 80, "", 0);
	assert_port(&c.ports[2], "tcp", 9000, "", 9000);
	assert_port(&c.ports[3], "tcp", 9001, "", 9001);
	docker_container_free(&c);

	container_from("inspect_unless.json", &c);
	assert_string_equal(c.name, "unless");
	assert_string_equal(c.restart_policy, "unless-stopped");
	assert_string_equal(c.image_ref, "dwtest/nohealth:1");
	assert_string_equal(c.user, "nobody");
	assert_int_equal(c.n_ports, 0);
	docker_container_free(&c);

	container_from("inspect_exited.json", &c);
	assert_string_equal(c.name, "exited");
	assert_string_equal(c.state, "exited");
	assert_string_equal(c.started_at, "2026-11-23T09:32:00.975365468Z");
	assert_int_equal(c.pid, 0);
	assert_string_equal(c.restart_policy, "no");
	docker_container_free(&c);
}

static void test_id_lists(void **state)
{
	(void)state;
	yajl_val v = fixture_json("containers.json");
	const char **ids;
	size_t n;
	assert_int_equal(docker_parse_container_ids(v, &ids, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 3);
	assert_string_equal(ids[0], "2c2f4f23bb5328609e7f798d2bee92b0a84901b6a5155a47faccae7d7bf7ea3c");
	assert_string_equal(ids[1], "077a8b2fa76bfdab6714cefbc90577ba27b491f870caf6208f59657ca7db9bde");
	assert_string_equal(ids[2], "52b944972c3ee85488b23f110bda993d570daad7e2982c1937a09b96864aecac");
	free(ids);
	yajl_tree_free(v);

	v = fixture_json("images.json");
	assert_int_equal(docker_parse_image_ids(v, &ids, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_string_equal(ids[0], BUSYBOX_ID);
	free(ids);
	yajl_tree_free(v);

	v = json_lit("[]");
	assert_int_equal(docker_parse_container_ids(v, &ids, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 0);
	assert_null(ids);
	yajl_tree_free(v);

	v = json_lit("[{\"Id\":\"a\"},{\"Names\":[\"/x\"]}]");
	assert_int_equal(docker_parse_container_ids(v, &ids, &n, err, sizeof(err)), -EBADMSG);
	assert_string_equal(err, "/containers/json: element 1 has no Id");
	assert_null(ids);
	assert_int_equal(n, 0);
	yajl_tree_free(v);

	v = json_lit("[{\"Id\":\"\"}]");
	assert_int_equal(docker_parse_image_ids(v, &ids, &n, err, sizeof(err)), -EBADMSG);
	assert_string_equal(err, "/images/json: element 0 has no Id");
	yajl_tree_free(v);

	v = json_lit("{\"Id\":\"a\"}");
	assert_int_equal(docker_parse_image_ids(v, &ids, &n, err, sizeof(err)), -EBADMSG);
	assert_string_equal(err, "/images/json: expected a JSON array");
	yajl_tree_free(v);
	assert_int_equal(docker_parse_container_ids(NULL, &ids, &n, err, sizeof(err)), -EBADMSG);
}

static void test_id_list_cap(void **state)
{
	(void)state;
	/* one more than the cap: refused before anything is allocated per element */
	size_t n_el = DOCKER_MAX_OBJECTS + 1;
	char *text = malloc(n_el * 11 + 8);
	assert_non_null(text);
	size_t k = 0;
	text[k++] = '[';
	for (size_t i = 0; i < n_el; i++)
		k += (size_t)sprintf(text + k, "%s{\"Id\":\"a\"}", i ? "," : "");
	text[k++] = ']';
	text[k] = '\0';
	yajl_val v = json_lit(text);
	free(text);
	const char **ids;
	size_t n;
	assert_int_equal(docker_parse_container_ids(v, &ids, &n, err, sizeof(err)), -E2BIG);
	assert_string_equal(err, "/containers/json: more than 100000 objects");
	yajl_tree_free(v);
}

static void test_images(void **state)
{
	(void)state;
	struct docker_image img;
	image_from(fixture_json("image_inspect.json"), &img);
	assert_string_equal(img.id, BUSYBOX_ID);
	assert_int_equal(img.n_repo_tags, 1);
	assert_string_equal(img.repo_tags[0], "dwtest/busybox:1");
	assert_string_equal(img.created, "2026-11-23T09:17:34.839494317Z");
	assert_string_equal(img.user, "");
	assert_int_equal(img.size, 1982335);
	assert_false(img.has_healthcheck);
	assert_null(img.history);
	/* the history document is kept with the image and freed with it */
	img.history = fixture_json("image_history.json");
	assert_int_equal(json_array_len(img.history), 1);
	assert_string_equal(json_str(json_array_at(img.history, 0), "Comment"), "Imported from -");
	assert_int_equal(json_int(json_array_at(img.history, 0), "Size", 0), 1982335);
	docker_image_free(&img);
	docker_image_free(NULL);

	/* HEALTHCHECK CMD /bin/true, USER nobody */
	image_from(fixture_json("image_health.json"), &img);
	assert_string_equal(img.id, "sha256:5140b441694147b7a8eb3c587061c5a297ef936612dca5843dd269a334a58180");
	assert_string_equal(img.repo_tags[0], "dwtest/health:1");
	assert_string_equal(img.user, "nobody");
	assert_int_equal(img.size, 1982414);
	assert_true(img.has_healthcheck);
	docker_image_free(&img);

	/* HEALTHCHECK NONE over it switches the check off */
	image_from(fixture_json("image_nohealth.json"), &img);
	assert_string_equal(img.repo_tags[0], "dwtest/nohealth:1");
	assert_string_equal(img.created, "2026-11-23T09:32:00.279261918Z");
	assert_false(img.has_healthcheck);
	docker_image_free(&img);
}

static void test_image_odd_fields(void **state)
{
	(void)state;
	static const struct { const char *json; bool health; size_t tags; } cases[] = {
		{ "{\"Id\":\"x\",\"Config\":{\"Healthcheck\":{\"Test\":[\"CMD-SHELL\",\"true\"]}}}", true, 0 },
		{ "{\"Id\":\"x\",\"Config\":{\"Healthcheck\":{\"Test\":[]}}}", false, 0 },
		{ "{\"Id\":\"x\",\"Config\":{\"Healthcheck\":{\"Test\":\"NONE\"}}}", false, 0 },
		{ "{\"Id\":\"x\",\"Config\":{\"Healthcheck\":{\"Test\":[5]}}}", false, 0 },
		{ "{\"Id\":\"x\",\"Config\":{\"Healthcheck\":null}}", false, 0 },
		{ "{\"Id\":\"x\",\"Config\":null,\"RepoTags\":null}", false, 0 },
		{ "{\"Id\":\"x\",\"RepoTags\":[\"a:1\",7,null,\"b:2\"]}", false, 2 },
		{ "{\"Id\":\"x\",\"RepoTags\":\"a:1\",\"Size\":\"big\"}", false, 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct docker_image img;
		image_from(json_lit(cases[i].json), &img);
		assert_int_equal(img.has_healthcheck, cases[i].health);
		assert_int_equal(img.n_repo_tags, cases[i].tags);
		assert_string_equal(img.user, "");
		assert_int_equal(img.size, 0);
		docker_image_free(&img);
	}
	struct docker_image img;
	image_from(json_lit("{\"Id\":\"x\",\"RepoTags\":[\"a:1\",7,null,\"b:2\"]}"), &img);
	assert_string_equal(img.repo_tags[0], "a:1");
	assert_string_equal(img.repo_tags[1], "b:2");
	docker_image_free(&img);
}

static void test_networks(void **state)
{
	(void)state;
	yajl_val list = fixture_json("networks.json");
	static const char *const names[] = { "none", "host", "bridge" };
	static const char *const drivers[] = { "null", "host", "bridge" };
	assert_int_equal(json_array_len(list), 3);
	for (size_t i = 0; i < 3; i++) {
		struct docker_network n;
		assert_int_equal(docker_parse_network(json_array_at(list, i), &n, err, sizeof(err)), 0);
		assert_string_equal(n.name, names[i]);
		assert_string_equal(n.driver, drivers[i]);
		assert_string_equal(n.scope, "local");
		assert_false(n.internal);
		assert_false(n.enable_ipv6);
		if (i == 2)
			assert_string_equal(n.id, "796bcc7752f5e3b3b4e695402970c27f222e13e94b2a23ad773e1b43d3a0fbc2");
		/* borrowed from the list: freeing it frees nothing */
		docker_network_free(&n);
	}
	docker_network_free(NULL);
	yajl_tree_free(list);
	struct docker_network n;
	yajl_val v = json_lit("{\"Name\":\"int\",\"Internal\":true,\"EnableIPv6\":true,\"Driver\":3}");
	assert_int_equal(docker_parse_network(v, &n, err, sizeof(err)), 0);
	assert_true(n.internal);
	assert_true(n.enable_ipv6);
	assert_string_equal(n.driver, "");
	assert_string_equal(n.id, "");
	yajl_tree_free(v);
	v = json_lit("[]");
	assert_int_equal(docker_parse_network(v, &n, err, sizeof(err)), -EBADMSG);
	assert_string_equal(err, "/networks: expected a JSON object");
	yajl_tree_free(v);
}

static void test_top(void **state)
{
	(void)state;
	struct docker_top t;
	yajl_val v = fixture_json("top.json");
	assert_int_equal(docker_parse_top(v, &t, err, sizeof(err)), 0);
	assert_int_equal(t.n_titles, 8);
	assert_string_equal(t.titles[0], "UID");
	assert_string_equal(t.titles[7], "CMD");
	assert_int_equal(t.n_rows, 1);
	assert_string_equal(t.rows[0][0], "root");
	assert_string_equal(t.rows[0][1], "3056");
	assert_string_equal(t.rows[0][2], "3035");
	assert_string_equal(t.rows[0][7], "httpd -f -p 80");
	docker_top_free(&t);

	v = fixture_json("top_mounts.json");
	assert_int_equal(docker_parse_top(v, &t, err, sizeof(err)), 0);
	assert_string_equal(t.rows[0][1], "11814");
	assert_string_equal(t.rows[0][7], "sleep 1000");
	docker_top_free(&t);
	docker_top_free(NULL);

	/* short rows are padded with "", long ones cut, non-arrays empty */
	v = json_lit("{\"Titles\":[\"PID\",\"CMD\"],\"Processes\":[[\"1\"],[\"2\",\"sh\",\"extra\"],\"x\",[3,\"c\"]]}");
	assert_int_equal(docker_parse_top(v, &t, err, sizeof(err)), 0);
	assert_int_equal(t.n_rows, 4);
	assert_string_equal(t.rows[0][0], "1");
	assert_string_equal(t.rows[0][1], "");
	assert_string_equal(t.rows[1][1], "sh");
	assert_string_equal(t.rows[2][0], "");
	assert_string_equal(t.rows[3][0], "");
	assert_string_equal(t.rows[3][1], "c");
	docker_top_free(&t);

	v = json_lit("{\"Processes\":[[\"1\"]]}");
	assert_int_equal(docker_parse_top(v, &t, err, sizeof(err)), 0);
	assert_int_equal(t.n_titles, 0);
	assert_int_equal(t.n_rows, 1);
	docker_top_free(&t);
}

static void test_missing_and_wrong_types(void **state)
{
	(void)state;
	struct docker_container c;
	/* everything but the Id absent: "" and zeros */
	container_from_text("{\"Id\":\"abc\"}", &c);
	const struct want_container bare = {
		.id = "abc", .name = "", .image_ref = "", .image_id = "", .state = "", .created = "",
		.started_at = "", .user = "", .network_mode = "", .restart_policy = "",
	};
	assert_container(&c, &bare);
	docker_container_free(&c);
	/* every field of the wrong type: read as absent, nothing trusted */
	container_from_text("{\"Id\":\"abc\",\"Name\":5,\"State\":\"running\",\"Config\":[1],\"Image\":{},"
			    "\"HostConfig\":{\"Privileged\":\"true\",\"RestartPolicy\":{\"Name\":null,"
			    "\"MaximumRetryCount\":\"3\"},\"PortBindings\":[1,2]},\"Mounts\":{\"a\":1},"
			    "\"Created\":1795425456,\"NetworkSettings\":\"none\"}",
			    &c);
	assert_container(&c, &bare);
	docker_container_free(&c);
	/* a name without the leading '/' stays whole */
	container_from_text("{\"Id\":\"abc\",\"Name\":\"plain\"}", &c);
	assert_string_equal(c.name, "plain");
	docker_container_free(&c);
	/* odd mount entries: all "" and read-write unless they say otherwise */
	container_from_text("{\"Id\":\"abc\",\"Mounts\":[5,null,{\"Type\":\"bind\",\"RW\":\"no\"},{\"RW\":false}]}", &c);
	assert_int_equal(c.n_mounts, 4);
	assert_mount(&c.mounts[0], "", "", "", "", "", "", true);
	assert_mount(&c.mounts[2], "bind", "", "", "", "", "", true);
	assert_false(c.mounts[3].rw);
	docker_container_free(&c);

	static const char *const bad[] = { "{}", "{\"Id\":\"\"}", "{\"Id\":7}" };
	for (size_t i = 0; i < 3; i++) {
		yajl_val v = json_lit(bad[i]);
		assert_int_equal(docker_parse_container(v, &c, err, sizeof(err)), -EBADMSG);
		assert_string_equal(err, "/containers/{id}/json: no Id");
		assert_null(c.raw);
		yajl_tree_free(v);
	}
	yajl_val v = json_lit("[{\"Id\":\"abc\"}]");
	assert_int_equal(docker_parse_container(v, &c, err, sizeof(err)), -EBADMSG);
	assert_string_equal(err, "/containers/{id}/json: expected a JSON object");
	yajl_tree_free(v);
	assert_int_equal(docker_parse_container(NULL, &c, err, sizeof(err)), -EBADMSG);
	assert_int_equal(docker_parse_image(NULL, (struct docker_image[1]){ 0 }, err, sizeof(err)), -EBADMSG);
	assert_string_equal(err, "/images/{id}/json: expected a JSON object");
	v = json_lit("{\"RepoTags\":[]}");
	assert_int_equal(docker_parse_image(v, (struct docker_image[1]){ 0 }, err, sizeof(err)), -EBADMSG);
	assert_string_equal(err, "/images/{id}/json: no Id");
	yajl_tree_free(v);

	struct docker_version ver;
	v = json_lit("{\"Version\":\"20.10\",\"ApiVersion\":1.41}");
	assert_int_equal(docker_parse_version(v, &ver, err, sizeof(err)), -EBADMSG);
	assert_string_equal(err, "/version: no ApiVersion");
	assert_null(ver.raw);
	yajl_tree_free(v);
	v = json_lit("\"1.41\"");
	assert_int_equal(docker_parse_version(v, &ver, err, sizeof(err)), -EBADMSG);
	assert_string_equal(err, "/version: expected a JSON object");
	yajl_tree_free(v);

	struct docker_info info;
	v = json_lit("{\"NCPU\":\"2\",\"SecurityOptions\":[\"name=apparmor\",3,\"name=userns\"],\"Debug\":1,"
		     "\"Swarm\":\"active\",\"CgroupVersion\":\"2\"}");
	assert_int_equal(docker_parse_info(v, &info, err, sizeof(err)), 0);
	assert_int_equal(info.ncpu, 0);
	assert_int_equal(info.n_security_options, 2);
	assert_string_equal(info.security_options[1], "name=userns");
	assert_false(info.debug);
	assert_string_equal(info.swarm_state, "");
	assert_string_equal(info.cgroup_version, "2");
	assert_string_equal(info.id, "");
	docker_info_free(&info);
	/* engines before API 1.40 have no CgroupVersion: cgroup v1 */
	v = json_lit("{\"SecurityOptions\":\"seccomp\"}");
	assert_int_equal(docker_parse_info(v, &info, err, sizeof(err)), 0);
	assert_string_equal(info.cgroup_version, "1");
	assert_int_equal(info.n_security_options, 0);
	docker_info_free(&info);
	v = json_lit("[]");
	assert_int_equal(docker_parse_info(v, &info, err, sizeof(err)), -EBADMSG);
	assert_string_equal(err, "/info: expected a JSON object");
	yajl_tree_free(v);
}

/* A running container whose NetworkSettings.Ports is the given JSON object. */
static void container_with_ports(const char *ports, struct docker_container *c)
{
	char text[2048];
	snprintf(text, sizeof(text),
		 "{\"Id\":\"abc\",\"State\":{\"Running\":true,\"Status\":\"running\"},"
		 "\"HostConfig\":{\"PortBindings\":{\"1/tcp\":[{\"HostPort\":\"1\"}]}},"
		 "\"NetworkSettings\":{\"Ports\":%s}}",
		 ports);
	container_from_text(text, c);
}

static void test_port_edge_cases(void **state)
{
	(void)state;
	struct docker_container c;
	/* exposed but not published (null), and published */
	container_with_ports("{\"80/tcp\":null,\"443/tcp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"443\"}],"
			     "\"8080/tcp\":[]}",
			     &c);
	assert_int_equal(c.n_ports, 1);
	assert_port(&c.ports[0], "tcp", 443, "0.0.0.0", 443);
	docker_container_free(&c);
	/* keys that are not ports are skipped: too big, zero, not a number, empty, too long */
	container_with_ports("{\"65536/tcp\":[{\"HostPort\":\"1\"}],\"99999999999/tcp\":[{\"HostPort\":\"1\"}],"
			     "\"0/tcp\":[{\"HostPort\":\"1\"}],\"http/tcp\":[{\"HostPort\":\"1\"}],"
			     "\"/tcp\":[{\"HostPort\":\"1\"}],\"-1/udp\":[{\"HostPort\":\"1\"}],"
			     "\"65535/sctp\":[{\"HostIp\":\"::1\",\"HostPort\":\"65535\"}]}",
			     &c);
	assert_int_equal(c.n_ports, 1);
	assert_port(&c.ports[0], "sctp", 65535, "::1", 65535);
	docker_container_free(&c);
	/* a key without a protocol is tcp; an over-long protocol is cut */
	container_with_ports("{\"53\":[{\"HostPort\":\"53\"}],\"7/averyverylongproto\":[{\"HostPort\":\"7\"}]}", &c);
	assert_int_equal(c.n_ports, 2);
	assert_port(&c.ports[0], "tcp", 53, "", 53);
	assert_port(&c.ports[1], "averyve", 7, "", 7);
	docker_container_free(&c);
	/* odd HostPort values read as 0 (any): empty, a range, out of range, negative, a number, missing */
	container_with_ports("{\"80/tcp\":[{\"HostPort\":\"\"},{\"HostPort\":\"8000-8010\"},{\"HostPort\":\"65536\"},"
			     "{\"HostPort\":\"-1\"},{\"HostPort\":8080},{\"HostIp\":\"10.0.0.1\"},"
			     "{\"HostPort\":\"99999999999999999999999\"},{\"HostPort\":\"80x\"},5]}",
			     &c);
	assert_int_equal(c.n_ports, 9);
	for (size_t i = 0; i < c.n_ports; i++) {
		assert_int_equal(c.ports[i].private_port, 80);
		assert_int_equal(c.ports[i].host_port, 0);
	}
	assert_string_equal(c.ports[5].host_ip, "10.0.0.1");
	assert_string_equal(c.ports[8].host_ip, "");
	docker_container_free(&c);
	/* not running: the requested bindings, not NetworkSettings */
	container_from_text("{\"Id\":\"abc\",\"State\":{\"Running\":false},"
			    "\"HostConfig\":{\"PortBindings\":{\"1/tcp\":[{\"HostPort\":\"1\"}]}},"
			    "\"NetworkSettings\":{\"Ports\":{\"2/tcp\":[{\"HostPort\":\"2\"}]}}}",
			    &c);
	assert_int_equal(c.n_ports, 1);
	assert_port(&c.ports[0], "tcp", 1, "", 1);
	docker_container_free(&c);
	/* a Ports value that is not an object, or lists that are not arrays */
	container_with_ports("[[{\"HostPort\":\"1\"}]]", &c);
	assert_int_equal(c.n_ports, 0);
	docker_container_free(&c);
	container_with_ports("{\"80/tcp\":{\"HostPort\":\"1\"},\"81/tcp\":\"81\"}", &c);
	assert_int_equal(c.n_ports, 0);
	docker_container_free(&c);
}

static void test_port_cap(void **state)
{
	(void)state;
	/* more bindings than DOCKER_MAX_PORTS: refused, and nothing leaks */
	size_t n_el = DOCKER_MAX_PORTS + 1;
	char *text = malloc(n_el * 4 + 256);
	assert_non_null(text);
	size_t k = (size_t)sprintf(text, "{\"Id\":\"abc\",\"State\":{\"Running\":true},"
					 "\"NetworkSettings\":{\"Ports\":{\"80/tcp\":[");
	for (size_t i = 0; i < n_el; i++)
		k += (size_t)sprintf(text + k, "%s{}", i ? "," : "");
	strcpy(text + k, "]}}}");
	yajl_val v = json_lit(text);
	free(text);
	struct docker_container c;
	assert_int_equal(docker_parse_container(v, &c, err, sizeof(err)), -E2BIG);
	assert_string_equal(err, "/containers/abc/json: Argument list too long");
	assert_null(c.ports);
	assert_null(c.raw);
	yajl_tree_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_info),
		cmocka_unit_test(test_container_running_with_ports),
		cmocka_unit_test(test_container_created_privileged),
		cmocka_unit_test(test_container_mounts_restart),
		cmocka_unit_test(test_container_created_port_requests),
		cmocka_unit_test(test_id_lists),
		cmocka_unit_test(test_id_list_cap),
		cmocka_unit_test(test_images),
		cmocka_unit_test(test_image_odd_fields),
		cmocka_unit_test(test_networks),
		cmocka_unit_test(test_top),
		cmocka_unit_test(test_missing_and_wrong_types),
		cmocka_unit_test(test_port_edge_cases),
		cmocka_unit_test(test_port_cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
