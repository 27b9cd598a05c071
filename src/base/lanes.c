/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Lanes (lanes.h). The ready list holds the lanes that have jobs and none
 * running; a thread takes the lane at its head, runs one job and puts the
 * lane back at its tail if it has more: round robin between containers, so
 * that a container with a thousand jobs waiting delays another's by one
 * job, not a thousand.
 */
#include "config.h"

#include "lanes.h"

#include <glib.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

/* The lane threads' nice value (setpriority(2) of one thread). */
#define LANE_NICE 19

struct job {
	lane_job_fn fn;
	void *data;
};

struct lane {
	char *key;
	GQueue jobs; /* of struct job */
	bool running;
};

struct lanes {
	GMutex lock;
	GCond work;
	GCond idle;
	GHashTable *by_key; /* key -> struct lane, while it has jobs */
	GQueue ready; /* lanes with jobs and none running */
	unsigned int pending;
	bool stop;
	GPtrArray *threads;
};

static __thread bool serving;

void lanes_enter_serving(void)
{
	serving = true;
}

bool lanes_on_serving_thread(void)
{
	return serving;
}

static void lane_free(gpointer p)
{
	struct lane *lane = p;

	g_free(lane->key);
	g_free(lane);
}

static gpointer lane_thread(gpointer data)
{
	struct lanes *l = data;
	sigset_t all;

	/* Signals are for the serving thread, which stops on them. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	/* A lane's work is its container's cost, not everyone's: it gives way
	 * to the serving thread and to every process of every container (a
	 * reader woken on a CPU where a lane thread runs at nice 0 waited out
	 * its time slice, milliseconds: bench/hostile.sh). Nice 19 rather
	 * than SCHED_IDLE, whose share of a busy CPU is a fifth as large: a
	 * delegated pid's helper, which inherits it, must not miss its time
	 * on a loaded host. */
	setpriority(PRIO_PROCESS, (id_t)gettid(), LANE_NICE);
	g_mutex_lock(&l->lock);
	for (;;) {
		struct lane *lane = g_queue_pop_head(&l->ready);
		struct job *job;

		if (!lane) {
			if (l->stop)
				break;
			g_cond_wait(&l->work, &l->lock);
			continue;
		}
		job = g_queue_pop_head(&lane->jobs);
		lane->running = true;
		g_mutex_unlock(&l->lock);
		job->fn(job->data);
		g_free(job);
		g_mutex_lock(&l->lock);
		lane->running = false;
		if (!g_queue_is_empty(&lane->jobs))
			g_queue_push_tail(&l->ready, lane);
		else
			g_hash_table_remove(l->by_key, lane->key);
		if (--l->pending == 0)
			g_cond_broadcast(&l->idle);
	}
	g_mutex_unlock(&l->lock);
	return NULL;
}

struct lanes *lanes_new(unsigned int threads)
{
	struct lanes *l = g_new0(struct lanes, 1);

	g_mutex_init(&l->lock);
	g_cond_init(&l->work);
	g_cond_init(&l->idle);
	g_queue_init(&l->ready);
	l->by_key = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, lane_free);
	l->threads = g_ptr_array_new();
	for (unsigned int i = 0; i < MAX(threads, 1u); i++)
		g_ptr_array_add(l->threads, g_thread_new("lensfs-lane", lane_thread, l));
	return l;
}

void lanes_push(struct lanes *l, const char *key, lane_job_fn fn, void *data)
{
	struct job *job = g_new(struct job, 1);
	struct lane *lane;

	job->fn = fn;
	job->data = data;
	g_mutex_lock(&l->lock);
	lane = g_hash_table_lookup(l->by_key, key);
	if (!lane) {
		lane = g_new0(struct lane, 1);
		lane->key = g_strdup(key);
		g_queue_init(&lane->jobs);
		g_hash_table_insert(l->by_key, lane->key, lane);
	}
	/* A lane is in the ready list once, and never while its job runs. */
	if (g_queue_is_empty(&lane->jobs) && !lane->running)
		g_queue_push_tail(&l->ready, lane);
	g_queue_push_tail(&lane->jobs, job);
	l->pending++;
	g_cond_signal(&l->work);
	g_mutex_unlock(&l->lock);
}

unsigned int lanes_pending(struct lanes *l)
{
	unsigned int n;

	g_mutex_lock(&l->lock);
	n = l->pending;
	g_mutex_unlock(&l->lock);
	return n;
}

void lanes_free(struct lanes *l)
{
	if (!l)
		return;
	g_mutex_lock(&l->lock);
	while (l->pending)
		g_cond_wait(&l->idle, &l->lock);
	l->stop = true;
	g_cond_broadcast(&l->work);
	g_mutex_unlock(&l->lock);
	for (guint i = 0; i < l->threads->len; i++)
		g_thread_join(l->threads->pdata[i]);
	g_ptr_array_unref(l->threads);
	g_hash_table_unref(l->by_key);
	g_cond_clear(&l->work);
	g_cond_clear(&l->idle);
	g_mutex_clear(&l->lock);
	g_free(l);
}
