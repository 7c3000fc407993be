/* parse.c: maps Docker Engine API JSON documents onto the typed structs of model.h. */
#include "docker/model.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

static const char *S(yajl_val v, const char *path)
{
	const char *s = json_str(v, path);
	return s ? s : "";
}

static int need_object(yajl_val v, const char *what, char *err, size_t errlen)
{
	if (v && YAJL_IS_OBJECT(v))
		return 0;
	snprintf(err, errlen, "%s: expected a JSON object", what);
	return -EBADMSG;
}

/* Borrowed string array from a JSON array of strings; non-strings are skipped. */
static int str_array(yajl_val arr, const char ***out, size_t *n)
{
	*out = NULL;
	*n = 0;
	size_t len = json_array_len(arr);
	if (!len)
		return 0;
	if (len > DOCKER_MAX_OBJECTS)
		return -E2BIG;
	const char **v = calloc(len, sizeof(*v));
	if (!v)
		return -ENOMEM;
	size_t k = 0;
	for (size_t i = 0; i < len; i++) {
		yajl_val s = arr->u.array.values[i];
		if (s && YAJL_IS_STRING(s))
			v[k++] = s->u.string;
	}
	*out = v;
	*n = k;
	return 0;
}

int docker_parse_version(yajl_val v, struct docker_version *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	int r = need_object(v, "/version", err, errlen);
	if (r < 0)
		return r;
	out->version = S(v, "Version");
	out->api_version = S(v, "ApiVersion");
	out->min_api_version = S(v, "MinAPIVersion");
	out->os = S(v, "Os");
	out->arch = S(v, "Arch");
	out->kernel_version = S(v, "KernelVersion");
	out->go_version = S(v, "GoVersion");
	out->git_commit = S(v, "GitCommit");
	if (!out->api_version[0]) {
		snprintf(err, errlen, "/version: no ApiVersion");
		return -EBADMSG;
	}
	out->raw = v;
	return 0;
}

int docker_parse_info(yajl_val v, struct docker_info *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	int r = need_object(v, "/info", err, errlen);
	if (r < 0)
		return r;
	out->id = S(v, "ID");
	out->name = S(v, "Name");
	out->server_version = S(v, "ServerVersion");
	out->operating_system = S(v, "OperatingSystem");
	out->os_type = S(v, "OSType");
	out->os_version = S(v, "OSVersion");
	out->kernel_version = S(v, "KernelVersion");
	out->architecture = S(v, "Architecture");
	out->driver = S(v, "Driver");
	out->docker_root_dir = S(v, "DockerRootDir");
	out->logging_driver = S(v, "LoggingDriver");
	out->cgroup_driver = S(v, "CgroupDriver");
	/* engines before API 1.40 have no CgroupVersion; they only ran on v1 */
	out->cgroup_version = json_str(v, "CgroupVersion") ? S(v, "CgroupVersion") : "1";
	out->default_runtime = S(v, "DefaultRuntime");
	out->swarm_state = S(v, "Swarm.LocalNodeState");
	out->init_binary = S(v, "InitBinary");
	out->images = json_int(v, "Images", 0);
	out->containers = json_int(v, "Containers", 0);
	out->containers_running = json_int(v, "ContainersRunning", 0);
	out->containers_paused = json_int(v, "ContainersPaused", 0);
	out->containers_stopped = json_int(v, "ContainersStopped", 0);
	out->ncpu = json_int(v, "NCPU", 0);
	out->mem_total = json_int(v, "MemTotal", 0);
	out->live_restore = json_bool(v, "LiveRestoreEnabled", false);
	out->debug = json_bool(v, "Debug", false);
	out->experimental = json_bool(v, "ExperimentalBuild", false);
	out->ipv4_forwarding = json_bool(v, "IPv4Forwarding", false);
	r = str_array(json_get(v, "SecurityOptions"), &out->security_options, &out->n_security_options);
	if (r < 0) {
		snprintf(err, errlen, "/info: SecurityOptions: %s", strerror(-r));
		return r;
	}
	out->raw = v;
	return 0;
}

static uint16_t port_number(const char *s)
{
	char *end;
	if (!s || !*s)
		return 0;
	errno = 0;
	unsigned long n = strtoul(s, &end, 10);
	if (errno || *end || n > 65535)
		return 0;
	return (uint16_t)n;
}

/* "80/tcp" → 80, "tcp" */
static int port_key(const char *key, uint16_t *port, char proto[8])
{
	const char *slash = strchr(key, '/');
	char num[8];
	size_t n = slash ? (size_t)(slash - key) : strlen(key);
	if (n == 0 || n >= sizeof(num))
		return -EBADMSG;
	memcpy(num, key, n);
	num[n] = '\0';
	*port = port_number(num);
	snprintf(proto, 8, "%s", slash ? slash + 1 : "tcp");
	return *port ? 0 : -EBADMSG;
}

/* Both NetworkSettings.Ports and HostConfig.PortBindings map "port/proto" to
 * a list of {HostIp, HostPort}; a null list means exposed but not published. */
