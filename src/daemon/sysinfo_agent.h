/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The sysinfo agent (docs/sysinfo.md), in two halves. The supervisor
 * (sysinfo_keeper.h) keeps each container's seccomp listener and receives
 * every call on it; a worker answers the calls its supervisor forwards on
 * a channel of their own, and says which it answered. A call a worker had
 * and did not answer (it was killed) goes to the next one: no call is
 * lost with a worker, and none is answered twice (an answer is written
 * only while its call is still pending, SECCOMP_IOCTL_NOTIF_ID_VALID).
 *
 * Each listener is fixed to its container when it arrives: the viewer of
 * the container's first process, found once, as a view's.
 */

#include "context.h"
#include "seccomp_notify.h"

#include <stdint.h>
#include <sys/types.h>

/* The channel's messages (a SOCK_SEQPACKET socket pair). */
enum sysinfo_msg_kind {
	SYSINFO_ADD = 1, /* a listener (the descriptor with it) of the container of pid */
	SYSINFO_DROP, /* the listener key is gone */
	SYSINFO_CALL, /* answer call id on listener key */
	SYSINFO_DONE, /* worker -> supervisor: call id on key is answered */
};

struct sysinfo_msg {
	uint32_t kind;
	int32_t pid;
	uint64_t key;
	uint64_t id;
	uint64_t addr;
	uint32_t answerable;
	uint32_t pad;
};

/* fd: a descriptor to send with it, or -1. Non-blocking: -EAGAIN when the
 * channel is full. */
int sysinfo_msg_send(int sock, const struct sysinfo_msg *m, int fd);
/* -ENODATA at the channel's end; *fd -1 when none came. */
int sysinfo_msg_recv(int sock, struct sysinfo_msg *m, int *fd, bool wait);

struct sysinfo_agent;

/* A worker's half, on the channel chan (taken): a thread that keeps the
 * listeners and answers the calls. */
struct sysinfo_agent *sysinfo_agent_new(struct lensfs_ctx *ctx, int chan);
void sysinfo_agent_free(struct sysinfo_agent *a);
/* Listeners it holds now. */
unsigned int sysinfo_agent_size(struct sysinfo_agent *a);
