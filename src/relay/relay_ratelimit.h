/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * lensfs-relay's limits on what one container sends (docs/relay.md,
 * "Rate limits and queues"): the rate and burst a container gets, a
 * token bucket per container, and the admission of each datagram. Pure
 * functions on numbers and a clock the caller reads: the unit tests drive
 * them.
 */

#include "relay_config.h"
#include "relay_reg.h"

#include <glib.h>
#include <stdbool.h>

/* A token bucket in millionths of a message, so that any rate is exact
 * without floating point: burst messages at once, then rate a second.
 * rate and burst at most 2^31 (the settings' and registrations' bound). */
struct relay_ratelimit {
	guint64 rate, burst; /* rate 0: every message passes */
	guint64 tokens; /* millionths */
	guint64 last_us;
};

/* Full: burst messages may pass at now_us. */
void relay_ratelimit_init(struct relay_ratelimit *b, guint64 rate, guint64 burst, guint64 now_us);
/* true: the message passes (one token taken); false: drop it. A clock that
 * goes back adds nothing. */
bool relay_ratelimit_take(struct relay_ratelimit *b, guint64 now_us);
/* Gives back the token of a message dropped after all (at most burst). */
void relay_ratelimit_refund(struct relay_ratelimit *b);

/* Whether a datagram goes on: the container's share of the queue first
 * (queued of queue_max messages waiting: a message it cannot take costs no
 * token), then its bucket. */
enum relay_ratelimit_verdict {
	RELAY_RATELIMIT_ADMIT,
	RELAY_RATELIMIT_DROP_QUEUE,
	RELAY_RATELIMIT_DROP_RATE,
};
enum relay_ratelimit_verdict relay_ratelimit_admit(struct relay_ratelimit *b, guint64 queued,
						   guint64 queue_max, guint64 now_us);

/* A container's limits: its registration's overrides
 * (relay_reg_limits_parse), capped at max-rate and max-burst (which are
 * rate and burst when 0; a cap of 0 caps nothing), else the relay's own
 * rate and burst. */
void relay_ratelimit_for(const struct relay_config *cfg, const struct relay_reg *reg, guint64 *rate,
			 guint64 *burst);
