/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "sysinfo_keeper.h"
#include "json.h"
#include "log.h"
#include "sysinfo_agent.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
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
#define RECV_TIMEOUT_MS 100

/* Calls of one container forwarded and not yet answered, at most: a
 * container whose threads all call cannot fill a worker's queue ahead of
 * the others. */
#define CALLS_PER_CONTAINER 4

struct held {
	uint64_t key; /* the workers know it by that */
	int fd;
	pid_t pid;
	unsigned int calls; /* forwarded, not answered */
};

/* A call received and not yet answered, and the channel of the worker
 * that has it (-1: none yet, or its worker went). */
struct pending {
	uint64_t key;
	struct notify_call call;
	int chan;
};

struct sysinfo_keeper {
	char *path;
	int sock;
	uint64_t next_key;
	GArray *held; /* struct held */
	GArray *chans; /* int: the workers' channels, the newest last */
	GPtrArray *pending; /* struct pending (owned) */
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
	{
		g_autofree char *dir = g_path_get_dirname(path);

		if (g_mkdir_with_parents(dir, 0755) < 0)
			return -errno;
	}
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

/* "SOCKET;FD/PID,...;INDEX/ID/PID/ADDR/ANSWERABLE,...": the socket, the
 * listeners, and the calls received that no worker has (their listener by
 * its place in the list). */
static int take_over(struct sysinfo_keeper *k, const char *handed)
{
	g_auto(GStrv) parts = g_strsplit(handed, ";", 3);
	g_auto(GStrv) items = NULL, calls = NULL;
	int n = 0;

	if (!parts[0] || sscanf(parts[0], "%d%n", &k->sock, &n) != 1 || parts[0][n] || k->sock < 0)
		return -EINVAL;
	fcntl(k->sock, F_SETFD, FD_CLOEXEC);
	items = g_strsplit(parts[1] ? parts[1] : "", ",", -1);
	for (char **i = items; *i; i++) {
		struct held h = { .key = ++k->next_key };

		if (!**i)
			continue;
		if (sscanf(*i, "%d/%d%n", &h.fd, &h.pid, &n) != 2 || (*i)[n] || h.fd < 0)
			return -EINVAL;
		fcntl(h.fd, F_SETFD, FD_CLOEXEC);
		g_array_append_val(k->held, h);
	}
	calls = g_strsplit(parts[1] && parts[2] ? parts[2] : "", ",", -1);
	for (char **c = calls; *c; c++) {
		struct pending *p;
		unsigned int index, answerable;
		uint64_t id, addr;
		int pid;

		if (!**c)
			continue;
		if (sscanf(*c, "%u/%" SCNu64 "/%d/%" SCNu64 "/%u%n", &index, &id, &pid, &addr,
			   &answerable, &n) != 5 ||
		    (*c)[n] || index >= k->held->len)
			return -EINVAL;
		p = g_new0(struct pending, 1);
		p->key = g_array_index(k->held, struct held, index).key;
		p->call = (struct notify_call){ id, (pid_t)pid, answerable != 0, addr };
		p->chan = -1;
		g_array_index(k->held, struct held, index).calls++;
		g_ptr_array_add(k->pending, p);
	}
	return 0;
}

struct sysinfo_keeper *sysinfo_keeper_new(const char *path, const char *handed, int *err)
{
	struct sysinfo_keeper *k = g_new0(struct sysinfo_keeper, 1);

