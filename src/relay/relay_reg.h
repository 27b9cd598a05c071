/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A container's registration with lensfs-relay (docs/relay.md,
 * "Containers"): the file RUN/reg/ID that lensfs-hook writes and the relay
 * reads at "add" and again after a restart, and the rules for what is in
 * it: the id, the name the container has upstream (never the host's, one
 * live container a name), the rate and burst its annotations ask for.
 * Pure functions on text: lensfs-hook, the relay and the unit tests share
 * them. Errors: -EINVAL with *why set (free it).
 */

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

/* Annotations a container may carry (OCI config.json "annotations"). */
#define RELAY_ANNOTATION_NAME  "org.lensfs.relay.name"
#define RELAY_ANNOTATION_RATE  "org.lensfs.relay.rate"
#define RELAY_ANNOTATION_BURST "org.lensfs.relay.burst"

struct relay_reg {
	char *id;
	char *name; /* what upstream sees as the hostname; valid as an id */
	pid_t pid; /* the container's init when registered */
	guint64 rate, burst; /* overrides; has_limits says whether set */
	bool has_limits;
};

/* A container id as runc accepts it and as a file name is safe: 1..128 of
 * [A-Za-z0-9_.+-], not starting with '.'. */
bool relay_reg_id_valid(const char *id);

/* A name made valid as above: other characters become '_' ("web/1" ->
 * "web_1"), leading dots go, at most 128 characters kept. May be empty. */
char *relay_reg_name_sanitize(const char *name);

/* Whether a name would pass for the host upstream: hostname
 * (gethostname(2)), its first label, "localhost" or
 * "localhost.localdomain", compared without case (hostnames have none, RFC
 * 4343) and without trailing dots. */
bool relay_reg_name_is_host(const char *name, const char *hostname);

/* The first of BASE, BASE-2, BASE-3, ... that taken() says is free, at most
 * 128 characters (the base is cut, the suffix kept). taken() must say no
 * to some of them (a finite set of names is taken). */
typedef bool (*relay_reg_name_taken_fn)(const char *name, void *data);
char *relay_reg_name_pick(const char *base, relay_reg_name_taken_fn taken, void *data);

/* The registration file: a key file, group [container], keys id, name,
 * pid, and rate with burst when has_limits. relay_reg_parse checks id and
 * name (relay_reg_id_valid), the pid (0 to 2^31-1), rate and burst
 * (both or neither, numbers); on -EINVAL reg holds nothing. */
char *relay_reg_to_data(const struct relay_reg *reg);
int relay_reg_parse(const char *text, size_t len, struct relay_reg *reg, char **why);
void relay_reg_clear(struct relay_reg *reg);
typedef struct relay_reg relay_reg;
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(relay_reg, relay_reg_clear)

/* The overrides from annotations' text (either may be NULL: the relay's
 * setting; one alone sets both). -EINVAL with *why set for a value that is
 * not a number from 1 (0 would turn the limit off: annotations are the
 * container creator's), reg unchanged. What the relay grants of them:
 * relay_ratelimit_for. */
int relay_reg_limits_parse(const char *rate, const char *burst, struct relay_reg *reg, char **why);
