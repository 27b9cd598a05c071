/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "sdnotify.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* sd_listen_fds(3): passed descriptors start at 3. */
#define LISTEN_FDS_START 3

int sdnotify_send(const char *state, const int *fds, size_t n_fds)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa;
	struct iovec iov = { .iov_base = (char *)state, .iov_len = strlen(state) };
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * 4)];
	} control = { 0 };
	struct msghdr msg = { .msg_name = &sa, .msg_iov = &iov, .msg_iovlen = 1 };
	autoclose int fd = -1;

	if (!path || !*path)
		return 0;
	/* A path, or "@name" for the abstract namespace. */
	if ((path[0] != '/' && path[0] != '@') || n_fds > 4 ||
	    unix_addr(path, &sa, &msg.msg_namelen) < 0)
		return -EINVAL;
	if (n_fds) {
		struct cmsghdr *c;

		msg.msg_control = control.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * n_fds);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * n_fds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * n_fds);
	}
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (sendmsg(fd, &msg, MSG_NOSIGNAL) < 0)
		return -errno;
	return 1;
}

/* The names passed to this process, and how many descriptors: 0 when
 * none were. */
static uint64_t listen_names(char ***names)
{
	const char *pid = getenv("LISTEN_PID"), *count = getenv("LISTEN_FDS");
	const char *list = getenv("LISTEN_FDNAMES");
	uint64_t p, n;

	*names = NULL;
	if (!pid || !count || !list || parse_u64(pid, &p) < 0 || p != (uint64_t)getpid() ||
	    parse_u64(count, &n) < 0 || n > INT_MAX - LISTEN_FDS_START)
		return 0;
	*names = g_strsplit(list, ":", -1);
	return MIN(n, g_strv_length(*names));
}

int sdnotify_listen_fd(const char *name)
{
	g_auto(GStrv) list = NULL;
	uint64_t n = listen_names(&list);

	for (uint64_t i = 0; i < n; i++) {
		if (strcmp(list[i], name) == 0)
			return LISTEN_FDS_START + (int)i;
	}
	return -ENOENT;
}

void sdnotify_listen_each(const char *prefix, void (*fn)(const char *name, int fd, void *data),
			  void *data)
{
	g_auto(GStrv) list = NULL;
	uint64_t n = listen_names(&list);

	for (uint64_t i = 0; i < n; i++) {
		if (g_str_has_prefix(list[i], prefix))
			fn(list[i], LISTEN_FDS_START + (int)i, data);
	}
}

void sdnotify_listen_done(void)
{
	g_auto(GStrv) list = NULL;
	uint64_t n = listen_names(&list);

	for (uint64_t i = 0; i < n; i++)
		fcntl(LISTEN_FDS_START + (int)i, F_SETFD, FD_CLOEXEC);
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
}
