/* batch.c: many GETs to the engine at once over a few kept-alive connections, so its answers overlap. */
#include "docker/batch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docker/client_internal.h"
#include "json.h"

struct slot {
	CURL *h;
	struct docker_request rq;
	struct docker_fetch *it;        /* NULL when idle */
	char url[2048];
};

int docker_fetch_set_object(struct docker_fetch *it, const char *prefix, const char *id, const char *suffix)
{
	char seg[1024];
	int r = docker_escape_segment(id, seg, sizeof(seg));
	if (r < 0)
		return r;
	if (asprintf(&it->path, "%s%s%s", prefix, seg, suffix) < 0) {
		it->path = NULL;
		return -ENOMEM;
	}
	return 0;
}

static void item_failed(struct docker_client *c, struct docker_fetch *it, int rc)
{
	it->rc = rc;
	it->err = strdup(c->err);
	if (!it->err)
		it->rc = -ENOMEM;
}

static int slot_start(struct docker_client *c, CURLM *m, struct slot *s, struct docker_fetch *it)
{
	int n = snprintf(s->url, sizeof(s->url), "%s/v%s%s", c->base_url, c->api_version, it->path);
	if (n < 0 || (size_t)n >= sizeof(s->url)) {
		snprintf(c->err, sizeof(c->err), "Docker API %.400s: path too long", it->path);
		item_failed(c, it, -ENAMETOOLONG);
		return 0;
	}
	memset(&s->rq, 0, sizeof(s->rq));
	buf_init(&s->rq.body, c->max_response);
	docker_set_common(c, s->h, &s->rq, s->url);
	curl_easy_setopt(s->h, CURLOPT_PRIVATE, (char *)s);
	if (curl_multi_add_handle(m, s->h) != CURLM_OK) {
		buf_free(&s->rq.body);
		return -ENOMEM;
	}
	s->it = it;
	return 1;
}

static void slot_finish(struct docker_client *c, CURLM *m, struct slot *s, CURLcode cc)
{
	struct docker_fetch *it = s->it;
	curl_multi_remove_handle(m, s->h);
	int r = docker_finish(c, s->h, &s->rq, cc, it->path);
	if (r == 0) {
		char perr[192];
		r = json_parse(s->rq.body.data ? s->rq.body.data : "", s->rq.body.len, &it->v, perr, sizeof(perr));
		if (r < 0)
			snprintf(c->err, sizeof(c->err), "Docker API %.300s: %s", it->path, perr);
	}
	if (r < 0)
		item_failed(c, it, r);
	buf_free(&s->rq.body);
	s->it = NULL;
}

int docker_fetch_many(struct docker_client *c, struct docker_fetch *items, size_t n)
{
	int r = docker_negotiate(c);
	if (r < 0)
		return r;
	struct slot slots[DOCKER_FETCH_WIDTH] = { 0 };
	size_t width = n < DOCKER_FETCH_WIDTH ? n : DOCKER_FETCH_WIDTH, next = 0, done = 0;
	CURLM *m = n ? curl_multi_init() : NULL;
	if (n && !m) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < width; i++)
		if (!(slots[i].h = curl_easy_init())) {
			r = -ENOMEM;
			goto out;
		}
	while (done < n) {
		for (size_t i = 0; i < width && next < n; i++) {
			if (slots[i].it)
				continue;
			r = slot_start(c, m, &slots[i], &items[next++]);
			if (r < 0)
				goto out;
			if (r == 0)
				done++;   /* refused before it was sent */
		}
		int running = 0;
		if (curl_multi_perform(m, &running) != CURLM_OK) {
			snprintf(c->err, sizeof(c->err), "Docker API at %s: transfer failed", c->host);
			r = -EIO;
			goto out;
		}
		CURLMsg *msg;
		int left, finished = 0;
		while ((msg = curl_multi_info_read(m, &left))) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			char *priv = NULL;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
			slot_finish(c, m, (struct slot *)priv, msg->data.result);
			done++;
			finished++;
		}
		if (!finished && running && curl_multi_poll(m, NULL, 0, 1000, NULL) != CURLM_OK) {
			r = -EIO;
			goto out;
		}
	}
	r = 0;
out:
	for (size_t i = 0; i < width; i++) {
		if (slots[i].it) {
			curl_multi_remove_handle(m, slots[i].h);
			buf_free(&slots[i].rq.body);
		}
		if (slots[i].h)
			curl_easy_cleanup(slots[i].h);
	}
	if (m)
		curl_multi_cleanup(m);
	if (r < 0) {
		if (r == -ENOMEM)
			snprintf(c->err, sizeof(c->err), "out of memory");
		for (size_t i = 0; i < n; i++) {
			yajl_tree_free(items[i].v);
			items[i].v = NULL;
		}
	}
	return r;
}

void docker_fetch_adopt_error(struct docker_client *c, const struct docker_fetch *it)
{
	snprintf(c->err, sizeof(c->err), "%s", it->err ? it->err : strerror(-it->rc));
}

void docker_client_set_error(struct docker_client *c, const char *msg)
{
	snprintf(c->err, sizeof(c->err), "%s", msg);
}

void docker_fetch_free(struct docker_fetch *items, size_t n)
{
	for (size_t i = 0; items && i < n; i++) {
		free(items[i].path);
		free(items[i].err);
		yajl_tree_free(items[i].v);
		memset(&items[i], 0, sizeof(items[i]));
	}
}
