/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The worker's side of the sysinfo agent (docs/sysinfo.md): the seccomp
 * listeners the supervisor hands it, each fixed to its container when it
 * arrives (the viewer of the container's first process, found once, as a
 * view's), answered by one thread that takes the ready listeners in turn,
 * one call each: a container calling in a tight loop waits its turn like
 * any other. A listener whose container has gone (no process uses its
 * filter) is dropped.
 */

#include "context.h"

#include <sys/types.h>

struct sysinfo_agent;

struct sysinfo_agent *sysinfo_agent_new(struct lensfs_ctx *ctx);
/* Stops the thread, closes every listener. */
void sysinfo_agent_free(struct sysinfo_agent *a);
/* Serves listener (taken: closed by the agent) for the container whose
 * first process is pid. */
int sysinfo_agent_add(struct sysinfo_agent *a, int listener, pid_t pid);
/* Listeners served now. */
unsigned int sysinfo_agent_size(struct sysinfo_agent *a);

/* The supervisor's channel to a worker: one listener and its container's
 * pid per message (SCM_RIGHTS). */
int sysinfo_channel_send(int sock, int listener, pid_t pid);
/* -ENODATA at the end of the channel; *listener is -1 for a message
 * without one. */
int sysinfo_channel_recv(int sock, int *listener, pid_t *pid);
