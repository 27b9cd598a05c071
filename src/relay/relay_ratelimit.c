/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "relay_ratelimit.h"

#define MICRO 1000000ULL

void relay_ratelimit_init(struct relay_ratelimit *b, guint64 rate, guint64 burst, guint64 now_us)
{
	b->rate = rate;
	b->burst = burst;
	b->tokens = burst * MICRO;
	b->last_us = now_us;
}

void relay_ratelimit_refund(struct relay_ratelimit *b)
{
	if (b->rate > 0)
		b->tokens = MIN(b->burst * MICRO, b->tokens + MICRO);
}

bool relay_ratelimit_take(struct relay_ratelimit *b, guint64 now_us)
{
	guint64 cap = b->burst * MICRO;

	if (b->rate == 0)
		return true;
	if (now_us > b->last_us) {
		/* rate <= 2^31 and a gap capped at 10^9 us: no overflow. */
		guint64 gap = MIN(now_us - b->last_us, 1000000000ULL);

		b->tokens = MIN(cap, b->tokens + gap * b->rate);
		b->last_us = now_us;
	}
	if (b->tokens < MICRO)
		return false;
	b->tokens -= MICRO;
	return true;
}

enum relay_ratelimit_verdict relay_ratelimit_admit(struct relay_ratelimit *b, guint64 queued,
						   guint64 queue_max, guint64 now_us)
{
	if (queued >= queue_max)
		return RELAY_RATELIMIT_DROP_QUEUE;
	if (!relay_ratelimit_take(b, now_us))
		return RELAY_RATELIMIT_DROP_RATE;
	return RELAY_RATELIMIT_ADMIT;
}

void relay_ratelimit_for(const struct relay_config *cfg, const struct relay_reg *reg, guint64 *rate,
			 guint64 *burst)
{
	guint64 max_rate = cfg->max_rate ? cfg->max_rate : cfg->rate;
	guint64 max_burst = cfg->max_burst ? cfg->max_burst : cfg->burst;

	*rate = cfg->rate;
	*burst = cfg->burst;
	if (!reg->has_limits || reg->rate == 0 || reg->burst == 0)
		return;
	/* A relay without a limit (rate 0) has none to enforce. */
	*rate = max_rate ? MIN(reg->rate, max_rate) : reg->rate;
	*burst = max_burst ? MIN(reg->burst, max_burst) : reg->burst;
}
