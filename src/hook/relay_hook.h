/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * lensfs-hook's part of the relay (docs/relay.md, "Containers"):
 *   at create: the registration RUN/reg/ID and the directory RUN/c/ID are
 *     written whether or not a relay runs (a relay that starts later reads
 *     them), the relay is asked to bind RUN/c/ID/log, and the directory is
 *     mounted read-only at /dev/lensfs-relay in the container, with
 *     /dev/log -> lensfs-relay/log;
 *   at poststop: the registration goes, and the relay drops the socket (or,
 *     with no relay running, the hook removes what is left).
 * lensfs-hook warns when something here fails, and the container starts;
 * only a running relay that refuses the container (its "add" answers an
 * error) stops the start, and lensfs-hook removes the registration first.
 */

#include "oci.h"
#include "relay_reg.h"

#include <sys/types.h>

#define RELAY_DEV_DIR "lensfs-relay" /* in the container's /dev */

/* The registration from the OCI state (oci_state_parse): id, pid, the name
 * and the rate and burst annotations. The name: with Kubernetes
 * annotations, NAMESPACE.POD.CONTAINER (CRI-O's io.kubernetes.pod.namespace,
 * io.kubernetes.pod.name, io.kubernetes.container.name, or containerd's
 * io.kubernetes.cri.sandbox-namespace, io.kubernetes.cri.sandbox-name,
 * io.kubernetes.cri.container-name; the parts present, joined with '.');
 * else the annotation org.lensfs.relay.name; else the id. Made valid by
 * relay_reg_name_sanitize (the id when nothing is left). -EINVAL with
 * *why set for a state without an id or pid; a bad rate or burst
 * annotation leaves the relay's limits and sets *warning (free both). */
int relay_reg_from_state(const struct oci_state *st, struct relay_reg *reg, char **why,
			 char **warning);

/* Writes the registration and makes the directory. */
int relay_hook_register(const char *run_dir, const struct relay_reg *reg);
/* A detached, read-only, nosuid, nodev, noexec copy of RUN/c/ID. */
int relay_hook_prepare(const char *run_dir, const char *id, int *mount_fd);
/* In the container's mount namespace: the copy at ROOTFS/dev/lensfs-relay
 * and the link ROOTFS/dev/log. -EEXIST when the image has a /dev/log of
 * its own (left alone; the directory is still mounted). */
int relay_hook_attach(int mount_fd, const char *rootfs);
/* poststop: no registration left; the directory removed when no relay
 * (connected says whether one answered) removed it. */
void relay_hook_unregister(const char *run_dir, const char *id, bool connected);
