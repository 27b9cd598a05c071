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

/* The channel's messages (a SOCK_SEQPACKET socket pair). A call carries
 * its listener: no call depends on an earlier message having arrived. */
enum sysinfo_msg_kind {
	SYSINFO_CALL = 1, /* answer call id on listener key (the descriptor with it) */
	SYSINFO_DROP, /* the container of listener key is gone */
	SYSINFO_DONE, /* worker -> supervisor: call id on key is answered */
};

struct sysinfo_msg {
	uint32_t kind;
	int32_t pid; /* the caller's */
	int32_t first; /* the container's first process's */
	uint32_t answerable;
	uint64_t key;
	uint64_t id;
	uint64_t addr;
};

/* fd: a descriptor to send with it, or -1. wait: until the channel has
 * room (else -EAGAIN when it is full). */
int sysinfo_msg_send(int sock, const struct sysinfo_msg *m, int fd, bool wait);
/* -ENODATA at the channel's end; *fd -1 when none came. */
int sysinfo_msg_recv(int sock, struct sysinfo_msg *m, int *fd, bool wait);

struct sysinfo_agent;

/* A worker's half, on the channel chan (taken): a thread that answers the
 * calls, with each container's viewer found at its first call. */
struct sysinfo_agent *sysinfo_agent_new(struct lensfs_ctx *ctx, int chan);
void sysinfo_agent_free(struct sysinfo_agent *a);
/* Containers it knows now. */
unsigned int sysinfo_agent_size(struct sysinfo_agent *a);
