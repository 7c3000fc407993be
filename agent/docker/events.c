/* events.c: the streaming /events endpoint and its newline-delimited JSON splitter. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docker/client_internal.h"
#include "json.h"

void docker_event_parser_init(struct docker_event_parser *p, docker_event_cb cb, void *user)
{
	memset(p, 0, sizeof(*p));
	buf_init(&p->line, DOCKER_EVENT_MAX_BYTES);
	p->cb = cb;
	p->user = user;
}

void docker_event_parser_free(struct docker_event_parser *p)
{
	if (p)
		buf_free(&p->line);
}

static int deliver_line(struct docker_event_parser *p, const char *line, size_t len)
{
	while (len && (line[len - 1] == '\r' || line[len - 1] == ' '))
		len--;
	if (!len)
		return 0;
	yajl_val v;
	struct docker_event ev;
	if (json_parse(line, len, &v, p->err, sizeof(p->err)) < 0) {
		p->bad_events++;
		return 0;
	}
	if (docker_parse_event(v, &ev, p->err, sizeof(p->err)) < 0) {
		yajl_tree_free(v);
		p->bad_events++;
		return 0;
	}
	int r = p->cb(&ev, p->user);
	docker_event_free(&ev);
	return r;
}

int docker_event_parser_feed(struct docker_event_parser *p, const char *data, size_t len)
{
	if (p->stop)
		return p->stop;
	while (len) {
		const char *nl = memchr(data, '\n', len);
		size_t chunk = nl ? (size_t)(nl - data) : len;
		if (buf_append(&p->line, data, chunk) < 0) {
			snprintf(p->err, sizeof(p->err), "/events: an event longer than %d bytes", DOCKER_EVENT_MAX_BYTES);
			return -EFBIG;
		}
		if (!nl)
			break;
		int r = deliver_line(p, p->line.data, p->line.len);
		buf_reset(&p->line);
		if (r != 0) {
			p->stop = r;
			return r;
		}
		data = nl + 1;
		len -= chunk + 1;
	}
	return 0;
}

static size_t events_sink(const char *data, size_t len, void *user)
{
	struct docker_event_parser *p = user;
	/* any non-zero answer stops the transfer; the reason stays in p */
	return docker_event_parser_feed(p, data, len) == 0 ? len : 0;
}

int docker_stream_events(struct docker_client *c, int64_t since, int64_t until, const char *filters,
			 docker_event_cb cb, void *user)
{
	int r = docker_negotiate(c);
	if (r < 0)
		return r;
	struct buf url;
	buf_init(&url, 16384);
	struct docker_event_parser p;
	docker_event_parser_init(&p, cb, user);
	struct docker_request rq = { .streaming = true, .sink = events_sink, .sink_user = &p };
	buf_init(&rq.body, 4096);
	/* a separate handle: the shared one stays usable from inside the callback */
	CURL *h = curl_easy_init();
	if (!h) {
		r = -ENOMEM;
		goto out;
	}
	const char sep[] = "?&";
	int nq = 0;
	buf_printf(&url, "%s/v%s/events", c->base_url, c->api_version);
	if (since)
		buf_printf(&url, "%csince=%lld", sep[nq++ > 0], (long long)since);
	if (until)
		buf_printf(&url, "%cuntil=%lld", sep[nq++ > 0], (long long)until);
	if (filters && *filters) {
		char *esc = curl_easy_escape(h, filters, 0);
		if (!esc) {
			r = -ENOMEM;
			goto out;
		}
		r = buf_printf(&url, "%cfilters=%s", sep[nq++ > 0], esc);
		curl_free(esc);
		if (r < 0) {
			snprintf(c->err, sizeof(c->err), "Docker API /events: filter too long");
			goto out;
		}
	}
	docker_set_common(c, h, &rq, url.data);
	CURLcode cc = curl_easy_perform(h);
	if (p.stop > 0) {
		r = 0;
	} else if (p.stop < 0) {
		r = p.stop;
		snprintf(c->err, sizeof(c->err), "/events: stopped by the event handler: %s", strerror(-r));
	} else if (cc == CURLE_WRITE_ERROR) {
		r = -EFBIG;
		snprintf(c->err, sizeof(c->err), "%s", p.err);
	} else {
		r = docker_finish(c, h, &rq, cc, "/events");
		if (r == 0 && p.line.len)
			r = docker_event_parser_feed(&p, "\n", 1) < 0 ? -EBADMSG : 0;
	}
out:
	if (h)
		curl_easy_cleanup(h);
	docker_event_parser_free(&p);
	buf_free(&rq.body);
	buf_free(&url);
	return r;
}
