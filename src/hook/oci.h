/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The two JSON documents an OCI runtime hands a hook (runtime-spec
 * runtime.md "State", config.md "Root"): the state on stdin and the bundle's
 * config.json. Parsers take text; the hook does the reading.
 */

#include <glib.h>
#include <sys/types.h>

struct oci_state {
	char *id;
	char *status; /* "creating", "created", "running", "stopped" */
	pid_t pid; /* 0 when the state has none (a stopped container) */
	char *bundle; /* absolute */
	char *root; /* crun's "root" (the rootfs, absolute), or NULL */
	GHashTable *annotations; /* name -> value, the string ones; NULL: none */
};

/* Checks what a hook relies on: an object with ociVersion, a non-empty id,
 * a status, an absolute bundle, and, when present, a pid in 1..INT_MAX.
 * -EINVAL with *why set (free it) on anything else. */
int oci_state_parse(const char *text, size_t len, struct oci_state *out, char **why);
void oci_state_clear(struct oci_state *s);
/* An annotation's value, or NULL. */
const char *oci_state_annotation(const struct oci_state *s, const char *name);
typedef struct oci_state oci_state;
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(oci_state, oci_state_clear)

/* The rootfs of a bundle: root.path of its config.json, relative to the
 * bundle unless absolute. -EINVAL with *why set when there is none. */
int oci_config_rootfs(const char *text, size_t len, const char *bundle, char **rootfs, char **why);
