/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "census.h"
#include "procfs.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Which of n listed threads to read: every one up to CENSUS_SAMPLE_MAX,
 * else that many at random (the first steps of a Fisher-Yates shuffle): an
 * even stride would alias with threads made in a pattern, a pool of busy
 * and idle pairs. */
static GArray *sample(guint n)
{
	GArray *pick = g_array_sized_new(FALSE, FALSE, sizeof(guint), n);

	for (guint i = 0; i < n; i++)
		g_array_append_val(pick, i);
	for (guint i = 0; n > CENSUS_SAMPLE_MAX && i < CENSUS_SAMPLE_MAX; i++) {
		guint j = (guint)g_random_int_range((gint32)i, (gint32)n);
		guint tmp = g_array_index(pick, guint, i);

		g_array_index(pick, guint, i) = g_array_index(pick, guint, j);
		g_array_index(pick, guint, j) = tmp;
	}
	g_array_set_size(pick, MIN(n, CENSUS_SAMPLE_MAX));
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

void census_take(const char *proc_root, const GArray *tids, struct thread_census *out)
{
	g_autoptr(GArray) pick = sample(tids->len);
	autoclose int proc_fd = open(proc_root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	unsigned int read = 0, running = 0, blocked = 0;

	memset(out, 0, sizeof(*out));
	out->sampled = g_array_sized_new(FALSE, FALSE, sizeof(struct thread_state), pick->len);
	for (guint i = 0; proc_fd >= 0 && i < pick->len; i++) {
		struct thread_state s = { g_array_index(tids, pid_t, g_array_index(pick, guint, i)),
					  0 };

		if (thread_state(proc_fd, s.tid, &s.state) < 0)
			continue;
		read++;
		running += s.state == 'R';
		blocked += s.state == 'D';
		g_array_append_val(out->sampled, s);
	}
	g_array_sort(out->sampled, by_tid);
	/* Every thread read: the counts as they are (those that exited
	 * meanwhile left out); a sample: in proportion. */
	out->total = scaled(tids->len, read, pick->len);
	out->running = scaled(tids->len, running, pick->len);
	out->blocked = scaled(tids->len, blocked, pick->len);
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
