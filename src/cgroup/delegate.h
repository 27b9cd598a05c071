/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Delegation of the sys/fs/cgroup view (lensfs --cgroup-delegate,
 * docs/design.md "The cgroup view"): which containers may write, which
 * files, and how a pid is written so that nothing of the host is in reach
 * of the container while it is.
 */

#include <stdbool.h>
#include <sys/types.h>

/* Where lensfs-hook records the containers that may delegate. */
#define DELEGATE_DIR_DEFAULT "/run/lensfs/delegate"
/* The annotation that asks for it, with "true". */
#define DELEGATE_ANNOTATION "org.lensfs.cgroup-delegate"

/*
 * The files a delegated container may write, after cgroup v2's delegation
 * model (Documentation/admin-guide/cgroup-v2.rst, "Delegation Containment"
 * and each controller's interface files): at its root, those the kernel
 * hands a delegatee (/sys/kernel/cgroup/delegate: cgroup.procs,
 * cgroup.threads, cgroup.subtree_control, memory.oom.group, memory.reclaim;
 * v1's tasks); below it, the knobs that share out its own resources. Never
 * anything that acts beyond the subtree or on the host: cgroup.event_control
 * (the kernel would read fd numbers from the daemon's table), devices.*,
 * release_agent, notify_on_release, net_cls, net_prio, exclusive or
 * partitioned cpusets, realtime budgets, PSI triggers.
 */
bool delegate_allowed(const char *name, bool at_root);

/* The registry: one file per container, named by the SHA-256 of its
 * cgroup's path (the view's root, cgroup_container_path), holding its id.
 * 0 when the container whose cgroup is path may delegate, -EROFS when not. */
int delegate_granted(const char *dir, const char *cgroup_path);
/* Records (lensfs-hook at create) and forgets (at poststop) a container. */
int delegate_grant(const char *dir, const char *id, const char *cgroup_path);
void delegate_revoke(const char *dir, const char *id);

/*
 * Writes text (a pid as the writer's namespace numbers it) to fd, a
 * cgroup's pid list opened by the daemon, from a helper inside the pid
 * namespace of process writer, so that the kernel reads the number as the
 * writer would (kernel/cgroup/cgroup.c, cgroup_procs_write_start: the pid
 * is looked up in the writing task's namespace) and no pid can be reused
 * between a check and the write. The helper is not dumpable, holds fd and
 * nothing else, sits in the writer's network and IPC namespaces with an
 * empty root of its own and no capability, and dies with the daemon; it
 * gets timeout_ms, after which it is killed and the write fails with
 * -ETIMEDOUT (a container can stop it: it is in the container's pid
 * namespace). Called off the serving thread (lanes.h).
 */
int delegate_write_pid(const char *proc_root, pid_t writer, int fd, const char *text,
		       unsigned int timeout_ms);
