/*
 * The WebSocket load client of the bench (bench/ws-client.ts builds it with
 * the machine's cc into bench/.build/): one thread, epoll, so that on a
 * 2-core machine the client costs a small part of what the server does and
 * the server, not the client, sets the pace.
 *
 *     ws-client PORT PATH CONNECTIONS SECONDS MESSAGE EXPECTED
 *
 * Opens CONNECTIONS sockets to ws://127.0.0.1:PORT/PATH (loopback only),
 * checks each handshake (101 and the Sec-WebSocket-Accept of its key), then
 * each socket sends MESSAGE as a masked text frame, waits for one text
 * frame, compares it with EXPECTED byte for byte, and sends again, for
 * SECONDS. It answers pings, closes every socket with 1000 and waits for
 * the server's close, then prints one JSON line:
 *
 *     {"trips":123456,"wrong":0,"seconds":4.000,"cpu":812345}
 *
 * trips: replies equal to EXPECTED received in the measured time; wrong:
 * any other data frame; cpu: the client's own CPU microseconds, to show
 * that it is not the bottleneck. It exits with 1 and a message on stderr when a
 * connection fails, closes early, or breaks the protocol.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* RFC 6455's own example key and its accept value (SHA-1 of key + GUID, base64) */
static const char KEY[] = "dGhlIHNhbXBsZSBub25jZQ==";
static const char ACCEPT[] = "sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

#define BUFFER 16384
#define MAX_MESSAGE 4096

enum state { CONNECTING, UPGRADING, OPEN, CLOSING, CLOSED };

struct conn {
	int fd;
	enum state state;
	size_t len;
	unsigned char in[BUFFER];
};

static const char *message, *expected;
static size_t message_len, expected_len;
static long trips, wrong;
static int running, opened, closed;
static uint32_t seed;

static void die(const char *format, ...)
{
	va_list args;
	va_start(args, format);
	fputs("ws-client: ", stderr);
	vfprintf(stderr, format, args);
	fputc('\n', stderr);
	va_end(args);
	exit(1);
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* xorshift32: a fresh mask per frame, as a client must (RFC 6455 5.3) */
static uint32_t next_mask(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 17;
	seed ^= seed << 5;
	return seed;
}

/* One masked frame, written at once: with one message in flight per socket the send buffer never fills. */
static void send_frame(struct conn *c, int opcode, const unsigned char *payload, size_t len)
{
	unsigned char frame[MAX_MESSAGE + 8];
	size_t n = 0;
	uint32_t mask = next_mask();
	unsigned char *key;
	ssize_t written;

	if (len > MAX_MESSAGE)
		die("a message of %zu bytes is over %d", len, MAX_MESSAGE);
	frame[n++] = 0x80 | opcode;
	if (len < 126) {
		frame[n++] = 0x80 | len;
	} else {
		frame[n++] = 0x80 | 126;
		frame[n++] = len >> 8;
		frame[n++] = len & 0xff;
	}
	key = frame + n;
	memcpy(key, &mask, 4);
	n += 4;
	for (size_t i = 0; i < len; i++)
		frame[n + i] = payload[i] ^ key[i & 3];
	n += len;
	written = write(c->fd, frame, n);
	if (written != (ssize_t)n)
		die("write: %s", written < 0 ? strerror(errno) : "short write");
}

static void upgrade(struct conn *c)
{
	char head[BUFFER + 1];
	unsigned char *end = memmem(c->in, c->len, "\r\n\r\n", 4);
	size_t size;

	if (!end)
		return;
	size = end + 4 - c->in;
	memcpy(head, c->in, size);
	head[size] = '\0';
	if (strncmp(head, "HTTP/1.1 101 ", 13) != 0)
		die("the handshake was answered with: %.*s", (int)(strchr(head, '\r') - head), head);
	if (!strcasestr(head, ACCEPT))
		die("the 101 has not the Sec-WebSocket-Accept of the key");
	memmove(c->in, c->in + size, c->len - size);
	c->len -= size;
	c->state = OPEN;
	opened++;
}

/* Reads the complete frames in the buffer. */
static void frames(struct conn *c)
{
	while (c->len >= 2) {
		unsigned char *in = c->in;
		int opcode = in[0] & 0x0f, fin = in[0] & 0x80;
		size_t header = 2, len = in[1] & 0x7f;

		if (in[1] & 0x80)
			die("the server sent a masked frame");
		if (len == 126) {
			if (c->len < 4)
				return;
			len = (size_t)in[2] << 8 | in[3];
			header = 4;
		} else if (len == 127) {
			die("the server sent a frame over 64 KiB");
		}
		if (header + len > BUFFER)
			die("the server sent a frame of %zu bytes", len);
		if (c->len < header + len)
			return;
		in += header;
		if (opcode == 1 || opcode == 2 || opcode == 0) {
			if (c->state == OPEN && running) {
				if (opcode == 1 && fin && len == expected_len && !memcmp(in, expected, len))
					trips++;
				else
					wrong++;
				send_frame(c, 1, (const unsigned char *)message, message_len);
			}
		} else if (opcode == 9) {
			send_frame(c, 10, in, len);
		} else if (opcode == 8) {
			if (c->state != CLOSING)
				die("the server closed a socket with %d", len >= 2 ? in[0] << 8 | in[1] : 1005);
			c->state = CLOSED;
			close(c->fd);
			closed++;
			return;
		}
		memmove(c->in, c->in + header + len, c->len - header - len);
		c->len -= header + len;
	}
}

static void readable(struct conn *c)
{
	ssize_t r = read(c->fd, c->in + c->len, BUFFER - c->len);

	if (r < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		die("read: %s", strerror(errno));
	}
	if (r == 0) {
		if (c->state != CLOSING)
			die("the server ended a connection without a close frame");
		c->state = CLOSED;
		close(c->fd);
		closed++;
		return;
	}
	c->len += r;
	if (c->state == UPGRADING)
		upgrade(c);
	if (c->state >= OPEN)
		frames(c);
}

static void connected(int epoll, struct conn *c, int port, const char *path)
{
	char request[1024];
	int error = 0, n;
	socklen_t size = sizeof error;
	struct epoll_event event = { .events = EPOLLIN, .data.ptr = c };

	getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &error, &size);
	if (error)
		die("connect to 127.0.0.1:%d: %s", port, strerror(error));
	n = snprintf(request, sizeof request,
		     "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
		     "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n",
		     path, port, KEY);
	if (write(c->fd, request, n) != n)
		die("write: %s", strerror(errno));
	c->state = UPGRADING;
	epoll_ctl(epoll, EPOLL_CTL_MOD, c->fd, &event);
}

