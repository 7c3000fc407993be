/* sink_local.c: destinations written synchronously: an NDJSON file for log shippers, RFC 5424 syslog. */
#include "upstream/sink_local.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int sink_file_write(const char *path, const struct spool_batch *b, size_t from, size_t to, char *err, size_t errlen)
{
	struct buf out;
	buf_init(&out, SPOOL_MAX_BATCH_BYTES + 4096);
	int r = 0;
	for (size_t i = from; i < to && !r; i++) {
		r = buf_append(&out, b->events[i].json, b->events[i].len);
		if (!r)
			r = buf_append(&out, "\n", 1);
	}
	int fd = -1;
	if (!r) {
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
		if (fd < 0)
			r = -errno;
	}
	/* one write: a tailing shipper never sees half a line from us */
	if (!r)
		r = write_all(fd, out.data, out.len);
	if (!r && fsync(fd) < 0)
		r = -errno;
	if (fd >= 0)
		close(fd);
	if (r < 0)
		snprintf(err, errlen, "%s: %s", path, strerror(-r));
	buf_free(&out);
	return r;
}

void syslog_conn_init(struct syslog_conn *c, bool udp)
{
	c->fd = -1;
	c->udp = udp;
}

void syslog_conn_close(struct syslog_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

static int wait_fd(int fd, short events, unsigned timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int n = poll(&p, 1, (int)timeout_ms);
	if (n < 0)
		return -errno;
	return n == 0 ? -ETIMEDOUT : 0;
}

static int syslog_connect(struct syslog_conn *c, const char *address, unsigned timeout_ms, char *err, size_t errlen)
{
	char host[256];
	const char *colon = strrchr(address, ':');
	if (!colon || (size_t)(colon - address) >= sizeof(host)) {
		snprintf(err, errlen, "syslog address %s: expected HOST:PORT", address);
		return -EINVAL;
	}
	snprintf(host, sizeof(host), "%.*s", (int)(colon - address), address);
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	struct addrinfo hints = { .ai_socktype = c->udp ? SOCK_DGRAM : SOCK_STREAM }, *ai;
	int g = getaddrinfo(host, colon + 1, &hints, &ai);
	if (g) {
		snprintf(err, errlen, "syslog %s: %s", address, gai_strerror(g));
		return -EHOSTUNREACH;
	}
	int r = -ECONNREFUSED;
	for (struct addrinfo *a = ai; a; a = a->ai_next) {
		int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
		if (fd < 0) {
			r = -errno;
			continue;
		}
		if (connect(fd, a->ai_addr, a->ai_addrlen) < 0 && errno != EINPROGRESS) {
			r = -errno;
			close(fd);
			continue;
		}
		r = wait_fd(fd, POLLOUT, timeout_ms);
		int so = 0;
		socklen_t sl = sizeof(so);
		if (!r && getsockopt(fd, SOL_SOCKET, SO_ERROR, &so, &sl) == 0 && so)
			r = -so;
		if (r) {
			close(fd);
			continue;
		}
		c->fd = fd;
		break;
	}
	freeaddrinfo(ai);
	if (r)
		snprintf(err, errlen, "syslog %s: %s", address, strerror(-r));
	return r;
}

static int send_all(int fd, const char *p, size_t len, unsigned timeout_ms)
{
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				int r = wait_fd(fd, POLLOUT, timeout_ms);
				if (r < 0)
					return r;
				continue;
			}
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int sink_syslog_send(struct syslog_conn *c, const char *address, unsigned timeout_ms, const struct format_host *h,
		     const struct spool_batch *b, size_t from, size_t to, char *err, size_t errlen)
{
	int r = 0;
	if (c->fd < 0 && (r = syslog_connect(c, address, timeout_ms, err, errlen)) < 0)
		return r;
	struct buf msg, frame;
	buf_init(&msg, SPOOL_MAX_BATCH_BYTES);
	buf_init(&frame, SPOOL_MAX_BATCH_BYTES + 4096);
	for (size_t i = from; i < to && !r; i++) {
		buf_reset(&msg);
		r = format_syslog(h, &b->events[i], &msg);
		if (r)
			break;
		if (c->udp) {
			/* one datagram per message; the kernel refuses what is too large */
			r = send(c->fd, msg.data, msg.len, MSG_NOSIGNAL) < 0 ? -errno : 0;
		} else {
			r = buf_printf(&frame, "%zu ", msg.len);
			if (!r)
				r = buf_append(&frame, msg.data, msg.len);
		}
	}
	if (!r && !c->udp)
		r = send_all(c->fd, frame.data, frame.len, timeout_ms);
	if (r < 0) {
		snprintf(err, errlen, "syslog %s: %s", address, strerror(-r));
		syslog_conn_close(c);
	}
	buf_free(&msg);
	buf_free(&frame);
	return r;
}
