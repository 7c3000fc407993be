/* snapshot.c: one collection of the host's Docker facts that every later stage reads. */
#include "snapshot.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int collect_containers(struct docker_client *c, struct snapshot *s)
{
	yajl_val list = NULL;
	const char **ids = NULL;
	size_t n = 0;
	int r = docker_list_containers(c, &list, &ids, &n);
	if (r < 0)
		return r;
	if (n) {
		s->containers = calloc(n, sizeof(*s->containers));
		if (!s->containers) {
			r = -ENOMEM;
			goto out;
		}
	}
	for (size_t i = 0; i < n; i++) {
		r = docker_inspect_container(c, ids[i], &s->containers[s->n_containers]);
		if (r == -ENOENT) {
			/* removed between the list and the inspect: not part of this snapshot */
			s->vanished++;
			r = 0;
			continue;
		}
		if (r < 0)
			goto out;
		s->n_containers++;
	}
out:
	free(ids);
	yajl_tree_free(list);
	return r;
}

static int collect_images(struct docker_client *c, struct snapshot *s, bool history)
{
	yajl_val list = NULL;
	const char **ids = NULL;
	size_t n = 0;
	int r = docker_list_images(c, &list, &ids, &n);
	if (r < 0)
		return r;
	if (n) {
		s->images = calloc(n, sizeof(*s->images));
		if (!s->images) {
			r = -ENOMEM;
			goto out;
		}
	}
	for (size_t i = 0; i < n; i++) {
		struct docker_image *img = &s->images[s->n_images];
		r = docker_inspect_image(c, ids[i], img);
		if (r == 0 && history)
			r = docker_image_history(c, img);
		if (r == -ENOENT) {
			docker_image_free(img);
			s->vanished++;
			r = 0;
			continue;
		}
		if (r < 0) {
			docker_image_free(img);
			goto out;
		}
		s->n_images++;
	}
	s->have_images = true;
out:
	free(ids);
	yajl_tree_free(list);
	return r;
}

static int collect_tops(struct docker_client *c, struct snapshot *s)
{
	if (!s->n_containers)
		return 0;
	s->tops = calloc(s->n_containers, sizeof(*s->tops));
	if (!s->tops)
		return -ENOMEM;
	for (size_t i = 0; i < s->n_containers; i++) {
		const struct docker_container *ct = &s->containers[i];
		if (strcmp(ct->state, "running") != 0)
			continue;
		int r = docker_container_top(c, ct->id, &s->tops[i]);
		/* stopped since the inspect (409) or gone (404): no processes to list */
		if (r == -ENOENT || r == -EBUSY || r == -EIO)
			continue;
		if (r < 0)
			return r;
	}
	s->have_top = true;
	return 0;
}

int snapshot_collect(struct docker_client *c, const struct snapshot_request *req, struct snapshot *out)
{
	static const struct snapshot_request none;
	memset(out, 0, sizeof(*out));
	if (!req)
		req = &none;
	out->collected_at = time(NULL);
	int r = docker_get_version(c, &out->version);
	if (r == 0)
		r = docker_get_info(c, &out->info);
	if (r == 0)
		r = collect_containers(c, out);
	if (r == 0 && req->images)
		r = collect_images(c, out, req->image_history);
	if (r == 0 && req->networks) {
		r = docker_list_networks(c, &out->networks_raw, &out->networks, &out->n_networks);
		out->have_networks = r == 0;
	}
	if (r == 0 && req->top)
		r = collect_tops(c, out);
	if (r == 0) {
		out->docker_host = strdup(docker_client_host(c));
		out->api_version = strdup(docker_client_api_version(c));
		if (!out->docker_host || !out->api_version)
			r = -ENOMEM;
	}
	if (r < 0)
		snapshot_free(out);
	return r;
}

void snapshot_free(struct snapshot *s)
{
	if (!s)
		return;
	docker_version_free(&s->version);
	docker_info_free(&s->info);
	for (size_t i = 0; i < s->n_containers; i++) {
		docker_container_free(&s->containers[i]);
		if (s->tops)
			docker_top_free(&s->tops[i]);
	}
	free(s->containers);
	free(s->tops);
	for (size_t i = 0; i < s->n_images; i++)
		docker_image_free(&s->images[i]);
	free(s->images);
	free(s->networks);
	yajl_tree_free(s->networks_raw);
	free(s->docker_host);
	free(s->api_version);
	memset(s, 0, sizeof(*s));
}

void snapshot_count_states(const struct snapshot *s, size_t *running, size_t *stopped, size_t *created)
{
	*running = *stopped = *created = 0;
	for (size_t i = 0; i < s->n_containers; i++) {
		const char *st = s->containers[i].state;
		if (strcmp(st, "created") == 0)
			(*created)++;
		else if (!strcmp(st, "running") || !strcmp(st, "paused") || !strcmp(st, "restarting"))
			(*running)++;
		else
			(*stopped)++;
	}
}

const struct docker_image *snapshot_find_image(const struct snapshot *s, const char *id)
{
	for (size_t i = 0; i < s->n_images; i++)
		if (strcmp(s->images[i].id, id) == 0)
			return &s->images[i];
	return NULL;
}
