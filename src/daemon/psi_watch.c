/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The kernel's psi_trigger_poll hands an event to the first poll that
 * looks (it clears it as it reports it), so the watcher's epoll takes each
 * event, and the handle keeps it until its reader polls (fuse_ops.c).
 * Edge-triggered: a descriptor whose cgroup was removed reports EPOLLERR
 * at every look, which level-triggered would report in a loop.
 */
#include "config.h"

#include "psi_watch.h"
#include "util.h"

#include <errno.h>
#include <glib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define STOP_KEY UINT64_MAX

struct psi_watch {
	int epfd;
	int stopfd;
	GThread *thread;
	psi_watch_fired_fn fired;
	void *data;
};

static gpointer watch_thread(gpointer p)
{
	struct psi_watch *w = p;
	struct epoll_event ev[16];

	for (;;) {
		int n = epoll_wait(w->epfd, ev, G_N_ELEMENTS(ev), -1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return NULL;
		for (int i = 0; i < n; i++) {
			if (ev[i].data.u64 == STOP_KEY)
				return NULL;
			w->fired(ev[i].data.u64, w->data);
		}
	}
}

struct psi_watch *psi_watch_new(psi_watch_fired_fn fired, void *data)
{
	struct psi_watch *w = g_new0(struct psi_watch, 1);
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = STOP_KEY };

	w->fired = fired;
	w->data = data;
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	w->stopfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w->epfd < 0 || w->stopfd < 0 || epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->stopfd, &ev) < 0) {
		if (w->epfd >= 0)
			close(w->epfd);
		if (w->stopfd >= 0)
			close(w->stopfd);
		g_free(w);
		return NULL;
	}
	w->thread = g_thread_new("lensfs-psi", watch_thread, w);
	return w;
}

int psi_watch_add(struct psi_watch *w, int fd, uint64_t fh)
{
	struct epoll_event ev = { .events = EPOLLPRI | EPOLLET, .data.u64 = fh };

	if (!w)
		return -ENOSYS;
	return epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

void psi_watch_free(struct psi_watch *w)
{
	uint64_t one = 1;

	if (!w)
		return;
	if (write(w->stopfd, &one, sizeof(one)) != sizeof(one))
		g_warn_if_reached();
	g_thread_join(w->thread);
	close(w->epfd);
	close(w->stopfd);
	g_free(w);
}
