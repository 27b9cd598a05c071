/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "relay_ctl.h"
#include "util.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

char *relay_ctl_path_control(const char *run_dir)
{
	return g_build_filename(run_dir, "control", NULL);
}

char *relay_ctl_path_reg(const char *run_dir, const char *id)
{
	return g_build_filename(run_dir, "reg", id, NULL);
}

char *relay_ctl_path_dir(const char *run_dir, const char *id)
{
	return g_build_filename(run_dir, "c", id, NULL);
}

int relay_ctl_call(const char *run_dir, const char *verb, const char *id, char **reply)
{
	g_autofree char *path = relay_ctl_path_control(run_dir);
	g_autofree char *request = id ? g_strconcat(verb, " ", id, NULL) : g_strdup(verb);
	g_autofree char *buf = NULL;
	struct sockaddr_un sa;
	socklen_t salen;
	struct timeval tv = { .tv_sec = RELAY_CTL_TIMEOUT_MS / 1000,
			      .tv_usec = (RELAY_CTL_TIMEOUT_MS % 1000) * 1000 };
	autoclose int fd = -1;
	ssize_t n;

	*reply = NULL;
	if (unix_addr(path, &sa, &salen) < 0)
		return -ENAMETOOLONG;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, salen) < 0)
		return -errno;
	if (send(fd, request, strlen(request), MSG_NOSIGNAL) < 0)
		return -errno;
	buf = g_malloc(RELAY_CTL_REPLY_MAX + 1);
	n = recv(fd, buf, RELAY_CTL_REPLY_MAX, 0);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -ECONNRESET;
	buf[n] = '\0';
	/* "ok\n" and lines ("stats"), or "ok WORDS\n" ("add": name=NAME). */
	if (strncmp(buf, "ok\n", 3) != 0 && strncmp(buf, "ok ", 3) != 0) {
		*reply = g_strstrip(g_steal_pointer(&buf));
		return -EPROTO;
	}
	*reply = g_strdup(buf + 3);
	return 0;
}
