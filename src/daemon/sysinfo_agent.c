/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "sysinfo_agent.h"
#include "log.h"
#include "seccomp_notify.h"
#include "sysinfo.h"
#include "util.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#define READY_MAX 64

struct listener {
	struct lensfs_ctx *ctx;
	int fd;
	pid_t pid;
	struct viewer viewer;
	int error; /* why it has no viewer (its first process had left) */
};

struct sysinfo_agent {
	struct lensfs_ctx *ctx;
	int epoll_fd;
	int stop_fd; /* an eventfd */
	GThread *thread;
	GMutex lock; /* guards listeners */
	GHashTable *listeners; /* struct listener * (owned) */
};

static void listener_free(gpointer p)
{
	struct listener *l = p;

	close(l->fd);
	viewer_clear(&l->viewer);
	g_free(l);
}

/* notify_answer_fn: the container's sysinfo, whoever of it calls. */
static int answer(void *data, pid_t pid, struct sysinfo *out)
{
	struct listener *l = data;

	(void)pid;
	/* A container lensfs cannot compute for gets an error, never the
	 * host's numbers. */
	if (l->error || sysinfo_of_view(l->ctx, &l->viewer, out) < 0)
		return -EIO;
	return 0;
}

static void drop(struct sysinfo_agent *a, struct listener *l)
{
	epoll_ctl(a->epoll_fd, EPOLL_CTL_DEL, l->fd, NULL);
	g_mutex_lock(&a->lock);
	g_hash_table_remove(a->listeners, l);
	g_mutex_unlock(&a->lock);
}

static gpointer serve_thread(gpointer data)
{
	struct sysinfo_agent *a = data;
	struct epoll_event ready[READY_MAX];

	for (;;) {
		int n = epoll_wait(a->epoll_fd, ready, READY_MAX, -1);

		if (n < 0 && errno != EINTR) {
			log_error("sysinfo agent: %s", g_strerror(errno));
			return NULL;
		}
		/* One call of each ready container, then the next round. */
		for (int i = 0; i < n; i++) {
			struct listener *l = ready[i].data.ptr;
			int r;

			if (!l)
				return NULL; /* the stop eventfd */
			if (ready[i].events & (EPOLLHUP | EPOLLERR)) {
				drop(a, l);
				continue;
			}
			r = notify_answer_one(l->fd, a->ctx->proc_root, answer, l);
			if (r < 0 && r != -ENOENT && r != -EINTR) {
				log_warn("sysinfo agent: container of pid %d: %s", (int)l->pid,
					 g_strerror(-r));
				drop(a, l);
			}
		}
	}
}

struct sysinfo_agent *sysinfo_agent_new(struct lensfs_ctx *ctx)
{
	struct sysinfo_agent *a = g_new0(struct sysinfo_agent, 1);
	struct epoll_event stop = { .events = EPOLLIN, .data.ptr = NULL };

	a->ctx = ctx;
	a->listeners = g_hash_table_new_full(g_direct_hash, g_direct_equal, listener_free, NULL);
	g_mutex_init(&a->lock);
	a->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	a->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (a->epoll_fd < 0 || a->stop_fd < 0 ||
	    epoll_ctl(a->epoll_fd, EPOLL_CTL_ADD, a->stop_fd, &stop) < 0) {
		log_error("sysinfo agent: %s", g_strerror(errno));
		sysinfo_agent_free(a);
		return NULL;
	}
	a->thread = g_thread_new("lensfs-sysinfo", serve_thread, a);
	return a;
}

void sysinfo_agent_free(struct sysinfo_agent *a)
{
	uint64_t one = 1;

	if (!a)
		return;
	if (a->thread) {
		if (write(a->stop_fd, &one, sizeof(one)) != sizeof(one))
			log_warn("sysinfo agent: stopping: %s", g_strerror(errno));
		g_thread_join(a->thread);
	}
	g_hash_table_unref(a->listeners);
	g_mutex_clear(&a->lock);
	if (a->epoll_fd >= 0)
		close(a->epoll_fd);
	if (a->stop_fd >= 0)
		close(a->stop_fd);
	g_free(a);
}

int sysinfo_agent_add(struct sysinfo_agent *a, int listener, pid_t pid)
{
	struct listener *l = g_new0(struct listener, 1);
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = l };

	l->ctx = a->ctx;
	l->fd = listener;
	l->pid = pid;
	l->error = viewer_of_process(a->ctx, pid, &l->viewer);
	if (l->error < 0)
		log_warn("sysinfo agent: pid %d: %s: its calls fail", (int)pid,
			 g_strerror(-l->error));
	g_mutex_lock(&a->lock);
	g_hash_table_add(a->listeners, l);
	g_mutex_unlock(&a->lock);
	if (epoll_ctl(a->epoll_fd, EPOLL_CTL_ADD, listener, &ev) < 0) {
		int r = -errno;

		g_mutex_lock(&a->lock);
		g_hash_table_remove(a->listeners, l);
		g_mutex_unlock(&a->lock);
		return r;
	}
	return 0;
}

unsigned int sysinfo_agent_size(struct sysinfo_agent *a)
{
	unsigned int n;

	g_mutex_lock(&a->lock);
	n = g_hash_table_size(a->listeners);
	g_mutex_unlock(&a->lock);
	return n;
}

int sysinfo_channel_send(int sock, int listener, pid_t pid)
{
	int32_t who = (int32_t)pid;
	char ctl[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { &who, sizeof(who) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (listener >= 0) {
		struct cmsghdr *c;

		m.msg_control = ctl;
		m.msg_controllen = sizeof(ctl);
		c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &listener, sizeof(int));
	}
	return sendmsg(sock, &m, MSG_NOSIGNAL) == (ssize_t)sizeof(who) ? 0 : -errno;
}

int sysinfo_channel_recv(int sock, int *listener, pid_t *pid)
{
	int32_t who = 0;
	char ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &who, sizeof(who) };
	struct msghdr m = {
		.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl)
	};
	struct cmsghdr *c;
	ssize_t n = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);

	*listener = -1;
	if (n == 0)
		return -ENODATA;
	if (n < 0)
		return -errno;
	c = CMSG_FIRSTHDR(&m);
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
	    c->cmsg_len == CMSG_LEN(sizeof(int)))
		memcpy(listener, CMSG_DATA(c), sizeof(int));
	if (n != (ssize_t)sizeof(who) || (m.msg_flags & MSG_CTRUNC)) {
		if (*listener >= 0)
			close(*listener);
		*listener = -1;
		return -EBADMSG;
	}
	*pid = (pid_t)who;
	return 0;
}
