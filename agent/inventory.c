/* inventory.c: the host's Docker facts and containers, rendered from a snapshot. */
#include "inventory.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "report/table.h"
#include "report/term.h"
#include "timefmt.h"

void format_port(const struct docker_port *p, char *out, size_t outlen)
{
	bool v6 = strchr(p->host_ip, ':') != NULL;
	if (p->host_port || p->host_ip[0])
		snprintf(out, outlen, "%s%s%s:%u->%u/%s", v6 ? "[" : "", p->host_ip[0] ? p->host_ip : "*",
			 v6 ? "]" : "", p->host_port, p->private_port, p->proto);
	else
		snprintf(out, outlen, "*:any->%u/%s", p->private_port, p->proto);
}

void inventory_host_json(struct jsonw *w, const struct snapshot *s)
{
	size_t running, stopped, created;
	snapshot_count_states(s, &running, &stopped, &created);
	jsonw_obj_begin(w);
	jsonw_kstr(w, "hostname", s->info.name);
	jsonw_kstr(w, "docker_host", s->docker_host);
	jsonw_kstr(w, "engine_version", s->version.version);
	jsonw_kstr(w, "engine_api_version", s->version.api_version);
	jsonw_kstr(w, "engine_min_api_version", s->version.min_api_version);
	jsonw_kstr(w, "api_version", s->api_version);
	jsonw_kstr(w, "operating_system", s->info.operating_system);
	jsonw_kstr(w, "os_type", s->info.os_type);
	jsonw_kstr(w, "kernel_version", s->info.kernel_version);
	jsonw_kstr(w, "architecture", s->info.architecture);
	jsonw_kstr(w, "storage_driver", s->info.driver);
	jsonw_kstr(w, "docker_root_dir", s->info.docker_root_dir);
	jsonw_kstr(w, "logging_driver", s->info.logging_driver);
	jsonw_kstr(w, "cgroup_version", s->info.cgroup_version);
	jsonw_kstr(w, "cgroup_driver", s->info.cgroup_driver);
	jsonw_kstr(w, "default_runtime", s->info.default_runtime);
	jsonw_kstr(w, "swarm", s->info.swarm_state);
	jsonw_kbool(w, "live_restore", s->info.live_restore);
	jsonw_str(w, "security_options");
	jsonw_arr_begin(w);
	for (size_t i = 0; i < s->info.n_security_options; i++)
		jsonw_str(w, s->info.security_options[i]);
	jsonw_arr_end(w);
	jsonw_kint(w, "images", s->info.images);
	jsonw_str(w, "containers");
	jsonw_obj_begin(w);
	jsonw_kint(w, "total", (int64_t)s->n_containers);
	jsonw_kint(w, "running", (int64_t)running);
	jsonw_kint(w, "stopped", (int64_t)stopped);
	jsonw_kint(w, "created", (int64_t)created);
	jsonw_obj_end(w);
	jsonw_obj_end(w);
}

static void processes_json(struct jsonw *w, const struct docker_top *t);

static void container_json(struct jsonw *w, const struct docker_container *c, const struct docker_top *top)
{
	jsonw_obj_begin(w);
	jsonw_kstr(w, "id", c->id);
	jsonw_kstr(w, "name", c->name);
	jsonw_kstr(w, "image", c->image_ref);
	jsonw_kstr(w, "image_id", c->image_id);
	jsonw_kstr(w, "state", c->state);
	jsonw_kstr(w, "created", c->created);
	jsonw_kstr(w, "user", c->user);
	jsonw_kbool(w, "privileged", c->privileged);
	jsonw_kstr(w, "network_mode", c->network_mode);
	jsonw_kstr(w, "restart_policy", c->restart_policy);
	jsonw_kint(w, "pid", c->pid);
	jsonw_str(w, "ports");
	jsonw_arr_begin(w);
	for (size_t i = 0; i < c->n_ports; i++) {
		const struct docker_port *p = &c->ports[i];
		jsonw_obj_begin(w);
		jsonw_kint(w, "container_port", p->private_port);
		jsonw_kstr(w, "protocol", p->proto);
		jsonw_kstr(w, "host_ip", p->host_ip);
		jsonw_kint(w, "host_port", p->host_port);
		jsonw_obj_end(w);
	}
	jsonw_arr_end(w);
	jsonw_str(w, "mounts");
	jsonw_arr_begin(w);
	for (size_t i = 0; i < c->n_mounts; i++) {
		const struct docker_mount *m = &c->mounts[i];
		jsonw_obj_begin(w);
		jsonw_kstr(w, "type", m->type);
		jsonw_kstr(w, "name", m->name);
		jsonw_kstr(w, "source", m->source);
		jsonw_kstr(w, "destination", m->destination);
		jsonw_kbool(w, "rw", m->rw);
		jsonw_kstr(w, "mode", m->mode);
		jsonw_kstr(w, "propagation", m->propagation);
		jsonw_obj_end(w);
	}
	jsonw_arr_end(w);
	if (top && strcmp(c->state, "running") == 0)
		processes_json(w, top);
	jsonw_obj_end(w);
}

