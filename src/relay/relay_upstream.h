/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * lensfs-relay's upstream (docs/relay.md, "Upstream"): the one socket
 * every container's messages go to, the host's syslog or journald (a unix
 * datagram socket) or a collector over TCP (octet counting) or UDP, and the
 * queue in front of it.
 *   - Nothing blocks: what the socket does not take now waits in the queue,
 *     written when the socket is writable again (the default main loop).
 *   - A socket that is gone (ECONNREFUSED from a restarted rsyslogd, a
 *     failed or closed connection) is closed and connected again after
 *     100 ms, the pause doubling after each failure up to
 *     reconnect-max-ms; a message half-written goes again, whole.
 *   - A message the upstream can never take (EMSGSIZE) is dropped and
 *     counted as its sender's dropped_failed.
 * The queue takes whatever it is given: the relay bounds it, admitting a
 * message only within its container's share and the total
 * (relay_upstream_bytes).
 */

#include "relay_config.h"
#include "syslog_msg.h"

#include <glib.h>
#include <stdbool.h>

struct relay_upstream;

/* The upstream's account of one sender (a container): its messages that
 * wait, and what became of the others. The upstream holds a reference
 * while a message of it waits, so that a container that goes meanwhile
 * leaves its account to them. */
struct relay_upstream_account {
	int refs;
	guint64 queued, queued_bytes; /* waiting now; the relay's summaries not counted */
	guint64 forwarded, dropped_failed;
};

/* A new account holding one reference, the caller's. */
struct relay_upstream_account *relay_upstream_account_new(void);
void relay_upstream_account_unref(struct relay_upstream_account *a);

/* The upstream cfg names (cfg must outlive it), its address resolved now:
 * a name lookup would block the loop later. Not connected yet. Errors,
 * with *why set (free it) and *out NULL: -ENAMETOOLONG, a path too long for
 * a socket address; -EINVAL, an address that is not HOST:PORT or
 * [V6]:PORT, or that does not resolve. */
int relay_upstream_new(const struct relay_config *cfg, struct relay_upstream **out, char **why);
/* Connects, and writes what waits; a connection that fails is tried again
 * later, as when the upstream is lost. */
void relay_upstream_start(struct relay_upstream *up);
/* Closes the socket; what waits is lost (docs/relay.md, "Restarts: what is lost"). NULL
 * is nothing. */
void relay_upstream_free(struct relay_upstream *up);

/* m from o, as this upstream takes it: RFC 3164 or RFC 5424 (format), in
 * octet counting over TCP, or journald's native protocol; appended to out. */
void relay_upstream_format(const struct relay_upstream *up, const struct syslog_msg *m,
			   const struct syslog_origin *o, GString *out);
/* Queues data (the upstream owns it now), counted in a, and writes what
 * the socket takes now. own: the relay's own message about a's sender (a
 * drop summary), counted in relay_upstream_bytes but in none of a's
 * numbers. */
void relay_upstream_push(struct relay_upstream *up, struct relay_upstream_account *a, GString *data,
			 bool own);
/* The bytes of every message waiting, summaries included. */
guint64 relay_upstream_bytes(const struct relay_upstream *up);
/* The stats reply's line for the upstream (docs/relay.md, "Counters"):
 * "upstream to=... connected=... queued=... queued-bytes=...
 * reconnects=...\n", appended to out. */
void relay_upstream_stats(const struct relay_upstream *up, GString *out);
