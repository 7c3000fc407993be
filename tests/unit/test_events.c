/* test_events.c: the newline-delimited /events splitter against a recorded stream, cut every way. */
#include "unit.h"

#include <errno.h>

#include "docker/client.h"

/* What the callback saw, one "Type/Action/name" line per event. */
struct seen {
	char log[16384];
	size_t n;
	size_t stop_after;      /* answer stop_answer after this many events (0 = never) */
	int stop_answer;
};

static int on_event(const struct docker_event *ev, void *user)
{
	struct seen *s = user;
	size_t len = strlen(s->log);
	snprintf(s->log + len, sizeof(s->log) - len, "%s/%s/%s\n", ev->type, ev->action, ev->name);
	s->n++;
	return s->stop_after && s->n == s->stop_after ? s->stop_answer : 0;
}

/* Feeds text in pieces cut at the given offsets (ascending, ending with len). */
static int feed_cuts(struct docker_event_parser *p, const char *text, const size_t *cuts, size_t n_cuts)
{
	size_t at = 0;
	for (size_t i = 0; i < n_cuts; i++) {
		int r = docker_event_parser_feed(p, text + at, cuts[i] - at);
		if (r)
			return r;
		at = cuts[i];
	}
	return 0;
}

static const char *recorded_log =
	"image/tag/dwtest/busybox:1\n"
	"image/import/sha256:7402c6cc4f964b8ed84b7dcfb292275da5178ef8ec02e6f69d0b7fae2797edac\n";

static void test_recorded_stream_whole(void **state)
{
	(void)state;
	size_t len;
	char *text = fixture_text("events.ndjson", &len);
	struct seen s = { 0 };
	struct docker_event_parser p;
	docker_event_parser_init(&p, on_event, &s);
	assert_int_equal(docker_event_parser_feed(&p, text, len), 0);
	assert_int_equal(p.bad_events, 0);
	assert_int_equal(s.n, 22);
	/* the start of the stream and a few landmarks of what record.py did */
	assert_memory_equal(s.log, recorded_log, strlen(recorded_log));
	assert_non_null(strstr(s.log, "volume/create/\n"));
	assert_non_null(strstr(s.log, "container/start/mounts\n"));
	assert_non_null(strstr(s.log, "container/die/exited\n"));
	assert_non_null(strstr(s.log, "network/connect/bridge\n"));
	assert_non_null(strstr(s.log, "image/tag/dwtest/nohealth:1\n"));
	docker_event_parser_free(&p);
	free(text);
}

/* The stream cut into two pieces at every byte gives the same events. */
static void test_split_at_every_byte(void **state)
{
	(void)state;
	size_t len;
	char *text = fixture_text("events.ndjson", &len);
	struct seen whole = { 0 };
	struct docker_event_parser p;
	docker_event_parser_init(&p, on_event, &whole);
	assert_int_equal(docker_event_parser_feed(&p, text, len), 0);
	docker_event_parser_free(&p);
	for (size_t cut = 0; cut <= len; cut++) {
		struct seen s = { 0 };
		size_t cuts[] = { cut, len };
		docker_event_parser_init(&p, on_event, &s);
		assert_int_equal(feed_cuts(&p, text, cuts, 2), 0);
		assert_int_equal(p.bad_events, 0);
		assert_string_equal(s.log, whole.log);
		docker_event_parser_free(&p);
	}
	/* and one byte at a time */
	struct seen s = { 0 };
	docker_event_parser_init(&p, on_event, &s);
	for (size_t i = 0; i < len; i++)
		assert_int_equal(docker_event_parser_feed(&p, text + i, 1), 0);
	assert_string_equal(s.log, whole.log);
	docker_event_parser_free(&p);
	free(text);
}

#define EV(type, action, name)                                                                         \
	"{\"Type\":\"" type "\",\"Action\":\"" action "\",\"Actor\":{\"ID\":\"abc\",\"Attributes\":{\"name\":\"" \
	name "\"}},\"scope\":\"local\",\"time\":1700000000,\"timeNano\":1700000000123456789}"

static void test_several_in_one_chunk_and_crlf(void **state)
{
	(void)state;
	const char *text = EV("container", "create", "a") "\r\n" EV("container", "start", "a") "\n\n\r\n  \n"
		EV("network", "connect", "") " \r\n" EV("container", "die", "a");
	struct seen s = { 0 };
	struct docker_event_parser p;
	docker_event_parser_init(&p, on_event, &s);
	assert_int_equal(docker_event_parser_feed(&p, text, strlen(text)), 0);
	/* the last event has no newline yet: it waits */
	assert_string_equal(s.log, "container/create/a\ncontainer/start/a\nnetwork/connect/\n");
	assert_int_equal(docker_event_parser_feed(&p, "\n", 1), 0);
	assert_string_equal(s.log, "container/create/a\ncontainer/start/a\nnetwork/connect/\ncontainer/die/a\n");
	assert_int_equal(p.bad_events, 0);
	/* an empty feed is fine */
	assert_int_equal(docker_event_parser_feed(&p, "", 0), 0);
	docker_event_parser_free(&p);
}