static int parse_port_map(yajl_val map, struct docker_port **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	size_t total = 0;
	for (size_t i = 0; i < json_object_len(map); i++)
		total += json_array_len(map->u.object.values[i]);
	if (!total)
		return 0;
	if (total > DOCKER_MAX_PORTS)
		return -E2BIG;
	struct docker_port *p = calloc(total, sizeof(*p));
	if (!p)
		return -ENOMEM;
	size_t k = 0;
	for (size_t i = 0; i < map->u.object.len; i++) {
		uint16_t port;
		char proto[8];
		if (port_key(map->u.object.keys[i], &port, proto) < 0)
			continue;
		yajl_val list = map->u.object.values[i];
		for (size_t j = 0; j < json_array_len(list); j++) {
			yajl_val b = list->u.array.values[j];
			p[k].private_port = port;
			memcpy(p[k].proto, proto, sizeof(proto));
			p[k].host_ip = S(b, "HostIp");
			p[k].host_port = port_number(json_str(b, "HostPort"));
			k++;
		}
	}
	*out = p;
	*n = k;
	return 0;
}

static int parse_mounts(yajl_val arr, struct docker_mount **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	size_t len = json_array_len(arr);
	if (!len)
		return 0;
	if (len > DOCKER_MAX_OBJECTS)
		return -E2BIG;
	struct docker_mount *m = calloc(len, sizeof(*m));
	if (!m)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++) {
		yajl_val e = arr->u.array.values[i];
		m[i].type = S(e, "Type");
		m[i].name = S(e, "Name");
		m[i].source = S(e, "Source");
		m[i].destination = S(e, "Destination");
		m[i].mode = S(e, "Mode");
		m[i].propagation = S(e, "Propagation");
		m[i].rw = json_bool(e, "RW", true);
	}
	*out = m;
	*n = len;
	return 0;
}

int docker_parse_container(yajl_val v, struct docker_container *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	int r = need_object(v, "/containers/{id}/json", err, errlen);
	if (r < 0)
		return r;
	out->id = S(v, "Id");
	if (!out->id[0]) {
		snprintf(err, errlen, "/containers/{id}/json: no Id");
		return -EBADMSG;
	}
	const char *name = S(v, "Name");
	out->name = name[0] == '/' ? name + 1 : name;
	out->image_ref = S(v, "Config.Image");
	out->image_id = S(v, "Image");
	out->state = S(v, "State.Status");
	out->created = S(v, "Created");
	out->started_at = S(v, "State.StartedAt");
	out->user = S(v, "Config.User");
	out->network_mode = S(v, "HostConfig.NetworkMode");
	out->restart_policy = S(v, "HostConfig.RestartPolicy.Name");
	out->restart_max_retries = json_int(v, "HostConfig.RestartPolicy.MaximumRetryCount", 0);
	out->pid = json_int(v, "State.Pid", 0);
	out->privileged = json_bool(v, "HostConfig.Privileged", false);
	bool running = json_bool(v, "State.Running", false);
	r = parse_port_map(json_get(v, running ? "NetworkSettings.Ports" : "HostConfig.PortBindings"),
			   &out->ports, &out->n_ports);
	if (r == 0)
		r = parse_mounts(json_get(v, "Mounts"), &out->mounts, &out->n_mounts);
	if (r < 0) {
		snprintf(err, errlen, "/containers/%.64s/json: %s", out->id, strerror(-r));
		free(out->ports);
		free(out->mounts);
		memset(out, 0, sizeof(*out));
		return r;
	}
	out->raw = v;
	return 0;
}

static int parse_id_list(yajl_val v, const char *what, const char ***ids, size_t *n, char *err, size_t errlen)
{
	*ids = NULL;
	*n = 0;
	if (!v || !YAJL_IS_ARRAY(v)) {
		snprintf(err, errlen, "%s: expected a JSON array", what);
		return -EBADMSG;
	}
	size_t len = v->u.array.len;
	if (!len)
		return 0;
	if (len > DOCKER_MAX_OBJECTS) {
		snprintf(err, errlen, "%s: more than %d objects", what, DOCKER_MAX_OBJECTS);
		return -E2BIG;
	}
	const char **out = calloc(len, sizeof(*out));
	if (!out)
		return -ENOMEM;
	size_t k = 0;
	for (size_t i = 0; i < len; i++) {
		const char *id = json_str(v->u.array.values[i], "Id");
		if (!id || !*id) {
			snprintf(err, errlen, "%s: element %zu has no Id", what, i);
			free(out);
			return -EBADMSG;
		}
		out[k++] = id;
	}
	*ids = out;
	*n = k;
	return 0;
}

int docker_parse_container_ids(yajl_val v, const char ***ids, size_t *n, char *err, size_t errlen)
{
	return parse_id_list(v, "/containers/json", ids, n, err, errlen);
}

int docker_parse_image_ids(yajl_val v, const char ***ids, size_t *n, char *err, size_t errlen)
{
	return parse_id_list(v, "/images/json", ids, n, err, errlen);
}

