/* snapshot.c: one collection of the host's Docker facts that every later stage reads. */
#include "snapshot.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docker/batch.h"

/* The engine answers slowly per request (/version and /info run helper
 * binaries), so requests go out DOCKER_FETCH_WIDTH at a time (docker/batch.h)
 * and are mapped afterwards, in order, as if they had been made one by one. */

/* Takes a fetched answer through a mapping; on failure the client says why. */
#define MAP(c, it, parse, out)                                                  \
	({                                                                      \
		char e_[512];                                                   \
		int r_ = (it)->rc;                                              \
		if (r_ < 0)                                                     \
			docker_fetch_adopt_error((c), (it));                    \
		else if ((r_ = parse((it)->v, (out), e_, sizeof(e_))) < 0)      \
			docker_client_set_error((c), e_);                       \
		else                                                            \
			(it)->v = NULL;                                         \
		r_;                                                             \
	})

/* What the lists name: every container, every image (and its history). */
struct lists {
	struct docker_fetch items[4];   /* /version, /info, /containers/json, /images/json */
	const char **cids, **iids;
	size_t n_cids, n_iids;
};

static int parse_ids(struct docker_client *c, struct docker_fetch *it,
		     int (*parse)(yajl_val, const char ***, size_t *, char *, size_t), const char ***ids, size_t *n)
{
	char e[512];
	if (it->rc < 0) {
		docker_fetch_adopt_error(c, it);
		return it->rc;
	}
	int r = parse(it->v, ids, n, e, sizeof(e));
	if (r < 0)
		docker_client_set_error(c, e);
	return r;
}

static int collect_lists(struct docker_client *c, const struct snapshot_request *req, struct snapshot *s,
			 struct lists *l)
{
	static const char *const paths[] = { "/version", "/info", "/containers/json?all=1", "/images/json" };
	size_t n = req->images ? 4 : 3;
	for (size_t i = 0; i < n; i++)
		if (!(l->items[i].path = strdup(paths[i])))
			return -ENOMEM;
	int r = docker_fetch_many(c, l->items, n);
	if (r == 0)
		r = MAP(c, &l->items[0], docker_parse_version, &s->version);
	if (r == 0)
		r = MAP(c, &l->items[1], docker_parse_info, &s->info);
	if (r == 0)
		r = parse_ids(c, &l->items[2], docker_parse_container_ids, &l->cids, &l->n_cids);
	if (r == 0 && req->images)
		r = parse_ids(c, &l->items[3], docker_parse_image_ids, &l->iids, &l->n_iids);
	return r;
}

static int map_containers(struct docker_client *c, struct snapshot *s, struct docker_fetch *items, size_t n)
{
	if (n && !(s->containers = calloc(n, sizeof(*s->containers))))
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		/* removed between the list and the inspect: not part of this snapshot */
		if (items[i].rc == -ENOENT) {
			s->vanished++;
			continue;
		}
		int r = MAP(c, &items[i], docker_parse_container, &s->containers[s->n_containers]);
		if (r < 0)
			return r;
		s->n_containers++;
	}
	return 0;
}

static int take_history(struct docker_client *c, struct docker_fetch *it, struct docker_image *img)
{
	if (it->rc < 0) {
		docker_fetch_adopt_error(c, it);
		return it->rc;
	}
	if (!YAJL_IS_ARRAY(it->v)) {
		char e[512];
		snprintf(e, sizeof(e), "Docker API %.400s: expected a JSON array", it->path);
		docker_client_set_error(c, e);
		return -EBADMSG;
	}
	img->history = it->v;
	it->v = NULL;
	return 0;
}

/* items: the inspect of each image, each followed by its history when asked for. */
static int map_images(struct docker_client *c, struct snapshot *s, struct docker_fetch *items, size_t n,
		      bool history)
{
	size_t step = history ? 2 : 1;
	if (n && !(s->images = calloc(n / step, sizeof(*s->images))))
		return -ENOMEM;
	for (size_t i = 0; i < n; i += step) {
		struct docker_image *img = &s->images[s->n_images];
		int r = MAP(c, &items[i], docker_parse_image, img);
		if (r == 0 && history)
			r = take_history(c, &items[i + 1], img);
		if (r == -ENOENT) {
			docker_image_free(img);
			s->vanished++;
			continue;
		}
		if (r < 0) {
			docker_image_free(img);
			return r;
		}
		s->n_images++;
	}
	s->have_images = true;
	return 0;
}

/* Every container inspect and image inspect (and history) in one batch. */
static int collect_objects(struct docker_client *c, const struct snapshot_request *req, struct snapshot *s,
			   const struct lists *l)
{
	bool history = req->images && req->image_history;
	size_t n_img = l->n_iids * (history ? 2 : 1), n = l->n_cids + n_img;
	struct docker_fetch *items = n ? calloc(n, sizeof(*items)) : NULL;
	int r = n && !items ? -ENOMEM : 0;
	for (size_t i = 0; r == 0 && i < l->n_cids; i++)
		r = docker_fetch_set_object(&items[i], "/containers/", l->cids[i], "/json");
	for (size_t i = 0; r == 0 && i < l->n_iids; i++) {
		struct docker_fetch *it = &items[l->n_cids + i * (history ? 2 : 1)];
		r = docker_fetch_set_object(it, "/images/", l->iids[i], "/json");
		if (r == 0 && history)
			r = docker_fetch_set_object(it + 1, "/images/", l->iids[i], "/history");
	}
	if (r < 0)
		docker_client_set_error(c, r == -ENOMEM ? "out of memory" : "Docker API: object name too long");
	if (r == 0)
		r = docker_fetch_many(c, items, n);
	if (r == 0)
		r = map_containers(c, s, items, l->n_cids);
	if (r == 0 && req->images)
		r = map_images(c, s, items + l->n_cids, n_img, history);
	docker_fetch_free(items, n);
	free(items);
	return r;
}

