/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * lensfs-relay's daemon (docs/relay.md): one GLib main loop, the default
 * one, that
 *   - gives each registered container a datagram socket of its own,
 *     RUN/c/ID/log, and drains it as soon as it is readable, so that no
 *     sender waits on the relay (relay.c);
 *   - takes a message's container from the socket it came in on and its
 *     sender's pid and uid from the kernel (SO_PASSCRED), never from what
 *     the message says (relay.c);
 *   - admits each datagram within its container's share of the queue and
 *     its token bucket (relay_ratelimit.h), sums up what it dropped in one
 *     message a window, and parses and formats it (syslog_msg.h);
 *   - writes the queue to the upstream without ever blocking,
 *     reconnecting with a growing pause when it is gone (relay_upstream.h);
 *   - answers the control socket: add, drop, stats (relay_ctl_server.h).
 * Settings: relay_config.h. Registrations: relay_reg.h.
 */

#include "relay_config.h"

#include <glib.h>

struct relay;

/* Makes the run directory (RUN, RUN/reg mode 0700, RUN/c), locks RUN/lock
 * (one relay a run directory), resolves the upstream, listens on the
 * control socket, binds a socket for every registration found (a
 * restart: the order they were written in) and connects the upstream.
 * -errno for what stops the start, *why says what when it can (free it;
 * may be NULL); *out is set even then, for relay_free. */
int relay_new(const struct relay_config *cfg, struct relay **out, char **why);
/* Runs until SIGTERM or SIGINT; SIGHUP reads the registrations again. */
void relay_run(struct relay *r);
/* Closes every socket; registrations and directories stay for the next
 * relay, what waits for the upstream is lost. NULL is nothing. */
void relay_free(struct relay *r);

/* What the control socket asks (relay_ctl_server.h). Errors: *why set
 * (free it). */

/* Reads the registration RUN/reg/ID and binds RUN/c/ID/log, or, for a
 * container the relay has, reads it again (its limits; its name upstream
 * only when the registration's changed). *name: its name upstream, valid
 * while the container is. -EINVAL: an id that is not valid, a registration
 * that does not parse or registers another id, a name that is the host's;
 * the -errno of reading the registration or of making the socket. */
int relay_add(struct relay *r, const char *id, const char **name, char **why);
/* The container stopped: its registration, socket and directory go, its
 * open drop window is summed up; what it queued still goes out. -EINVAL:
 * not a valid id; -ENOENT: no such container (its registration is
 * removed all the same). */
int relay_drop(struct relay *r, const char *id, char **why);
/* Appends the stats reply's lines (docs/relay.md, "Counters"): the
 * upstream's, then one per container, by id. */
void relay_stats(struct relay *r, GString *out);
