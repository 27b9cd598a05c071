/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "loadavg.h"
#include "render.h"
#include "util.h"

#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>

/* kernel/sched/loadavg.c: 1/exp(5s/1min), 1/exp(5s/5min), 1/exp(5s/15min)
 * in fixed point. */
static const uint64_t load_exp[3] = { 1884, 2014, 2037 };

/* A container unread this long is no longer followed. */
#define FORGET_US (600 * G_USEC_PER_SEC)

/* calc_load(): the average moves towards active, rounding up while it rises. */
void loadavg_step(uint64_t avg[3], unsigned int active)
{
	uint64_t a = (uint64_t)active * LOADAVG_FIXED_1;

	for (int i = 0; i < 3; i++) {
		uint64_t next = avg[i] * load_exp[i] + a * (LOADAVG_FIXED_1 - load_exp[i]);

		if (a >= avg[i])
			next += LOADAVG_FIXED_1 - 1;
		avg[i] = next / LOADAVG_FIXED_1;
	}
}

struct followed {
	struct cgroup_membership cg;
	uint64_t avg[3];
	uint64_t read_at; /* monotonic us */
};

struct loadavg_tracker {
	struct lensfs_ctx *ctx;
	loadavg_count_fn count;
	uint64_t period_us;
	GMutex lock;
	GCond wake;
	bool stop;
	GHashTable *followed; /* cpuacct path -> struct followed */
	GThread *thread;
};

static void followed_free(gpointer p)
{
	struct followed *f = p;

	cgroup_membership_clear(&f->cg);
	g_free(f);
}

struct sample {
	char *key;
	struct cgroup_membership cg;
	unsigned int active;
};

static void sample_clear(gpointer p)
{
	struct sample *s = p;

	g_free(s->key);
	cgroup_membership_clear(&s->cg);
}

/* Counts every followed container without holding the lock, then moves the
 * averages of those still followed. */
static void sample_all(struct loadavg_tracker *t, uint64_t now)
{
	g_autoptr(GArray) samples = g_array_new(FALSE, TRUE, sizeof(struct sample));
	GHashTableIter it;
	gpointer key, value;

	g_array_set_clear_func(samples, sample_clear);
	g_mutex_lock(&t->lock);
	g_hash_table_iter_init(&it, t->followed);
	while (g_hash_table_iter_next(&it, &key, &value)) {
		struct followed *f = value;
		struct sample s = { NULL, { { NULL } }, 0 };

		if (now - f->read_at > FORGET_US) {
			g_hash_table_iter_remove(&it);
			continue;
		}
		s.key = g_strdup(key);
		cgroup_membership_copy(&s.cg, &f->cg);
		g_array_append_val(samples, s);
	}
	g_mutex_unlock(&t->lock);

	for (guint i = 0; i < samples->len; i++) {
		struct sample *s = &g_array_index(samples, struct sample, i);

		s->active = t->count(t->ctx, &s->cg);
	}

	g_mutex_lock(&t->lock);
	for (guint i = 0; i < samples->len; i++) {
		struct sample *s = &g_array_index(samples, struct sample, i);
		struct followed *f = g_hash_table_lookup(t->followed, s->key);

		if (f)
			loadavg_step(f->avg, s->active);
	}
	g_mutex_unlock(&t->lock);
}

static gpointer sampler(gpointer data)
{
	struct loadavg_tracker *t = data;
	uint64_t next = 0;
	sigset_t all;

	/* Signals are for the serving thread, which stops on them. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);

	g_mutex_lock(&t->lock);
	while (!t->stop) {
		gint64 now = g_get_monotonic_time();

		/* Nobody followed: sleep until someone reads loadavg. */
		if (g_hash_table_size(t->followed) == 0) {
			next = 0;
			g_cond_wait(&t->wake, &t->lock);
			continue;
		}
		if (next == 0)
			next = (uint64_t)now + t->period_us;
		if ((uint64_t)now < next) {
			g_cond_wait_until(&t->wake, &t->lock, (gint64)next);
			continue;
		}
		next += t->period_us;
		g_mutex_unlock(&t->lock);
		sample_all(t, (uint64_t)now);
		g_mutex_lock(&t->lock);
	}
	g_mutex_unlock(&t->lock);
	return NULL;
}

struct loadavg_tracker *loadavg_tracker_new(struct lensfs_ctx *ctx, unsigned int period_ms,
					    loadavg_count_fn count)
{
	struct loadavg_tracker *t = g_new0(struct loadavg_tracker, 1);

	t->ctx = ctx;
	t->count = count;
	t->period_us = (uint64_t)period_ms * 1000;
	g_mutex_init(&t->lock);
	g_cond_init(&t->wake);
	t->followed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, followed_free);
	t->thread = g_thread_new("lensfs-loadavg", sampler, t);
	return t;
}

void loadavg_tracker_free(struct loadavg_tracker *t)
{
	if (!t)
		return;
	g_mutex_lock(&t->lock);
	t->stop = true;
	g_cond_signal(&t->wake);
	g_mutex_unlock(&t->lock);
	g_thread_join(t->thread);
	g_hash_table_unref(t->followed);
	g_cond_clear(&t->wake);
	g_mutex_clear(&t->lock);
	g_free(t);
}

void loadavg_get(struct loadavg_tracker *t, const struct cgroup_membership *m, uint64_t avg[3])
{
	const char *key = m->path[CG_CPUACCT] ? m->path[CG_CPUACCT] : "";
	struct followed *f;

	g_mutex_lock(&t->lock);
	f = g_hash_table_lookup(t->followed, key);
	if (!f) {
		f = g_new0(struct followed, 1);
		cgroup_membership_copy(&f->cg, m);
		g_hash_table_insert(t->followed, g_strdup(key), f);
		g_cond_signal(&t->wake);
	}
	f->read_at = now_monotonic_us();
	memcpy(avg, f->avg, sizeof(f->avg));
	g_mutex_unlock(&t->lock);
}

unsigned int loadavg_followed(struct loadavg_tracker *t)
{
	unsigned int n;

	g_mutex_lock(&t->lock);
	n = g_hash_table_size(t->followed);
	g_mutex_unlock(&t->lock);
	return n;
}

/* fs/proc/loadavg.c: each average rounded to hundredths (it adds
 * FIXED_1/200 first), running/total threads, the last pid. */
static void append_avg(GString *out, uint64_t x)
{
	x += LOADAVG_FIXED_1 / 200;
	g_string_append_printf(out, "%" PRIu64 ".%02" PRIu64 " ", x >> LOADAVG_FSHIFT,
			       ((x & (LOADAVG_FIXED_1 - 1)) * 100) >> LOADAVG_FSHIFT);
}

int loadavg_render(const uint64_t avg[3], unsigned int running, unsigned int total, pid_t last_pid,
		   GString *out)
{
	for (int i = 0; i < 3; i++)
		append_avg(out, avg[i]);
	g_string_append_printf(out, "%u/%u %d\n", running, total, (int)last_pid);
	return 0;
}
