/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "sysinfo_agent.h"
#include "log.h"
#include "sysinfo.h"
#include "util.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct container {
	struct lensfs_ctx *ctx;
	struct viewer viewer;
	int error; /* why it has no viewer (its first process had left) */
	/* The last answer, given again for --refresh-ms (its texts' period):
	 * a container calling in a loop costs one render a period. */
	struct sysinfo last;
	uint64_t last_us; /* monotonic; 0: none */
	uint64_t used_us; /* its last call */
};

/* A container not called for this long is forgotten (found again at its
 * next call): the supervisor's news of a container gone can miss a worker
 * whose channel is full, and a worker lives as long as lensfs. */
#define IDLE_FORGET_US (60 * G_USEC_PER_SEC)

struct sysinfo_agent {
	struct lensfs_ctx *ctx;
	int chan;
	GThread *thread;
	GMutex lock; /* guards the size the tests ask */
	GHashTable *containers; /* key -> struct container (owned) */
	uint64_t swept_us; /* when idle containers were last forgotten */
};

int sysinfo_msg_send(int sock, const struct sysinfo_msg *m, int fd, bool wait)
{
	char ctl[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { (void *)m, sizeof(*m) };
	struct msghdr h = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (fd >= 0) {
		struct cmsghdr *c;

		h.msg_control = ctl;
		h.msg_controllen = sizeof(ctl);
		c = CMSG_FIRSTHDR(&h);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	return sendmsg(sock, &h, MSG_NOSIGNAL | (wait ? 0 : MSG_DONTWAIT)) == (ssize_t)sizeof(*m)
		       ? 0
		       : -errno;
}

int sysinfo_msg_recv(int sock, struct sysinfo_msg *m, int *fd, bool wait)
{
	char ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { m, sizeof(*m) };
	struct msghdr h = {
		.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl)
	};
	struct cmsghdr *c;
	ssize_t n = recvmsg(sock, &h, MSG_CMSG_CLOEXEC | (wait ? 0 : MSG_DONTWAIT));

	*fd = -1;
	if (n == 0)
		return -ENODATA;
	if (n < 0)
		return -errno;
	c = CMSG_FIRSTHDR(&h);
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
	    c->cmsg_len == CMSG_LEN(sizeof(int)))
		memcpy(fd, CMSG_DATA(c), sizeof(int));
	if (n != (ssize_t)sizeof(*m) || (h.msg_flags & (MSG_CTRUNC | MSG_TRUNC))) {
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		return -EBADMSG;
	}
	return 0;
}

static void container_free(gpointer p)
{
	struct container *c = p;

	viewer_clear(&c->viewer);
	g_free(c);
}

/* notify_answer_fn: the container's sysinfo, whoever of it calls. A
 * container lensfs cannot compute for gets an error, never the host's
 * numbers. */
static int answer(void *data, pid_t pid, struct sysinfo *out)
{
	struct container *c = data;
	uint64_t now = now_monotonic_us();

	(void)pid;
	if (c->error)
		return -EIO;
	if (!c->last_us || now - c->last_us >= c->ctx->refresh_us) {
		if (sysinfo_of_view(c->ctx, &c->viewer, &c->last) < 0) {
			c->last_us = 0;
			return -EIO;
		}
		c->last_us = now;
	}
	*out = c->last;
	return 0;
}

/* The container of listener key, found at its first call, from its first
 * process (as a view's: fixed, whoever of it calls). */
static struct container *container_of(struct sysinfo_agent *a, const struct sysinfo_msg *m)
{
	struct container *c = g_hash_table_lookup(a->containers, &m->key);

	if (c) {
		c->used_us = now_monotonic_us();
		return c;
	}
	c = g_new0(struct container, 1);
	c->ctx = a->ctx;
	c->used_us = now_monotonic_us();
	c->error = viewer_of_process(a->ctx, m->first, &c->viewer);
	if (c->error < 0)
		log_warn("sysinfo: the container of pid %d: %s: its calls fail", (int)m->first,
			 g_strerror(-c->error));
	g_mutex_lock(&a->lock);
	g_hash_table_insert(a->containers, g_memdup2(&m->key, sizeof(m->key)), c);
	g_mutex_unlock(&a->lock);
	return c;
}

static void call(struct sysinfo_agent *a, const struct sysinfo_msg *m, int listener)
{
	struct notify_call nc = { m->id, m->pid, m->answerable != 0, m->addr };
	struct sysinfo_msg done = { .kind = SYSINFO_DONE, .key = m->key, .id = m->id };
	int r = notify_answer(listener, &nc, a->ctx->proc_root, answer, container_of(a, m));

	if (r < 0 && r != -ENOENT)
		log_warn("sysinfo: answering pid %d: %s", (int)m->pid, g_strerror(-r));
	/* Answered, or past answering: the supervisor lets go of it, and
	 * takes the container's next call. Waits for room: lost news would
	 * leave the container's share of calls taken for good. */
	sysinfo_msg_send(a->chan, &done, -1, true);
}

static gboolean idle(gpointer key, gpointer value, gpointer data)
{
	(void)key;
	return ((struct container *)value)->used_us + IDLE_FORGET_US < *(uint64_t *)data;
}

/* At most once a period of IDLE_FORGET_US: one pass. */
static void forget_idle(struct sysinfo_agent *a)
{
	uint64_t now = now_monotonic_us();

	if (now < a->swept_us + IDLE_FORGET_US)
		return;
	a->swept_us = now;
	g_mutex_lock(&a->lock);
	g_hash_table_foreach_remove(a->containers, idle, &now);
	g_mutex_unlock(&a->lock);
}

static gpointer agent_thread(gpointer data)
{
	struct sysinfo_agent *a = data;
	struct sysinfo_msg m;
	int fd, r;

	while ((r = sysinfo_msg_recv(a->chan, &m, &fd, true)) == 0 || r == -EINTR ||
	       r == -EBADMSG) {
		if (r == 0 && m.kind == SYSINFO_CALL && fd >= 0) {
			call(a, &m, fd);
		} else if (r == 0 && m.kind == SYSINFO_DROP) {
			g_mutex_lock(&a->lock);
			g_hash_table_remove(a->containers, &m.key);
			g_mutex_unlock(&a->lock);
		}
		if (fd >= 0)
			close(fd);
		forget_idle(a);
	}
	return NULL;
}

struct sysinfo_agent *sysinfo_agent_new(struct lensfs_ctx *ctx, int chan)
{
	struct sysinfo_agent *a = g_new0(struct sysinfo_agent, 1);

	a->ctx = ctx;
	a->chan = chan;
	a->swept_us = now_monotonic_us();
	a->containers = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, container_free);
	g_mutex_init(&a->lock);
	a->thread = g_thread_new("lensfs-sysinfo", agent_thread, a);
	return a;
}

void sysinfo_agent_free(struct sysinfo_agent *a)
{
	if (!a)
		return;
	/* The thread sees the channel's end once the call it answers is. */
	shutdown(a->chan, SHUT_RD);
	g_thread_join(a->thread);
	close(a->chan);
	g_hash_table_unref(a->containers);
	g_mutex_clear(&a->lock);
	g_free(a);
}

unsigned int sysinfo_agent_size(struct sysinfo_agent *a)
{
	unsigned int n;

	g_mutex_lock(&a->lock);
	n = g_hash_table_size(a->containers);
	g_mutex_unlock(&a->lock);
	return n;
}
