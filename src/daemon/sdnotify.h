/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The two systemd protocols the supervisor speaks, without libsystemd:
 * sd_notify(3) (READY=1, and FDSTORE=1 to keep the FUSE connection in the
 * service manager's file descriptor store) and sd_listen_fds(3) (the stored
 * descriptors given back to the next start of the service).
 */

#include <stddef.h>

/* Sends state to $NOTIFY_SOCKET, with fds attached. 0 when there is no
 * service manager to tell, 1 when sent, or -errno. */
int sdnotify_send(const char *state, const int *fds, size_t n_fds);
/* The descriptor passed as name ($LISTEN_FDS, $LISTEN_FDNAMES, for this
 * process by $LISTEN_PID), or -ENOENT. */
int sdnotify_listen_fd(const char *name);
/* Each descriptor passed whose name starts with prefix, in order:
 * fn(name, fd, data). */
void sdnotify_listen_each(const char *prefix, void (*fn)(const char *name, int fd, void *data),
			  void *data);
/* Forgets what was passed ($LISTEN_*): a descriptor not taken by then is
 * not left to the workers (close-on-exec). */
void sdnotify_listen_done(void);
