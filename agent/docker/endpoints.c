/* endpoints.c: one function per Docker Engine API endpoint dockward reads. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docker/client_internal.h"

int docker_escape_segment(const char *in, char *out, size_t outlen)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t k = 0;
	for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
		/* '/' and ':' stay: image references such as "repo/name:tag" are paths to the engine */
		bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
			     strchr("-._~:/@", *p);
		if (k + (plain ? 1 : 3) >= outlen)
			return -ENAMETOOLONG;
		if (plain) {
			out[k++] = (char)*p;
		} else {
			out[k++] = '%';
			out[k++] = hex[*p >> 4];
			out[k++] = hex[*p & 15];
		}
	}
	if (k >= outlen)
		return -ENAMETOOLONG;
	out[k] = '\0';
	return 0;
}

/* GET, then map with parse(); on a mapping error the tree is freed and the reason kept. */
#define GET_AND_PARSE(c, path, parse, out)                                              \
	({                                                                              \
		yajl_val v_;                                                            \
		int r_ = docker_get_json((c), (path), &v_);                             \
		if (r_ == 0) {                                                          \
			r_ = parse(v_, (out), (c)->err, sizeof((c)->err));              \
			if (r_ < 0)                                                     \
				yajl_tree_free(v_);                                     \
		}                                                                       \
		r_;                                                                     \
	})

static int object_path(struct docker_client *c, char *path, size_t len, const char *fmt_prefix,
			const char *id, const char *suffix)
{
	char seg[1024];
	if (docker_escape_segment(id, seg, sizeof(seg)) < 0 ||
	    (size_t)snprintf(path, len, "%s%s%s", fmt_prefix, seg, suffix) >= len) {
		snprintf(c->err, sizeof(c->err), "Docker API %s: name too long", fmt_prefix);
		return -ENAMETOOLONG;
	}
	return 0;
}

int docker_get_version(struct docker_client *c, struct docker_version *out)
{
	return GET_AND_PARSE(c, "/version", docker_parse_version, out);
}

int docker_get_info(struct docker_client *c, struct docker_info *out)
{
	return GET_AND_PARSE(c, "/info", docker_parse_info, out);
}

static int list_ids(struct docker_client *c, const char *path,
		    int (*parse)(yajl_val, const char ***, size_t *, char *, size_t),
		    yajl_val *list, const char ***ids, size_t *n)
{
	*ids = NULL;
	*n = 0;
	int r = docker_get_json(c, path, list);
	if (r < 0)
		return r;
	r = parse(*list, ids, n, c->err, sizeof(c->err));
	if (r < 0) {
		yajl_tree_free(*list);
		*list = NULL;
	}
	return r;
}

int docker_list_containers(struct docker_client *c, yajl_val *list, const char ***ids, size_t *n)
{
	return list_ids(c, "/containers/json?all=1", docker_parse_container_ids, list, ids, n);
}

int docker_list_images(struct docker_client *c, yajl_val *list, const char ***ids, size_t *n)
{
	return list_ids(c, "/images/json", docker_parse_image_ids, list, ids, n);
}

int docker_inspect_container(struct docker_client *c, const char *id, struct docker_container *out)
{
	char path[1200];
	int r = object_path(c, path, sizeof(path), "/containers/", id, "/json");
	return r < 0 ? r : GET_AND_PARSE(c, path, docker_parse_container, out);
}

int docker_container_top(struct docker_client *c, const char *id, struct docker_top *out)
{
	char path[1200];
	int r = object_path(c, path, sizeof(path), "/containers/", id, "/top");
	return r < 0 ? r : GET_AND_PARSE(c, path, docker_parse_top, out);
}

int docker_inspect_image(struct docker_client *c, const char *id, struct docker_image *out)
{
	char path[1200];
	int r = object_path(c, path, sizeof(path), "/images/", id, "/json");
	return r < 0 ? r : GET_AND_PARSE(c, path, docker_parse_image, out);
}

int docker_image_history(struct docker_client *c, struct docker_image *img)
{
	char path[1200];
	int r = object_path(c, path, sizeof(path), "/images/", img->id, "/history");
	if (r < 0)
		return r;
	yajl_val v;
	r = docker_get_json(c, path, &v);
	if (r < 0)
		return r;
	if (!YAJL_IS_ARRAY(v)) {
		snprintf(c->err, sizeof(c->err), "Docker API %.400s: expected a JSON array", path);
		yajl_tree_free(v);
		return -EBADMSG;
	}
	yajl_tree_free(img->history);
	img->history = v;
	return 0;
}

int docker_list_networks(struct docker_client *c, yajl_val *list, struct docker_network **nets, size_t *n)
{
	*nets = NULL;
	*n = 0;
	int r = docker_get_json(c, "/networks", list);
	if (r < 0)
		return r;
	if (!YAJL_IS_ARRAY(*list)) {
		snprintf(c->err, sizeof(c->err), "Docker API /networks: expected a JSON array");
		r = -EBADMSG;
		goto fail;
	}
	size_t len = (*list)->u.array.len;
	if (len > DOCKER_MAX_OBJECTS) {
		snprintf(c->err, sizeof(c->err), "Docker API /networks: more than %d networks", DOCKER_MAX_OBJECTS);
		r = -E2BIG;
		goto fail;
	}
	if (!len)
		return 0;
	*nets = calloc(len, sizeof(**nets));
	if (!*nets) {
		r = -ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < len; i++) {
		r = docker_parse_network((*list)->u.array.values[i], &(*nets)[i], c->err, sizeof(c->err));
		if (r < 0)
			goto fail;
	}
	*n = len;
	return 0;
fail:
	free(*nets);
	*nets = NULL;
	yajl_tree_free(*list);
	*list = NULL;
	return r;
}
