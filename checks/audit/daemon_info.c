/* daemon_info.c: the effective daemon options as far as the engine's API shows them (/info, the default bridge), over Docker's defaults. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/host_facts.h"
#include "buf.h"
#include "json.h"

/* Docker's built-in defaults, under their daemon.json names. */
static const char *const defaults[][2] = {
	{ "icc", "true" }, { "iptables", "true" }, { "ip-forward", "true" }, { "userland-proxy", "true" },
	{ "live-restore", "false" }, { "no-new-privileges", "false" }, { "log-level", "info" },
	{ "experimental", "false" }, { "debug", "false" }, { "userns-remap", "" },
	{ "authorization-plugins", "" }, { "insecure-registries", "" }, { "tls", "false" },
	{ "tlsverify", "false" }, { "hosts", "unix:///var/run/docker.sock" }, { "default-ulimits", "" },
	{ "cgroup-parent", "" }, { "seccomp-profile", "" }, { "selinux-enabled", "false" },
	{ "storage-opts", "" }, { "log-driver", "json-file" }, { "storage-driver", "" },
};

/* The value of a "name=seccomp,profile=default" style security option, "" if the option is there without it, NULL if absent. */
static const char *security_option(const struct docker_info *info, const char *name, const char *key,
				   char *out, size_t outlen)
{
	char want[64];
	snprintf(want, sizeof(want), "name=%s", name);
	for (size_t i = 0; i < info->n_security_options; i++) {
		const char *o = info->security_options[i];
		size_t n = strlen(want);
		if (strncmp(o, want, n) != 0 || (o[n] && o[n] != ','))
			continue;
		out[0] = '\0';
		if (!key)
			return out;
		char kv[64];
		snprintf(kv, sizeof(kv), ",%s=", key);
		const char *p = strstr(o, kv);
		if (p)
			snprintf(out, outlen, "%.*s", (int)strcspn(p + strlen(kv), ","), p + strlen(kv));
		return out;
	}
	return NULL;
}

static int join_strings(yajl_val arr, const char *skip, struct buf *b)
{
	for (size_t i = 0; i < json_array_len(arr); i++) {
		const char *s = json_str(json_array_at(arr, i), "");
		if (!s || (skip && strstr(skip, s)))
			continue;
		int r = buf_printf(b, "%s%s", b->len ? "," : "", s);
		if (r < 0)
			return r;
	}
	return 0;
}

static int set_info(struct daemon_options *d, const char *name, const char *value)
{
	return daemon_options_set(d, name, value, DOPT_INFO, "/info");
}

static int collect_daemon_info(struct host_facts *f, const struct snapshot *s)
{
	struct daemon_options *d = &f->daemon;
	const struct docker_info *info = &s->info;
	char v[256];
	int r = 0;
	struct buf b;
	buf_init(&b, 1 << 20);
	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]) && r == 0; i++)
		r = daemon_options_set(d, defaults[i][0], defaults[i][1], DOPT_DEFAULT, "default");
	if (r == 0)
		r = set_info(d, "live-restore", info->live_restore ? "true" : "false");
	if (r == 0)
		r = set_info(d, "debug", info->debug ? "true" : "false");
	if (r == 0)
		r = set_info(d, "experimental", info->experimental ? "true" : "false");
	if (r == 0 && info->driver[0])
		r = set_info(d, "storage-driver", info->driver);
	if (r == 0 && info->logging_driver[0])
		r = set_info(d, "log-driver", info->logging_driver);
	if (r == 0 && info->docker_root_dir[0])
		r = set_info(d, "data-root", info->docker_root_dir);
	if (r == 0 && info->cgroup_driver[0])
		r = set_info(d, "cgroup-driver", info->cgroup_driver);
	if (r == 0 && info->default_runtime[0])
		r = set_info(d, "default-runtime", info->default_runtime);
	if (r == 0)
		r = set_info(d, "userns-remap", security_option(info, "userns", NULL, v, sizeof(v)) ? "enabled" : "");
	if (r == 0)
		r = set_info(d, "selinux-enabled", security_option(info, "selinux", NULL, v, sizeof(v)) ? "true" : "false");
	if (r == 0)
		r = set_info(d, "rootless", security_option(info, "rootless", NULL, v, sizeof(v)) ? "true" : "false");
	if (r == 0 && security_option(info, "seccomp", "profile", v, sizeof(v)))
		r = set_info(d, "seccomp-profile", strcmp(v, "default") == 0 || strcmp(v, "builtin") == 0 ? "" : v);
	if (r == 0 && (r = join_strings(json_get(info->raw, "Plugins.Authorization"), NULL, &b)) == 0)
		r = set_info(d, "authorization-plugins", b.data ? b.data : "");
	buf_reset(&b);
	/* 127.0.0.0/8 and ::1/128 are insecure by default, whatever the configuration */
	if (r == 0)
		r = join_strings(json_get(info->raw, "RegistryConfig.InsecureRegistryCIDRs"), "127.0.0.0/8 ::1/128", &b);
	yajl_val idx = json_get(info->raw, "RegistryConfig.IndexConfigs");
	for (size_t i = 0; r == 0 && idx && YAJL_IS_OBJECT(idx) && i < idx->u.object.len; i++)
		if (!json_bool(idx->u.object.values[i], "Secure", true))
			r = buf_printf(&b, "%s%s", b.len ? "," : "", idx->u.object.keys[i]);
	if (r == 0)
		r = set_info(d, "insecure-registries", b.data ? b.data : "");
	/* the default bridge network carries icc and the default binding address */
	for (size_t i = 0; r == 0 && i < s->n_networks; i++) {
		const struct docker_network *n = &s->networks[i];
		if (strcmp(n->name, "bridge") != 0 || strcmp(n->driver, "bridge") != 0)
			continue;
		yajl_val opts = json_get(n->raw, "Options");
		const char *icc = json_str(opts ? json_get_key(opts, "com.docker.network.bridge.enable_icc") : NULL, "");
		const char *ip = json_str(opts ? json_get_key(opts, "com.docker.network.bridge.host_binding_ipv4") : NULL, "");
		if (icc)
			r = daemon_options_set(d, "icc", icc, DOPT_INFO, "default bridge network");
		if (r == 0 && ip)
			r = daemon_options_set(d, "ip", ip, DOPT_INFO, "default bridge network");
	}
	if (r == 0) {
		d->info.state = FACT_OK;
		if (d->process_config.state == FACT_NOT_COLLECTED)
			snprintf(d->process_config.reason, sizeof(d->process_config.reason),
				 "the running dockerd's command line and daemon.json were not read");
	}
	buf_free(&b);
	return r;
}

static bool wanted_daemon(const struct host_facts_request *req)
{
	return req->daemon;
}

const struct host_collector host_collector_daemon_info = {
	.name = "daemon-info",
	.wanted = wanted_daemon,
	.collect = collect_daemon_info,
};
