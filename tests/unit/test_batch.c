/* test_batch.c: docker_fetch_many against a small fake engine on a unix socket: order, per-item errors, connection reuse. */
#include "unit.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "docker/batch.h"

struct engine {
	char dir[32], sock[80], host[96];
	pid_t pid;
	int stats[2];           /* the engine writes how many connections it accepted */
};

/* The answer to one request line's path. */
static void answer(int fd, const char *path)
{
	char body[256], head[512];
	int status = 200;
	if (strcmp(path, "/_ping") == 0)
		snprintf(body, sizeof(body), "OK");
	else if (strncmp(path, "/v1.41/ok/", 10) == 0)
		snprintf(body, sizeof(body), "{\"n\":%d}", atoi(path + 10));
	else if (strncmp(path, "/v1.41/slow/", 12) == 0) {
		usleep(20000);
		snprintf(body, sizeof(body), "{\"n\":%d}", atoi(path + 12));
	} else if (strcmp(path, "/v1.41/bad") == 0)
		snprintf(body, sizeof(body), "{nope");
	else if (strcmp(path, "/v1.41/busy") == 0) {
		status = 409;
		snprintf(body, sizeof(body), "{\"message\":\"container is not running\"}");
	} else {
		status = 404;
		snprintf(body, sizeof(body), "{\"message\":\"No such object: %.100s\"}", path);
	}
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.1 %d X\r\nApi-Version: 1.41\r\nContent-Type: application/json\r\n"
			 "Content-Length: %zu\r\n\r\n%s",
			 status, strlen(body), body);
	if (write(fd, head, (size_t)n) != n)
		_exit(2);
}

/* poll() over the listener and every connection; requests have no body. */
static void engine_loop(int lfd, int stats)
{
	struct pollfd fds[64];
	char bufs[64][4096];
	size_t lens[64];
	int n = 1, accepted = 0;
	fds[0] = (struct pollfd){ .fd = lfd, .events = POLLIN };
	for (;;) {
		if (poll(fds, (nfds_t)n, 2000) <= 0)
			break;
		if ((fds[0].revents & POLLIN) && n < 64) {
			int c = accept(lfd, NULL, NULL);
			if (c >= 0) {
				fds[n] = (struct pollfd){ .fd = c, .events = POLLIN };
				lens[n++] = 0;
				accepted++;
				if (write(stats, &accepted, sizeof(accepted)) < 0)
					_exit(2);
			}
		}
		for (int i = 1; i < n; i++) {
			if (!(fds[i].revents & (POLLIN | POLLHUP)))
				continue;
			ssize_t got = read(fds[i].fd, bufs[i] + lens[i], sizeof(bufs[i]) - 1 - lens[i]);
			if (got <= 0) {
				close(fds[i].fd);
				fds[i] = fds[--n];
				memcpy(bufs[i], bufs[n], lens[n]);
				lens[i] = lens[n];
				i--;
				continue;
			}
			lens[i] += (size_t)got;
			bufs[i][lens[i]] = '\0';
			char *end;
			while ((end = strstr(bufs[i], "\r\n\r\n"))) {
				char path[1024] = "";
				sscanf(bufs[i], "GET %1023s", path);
				answer(fds[i].fd, path);
				size_t used = (size_t)(end + 4 - bufs[i]);
				memmove(bufs[i], end + 4, lens[i] - used + 1);
				lens[i] -= used;
			}
		}
	}
	_exit(0);
}

static int engine_start(void **state)
{
	struct engine *e = calloc(1, sizeof(*e));
	assert_non_null(e);
	strcpy(e->dir, "/tmp/dwbatchXXXXXX");
	assert_non_null(mkdtemp(e->dir));
	snprintf(e->sock, sizeof(e->sock), "%s/docker.sock", e->dir);
	snprintf(e->host, sizeof(e->host), "unix://%s", e->sock);
	int lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", e->sock);
	assert_int_equal(bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(lfd, 16), 0);
	assert_int_equal(pipe(e->stats), 0);
	e->pid = fork();
	assert_true(e->pid >= 0);
	if (e->pid == 0) {
		close(e->stats[0]);
		engine_loop(lfd, e->stats[1]);
	}
	close(lfd);
	close(e->stats[1]);
	*state = e;
	return 0;
}

static int engine_stop(void **state)
{
	struct engine *e = *state;
	kill(e->pid, SIGTERM);
	waitpid(e->pid, NULL, 0);
	close(e->stats[0]);
	unlink(e->sock);
	rmdir(e->dir);
	free(e);
	return 0;
}

/* Connections the engine accepted so far. */
static int engine_accepted(struct engine *e)
{
	int n = 0, v;
	struct pollfd p = { .fd = e->stats[0], .events = POLLIN };
	while (poll(&p, 1, 0) > 0 && read(e->stats[0], &v, sizeof(v)) == sizeof(v))
		n = v;
	return n;
}

