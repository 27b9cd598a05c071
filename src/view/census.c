/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "census.h"
#include "procfs.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int by_tid(gconstpointer a, gconstpointer b)
{
	pid_t x = ((const struct thread_state *)a)->tid, y = ((const struct thread_state *)b)->tid;

	return (x > y) - (x < y);
}

/* n * part / whole, rounded to the nearest. */
static unsigned int scaled(unsigned int n, unsigned int part, unsigned int whole)
{
	return whole ? (unsigned int)(((uint64_t)n * part * 2 + whole) / (2 * (uint64_t)whole)) : 0;
}

/* Which k of n listed threads to read: every one when k >= n, else k at
 * random (the first steps of a Fisher-Yates shuffle): an even stride would
 * alias with threads made in a pattern, a pool of busy and idle pairs. */
static GArray *sample(guint n, guint k)
{
	GArray *pick = g_array_sized_new(FALSE, FALSE, sizeof(guint), n);

	for (guint i = 0; i < n; i++)
		g_array_append_val(pick, i);
	for (guint i = 0; n > k && i < k; i++) {
		guint j = (guint)g_random_int_range((gint32)i, (gint32)n);
		guint tmp = g_array_index(pick, guint, i);

		g_array_index(pick, guint, i) = g_array_index(pick, guint, j);
		g_array_index(pick, guint, j) = tmp;
	}
	g_array_set_size(pick, MIN(n, k));
	return pick;
}

/* Thread tid's state: its stat line is a few hundred bytes (comm is 16 at
 * most), read into a buffer on the stack: this runs thousands of times a
 * census. */
static int thread_state(int proc_fd, pid_t tid, char *state)
{
	char path[64], text[1024];
	autoclose int fd = -1;
	ssize_t n;

	snprintf(path, sizeof(path), "%d/task/%d/stat", (int)tid, (int)tid);
	fd = openat(proc_fd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, text, sizeof(text) - 1);
	if (n <= 0)
		return n < 0 ? -errno : -EIO;
	text[n] = '\0';
	return proc_stat_state(text, state);
}

/* Appends to tids the threads of process pid (its /proc/PID/task), when it
 * has at most max of them; -E2BIG, and nothing appended, when it has more:
 * the listing stops there, whatever the process's size. */
static int small_process_threads(int proc_fd, pid_t pid, guint max, GArray *tids)
{
	char path[32];
	guint before = tids->len;
	struct dirent *e;
	DIR *d;
	int fd;

	snprintf(path, sizeof(path), "%d/task", (int)pid);
	fd = openat(proc_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -ENOMEM;
	}
	while ((e = readdir(d))) {
		char *end;
		unsigned long tid = strtoul(e->d_name, &end, 10);
		pid_t t = (pid_t)tid;

		if (end == e->d_name || *end || tid == 0 || tid > INT_MAX)
			continue;
		if (tids->len - before >= max) {
			g_array_set_size(tids, before);
			closedir(d);
			return -E2BIG;
		}
		g_array_append_val(tids, t);
	}
	closedir(d);
	return 0;
}

/* The threads of the small processes among procs, while they number at
 * most budget: a set of host thread ids. */
static GHashTable *threads_of_small_processes(int proc_fd, const GArray *procs, guint budget)
{
	GHashTable *set = g_hash_table_new(NULL, NULL);
	g_autoptr(GArray) tids = g_array_new(FALSE, FALSE, sizeof(pid_t));

	if (!procs || procs->len > CENSUS_PROCESSES_MAX)
		return set;
	for (guint i = 0; i < procs->len && tids->len < budget; i++)
		small_process_threads(proc_fd, g_array_index(procs, pid_t, i),
				      MIN(CENSUS_SMALL_PROCESS, budget - tids->len), tids);
	for (guint i = 0; i < tids->len; i++)
		g_hash_table_add(set, GINT_TO_POINTER(g_array_index(tids, pid_t, i)));
	return set;
}

/* The tally of the states of some threads. */
struct tally {
	unsigned int read, running, blocked;
};

/* Reads the state of each of the threads picked from tids into tally and
 * out->sampled; one that exited meanwhile is left out. */
static void read_states(int proc_fd, const GArray *tids, const GArray *pick, struct tally *t,
			struct thread_census *out)
{
	for (guint i = 0; proc_fd >= 0 && i < pick->len; i++) {
		struct thread_state s = { g_array_index(tids, pid_t, g_array_index(pick, guint, i)),
					  0 };

		if (thread_state(proc_fd, s.tid, &s.state) < 0)
			continue;
		t->read++;
		t->running += s.state == 'R';
		t->blocked += s.state == 'D';
		g_array_append_val(out->sampled, s);
	}
}

void census_take(const char *proc_root, const GArray *tids, const GArray *procs,
		 struct thread_census *out)
{
	autoclose int proc_fd = open(proc_root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	g_autoptr(GHashTable) small = NULL;
	g_autoptr(GArray) whole = g_array_new(FALSE, FALSE, sizeof(pid_t));
	g_autoptr(GArray) rest = g_array_new(FALSE, FALSE, sizeof(pid_t));
	g_autoptr(GArray) all = NULL, some = NULL;
	struct tally w = { 0 }, r = { 0 };

	memset(out, 0, sizeof(*out));
	out->sampled = g_array_sized_new(FALSE, FALSE, sizeof(struct thread_state),
					 MIN(tids->len, CENSUS_SAMPLE_MAX));
	/* More threads than are read: those of the small processes are read
	 * whole, the rest sampled. */
	if (tids->len > CENSUS_SAMPLE_MAX && proc_fd >= 0)
		small = threads_of_small_processes(proc_fd, procs, CENSUS_SAMPLE_MAX / 2);
	for (guint i = 0; i < tids->len; i++) {
		pid_t tid = g_array_index(tids, pid_t, i);
		bool read_whole = small && g_hash_table_contains(small, GINT_TO_POINTER(tid));

		g_array_append_val(read_whole ? whole : rest, tid);
	}
	all = sample(whole->len, whole->len);
	read_states(proc_fd, whole, all, &w, out);
	some = sample(rest->len, CENSUS_SAMPLE_MAX - whole->len);
	read_states(proc_fd, rest, some, &r, out);
	g_array_sort(out->sampled, by_tid);
	/* Threads read whole: the counts as they are (those that exited
	 * meanwhile left out); a sample: in proportion. */
	out->total = w.read + scaled(rest->len, r.read, some->len);
	out->running = w.running + scaled(rest->len, r.running, some->len);
	out->blocked = w.blocked + scaled(rest->len, r.blocked, some->len);
}

void census_clear(struct thread_census *c)
{
	if (c->sampled)
		g_array_unref(c->sampled);
	c->sampled = NULL;
}

void census_seen_by(const struct thread_census *c, pid_t reader, unsigned int *running,
		    unsigned int *blocked)
{
	struct thread_state key = { reader, 0 };
	const struct thread_state *s = NULL;

	/* An empty GArray may have no data at all. */
	if (c->sampled && c->sampled->len > 0)
		s = bsearch(&key, c->sampled->data, c->sampled->len, sizeof(struct thread_state),
			    by_tid);

	*running = c->running;
	*blocked = c->blocked;
	/* Counted as running already; or no reader (lensfs-show --cgroup). */
	if ((s && s->state == 'R') || reader <= 0)
		return;
	/* Seen asleep or waiting, or not seen at all (it started since the
	 * census, or was not in the sample): it runs now. */
	*running += 1;
	if (s && s->state == 'D' && *blocked > 0)
		*blocked -= 1;
}
