/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * lensfs-relay's daemon: one GLib main loop that
 *   - drains every container's datagram socket (RUN/c/ID/log) as soon as it
 *     is readable, so that no sender waits on the relay;
 *   - parses, rate-limits (a token bucket per container) and formats each
 *     message, and queues it for the upstream (at most `queue` messages per
 *     container: a container that floods fills its own share, not another's);
 *   - writes the queue to the upstream without ever blocking, reconnecting
 *     with a growing pause when it is gone;
 *   - answers the control socket (add, drop, stats).
 * A message's container is the socket it came in on, nothing else.
 */

#include "relay_config.h"

struct relay;

/* Creates the run directory, the control socket, and a socket for every
 * registration found (a restart). -errno for what stops the start; *why
 * says what (free it). */
int relay_new(const struct relay_config *cfg, struct relay **out, char **why);
/* Runs until SIGTERM or SIGINT. */
void relay_run(struct relay *r);
void relay_free(struct relay *r);
