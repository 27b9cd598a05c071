/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The supervisor's side of the sysinfo agent (docs/sysinfo.md): the unix
 * socket a runtime sends each container's seccomp listener to
 * (linux.seccomp.listenerPath: runc and crun connect once the filter is
 * in, and send the container's process state, a JSON document, with the
 * listener, SCM_RIGHTS), and every listener of a container that still
 * runs. The supervisor keeps them, as it keeps the FUSE connections: the
 * last copy of a listener closing would make every later sysinfo of the
 * container fail (ENOSYS). It receives every call and sends it, with its
 * listener, to the newest worker on a channel of their own
 * (sysinfo_agent.h); a listener whose container has gone (POLLHUP: no
 * process uses the filter) is closed.
 */

#include <stdbool.h>
#include <sys/types.h>

struct sysinfo_keeper;

/* Listens on path (0600); or, for an upgraded supervisor, takes over the
 * socket and the listeners its predecessor handed (sysinfo_keeper_handed's
 * text). NULL with *err set on failure. */
struct sysinfo_keeper *sysinfo_keeper_new(const char *path, const char *handed, int *err);
/* Closes the socket (and removes it if unlink_path) and every listener. */
void sysinfo_keeper_free(struct sysinfo_keeper *k, bool unlink_path);

/* The descriptor to poll (POLLIN): an epoll set of the socket, the
 * workers' channels and the listeners. */
int sysinfo_keeper_fd(struct sysinfo_keeper *k);
/* Once it is readable: accepts a runtime's listener, receives calls and
 * forwards them to the newest worker (a container's calls at most a few
 * at a time), takes the workers' answers in, gives the calls of a worker
 * that has gone to the next, lets go of a listener whose container has
 * gone. The work of a call does not grow with the number of containers. */
void sysinfo_keeper_run(struct sysinfo_keeper *k);

/* A worker's channel (taken): the calls to answer, each with its listener,
 * until its worker goes (the newest channel gets the new calls). */
void sysinfo_keeper_add_channel(struct sysinfo_keeper *k, int chan);
/* "SOCKET;FD/PID,FD/PID..." of the descriptors an upgraded supervisor
 * takes over, left open across exec (on) or not. */
char *sysinfo_keeper_handed(struct sysinfo_keeper *k, bool on);
unsigned int sysinfo_keeper_size(struct sysinfo_keeper *k);
/* Calls received and not yet answered. */
unsigned int sysinfo_keeper_pending(struct sysinfo_keeper *k);

/* The listener and the container's pid in a runtime's process state
 * (its "fds" names the descriptors sent; "seccompFd" the listener's). */
int sysinfo_state_parse(const char *text, size_t len, unsigned int nfds, unsigned int *index,
			pid_t *pid);
