/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "sysinfo_keeper.h"
#include "json.h"
#include "log.h"
#include "sysinfo_agent.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

/* A process state is a few kB (the container's annotations); fds a
 * runtime sends at once (runc: one). */
#define STATE_MAX (64 * 1024)
#define FDS_MAX	  8
/* How long a runtime may take to send, once connected. */
#define RECV_TIMEOUT_MS 500

struct held {
	int fd;
	pid_t pid;
};

struct sysinfo_keeper {
	char *path;
	int sock;
	GArray *held; /* struct held */
	GArray *chans; /* int: the workers' channels */
};

int sysinfo_state_parse(const char *text, size_t len, unsigned int nfds, unsigned int *index,
			pid_t *pid)
{
	g_autoptr(json_value) o = NULL;
	g_autofree char *why = NULL;
	const struct json_value *fds, *p;
	int64_t v = 0;

	if (json_parse(text, len, &o, &why) < 0 || o->type != JSON_OBJECT)
		return -EINVAL;
	fds = json_member(o, "fds");
	p = json_member(o, "pid");
	if (!fds || fds->type != JSON_ARRAY || fds->items->len != nfds || !p ||
	    json_int64(p, &v) < 0 || v <= 0 || v > INT_MAX)
		return -EINVAL;
	for (guint i = 0; i < fds->items->len; i++) {
		const struct json_value *name = g_ptr_array_index(fds->items, i);

		if (name->type == JSON_STRING && strcmp(name->text, "seccompFd") == 0) {
			*index = i;
			*pid = (pid_t)v;
			return 0;
		}
	}
	return -ENOENT;
}

