/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The threads of a cgroup and its descendants, counted by state: what a
 * container's proc/stat (procs_running, procs_blocked) and proc/loadavg
 * (running/total, and the averages' samples) show. The kernel counts the
 * machine's runnable and uninterruptible tasks (kernel/sched/loadavg.c,
 * fs/proc/stat.c); for a cgroup, each thread's state is field 3 of
 * /proc/TID/task/TID/stat — the thread's own file: /proc/TID/stat sums over
 * the whole thread group, which made reading every thread's cost grow with
 * the square of their number.
 *
 * The work is bounded whatever a container does: at most CENSUS_SAMPLE_MAX
 * threads' states are read, and at most CENSUS_CGROUPS_MAX cgroups of the
 * subtree listed. Beyond CENSUS_SAMPLE_MAX threads, the threads of small
 * processes (at most CENSUS_SMALL_PROCESS threads each, half the states
 * read at most, of the first CENSUS_PROCESSES_MAX processes listed) are
 * read whole, and a random sample of the others, its counts scaled to all
 * of them. A running thread is rare in a pool of thousands asleep: found
 * in a sample of one in 40, it would count 40. So a shell or a reader
 * beside a 20,000-thread JVM counts as the one it is, and only the pool's
 * own counts are estimates.
 */

#include <glib.h>
#include <stdint.h>
#include <sys/types.h>

#define CENSUS_SAMPLE_MAX    512
#define CENSUS_CGROUPS_MAX   4096
#define CENSUS_SMALL_PROCESS 16
#define CENSUS_PROCESSES_MAX 256

struct thread_state {
	pid_t tid;
	char state;
};

struct thread_census {
	unsigned int total; /* threads listed */
	unsigned int running; /* in state R (scaled when sampled) */
	unsigned int blocked; /* in state D (likewise) */
	GArray *sampled; /* struct thread_state, by tid: those whose state was read */
	uint64_t cost_us; /* how long the census took, listing included (the caller's) */
};

/* Reads the states of tids (host thread ids) below proc_root; procs (their
 * processes, the thread group leaders; may be NULL) say which are small. A
 * thread that exited meanwhile is not counted. */
void census_take(const char *proc_root, const GArray *tids, const GArray *procs,
		 struct thread_census *out);
void census_clear(struct thread_census *c);

/* The running and blocked threads as reader (a host thread id; 0: none)
 * sees them: the kernel counts the reader of /proc/stat or /proc/loadavg as
 * running, while through lensfs it waits for the answer (in D), or was
 * counted asleep, or not at all, by a census taken before it asked. */
void census_seen_by(const struct thread_census *c, pid_t reader, unsigned int *running,
		    unsigned int *blocked);
