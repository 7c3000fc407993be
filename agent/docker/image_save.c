/* image_save.c: GET /images/{name}/get, the `docker save` tar stream of one image, written to a file descriptor with a cap. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "docker/client_internal.h"

struct save_sink {
	int fd;
	uint64_t written, max;
	int err;
};

static size_t save_write(const char *data, size_t len, void *user)
{
	struct save_sink *s = user;
	if (s->written + len > s->max) {
		s->err = -EFBIG;
		return 0;
	}
	for (size_t off = 0; off < len;) {
		ssize_t n = write(s->fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			s->err = -errno;
			return 0;
		}
		off += (size_t)n;
	}
	s->written += len;
	return len;
}

int docker_image_save(struct docker_client *c, const char *name, int fd, uint64_t max_bytes)
{
	int r = docker_negotiate(c);
	if (r < 0)
		return r;
	char seg[1024], path[1200];
	if (docker_escape_segment(name, seg, sizeof(seg)) < 0) {
		snprintf(c->err, sizeof(c->err), "image name too long");
		return -ENAMETOOLONG;
	}
	snprintf(path, sizeof(path), "/images/%s/get", seg);
	struct save_sink s = { .fd = fd, .max = max_bytes };
	struct docker_request rq = { .streaming = true, .sink = save_write, .sink_user = &s };
	buf_init(&rq.body, 64 * 1024);  /* only error answers land here */
	char url[2048];
	snprintf(url, sizeof(url), "%s/v%s%s", c->base_url, c->api_version, path);
	/* a separate handle, as for /events: the shared one keeps its settings */
	CURL *h = curl_easy_init();
	if (!h) {
		buf_free(&rq.body);
		return -ENOMEM;
	}
	docker_set_common(c, h, &rq, url);
	CURLcode cc = curl_easy_perform(h);
	if (s.err) {
		r = s.err;
		if (r == -EFBIG)
			snprintf(c->err, sizeof(c->err), "Docker API %.200s: image larger than %llu bytes", path,
				 (unsigned long long)max_bytes);
		else
			snprintf(c->err, sizeof(c->err), "Docker API %.200s: writing the image: %s", path, strerror(-r));
	} else {
		r = docker_finish(c, h, &rq, cc, path);
	}
	curl_easy_cleanup(h);
	buf_free(&rq.body);
	return r;
}