static int listen_on(const char *path)
{
	struct sockaddr_un sa;
	socklen_t len;
	int r = unix_addr(path, &sa, &len);
	int fd;

	if (r < 0)
		return r;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	unlink(path); /* a predecessor's that nothing listens on */
	if (bind(fd, (struct sockaddr *)&sa, len) < 0 || chmod(path, 0600) < 0 ||
	    listen(fd, 64) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

/* "SOCKET;FD/PID,..." */
static int take_over(struct sysinfo_keeper *k, const char *handed)
{
	g_auto(GStrv) parts = g_strsplit(handed, ";", 2);
	g_auto(GStrv) items = NULL;
	int n = 0;

	if (!parts[0] || sscanf(parts[0], "%d%n", &k->sock, &n) != 1 || parts[0][n] || k->sock < 0)
		return -EINVAL;
	fcntl(k->sock, F_SETFD, FD_CLOEXEC);
	items = g_strsplit(parts[1] ? parts[1] : "", ",", -1);
	for (char **i = items; *i; i++) {
		struct held h;

		if (!**i)
			continue;
		if (sscanf(*i, "%d/%d%n", &h.fd, &h.pid, &n) != 2 || (*i)[n] || h.fd < 0)
			return -EINVAL;
		fcntl(h.fd, F_SETFD, FD_CLOEXEC);
		g_array_append_val(k->held, h);
	}
	return 0;
}

struct sysinfo_keeper *sysinfo_keeper_new(const char *path, const char *handed, int *err)
{
	struct sysinfo_keeper *k = g_new0(struct sysinfo_keeper, 1);

	k->path = g_strdup(path);
	k->held = g_array_new(FALSE, FALSE, sizeof(struct held));
	k->chans = g_array_new(FALSE, FALSE, sizeof(int));
	k->sock = -1;
	*err = handed ? take_over(k, handed) : (k->sock = listen_on(path)) < 0 ? k->sock : 0;
	if (*err < 0) {
		sysinfo_keeper_free(k, false);
		return NULL;
	}
	return k;
}

void sysinfo_keeper_free(struct sysinfo_keeper *k, bool unlink_path)
{
	if (!k)
		return;
	if (k->sock >= 0)
		close(k->sock);
	if (unlink_path && k->sock >= 0)
		unlink(k->path);
	for (guint i = 0; i < k->held->len; i++)
		close(g_array_index(k->held, struct held, i).fd);
	for (guint i = 0; i < k->chans->len; i++)
		close(g_array_index(k->chans, int, i));
	g_array_unref(k->held);
	g_array_unref(k->chans);
	g_free(k->path);
	g_free(k);
}

unsigned int sysinfo_keeper_pollfds(struct sysinfo_keeper *k, struct pollfd *pfd, unsigned int max)
{
	unsigned int n = 0;

	if (max == 0)
		return 0;
	pfd[n++] = (struct pollfd){ .fd = k->sock, .events = POLLIN };
	for (guint i = 0; i < k->held->len && n < max; i++)
		pfd[n++] = (struct pollfd){ .fd = g_array_index(k->held, struct held, i).fd };
	return n;
}

/* Sends h to every channel; a channel whose worker has gone goes. */
static void forward(struct sysinfo_keeper *k, const struct held *h)
{
	for (guint i = 0; i < k->chans->len;) {
		int chan = g_array_index(k->chans, int, i);

		if (sysinfo_channel_send(chan, h->fd, h->pid) < 0) {
			close(chan);
			g_array_remove_index(k->chans, i);
		} else {
			i++;
		}
	}
}

/* One runtime's connection: its state and its listener. */
static void accept_one(struct sysinfo_keeper *k)
{
	struct timeval tv = { 0, RECV_TIMEOUT_MS * 1000 };
	g_autofree char *text = g_malloc(STATE_MAX + 1);
	char ctl[CMSG_SPACE(FDS_MAX * sizeof(int))];
	struct iovec iov = { text, STATE_MAX };
	struct msghdr m = {
		.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl)
	};
	int fds[FDS_MAX], nfds = 0;
	autoclose int conn = accept4(k->sock, NULL, NULL, SOCK_CLOEXEC);
	struct cmsghdr *c;
	struct held h = { -1, 0 };
	unsigned int index = 0;
	size_t len = 0;
	ssize_t n;
	int r;

	if (conn < 0)
		return;
	setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	n = recvmsg(conn, &m, MSG_CMSG_CLOEXEC);
	for (c = n > 0 ? CMSG_FIRSTHDR(&m) : NULL; c; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			int count = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));

			for (int i = 0; i < count && nfds < FDS_MAX; i++)
				memcpy(&fds[nfds++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
		}
	/* The rest of the state, if it came in more than one piece. */
	len = n > 0 ? (size_t)n : 0;
	while (n > 0 && len < STATE_MAX && (n = read(conn, text + len, STATE_MAX - len)) > 0)
		len += (size_t)n;
	text[len] = '\0';
	r = nfds ? sysinfo_state_parse(text, len, (unsigned int)nfds, &index, &h.pid) : -EBADMSG;
	for (int i = 0; i < nfds; i++) {
		if (r == 0 && (unsigned int)i == index)
			h.fd = fds[i];
		else
			close(fds[i]);
	}
	if (r < 0) {
		log_warn("sysinfo: a runtime's message that is not a process state with a "
			 "listener (%s): dropped",
			 g_strerror(-r));
		return;
	}
	g_array_append_val(k->held, h);
	forward(k, &h);
	log_debug("sysinfo: the listener of the container of pid %d", (int)h.pid);
}

void sysinfo_keeper_on_poll(struct sysinfo_keeper *k, const struct pollfd *pfd, unsigned int n)
{
	/* Hung-up listeners first, from the last: the indexes stay right. */
	for (unsigned int i = n; i-- > 1;) {
		if (!(pfd[i].revents & (POLLHUP | POLLERR | POLLNVAL)))
			continue;
		for (guint j = 0; j < k->held->len; j++) {
			if (g_array_index(k->held, struct held, j).fd == pfd[i].fd) {
				close(pfd[i].fd);
				g_array_remove_index(k->held, j);
				break;
			}
		}
	}
	if (n > 0 && (pfd[0].revents & POLLIN))
		accept_one(k);
}

void sysinfo_keeper_add_channel(struct sysinfo_keeper *k, int chan)
{
	g_array_append_val(k->chans, chan);
	for (guint i = 0; i < k->held->len; i++)
		if (sysinfo_channel_send(chan, g_array_index(k->held, struct held, i).fd,
					 g_array_index(k->held, struct held, i).pid) < 0)
			break; /* it is gone: the next forward drops it */
}

char *sysinfo_keeper_handed(struct sysinfo_keeper *k, bool on)
{
	GString *s = g_string_new(NULL);

	g_string_printf(s, "%d;", k->sock);
	fcntl(k->sock, F_SETFD, on ? 0 : FD_CLOEXEC);
	for (guint i = 0; i < k->held->len; i++) {
		const struct held *h = &g_array_index(k->held, struct held, i);

		g_string_append_printf(s, "%s%d/%d", i ? "," : "", h->fd, (int)h->pid);
		fcntl(h->fd, F_SETFD, on ? 0 : FD_CLOEXEC);
	}
	return g_string_free(s, FALSE);
}

unsigned int sysinfo_keeper_size(struct sysinfo_keeper *k)
{
	return k->held->len;
}