/* Handles the events of up to `wait` milliseconds. */
static void poll_once(int epoll, int wait, int port, const char *path)
{
	struct epoll_event events[256];
	int n = epoll_wait(epoll, events, 256, wait);

	if (n < 0 && errno != EINTR)
		die("epoll_wait: %s", strerror(errno));
	for (int i = 0; i < n; i++) {
		struct conn *c = events[i].data.ptr;
		if (c->state == CLOSED)
			continue;
		if (c->state == CONNECTING)
			connected(epoll, c, port, path);
		else if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
			readable(c);
	}
}

int main(int argc, char **argv)
{
	int port, count, epoll, one = 1;
	double seconds, start, deadline, stopped;
	const char *path;
	struct conn *conns;
	struct sockaddr_in address = { .sin_family = AF_INET };
	struct rusage usage;

	if (argc != 7)
		die("usage: ws-client PORT PATH CONNECTIONS SECONDS MESSAGE EXPECTED");
	port = atoi(argv[1]);
	path = argv[2];
	count = atoi(argv[3]);
	seconds = atof(argv[4]);
	message = argv[5];
	expected = argv[6];
	message_len = strlen(message);
	expected_len = strlen(expected);
	if (port <= 0 || port > 65535 || count <= 0 || !(seconds > 0) || path[0] != '/')
		die("bad arguments");
	seed = (uint32_t)getpid() * 2654435761u ^ (uint32_t)now();
	if (!seed)
		seed = 1;

	address.sin_port = htons(port);
	address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	conns = calloc(count, sizeof *conns);
	epoll = epoll_create1(0);
	if (!conns || epoll < 0)
		die("out of memory or epoll");
	for (int i = 0; i < count; i++) {
		struct conn *c = &conns[i];
		struct epoll_event event = { .events = EPOLLOUT, .data.ptr = c };
		c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (c->fd < 0)
			die("socket: %s", strerror(errno));
		setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		if (connect(c->fd, (struct sockaddr *)&address, sizeof address) && errno != EINPROGRESS)
			die("connect: %s", strerror(errno));
		epoll_ctl(epoll, EPOLL_CTL_ADD, c->fd, &event);
	}
	deadline = now() + 10;
	while (opened < count) {
		if (now() > deadline)
			die("%d of %d handshakes done in 10 s", opened, count);
		poll_once(epoll, 100, port, path);
	}

	start = now();
	deadline = start + seconds;
	running = 1;
	for (int i = 0; i < count; i++)
		send_frame(&conns[i], 1, (const unsigned char *)message, message_len);
	for (double t = start; t < deadline; t = now())
		poll_once(epoll, (int)((deadline - t) * 1000) + 1, port, path);
	running = 0;
	stopped = now();

	for (int i = 0; i < count; i++) {
		static const unsigned char normal[] = { 0x03, 0xe8 };
		conns[i].state = CLOSING;
		send_frame(&conns[i], 8, normal, 2);
	}
	deadline = now() + 5;
	while (closed < count && now() < deadline)
		poll_once(epoll, 100, port, path);
	if (closed < count)
		die("%d of %d sockets not closed by the server in 5 s", count - closed, count);
	getrusage(RUSAGE_SELF, &usage);
	printf("{\"trips\":%ld,\"wrong\":%ld,\"seconds\":%.3f,\"cpu\":%ld}\n", trips, wrong,
	       stopped - start,
	       (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000000L + usage.ru_utime.tv_usec +
		       usage.ru_stime.tv_usec);
	return 0;
}