static void test_event_fields(void **state)
{
	(void)state;
	yajl_val v = json_lit(EV("container", "start", "web"));
	struct docker_event ev;
	char err[128];
	assert_int_equal(docker_parse_event(v, &ev, err, sizeof(err)), 0);
	assert_string_equal(ev.type, "container");
	assert_string_equal(ev.action, "start");
	assert_string_equal(ev.actor_id, "abc");
	assert_string_equal(ev.name, "web");
	assert_string_equal(ev.image, "");
	assert_string_equal(ev.scope, "local");
	assert_int_equal(ev.time, 1700000000);
	assert_int_equal(ev.time_nano, 1700000000123456789LL);
	assert_ptr_equal(ev.raw, v);
	docker_event_free(&ev);
	docker_event_free(&ev);
	docker_event_free(NULL);
}

static void test_bad_lines_skipped(void **state)
{
	(void)state;
	static const char text[] = EV("container", "create", "a") "\n"
		"{not json\n"
		"{\"Type\":\"container\"}\n"                  /* no Action */
		"[1,2,3]\n"                                    /* not an object */
		"{\"Type\":1,\"Action\":\"start\"}\n"          /* wrong type */
		"{\"a\":1}\0{\n"                               /* a NUL byte */
		EV("container", "start", "a") "\n";
	size_t len = sizeof(text) - 1;   /* the NUL inside counts */
	struct seen s = { 0 };
	struct docker_event_parser p;
	docker_event_parser_init(&p, on_event, &s);
	assert_int_equal(docker_event_parser_feed(&p, text, len), 0);
	assert_string_equal(s.log, "container/create/a\ncontainer/start/a\n");
	assert_int_equal(p.bad_events, 5);
	assert_string_equal(p.err, "NUL byte inside JSON text");
	docker_event_parser_free(&p);
}

static void test_overlong_line(void **state)
{
	(void)state;
	size_t big = DOCKER_EVENT_MAX_BYTES + 1;
	char *text = malloc(big);
	assert_non_null(text);
	memset(text, ' ', big);
	struct seen s = { 0 };
	struct docker_event_parser p;
	docker_event_parser_init(&p, on_event, &s);
	/* exactly the cap is still a line (blank here, so nothing is delivered) */
	assert_int_equal(docker_event_parser_feed(&p, text, big - 1), 0);
	assert_int_equal(docker_event_parser_feed(&p, "\n", 1), 0);
	assert_int_equal(docker_event_parser_feed(&p, text, big), -EFBIG);
	assert_string_equal(p.err, "/events: an event longer than 262144 bytes");
	docker_event_parser_free(&p);
	/* piece by piece it is refused the same */
	docker_event_parser_init(&p, on_event, &s);
	assert_int_equal(docker_event_parser_feed(&p, text, 100000), 0);
	assert_int_equal(docker_event_parser_feed(&p, text, 100000), 0);
	assert_int_equal(docker_event_parser_feed(&p, text, 100000), -EFBIG);
	assert_int_equal(s.n, 0);
	assert_int_equal(p.bad_events, 0);
	docker_event_parser_free(&p);
	free(text);
}

static void test_callback_stop_and_abort(void **state)
{
	(void)state;
	const char *text = EV("container", "create", "a") "\n" EV("container", "start", "a") "\n"
		EV("container", "die", "a") "\n";
	static const int answers[] = { 1, 7, -ECANCELED };
	for (size_t i = 0; i < 3; i++) {
		struct seen s = { .stop_after = 2, .stop_answer = answers[i] };
		struct docker_event_parser p;
		docker_event_parser_init(&p, on_event, &s);
		assert_int_equal(docker_event_parser_feed(&p, text, strlen(text)), answers[i]);
		/* nothing after the answer, now or later: the answer sticks */
		assert_string_equal(s.log, "container/create/a\ncontainer/start/a\n");
		assert_int_equal(docker_event_parser_feed(&p, text, strlen(text)), answers[i]);
		assert_int_equal(s.n, 2);
		docker_event_parser_free(&p);
	}
	docker_event_parser_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recorded_stream_whole),
		cmocka_unit_test(test_split_at_every_byte),
		cmocka_unit_test(test_several_in_one_chunk_and_crlf),
		cmocka_unit_test(test_event_fields),
		cmocka_unit_test(test_bad_lines_skipped),
		cmocka_unit_test(test_overlong_line),
		cmocka_unit_test(test_callback_stop_and_abort),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