int docker_parse_image(yajl_val v, struct docker_image *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	int r = need_object(v, "/images/{id}/json", err, errlen);
	if (r < 0)
		return r;
	out->id = S(v, "Id");
	if (!out->id[0]) {
		snprintf(err, errlen, "/images/{id}/json: no Id");
		return -EBADMSG;
	}
	out->created = S(v, "Created");
	out->user = S(v, "Config.User");
	out->size = json_int(v, "Size", 0);
	/* HEALTHCHECK NONE is stored as Test ["NONE"]: it switches a check off */
	yajl_val test = json_get(v, "Config.Healthcheck.Test");
	const char *t0 = json_str(json_array_at(test, 0), NULL);
	out->has_healthcheck = t0 && strcmp(t0, "NONE") != 0;
	r = str_array(json_get(v, "RepoTags"), &out->repo_tags, &out->n_repo_tags);
	if (r < 0) {
		snprintf(err, errlen, "/images/%.64s/json: RepoTags: %s", out->id, strerror(-r));
		return r;
	}
	out->raw = v;
	return 0;
}

int docker_parse_network(yajl_val v, struct docker_network *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	int r = need_object(v, "/networks", err, errlen);
	if (r < 0)
		return r;
	out->id = S(v, "Id");
	out->name = S(v, "Name");
	out->driver = S(v, "Driver");
	out->scope = S(v, "Scope");
	out->internal = json_bool(v, "Internal", false);
	out->enable_ipv6 = json_bool(v, "EnableIPv6", false);
	out->raw = v;
	return 0;
}

int docker_parse_top(yajl_val v, struct docker_top *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	int r = need_object(v, "/containers/{id}/top", err, errlen);
	if (r < 0)
		return r;
	r = str_array(json_get(v, "Titles"), &out->titles, &out->n_titles);
	if (r < 0)
		goto fail;
	yajl_val procs = json_get(v, "Processes");
	size_t n = json_array_len(procs);
	if (n > DOCKER_MAX_OBJECTS) {
		r = -E2BIG;
		goto fail;
	}
	if (n) {
		out->rows = calloc(n, sizeof(*out->rows));
		if (!out->rows) {
			r = -ENOMEM;
			goto fail;
		}
	}
	for (size_t i = 0; i < n; i++) {
		/* every row gets n_titles cells, "" where the daemon sent fewer */
		const char **row = calloc(out->n_titles ? out->n_titles : 1, sizeof(*row));
		if (!row) {
			r = -ENOMEM;
			goto fail;
		}
		yajl_val src = procs->u.array.values[i];
		for (size_t j = 0; j < out->n_titles; j++) {
			const char *cell = json_str(json_array_at(src, j), NULL);
			row[j] = cell ? cell : "";
		}
		out->rows[out->n_rows++] = row;
	}
	out->raw = v;
	return 0;
fail:
	snprintf(err, errlen, "/containers/{id}/top: %s", strerror(-r));
	out->raw = NULL;
	docker_top_free(out);
	return r;
}

int docker_parse_event(yajl_val v, struct docker_event *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	int r = need_object(v, "/events", err, errlen);
	if (r < 0)
		return r;
	out->type = S(v, "Type");
	out->action = S(v, "Action");
	out->actor_id = S(v, "Actor.ID");
	yajl_val attrs = json_get(v, "Actor.Attributes");
	const char *name = json_str(json_get_key(attrs, "name"), NULL);
	const char *image = json_str(json_get_key(attrs, "image"), NULL);
	out->name = name ? name : "";
	out->image = image ? image : "";
	out->scope = S(v, "scope");
	out->time = json_int(v, "time", 0);
	out->time_nano = json_int(v, "timeNano", 0);
	if (!out->type[0] || !out->action[0]) {
		snprintf(err, errlen, "/events: event without Type or Action");
		return -EBADMSG;
	}
	out->raw = v;
	return 0;
}

void docker_version_free(struct docker_version *v)
{
	if (!v)
		return;
	yajl_tree_free(v->raw);
	memset(v, 0, sizeof(*v));
}

void docker_info_free(struct docker_info *v)
{
	if (!v)
		return;
	free(v->security_options);
	yajl_tree_free(v->raw);
	memset(v, 0, sizeof(*v));
}

void docker_container_free(struct docker_container *c)
{
	if (!c)
		return;
	free(c->ports);
	free(c->mounts);
	yajl_tree_free(c->raw);
	memset(c, 0, sizeof(*c));
}

void docker_image_free(struct docker_image *i)
{
	if (!i)
		return;
	free(i->repo_tags);
	yajl_tree_free(i->raw);
	yajl_tree_free(i->history);
	memset(i, 0, sizeof(*i));
}

void docker_network_free(struct docker_network *n)
{
	if (n)
		memset(n, 0, sizeof(*n));
}

void docker_top_free(struct docker_top *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n_rows; i++)
		free(t->rows[i]);
	free(t->rows);
	free(t->titles);
	yajl_tree_free(t->raw);
	memset(t, 0, sizeof(*t));
}

void docker_event_free(struct docker_event *e)
{
	if (!e)
		return;
	yajl_tree_free(e->raw);
	memset(e, 0, sizeof(*e));
}
