/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench/relay.sh's two ends, in C so that neither is what is measured:
 *   relay-load send SOCKET N   N glibc-style datagrams to SOCKET, blocking
 *                              as syslog(3) does; prints the start time (ns)
 *   relay-load sink SOCKET     binds SOCKET, counts datagrams until none came
 *                              for 1 s; prints "COUNT LAST_NS" (CLOCK_MONOTONIC) */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int address(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return -1;
	strcpy(sa->sun_path, path);
	return 0;
}

static int do_send(const char *path, long n)
{
	struct sockaddr_un sa;
	char msg[256];
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	long long start;

	if (fd < 0 || address(path, &sa) < 0 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror(path);
		return 1;
	}
	start = now_ns();
	for (long i = 0; i < n; i++) {
		int len = snprintf(msg, sizeof(msg),
				   "<14>Nov 29 13:30:05 bench[%d]: message %ld of a benchmark run, "
				   "about as long as a real one",
				   (int)getpid(), i);

		if (send(fd, msg, (size_t)len, 0) < 0) {
			perror("send");
			return 1;
		}
	}
	printf("%lld\n", start);
	return 0;
}

static int do_sink(const char *path)
{
	struct sockaddr_un sa;
	char buf[65536];
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0), size = 8 << 20;
	long count = 0;
	long long last = 0;
	struct pollfd p;

	if (fd < 0 || address(path, &sa) < 0) {
		perror(path);
		return 1;
	}
	unlink(path);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror(path);
		return 1;
	}
	p.fd = fd;
	p.events = POLLIN;
	/* Ready: the bench waits for the socket file. */
	for (;;) {
		int r = poll(&p, 1, count ? 1000 : 60000);

		if (r <= 0)
			break;
		while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) >= 0) {
			count++;
			last = now_ns();
		}
	}
	printf("%ld %lld\n", count, last);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "send") == 0)
		return do_send(argv[2], atol(argv[3]));
	if (argc == 3 && strcmp(argv[1], "sink") == 0)
		return do_sink(argv[2]);
	fprintf(stderr, "usage: relay-load send SOCKET N | relay-load sink SOCKET\n");
	return 2;
}