static void image_json(struct jsonw *w, const struct docker_image *img)
{
	jsonw_obj_begin(w);
	jsonw_kstr(w, "id", img->id);
	jsonw_str(w, "tags");
	jsonw_arr_begin(w);
	for (size_t i = 0; i < img->n_repo_tags; i++)
		jsonw_str(w, img->repo_tags[i]);
	jsonw_arr_end(w);
	jsonw_kstr(w, "created", img->created);
	jsonw_kint(w, "size", img->size);
	jsonw_kstr(w, "user", img->user);
	jsonw_kbool(w, "healthcheck", img->has_healthcheck);
	if (img->history) {
		jsonw_str(w, "history");
		jsonw_arr_begin(w);
		for (size_t i = 0; i < json_array_len(img->history); i++) {
			yajl_val h = json_array_at(img->history, i);
			jsonw_obj_begin(w);
			jsonw_kint(w, "created", json_int(h, "Created", 0));
			jsonw_kstr(w, "created_by", json_str(h, "CreatedBy"));
			jsonw_kint(w, "size", json_int(h, "Size", 0));
			jsonw_obj_end(w);
		}
		jsonw_arr_end(w);
	}
	jsonw_obj_end(w);
}

static void processes_json(struct jsonw *w, const struct docker_top *t)
{
	jsonw_str(w, "processes");
	jsonw_arr_begin(w);
	for (size_t i = 0; i < t->n_rows; i++) {
		jsonw_obj_begin(w);
		for (size_t j = 0; j < t->n_titles; j++)
			jsonw_kstr(w, t->titles[j], t->rows[i][j]);
		jsonw_obj_end(w);
	}
	jsonw_arr_end(w);
}

int inventory_write_json(const struct snapshot *s, FILE *out)
{
	struct jsonw w;
	char when[32];
	format_utc(s->collected_at, when, sizeof(when));
	int r = jsonw_init(&w, true);
	if (r < 0)
		return r;
	jsonw_obj_begin(&w);
	jsonw_kint(&w, "schema_version", INVENTORY_SCHEMA_VERSION);
	jsonw_kstr(&w, "dockward_version", DOCKWARD_VERSION);
	jsonw_kstr(&w, "collected_at", when);
	jsonw_str(&w, "host");
	inventory_host_json(&w, s);
	jsonw_str(&w, "containers");
	jsonw_arr_begin(&w);
	for (size_t i = 0; i < s->n_containers; i++)
		container_json(&w, &s->containers[i], s->have_top ? &s->tops[i] : NULL);
	jsonw_arr_end(&w);
	if (s->have_images) {
		jsonw_str(&w, "images");
		jsonw_arr_begin(&w);
		for (size_t i = 0; i < s->n_images; i++)
			image_json(&w, &s->images[i]);
		jsonw_arr_end(&w);
	}
	if (s->have_networks) {
		jsonw_str(&w, "networks");
		jsonw_arr_begin(&w);
		for (size_t i = 0; i < s->n_networks; i++) {
			const struct docker_network *n = &s->networks[i];
			jsonw_obj_begin(&w);
			jsonw_kstr(&w, "id", n->id);
			jsonw_kstr(&w, "name", n->name);
			jsonw_kstr(&w, "driver", n->driver);
			jsonw_kstr(&w, "scope", n->scope);
			jsonw_kbool(&w, "internal", n->internal);
			jsonw_kbool(&w, "ipv6", n->enable_ipv6);
			jsonw_obj_end(&w);
		}
		jsonw_arr_end(&w);
	}
	jsonw_obj_end(&w);
	r = jsonw_write(&w, out);
	jsonw_free(&w);
	return r;
}