	k->path = g_strdup(path);
	k->held = g_array_new(FALSE, FALSE, sizeof(struct held));
	k->chans = g_array_new(FALSE, FALSE, sizeof(int));
	k->pending = g_ptr_array_new_with_free_func(g_free);
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
	g_ptr_array_unref(k->pending);
	g_free(k->path);
	g_free(k);
}

unsigned int sysinfo_keeper_pollfds(struct sysinfo_keeper *k, struct pollfd *pfd, unsigned int max)
{
	unsigned int n = 0;

	if (max > 0)
		pfd[n++] = (struct pollfd){ .fd = k->sock, .events = POLLIN };
	for (guint i = 0; i < k->chans->len && n < max; i++)
		pfd[n++] =
			(struct pollfd){ .fd = g_array_index(k->chans, int, i), .events = POLLIN };
	/* A container with its share of calls at the workers waits. */
	for (guint i = 0; i < k->held->len && n < max; i++) {
		const struct held *h = &g_array_index(k->held, struct held, i);

		pfd[n++] = (struct pollfd){ .fd = h->fd,
					    .events = h->calls < CALLS_PER_CONTAINER ? POLLIN : 0 };
	}
	return n;
}

unsigned int sysinfo_keeper_pollfds_max(struct sysinfo_keeper *k)
{
	return 1 + k->chans->len + k->held->len;
}

static struct held *held_by_key(struct sysinfo_keeper *k, uint64_t key)
{
	for (guint i = 0; i < k->held->len; i++)
		if (g_array_index(k->held, struct held, i).key == key)
			return &g_array_index(k->held, struct held, i);
	return NULL;
}

static void forget_chan(struct sysinfo_keeper *k, guint i)
{
	int chan = g_array_index(k->chans, int, i);

	/* Its worker has gone: its calls go to the next. */
	for (guint j = 0; j < k->pending->len; j++) {
		struct pending *p = g_ptr_array_index(k->pending, j);

		if (p->chan == chan)
			p->chan = -1;
	}
	close(chan);
	g_array_remove_index(k->chans, i);
}

/* Sends m to every channel; one whose worker has gone goes. (A full one
 * misses it: a DROP only lets a worker forget a container sooner.) */
static void to_all(struct sysinfo_keeper *k, const struct sysinfo_msg *m)
{
	for (guint i = 0; i < k->chans->len;) {
		int r = sysinfo_msg_send(g_array_index(k->chans, int, i), m, -1, false);

		if (r < 0 && r != -EAGAIN)
			forget_chan(k, i);
		else
			i++;
	}
}

/* The calls no worker has go to the newest one, each with its listener;
 * one its channel has no room for now, at a next round (the worker's
 * answers wake the supervisor). The calls of a container gone go: their
 * callers are gone with it. */
static void assign(struct sysinfo_keeper *k)
{
	int chan = k->chans->len ? g_array_index(k->chans, int, k->chans->len - 1) : -1;

	for (guint j = 0; j < k->pending->len;) {
		struct pending *p = g_ptr_array_index(k->pending, j);
		const struct held *h = held_by_key(k, p->key);
		struct sysinfo_msg m = { .kind = SYSINFO_CALL,
					 .pid = p->call.pid,
					 .first = h ? h->pid : 0,
					 .answerable = p->call.answerable,
					 .key = p->key,
					 .id = p->call.id,
					 .addr = p->call.addr };

		if (!h) {
			g_ptr_array_remove_index_fast(k->pending, j);
			continue;
		}
		if (p->chan < 0 && chan >= 0 && sysinfo_msg_send(chan, &m, h->fd, false) == 0)
			p->chan = chan;
		j++;
	}
}

static void done(struct sysinfo_keeper *k, const struct sysinfo_msg *m)
{
	for (guint j = 0; j < k->pending->len; j++) {
		struct pending *p = g_ptr_array_index(k->pending, j);
		struct held *h;

		if (p->key != m->key || p->call.id != m->id)
			continue;
		h = held_by_key(k, p->key);
		if (h && h->calls)
			h->calls--;
		g_ptr_array_remove_index_fast(k->pending, j);
		return;
	}
}

/* A call on h: received here, answered by a worker. */
static void receive(struct sysinfo_keeper *k, struct held *h)
{
	struct pending *p = g_new0(struct pending, 1);

	if (notify_recv(h->fd, &p->call) < 0) {
		g_free(p); /* its caller went away meanwhile */
		return;
	}
	p->key = h->key;
	p->chan = -1;
	h->calls++;
	g_ptr_array_add(k->pending, p);
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
	struct held h = { 0, -1, 0, 0 };
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
	/* runc and crun send the state in one message and keep the
	 * connection open as long as their process runs (runc exec: the whole
	 * life of the command): what follows a whole state is not waited
	 * for, or every exec would hold the supervisor RECV_TIMEOUT_MS. The
	 * rest of a state that came in pieces is. */
	len = n > 0 ? (size_t)n : 0;
	text[len] = '\0';
	r = nfds ? sysinfo_state_parse(text, len, (unsigned int)nfds, &index, &h.pid) : -EBADMSG;
	while (r == -EINVAL && n > 0 && len < STATE_MAX &&
	       (n = read(conn, text + len, STATE_MAX - len)) > 0) {
		len += (size_t)n;
		text[len] = '\0';
		r = sysinfo_state_parse(text, len, (unsigned int)nfds, &index, &h.pid);
	}
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
	h.key = ++k->next_key;
	g_array_append_val(k->held, h);
	log_debug("sysinfo: the listener of the container of pid %d", (int)h.pid);
}

void sysinfo_keeper_on_poll(struct sysinfo_keeper *k, const struct pollfd *pfd, unsigned int n)
{
	unsigned int nchans = MIN(k->chans->len, n > 0 ? n - 1 : 0);
	unsigned int first_held = 1 + nchans;

	/* The workers' news: calls answered, or their end. From the last:
	 * the indexes stay right. */
	for (unsigned int i = nchans; i-- > 0;) {
		const struct pollfd *c = &pfd[1 + i];
		struct sysinfo_msg m;
		int fd, r = 0;

		if (!c->revents)
			continue;
		while ((r = sysinfo_msg_recv(c->fd, &m, &fd, false)) == 0 || r == -EBADMSG) {
			if (fd >= 0)
				close(fd);
			if (r == 0 && m.kind == SYSINFO_DONE)
				done(k, &m);
		}
		if (r != -EAGAIN && r != -EINTR)
			forget_chan(k, i);
	}
	/* The containers: calls, or their end. */
	for (unsigned int i = n; i-- > first_held;) {
		guint j = i - first_held;
		struct held *h = j < k->held->len ? &g_array_index(k->held, struct held, j) : NULL;

		if (!h || h->fd != pfd[i].fd || !pfd[i].revents)
			continue;
		if (pfd[i].revents & (POLLHUP | POLLERR | POLLNVAL)) {
			struct sysinfo_msg m = { .kind = SYSINFO_DROP, .key = h->key };

			to_all(k, &m);
			close(h->fd);
			g_array_remove_index(k->held, j);
		} else if (pfd[i].revents & POLLIN) {
			receive(k, h);
		}
	}
	if (n > 0 && (pfd[0].revents & POLLIN))
		accept_one(k);
	assign(k);
}

void sysinfo_keeper_add_channel(struct sysinfo_keeper *k, int chan)
{
	g_array_append_val(k->chans, chan);
	assign(k);
}

unsigned int sysinfo_keeper_pending(struct sysinfo_keeper *k)
{
	return k->pending->len;
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
	/* The calls no worker has: the successor's. (A worker's go on with
	 * it: it answers what its channel holds before it sees the end.) */
	g_string_append_c(s, ';');
	for (guint j = 0, n = 0; j < k->pending->len; j++) {
		const struct pending *p = g_ptr_array_index(k->pending, j);
		guint index = 0;

		if (p->chan >= 0)
			continue;
		while (index < k->held->len &&
		       g_array_index(k->held, struct held, index).key != p->key)
			index++;
		if (index < k->held->len)
			g_string_append_printf(s, "%s%u/%" PRIu64 "/%d/%" PRIu64 "/%u",
					       n++ ? "," : "", index, p->call.id, (int)p->call.pid,
					       p->call.addr, p->call.answerable ? 1u : 0u);
	}
	return g_string_free(s, FALSE);
}

unsigned int sysinfo_keeper_size(struct sysinfo_keeper *k)
{
	return k->held->len;
}
