/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * lensfs-relay's end of its control socket RUN/control (relay_ctl.h has
 * the protocol, and the client lensfs-hook and lensfs-show use):
 *   add ID    lensfs-hook registered the container: ops->add, and
 *             "ok name=NAME", the name it has upstream
 *   drop ID   the container stopped: ops->drop, "ok"
 *   stats     lensfs-show --relay: "ok", then ops->stats's lines
 * and "error: WHY" for what fails or anything else. SOCK_SEQPACKET, made
 * with mode 0600, and only peers with uid 0 are answered. One request a
 * connection, one reply of at most RELAY_CTL_REPLY_MAX bytes, sent
 * without waiting (a client that reads nothing holds nothing up). A
 * connection that sends nothing is closed after 5 s; out of descriptors,
 * accepting pauses 100 ms at a time instead of spinning (the connections
 * wait in the listen backlog).
 */

#include <glib.h>

/* What the requests do (relay.h: relay_add, relay_drop, relay_stats), for
 * data. add and drop: 0, or -errno with *why set (freed by the server). */
struct relay_ctl_ops {
	int (*add)(void *data, const char *id, const char **name, char **why);
	int (*drop)(void *data, const char *id, char **why);
	void (*stats)(void *data, GString *out);
};

struct relay_ctl_server;

/* Listens on RUN/control (a socket a dead relay left is replaced) and
 * answers requests with ops from the default main loop (ops must outlive
 * the server). Errors, *out NULL:
 * -ENAMETOOLONG (the path does not fit a socket address), the -errno of
 * bind(2) or listen(2), with *why set (free it); the -errno of socket(2),
 * *why unset. */
int relay_ctl_server_new(const struct relay_ctl_ops *ops, void *data, const char *run_dir,
			 struct relay_ctl_server **out, char **why);
/* Stops listening: the next relay binds RUN/control again. NULL is
 * nothing. */
void relay_ctl_server_free(struct relay_ctl_server *s);