int snapshot_collect_tops(struct docker_client *c, struct snapshot *s, const bool *want)
{
	if (!s->n_containers)
		return 0;
	s->tops = calloc(s->n_containers, sizeof(*s->tops));
	struct docker_fetch *items = calloc(s->n_containers, sizeof(*items));
	size_t *which = calloc(s->n_containers, sizeof(*which));
	size_t n = 0;
	int r = s->tops && items && which ? 0 : -ENOMEM;
	for (size_t i = 0; r == 0 && i < s->n_containers; i++) {
		if (strcmp(s->containers[i].state, "running") != 0 || (want && !want[i]))
			continue;
		which[n] = i;
		r = docker_fetch_set_object(&items[n++], "/containers/", s->containers[i].id, "/top");
	}
	if (r == 0)
		r = docker_fetch_many(c, items, n);
	for (size_t k = 0; r == 0 && k < n; k++) {
		/* stopped since the inspect (409) or gone (404): no processes to list */
		if (items[k].rc == -ENOENT || items[k].rc == -EBUSY || items[k].rc == -EIO)
			continue;
		r = MAP(c, &items[k], docker_parse_top, &s->tops[which[k]]);
	}
	if (r == 0)
		s->have_top = true;
	docker_fetch_free(items, n);
	free(items);
	free(which);
	return r;
}

/* The exec instances each container's inspect names (ExecIDs), up to SNAPSHOT_MAX_EXECS each. */
static int collect_execs(struct docker_client *c, struct snapshot *s)
{
	size_t n = 0;
	for (size_t i = 0; i < s->n_containers; i++) {
		yajl_val ids = yajl_tree_get(s->containers[i].raw, (const char *[]){ "ExecIDs", NULL }, yajl_t_array);
		size_t k = ids ? ids->u.array.len : 0;
		n += k < SNAPSHOT_MAX_EXECS ? k : SNAPSHOT_MAX_EXECS;
		s->execs_skipped += k > SNAPSHOT_MAX_EXECS ? k - SNAPSHOT_MAX_EXECS : 0;
	}
	struct docker_fetch *items = n ? calloc(n, sizeof(*items)) : NULL;
	size_t *owner = n ? calloc(n, sizeof(*owner)) : NULL;
	s->execs = n ? calloc(n, sizeof(*s->execs)) : NULL;
	int r = n && (!items || !owner || !s->execs) ? -ENOMEM : 0;
	size_t m = 0;
	for (size_t i = 0; r == 0 && i < s->n_containers; i++) {
		yajl_val ids = yajl_tree_get(s->containers[i].raw, (const char *[]){ "ExecIDs", NULL }, yajl_t_array);
		for (size_t k = 0; ids && r == 0 && k < ids->u.array.len && k < SNAPSHOT_MAX_EXECS; k++) {
			const char *id = YAJL_GET_STRING(ids->u.array.values[k]);
			if (!id)
				continue;
			owner[m] = i;
			r = docker_fetch_set_object(&items[m++], "/exec/", id, "/json");
		}
	}
	if (r == 0)
		r = docker_fetch_many(c, items, m);
	for (size_t k = 0; r == 0 && k < m; k++) {
		/* ended since the container's inspect: the engine forgets an exec when it exits */
		if (items[k].rc == -ENOENT)
			continue;
		if (items[k].rc < 0) {
			docker_fetch_adopt_error(c, &items[k]);
			r = items[k].rc;
			break;
		}
		s->execs[s->n_execs++] = (struct snapshot_exec){ .container = owner[k], .raw = items[k].v };
		items[k].v = NULL;
	}
	if (r == 0)
		s->have_execs = true;
	docker_fetch_free(items, m);
	free(items);
	free(owner);
	return r;
}

int snapshot_collect(struct docker_client *c, const struct snapshot_request *req, struct snapshot *out)
{
	static const struct snapshot_request none;
	struct lists l = { 0 };
	memset(out, 0, sizeof(*out));
	if (!req)
		req = &none;
	out->collected_at = time(NULL);
	int r = collect_lists(c, req, out, &l);
	if (r == 0)
		r = collect_objects(c, req, out, &l);
	/* the ids were borrowed from the list answers */
	free(l.cids);
	free(l.iids);
	docker_fetch_free(l.items, 4);
	if (r == 0 && req->networks) {
		r = docker_list_networks(c, &out->networks_raw, &out->networks, &out->n_networks);
		out->have_networks = r == 0;
	}
	if (r == 0 && req->top)
		r = snapshot_collect_tops(c, out, NULL);
	if (r == 0 && req->execs)
		r = collect_execs(c, out);
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
	for (size_t i = 0; i < s->n_execs; i++)
		yajl_tree_free(s->execs[i].raw);
	free(s->execs);
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
