/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* One thread that waits on every PSI trigger descriptor the worker holds
 * (epoll, EPOLLPRI) and says which handle's fired. */

#include <stdint.h>

struct psi_watch;
/* Called on the watcher's thread with the handle a descriptor was added
 * for, once per event (or per error: a cgroup removed). */
typedef void (*psi_watch_fired_fn)(uint64_t fh, void *data);

struct psi_watch *psi_watch_new(psi_watch_fired_fn fired, void *data);
/* Watches fd (which stays the caller's: closing it ends the watch) for fh. */
int psi_watch_add(struct psi_watch *w, int fd, uint64_t fh);
/* Stops the thread; NULL is fine. */
void psi_watch_free(struct psi_watch *w);
