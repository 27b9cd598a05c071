/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * lensfs-relay's end of its control socket RUN/control (relay_ctl.h has
 * the protocol, and the client lensfs-hook and lensfs-show use):
 *   add ID    lensfs-hook registered the container: relay_add, and
 *             "ok name=NAME", the name it has upstream
 *   drop ID   the container stopped: relay_drop, "ok"
 *   stats     lensfs-show --relay: "ok", then relay_stats's lines
 * and "error: WHY" for what fails or anything else. SOCK_SEQPACKET, made
 * with mode 0600, and only peers with uid 0 are answered. One request a
 * connection, one reply of at most RELAY_CTL_REPLY_MAX bytes, sent
 * without waiting (a client that reads nothing holds nothing up). A
 * connection that sends nothing is closed after 5 s; out of descriptors,
 * accepting pauses 100 ms at a time instead of spinning (the connections
 * wait in the listen backlog).
 */

struct relay;
struct relay_ctl_server;

/* Listens on RUN/control (a socket a dead relay left is replaced) and
 * answers r's requests from the default main loop. Errors, *out NULL:
 * -ENAMETOOLONG (the path does not fit a socket address), the -errno of
 * bind(2) or listen(2), with *why set (free it); the -errno of socket(2),
 * *why unset. */
int relay_ctl_server_new(struct relay *r, const char *run_dir, struct relay_ctl_server **out,
			 char **why);
/* Stops listening: the next relay binds RUN/control again. NULL is
 * nothing. */
void relay_ctl_server_free(struct relay_ctl_server *s);