static struct docker_client *client(struct engine *e)
{
	struct docker_client_options o = { .host = e->host };
	struct docker_client *c;
	char err[256] = "";
	assert_int_equal(docker_client_new(&o, &c, err, sizeof(err)), 0);
	return c;
}

static void set_paths(struct docker_fetch *items, const char *const *paths, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		items[i].path = strdup(paths[i]);
		assert_non_null(items[i].path);
	}
}

static void test_answers_in_order_with_errors(void **state)
{
	struct engine *e = *state;
	struct docker_client *c = client(e);
	static const char *const paths[] = { "/ok/1", "/missing", "/ok/3", "/bad", "/busy", "/ok/6" };
	struct docker_fetch items[6] = { 0 };
	set_paths(items, paths, 6);
	assert_int_equal(docker_fetch_many(c, items, 6), 0);
	assert_int_equal(items[0].rc, 0);
	assert_int_equal(json_int(items[0].v, "n", 0), 1);
	assert_int_equal(json_int(items[2].v, "n", 0), 3);
	assert_int_equal(json_int(items[5].v, "n", 0), 6);
	assert_int_equal(items[1].rc, -ENOENT);
	assert_null(items[1].v);
	assert_string_equal(items[1].err, "Docker API /missing: No such object: /v1.41/missing (HTTP 404)");
	assert_int_equal(items[3].rc, -EBADMSG);
	assert_string_equal(items[3].err, "Docker API /bad: invalid JSON: lexical error: invalid string in json text.");
	assert_int_equal(items[4].rc, -EBUSY);
	/* an item's error becomes the client's when the caller says so */
	docker_fetch_adopt_error(c, &items[4]);
	assert_string_equal(docker_client_error(c), "Docker API /busy: container is not running (HTTP 409)");
	assert_string_equal(docker_client_api_version(c), "1.41");
	/* a taken answer is not freed twice */
	yajl_val taken = items[0].v;
	items[0].v = NULL;
	yajl_tree_free(taken);
	docker_fetch_free(items, 6);
	docker_client_free(c);
}

static void test_many_over_few_connections(void **state)
{
	struct engine *e = *state;
	struct docker_client *c = client(e);
	enum { N = 40 };
	struct docker_fetch items[N] = { 0 };
	for (size_t i = 0; i < N; i++)
		assert_int_equal(asprintf(&items[i].path, "/%s/%zu", i % 5 ? "ok" : "slow", i) > 0, 1);
	assert_int_equal(docker_fetch_many(c, items, N), 0);
	for (size_t i = 0; i < N; i++) {
		assert_int_equal(items[i].rc, 0);
		assert_int_equal(json_int(items[i].v, "n", -1), (int64_t)i);
	}
	/* one for the negotiation, then DOCKER_FETCH_WIDTH side by side, kept alive for all 40 */
	assert_int_equal(engine_accepted(e), 1 + DOCKER_FETCH_WIDTH);
	docker_fetch_free(items, N);
	/* nothing to fetch is fine */
	assert_int_equal(docker_fetch_many(c, NULL, 0), 0);
	docker_client_free(c);
}

static void test_object_paths(void **state)
{
	(void)state;
	struct docker_fetch it = { 0 };
	assert_int_equal(docker_fetch_set_object(&it, "/images/", "dwtest/busybox:1 x", "/json"), 0);
	assert_string_equal(it.path, "/images/dwtest/busybox:1%20x/json");
	docker_fetch_free(&it, 1);
	assert_null(it.path);
	char longid[2000];
	memset(longid, 'a', sizeof(longid) - 1);
	longid[sizeof(longid) - 1] = '\0';
	assert_int_equal(docker_fetch_set_object(&it, "/containers/", longid, "/json"), -ENAMETOOLONG);
	assert_null(it.path);
	docker_fetch_free(NULL, 3);
}

static void test_unreachable_engine(void **state)
{
	(void)state;
	struct docker_client_options o = { .host = "unix:///tmp/dwbatch-nonexistent/docker.sock" };
	struct docker_client *c;
	char err[256] = "";
	assert_int_equal(docker_client_new(&o, &c, err, sizeof(err)), 0);
	struct docker_fetch items[2] = { 0 };
	static const char *const paths[] = { "/ok/1", "/ok/2" };
	set_paths(items, paths, 2);
	assert_int_equal(docker_fetch_many(c, items, 2), -ENOENT);
	assert_string_equal(docker_client_error(c),
			    "cannot connect to the Docker daemon at unix:///tmp/dwbatch-nonexistent/docker.sock: "
			    "No such file or directory");
	docker_fetch_free(items, 2);
	docker_client_free(c);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_answers_in_order_with_errors, engine_start, engine_stop),
		cmocka_unit_test_setup_teardown(test_many_over_few_connections, engine_start, engine_stop),
		cmocka_unit_test(test_object_paths),
		cmocka_unit_test(test_unreachable_engine),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
