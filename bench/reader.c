/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench/reader: open, read to EOF, close one file in a loop from N threads
 * for a fixed time, and print reads/s with the p50 and p99 latency of one
 * open+read+close. With --warm, the file is opened once per thread and
 * re-read with pread from offset 0. With --interval-us, each thread sleeps
 * that long after each read (a monitoring agent, not a loop).
 *
 *   reader [--threads N] [--seconds S] [--warm] [--interval-us US] FILE
 * Output (one line): reads=<n> seconds=<s> rate=<reads/s> p50_us=<x> p99_us=<y>
 * max_us=<z> (a latency above 4.29 s counts as 4.29 s)
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct worker {
	pthread_t thread;
	const char *path;
	bool warm;
	double seconds;
	unsigned int interval_us;
	uint32_t *lat_ns; /* one sample per read, capped */
	size_t nlat, cap;
	uint64_t reads;
	int err;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int read_once(struct worker *w, int warm_fd, char *buf, size_t size)
{
	int fd = warm_fd >= 0 ? warm_fd : open(w->path, O_RDONLY | O_CLOEXEC);
	off_t off = 0;
	ssize_t n;

	if (fd < 0)
		return -errno;
	do {
		n = warm_fd >= 0 ? pread(fd, buf, size, off) : read(fd, buf, size);
		off += n > 0 ? n : 0;
	} while (n > 0);
	if (warm_fd < 0)
		close(fd);
	return n < 0 ? -errno : 0;
}

static void *run(void *arg)
{
	struct worker *w = arg;
	char buf[65536];
	int warm_fd = w->warm ? open(w->path, O_RDONLY | O_CLOEXEC) : -1;
	uint64_t end = now_ns() + (uint64_t)(w->seconds * 1e9);

	if (w->warm && warm_fd < 0) {
		w->err = errno;
		return NULL;
	}
	for (;;) {
		uint64_t t0 = now_ns(), t1;
		int r = read_once(w, warm_fd, buf, sizeof(buf));

		t1 = now_ns();
		if (r < 0) {
			w->err = -r;
			break;
		}
		w->reads++;
		if (w->nlat < w->cap)
			w->lat_ns[w->nlat++] =
				(uint32_t)(t1 - t0 > UINT32_MAX ? UINT32_MAX : t1 - t0);
		if (t1 >= end)
			break;
		if (w->interval_us)
			usleep(w->interval_us);
	}
	if (warm_fd >= 0)
		close(warm_fd);
	return NULL;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int threads = 1;
	double seconds = 2.0;
	bool warm = false;
	unsigned int interval_us = 0;
	const char *path = NULL;
	struct worker *w;
	uint32_t *all;
	size_t nall = 0;
	uint64_t reads = 0, t0, t1;
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
			threads = atoi(argv[++i]);
		else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
			seconds = atof(argv[++i]);
		else if (strcmp(argv[i], "--warm") == 0)
			warm = true;
		else if (strcmp(argv[i], "--interval-us") == 0 && i + 1 < argc)
			interval_us = (unsigned int)atoi(argv[++i]);
		else
			path = argv[i];
	}
	if (!path || threads < 1 || seconds <= 0) {
		fprintf(stderr,
			"usage: reader [--threads N] [--seconds S] [--warm] [--interval-us US] "
			"FILE\n");
		return 2;
	}
	w = calloc((size_t)threads, sizeof(*w));
	t0 = now_ns();
	for (int i = 0; i < threads; i++) {
		w[i].path = path;
		w[i].warm = warm;
		w[i].seconds = seconds;
		w[i].interval_us = interval_us;
		w[i].cap = 4u << 20;
		w[i].lat_ns = malloc(w[i].cap * sizeof(uint32_t));
		pthread_create(&w[i].thread, NULL, run, &w[i]);
	}
	for (int i = 0; i < threads; i++)
		pthread_join(w[i].thread, NULL);
	t1 = now_ns();
	for (int i = 0; i < threads; i++) {
		if (w[i].err) {
			fprintf(stderr, "reader: %s: %s\n", path, strerror(w[i].err));
			rc = 1;
		}
		reads += w[i].reads;
		nall += w[i].nlat;
	}
	if (rc != 0)
		goto out;
	all = malloc((nall ? nall : 1) * sizeof(uint32_t));
	nall = 0;
	for (int i = 0; i < threads; i++) {
		memcpy(all + nall, w[i].lat_ns, w[i].nlat * sizeof(uint32_t));
		nall += w[i].nlat;
	}
	qsort(all, nall, sizeof(uint32_t), cmp_u32);
	printf("reads=%llu seconds=%.3f rate=%.0f p50_us=%.1f p99_us=%.1f max_us=%.1f\n",
	       (unsigned long long)reads, (double)(t1 - t0) / 1e9,
	       (double)reads / ((double)(t1 - t0) / 1e9), nall ? all[nall / 2] / 1000.0 : 0.0,
	       nall ? all[nall * 99 / 100] / 1000.0 : 0.0, nall ? all[nall - 1] / 1000.0 : 0.0);
	free(all);
out:
	for (int i = 0; i < threads; i++)
		free(w[i].lat_ns);
	free(w);
	return rc;
}