static int join_ports(const struct docker_container *c, struct buf *b)
{
	char one[128];
	for (size_t i = 0; i < c->n_ports; i++) {
		format_port(&c->ports[i], one, sizeof(one));
		if (buf_printf(b, "%s%s", i ? "," : "", one) < 0)
			return -EFBIG;
	}
	return 0;
}

static int join_mounts(const struct docker_container *c, struct buf *b)
{
	for (size_t i = 0; i < c->n_mounts; i++) {
		const struct docker_mount *m = &c->mounts[i];
		const char *src = strcmp(m->type, "volume") == 0 && m->name[0] ? m->name : m->source;
		if (buf_printf(b, "%s%s:%s%s", i ? "," : "", src, m->destination, m->rw ? "" : ":ro") < 0)
			return -EFBIG;
	}
	return 0;
}

int inventory_write_text(const struct snapshot *s, FILE *out, bool color)
{
	size_t running, stopped, created;
	snapshot_count_states(s, &running, &stopped, &created);
	struct buf sec;
	buf_init(&sec, 4096);
	for (size_t i = 0; i < s->info.n_security_options; i++)
		buf_printf(&sec, "%s%s", i ? ", " : "", s->info.security_options[i]);
	char line[2048];
	const char *facts[][2] = {
		{ "Docker host", s->docker_host },
		{ "Engine", s->version.version },
		{ "API", NULL },
		{ "OS", s->info.operating_system },
		{ "Kernel", s->info.kernel_version },
		{ "Storage", NULL },
		{ "Cgroups", NULL },
		{ "Security", sec.len ? sec.data : "none" },
		{ "Images", NULL },
		{ "Containers", NULL },
	};
	char api[64], storage[1024], cg[64], images[32], counts[128];
	snprintf(api, sizeof(api), "%s (engine speaks %s)", s->api_version, s->version.api_version);
	snprintf(storage, sizeof(storage), "%s, root %s", s->info.driver, s->info.docker_root_dir);
	snprintf(cg, sizeof(cg), "v%s, driver %s", s->info.cgroup_version, s->info.cgroup_driver);
	snprintf(images, sizeof(images), "%lld", (long long)s->info.images);
	snprintf(counts, sizeof(counts), "%zu (%zu running, %zu stopped, %zu created)", s->n_containers,
		 running, stopped, created);
	facts[2][1] = api;
	facts[5][1] = storage;
	facts[6][1] = cg;
	facts[8][1] = images;
	facts[9][1] = counts;
	for (size_t i = 0; i < sizeof(facts) / sizeof(facts[0]); i++) {
		term_sanitize(facts[i][1], line, sizeof(line));
		fprintf(out, "%s%-12s%s %s\n", color ? TERM_BOLD : "", facts[i][0], color ? TERM_RESET : "", line);
	}
	buf_free(&sec);
	if (!s->n_containers) {
		fputs("\nNo containers.\n", out);
		return ferror(out) ? -EIO : 0;
	}
	fputc('\n', out);
	static const char *const headers[] = { "ID", "NAME", "IMAGE", "STATE", "CREATED", "USER",
					       "PRIVILEGED", "NETWORK", "PORTS", "MOUNTS" };
	struct table *t = table_new(10, headers);
	if (!t)
		return -ENOMEM;
	int r = 0;
	for (size_t i = 0; i < s->n_containers && r == 0; i++) {
		const struct docker_container *c = &s->containers[i];
		char id[13], created_at[20];
		struct buf ports, mounts;
		buf_init(&ports, 8192);
		buf_init(&mounts, 8192);
		snprintf(id, sizeof(id), "%s", c->id);
		/* "2026-11-23T09:17:34.86Z" → "2026-11-23 09:17:34" */
		snprintf(created_at, sizeof(created_at), "%s", c->created);
		if (strlen(created_at) > 10)
			created_at[10] = ' ';
		join_ports(c, &ports);
		join_mounts(c, &mounts);
		const char *cells[] = {
			id, c->name, c->image_ref, c->state, created_at, c->user[0] ? c->user : "-",
			c->privileged ? "yes" : "no", c->network_mode, ports.len ? ports.data : "-",
			mounts.len ? mounts.data : "-",
		};
		r = table_add_row(t, cells);
		buf_free(&ports);
		buf_free(&mounts);
	}
	if (r == 0)
		table_print(t, out, color);
	table_free(t);
	return r < 0 ? r : (ferror(out) ? -EIO : 0);
}
