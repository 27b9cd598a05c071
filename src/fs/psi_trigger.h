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

/* Trigger descriptors one container (or the host's pid namespace) may hold. */
#define PSI_TRIGGERS_MAX 32

/* Whether ino is a pressure file of the table, and its kind ("cpu"...). */
bool psi_trigger_node(uint64_t ino, const char **kind);

/* The pressure file of v's own cgroup opened to take a trigger (O_RDWR |
 * O_NONBLOCK, with no effective capability: the kernel takes the opener's
 * credentials for the trigger's, and the daemon has no CAP_SYS_RESOURCE in
 * any case): a descriptor, or -EOPNOTSUPP where the host keeps no pressure
 * for it (cgroup v1, a kernel without PSI), -ENOENT when the cgroup is
 * gone, or the kernel's error. */
int psi_trigger_open(struct lensfs_ctx *ctx, const struct viewer *v, const char *kind);

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
