/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Where lensfs-relay keeps things under its run directory, and the client
 * side of its control socket (lensfs-hook, lensfs-show). docs/relay.md:
 *   RUN/control          SOCK_SEQPACKET, root only: one request, one reply
 *   RUN/reg/ID           registrations (written by lensfs-hook), mode 0700
 *   RUN/c/ID/            what is bind-mounted at the container's
 *   RUN/c/ID/log         /dev/lensfs-relay; /dev/log links to log in it
 * Requests: "add ID", "drop ID", "stats". Replies start with "ok" or
 * "error: WHY\n": "ok name=NAME\n" to add (the name the container has
 * upstream), "ok\n" and a line per container to stats, "ok\n" to drop.
 */

#include <glib.h>

#define RELAY_CTL_TIMEOUT_MS 2000
/* The largest reply: what one SOCK_SEQPACKET packet carries by default. */
#define RELAY_CTL_REPLY_MAX (200 * 1024)

/* RUN/control, RUN/reg/ID and RUN/c/ID (free them); id as
 * relay_reg_id_valid says, which the caller checks. */
char *relay_ctl_path_control(const char *run_dir);
char *relay_ctl_path_reg(const char *run_dir, const char *id);
char *relay_ctl_path_dir(const char *run_dir, const char *id);

/* Sends one request, "VERB" or "VERB ID", and reads the reply, waiting at
 * most RELAY_CTL_TIMEOUT_MS for each. *reply: what follows "ok\n" or "ok "
 * ("name=NAME\n" for add), or on -EPROTO the relay's "error: WHY" line
 * (trimmed). -ENOENT / -ECONNREFUSED: no relay; -EAGAIN: it did not
 * answer in time; -ECONNRESET: it closed without a reply; -ENAMETOOLONG:
 * the run directory's path does not fit a socket address; another -errno
 * of socket(2), send(2), recv(2). */
int relay_ctl_call(const char *run_dir, const char *verb, const char *id, char **reply);
