/* test_spool.c: the upstream spool: durable batches, sequence numbers, cursors and garbage, the byte cap, dead letters, parsing. */
#include "unit.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <sys/stat.h>
#include <unistd.h>

#include "upstream/spool.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/dwspoolXXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *event_lines(int n, char *buf, size_t len)
{
	size_t k = 0;
	for (int i = 0; i < n; i++)
		k += (size_t)snprintf(buf + k, len - k, "{\"n\":%d,\"pad\":\"%0100d\"}\n", i, 0);
	return buf;
}

static void append(struct spool *sp, int n, int sev)
{
	char buf[8192], err[256] = "";
	event_lines(n, buf, sizeof(buf));
	assert_int_equal(spool_append(sp, buf, strlen(buf), (size_t)n, sev, err, sizeof(err)), 0);
}

static void test_append_read_and_sequence(void **state)
{
	(void)state;
	struct spool sp;
	char err[256] = "";
	assert_int_equal(spool_open(&sp, dir, 0, (uid_t)-1, (gid_t)-1, err, sizeof(err)), 0);
	append(&sp, 3, 2);
	append(&sp, 1, 4);
	struct spool_entry *e;
	size_t n;
	assert_int_equal(spool_list(dir, &e, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(e[0].seq, 1);
	assert_int_equal(e[1].seq, 2);
	assert_int_equal(e[1].max_severity, 4);
	struct spool_batch b;
	assert_int_equal(spool_read_batch(dir, 1, 2, &b, err, sizeof(err)), 0);
	assert_int_equal(b.n_events, 3);
	assert_int_equal(strlen(b.key), 36);
	assert_memory_equal(b.events[2].json, "{\"n\":2,", 7);
	spool_batch_free(&b);
	free(e);
	/* files are private */
	char path[256];
	snprintf(path, sizeof(path), "%s/00000000000000000001-2.batch", dir);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	spool_close(&sp);
	/* numbers go on after a restart, even when every batch was delivered and deleted */
	assert_int_equal(spool_cursor_set(dir, "upstream", 2), 0);
	assert_int_equal(spool_collect_garbage(dir, 2), 0);
	assert_int_equal(spool_list(dir, &e, &n), 0);
	assert_int_equal(n, 0);
	free(e);
	assert_int_equal(spool_open(&sp, dir, 0, (uid_t)-1, (gid_t)-1, err, sizeof(err)), 0);
	assert_int_equal(sp.next_seq, 3);
	spool_close(&sp);
}

static void test_garbage_waits_for_every_sink(void **state)
{
	(void)state;
	struct spool sp;
	char err[256] = "";
	assert_int_equal(spool_open(&sp, dir, 0, (uid_t)-1, (gid_t)-1, err, sizeof(err)), 0);
	for (int i = 0; i < 4; i++)
		append(&sp, 1, 1);
	/* the lowest cursor of the sinks decides */
	assert_int_equal(spool_cursor_set(dir, "upstream", 4), 0);
	assert_int_equal(spool_cursor_set(dir, "local", 2), 0);
	assert_int_equal(spool_collect_garbage(dir, 2), 0);
	struct spool_entry *e;
	size_t n;
	assert_int_equal(spool_list(dir, &e, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(e[0].seq, 3);
	free(e);
	uint64_t c;
	assert_int_equal(spool_cursor_get(dir, "local", &c), 0);
	assert_int_equal(c, 2);
	assert_int_equal(spool_cursor_get(dir, "never", &c), 0);
	assert_int_equal(c, 0);
	assert_int_equal(spool_cursor_set(dir, "../x", 1), -EINVAL);
	spool_close(&sp);
}

static void test_cap_drops_oldest_lowest_severity(void **state)
{
	(void)state;
	struct spool sp;
	char err[256] = "";
	assert_int_equal(spool_open(&sp, dir, 0, (uid_t)-1, (gid_t)-1, err, sizeof(err)), 0);
	append(&sp, 4, 5);      /* 1: critical */
	/* room for four batches of this size and a half */
	sp.cap_bytes = sp.bytes * 4 + sp.bytes / 2;
	append(&sp, 4, 2);      /* 2: low */
	append(&sp, 4, 2);      /* 3: low */
	append(&sp, 4, 4);      /* 4: high */
	append(&sp, 4, 3);      /* 5: needs room: drops 2, the oldest low */
	struct spool_entry *e;
	size_t n;
	assert_int_equal(spool_list(dir, &e, &n), 0);
	assert_int_equal(n, 4);
	assert_int_equal(e[0].seq, 1);
	assert_int_equal(e[1].seq, 3);
	free(e);
	assert_int_equal(sp.dropped_events, 4);
	append(&sp, 4, 5);      /* drops 3 (low) */
	append(&sp, 4, 5);      /* drops 5 (medium) */
	assert_int_equal(spool_list(dir, &e, &n), 0);
	uint64_t want[] = { 1, 4, 6, 7 };
	assert_int_equal(n, 4);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(e[i].seq, want[i]);
	free(e);
	assert_int_equal(sp.dropped_events, 12);
	uint64_t persisted;
	assert_int_equal(spool_read_dropped(dir, &persisted), 0);
	assert_int_equal(persisted, 12);
	/* a batch larger than the whole cap is dropped and counted */
	char big[8192];
	event_lines(30, big, sizeof(big));
	assert_int_equal(spool_append(&sp, big, strlen(big), 30, 1, err, sizeof(err)), -EFBIG);
	assert_int_equal(sp.dropped_events, 42);
	spool_close(&sp);
}

static void parse_fails(const char *text, const char *why)
{
	struct spool_batch b;
	char err[256] = "";
	char *copy = strdup(text);
	assert_int_equal(spool_parse_batch(copy, strlen(text), &b, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, why));
}

static void test_parse_rejects_damage(void **state)
{
	(void)state;
	parse_fails("", "no header line");
	parse_fails("{\"seq\":1}\n{}\n", "header without");
	parse_fails("{\"seq\":1,\"key\":\"k\",\"events\":2,\"max_severity\":1}\n{\"a\":1}\n", "1 events where the header says 2");
	parse_fails("{\"seq\":1,\"key\":\"k\",\"events\":1,\"max_severity\":1}\n{\"a\":1}\n{\"b\":2}\n", "more events");
	parse_fails("{\"seq\":1,\"key\":\"k\",\"events\":1,\"max_severity\":1}\n{\"a\":1}", "not terminated");
	parse_fails("{\"seq\":1,\"key\":\"k\",\"events\":1,\"max_severity\":1}\n[1]\n", "not a JSON object");
	struct spool_batch b;
	char err[256];
	const char ok[] = "{\"seq\":7,\"key\":\"k\",\"events\":1,\"max_severity\":3}\n{\"a\":1}\n";
	assert_int_equal(spool_parse_batch(strdup(ok), sizeof(ok) - 1, &b, err, sizeof(err)), 0);
	assert_int_equal(b.seq, 7);
	spool_batch_free(&b);
}

static void test_dead_letter(void **state)
{
	(void)state;
	struct spool sp;
	char err[256] = "";
	assert_int_equal(spool_open(&sp, dir, 0, (uid_t)-1, (gid_t)-1, err, sizeof(err)), 0);
	append(&sp, 5, 3);
	struct spool_batch b;
	assert_int_equal(spool_read_batch(dir, 1, 3, &b, err, sizeof(err)), 0);
	assert_int_equal(spool_dead_letter(dir, "upstream", &b, 1, 3, "HTTP 400: bad"), 0);
	char path[256];
	snprintf(path, sizeof(path), "%s/dead/upstream-00000000000000000001-1.batch", dir);
	char *text;
	size_t len;
	assert_int_equal(read_file_capped(path, 1 << 20, &text, &len), 0);
	struct spool_batch d;
	assert_int_equal(spool_parse_batch(text, len, &d, err, sizeof(err)), 0);
	assert_int_equal(d.n_events, 2);
	assert_memory_equal(d.events[0].json, "{\"n\":1,", 7);
	assert_string_equal(d.key, b.key);
	spool_batch_free(&d);
	spool_batch_free(&b);
	spool_close(&sp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_append_read_and_sequence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage_waits_for_every_sink, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cap_drops_oldest_lowest_severity, setup, teardown),
		cmocka_unit_test(test_parse_rejects_damage),
		cmocka_unit_test_setup_teardown(test_dead_letter, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
