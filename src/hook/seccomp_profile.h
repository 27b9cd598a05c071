/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * lensfs-hook seccomp-profile: a container's seccomp profile made to send
 * sysinfo(2) to lensfs (docs/sysinfo.md). Two formats are read alike: the
 * OCI runtime-spec's linux.seccomp (config-linux.md "Seccomp") and the
 * Docker and containers-common profile (archMap, and rules with includes,
 * excludes and comment; Docker's older profiles name one call per rule in
 * "name"). Everything is kept as it was, in its order, but for:
 *   - "listenerPath": the agent's socket (replaced, or added last);
 *   - "sysinfo" taken out of every rule, a rule that named nothing else
 *     dropped;
 *   - one rule {"names": ["sysinfo"], "action": "SCMP_ACT_NOTIFY"} last in
 *     "syscalls" (made if missing).
 * Done again on its own result, it changes nothing.
 */

#include "json.h"

#define SECCOMP_PROFILE_SOCKET "/run/lensfs/sysinfo.sock"

/* What the hook reads at most of a profile or a config.json. */
#define SECCOMP_PROFILE_MAX (16u << 20)

/* A profile that lets every call through but sysinfo: what runc does
 * without one, plus the agent (before seccomp_profile_apply, which adds
 * the rule and the socket). */
struct json_value *seccomp_profile_minimal(void);

/* Changes profile (an object) as above, for the agent on socket. -EINVAL
 * with *why set on a profile it cannot read ("syscalls" not an array, a
 * rule not an object, "names" not an array of strings, "name" not a
 * string): profile is then half changed. */
int seccomp_profile_apply(struct json_value *profile, const char *socket, char **why);

/* The same to a bundle's config.json (an object): to its linux.seccomp, or
 * to profile put in its place when given (taken over, freed on failure;
 * apply it first for errors that name its own file), or to the minimal
 * profile where it has none ("linux" made if missing). 1 when the minimal
 * profile was put in, else 0; -EINVAL with *why set. */
int seccomp_profile_apply_config(struct json_value *config, struct json_value *profile,
				 const char *socket, char **why);
