/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * PSI triggers through proc/pressure/{cpu,memory,io} (docs/design.md,
 * "PSI triggers"): a trigger written to an open pressure file is written
 * to the opener's own cgroup's <kind>.pressure (the host's /proc/pressure
 * file for the root cgroup), on a descriptor the daemon keeps for that
 * open, and poll(2) of the open answers from that descriptor.
 */

#include "context.h"

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Trigger descriptors one container (or the host's pid namespace) may hold. */
#define PSI_TRIGGERS_MAX 32

/* Whether ino is a pressure file of the table, and its kind ("cpu"...). */
bool psi_trigger_node(uint64_t ino, const char **kind);

/* The kernel's unprivileged triggers take windows of multiples of 2 s
 * (PSI_FREQ; Linux 6.5+), and procfs reads at most 32 bytes of a write. */
#define PSI_WINDOW_UNIT_US 2000000u
#define PSI_PROC_WRITE_MAX 32

/* The pressure file of v's own cgroup opened to take a trigger (O_RDWR |
 * O_NONBLOCK, with no effective capability: the kernel takes the opener's
 * credentials for the trigger's): a descriptor, or -EOPNOTSUPP where the
 * host keeps no pressure for it (cgroup v1, a kernel without PSI), -ENOENT
 * when the cgroup is gone, or the kernel's error (EPERM: the machine's
 * /proc/pressure before Linux 6.5, which took triggers from
 * CAP_SYS_RESOURCE only). *proc: the file is the machine's, in procfs. */
int psi_trigger_open(struct lensfs_ctx *ctx, const struct viewer *v, const char *kind, bool *proc);

/* Whether trigger text buf (len bytes, as written) sets a window of a
 * multiple of 2 s, read as the kernel reads it (procfs: the last byte is
 * taken for the terminator), on every kernel: the rule the kernel applies
 * to unprivileged writers since 6.5, which lensfs's writers all are, also
 * before 6.5, where the kernel would take any window from the daemon. 0,
 * or -EINVAL (also for a text the kernel would not read). */
int psi_trigger_check(const char *buf, size_t len, bool proc);

/* A trigger set for v: its file opened (psi_trigger_open), the text
 * checked (psi_trigger_check) and written as it came; the descriptor that
 * holds it in *fd, and len, or -errno (the kernel's as it answered). */
ssize_t psi_trigger_set(struct lensfs_ctx *ctx, const struct viewer *v, const char *kind,
			const char *buf, size_t len, int *fd);

/* counts maps an owner (viewer.container; NULL, the host's pid namespace,
 * is counted as one owner) to the trigger descriptors it holds: take one
 * (-EMFILE when it holds max already) or give one back. */
GHashTable *psi_counts_new(void);
int psi_count_take(GHashTable *counts, const char *owner, unsigned int max);
void psi_count_put(GHashTable *counts, const char *owner);
unsigned int psi_count_of(GHashTable *counts, const char *owner);

/* What poll(2) of an open pressure file answers: with no trigger on it,
 * what the kernel's psi_trigger_poll answers then (DEFAULT_POLLMASK,
 * EPOLLERR and EPOLLPRI); with one, its descriptor's own revents, and
 * POLLPRI when an event fired that the watcher has taken (fired). */
unsigned int psi_poll_answer(bool armed, bool fired, unsigned int fd_revents);
