/* fuzz_events.c: libFuzzer target: the /events splitter fed in chunks cut from the input's own hash, checked against one whole feed. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "docker/client.h"

struct tally {
	uint64_t n, hash;
	uint64_t stop_at;       /* answer 1 at this event (0 = never) */
};

static uint64_t fnv(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return (h ^ 0xff) * 0x100000001b3ULL;
}

static int on_event(const struct docker_event *ev, void *user)
{
	struct tally *t = user;
	/* a delivered event always has a type and an action, and every string is there */
	if (!ev->type[0] || !ev->action[0] || !ev->actor_id || !ev->name || !ev->image || !ev->scope)
		abort();
	t->n++;
	t->hash = fnv(fnv(fnv(t->hash, ev->type), ev->action), ev->name);
	return t->stop_at && t->n == t->stop_at ? 1 : 0;
}

/* Feeds data and then the end of the stream, as docker_stream_events does. */
static int run(struct docker_event_parser *p, const char *data, size_t size, uint64_t seed)
{
	size_t at = 0;
	uint64_t x = seed | 1;
	while (at < size) {
		size_t chunk = size - at;
		if (seed) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			size_t lim = (x & 3) == 0 ? 4096 : 64;
			chunk = 1 + (size_t)(x >> 8) % lim;
			if (chunk > size - at)
				chunk = size - at;
		}
		int r = docker_event_parser_feed(p, data + at, chunk);
		if (r)
			return r;
		at += chunk;
	}
	return docker_event_parser_feed(p, "\n", 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < size; i++)
		h = (h ^ data[i]) * 0x100000001b3ULL;
	struct tally whole = { .stop_at = (h >> 60) == 0 ? (h >> 56 & 3) + 1 : 0, .hash = 1 };
	struct tally cut = whole;
	struct docker_event_parser p1, p2;
	docker_event_parser_init(&p1, on_event, &whole);
	docker_event_parser_init(&p2, on_event, &cut);
	int r1 = run(&p1, (const char *)data, size, 0);
	int r2 = run(&p2, (const char *)data, size, h);
	/* however the stream is cut, the same events and the same answer */
	if (r1 != r2 || whole.n != cut.n || whole.hash != cut.hash || p1.bad_events != p2.bad_events)
		abort();
	docker_event_parser_free(&p1);
	docker_event_parser_free(&p2);
	return 0;
}
