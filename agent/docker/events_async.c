/* events_async.c: the /events stream as a libcurl easy handle that a caller's multi loop drives. */
#include "docker/events_async.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docker/client_internal.h"

struct docker_events_stream {
	CURL *h;
	struct docker_request rq;
	struct docker_event_parser *parser;
	struct buf url;
};

static size_t stream_sink(const char *data, size_t len, void *user)
{
	struct docker_event_parser *p = user;
	return docker_event_parser_feed(p, data, len) == 0 ? len : 0;
}

int docker_events_stream_new(struct docker_client *c, int64_t since, const char *filters,
			     struct docker_event_parser *parser, struct docker_events_stream **out)
{
	*out = NULL;
	int r = docker_negotiate(c);
	if (r < 0)
		return r;
	struct docker_events_stream *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->parser = parser;
	buf_init(&s->url, 16384);
	buf_init(&s->rq.body, 4096);
	s->rq.streaming = true;
	s->rq.sink = stream_sink;
	s->rq.sink_user = parser;
	s->h = curl_easy_init();
	r = -ENOMEM;
	if (!s->h)
		goto fail;
	char q = '?';
	r = buf_printf(&s->url, "%s/v%s/events", c->base_url, c->api_version);
	if (!r && since) {
		r = buf_printf(&s->url, "%csince=%lld", q, (long long)since);
		q = '&';
	}
	if (!r && filters && *filters) {
		char *esc = curl_easy_escape(s->h, filters, 0);
		r = esc ? buf_printf(&s->url, "%cfilters=%s", q, esc) : -ENOMEM;
		curl_free(esc);
	}
	if (r < 0) {
		snprintf(c->err, sizeof(c->err), "Docker API /events: %s", strerror(-r));
		goto fail;
	}
	docker_set_common(c, s->h, &s->rq, s->url.data);
	*out = s;
	return 0;
fail:
	docker_events_stream_free(s);
	return r;
}

void *docker_events_stream_handle(struct docker_events_stream *s)
{
	return s->h;
}

int docker_events_stream_finish(struct docker_client *c, struct docker_events_stream *s, int curl_code)
{
	CURLcode cc = (CURLcode)curl_code;
	if (s->parser->stop < 0) {
		snprintf(c->err, sizeof(c->err), "/events: stopped by the event handler: %s", strerror(-s->parser->stop));
		return s->parser->stop;
	}
	if (cc == CURLE_WRITE_ERROR && s->parser->err[0] && !s->rq.too_large) {
		snprintf(c->err, sizeof(c->err), "%s", s->parser->err);
		return -EFBIG;
	}
	int r = docker_finish(c, s->h, &s->rq, cc, "/events");
	/* a stream that ends cleanly still means the engine went away */
	if (r == 0) {
		snprintf(c->err, sizeof(c->err), "Docker API /events at %s: the stream ended", c->host);
		r = -ECONNRESET;
	}
	return r;
}

void docker_events_stream_free(struct docker_events_stream *s)
{
	if (!s)
		return;
	if (s->h)
		curl_easy_cleanup(s->h);
	buf_free(&s->rq.body);
	buf_free(&s->url);
	free(s);
}
