/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sysinfo-calls SECONDS: calls sysinfo(2) in a loop for SECONDS and prints
 * how many calls, per second, the median and the 99th percentile of their
 * latencies, and whether every answer had the same totalram (for
 * bench/sysinfo.sh, natively and in containers answered by lensfs). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/sysinfo.h>
#include <time.h>

#define SAMPLES_MAX (1 << 22)

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 5;
	uint32_t *ns = malloc(SAMPLES_MAX * sizeof(*ns));
	uint64_t start = now_ns(), end = start + (uint64_t)(seconds * 1e9), calls = 0, failed = 0;
	unsigned long total = 0;
	int mixed = 0;
	size_t n = 0;

	if (!ns)
		return 1;
	for (uint64_t t = start; t < end;) {
		struct sysinfo si;
		uint64_t after;

		if (sysinfo(&si) != 0)
			failed++;
		else if (calls == 0)
			total = si.totalram * si.mem_unit;
		else if (si.totalram * si.mem_unit != total)
			mixed = 1;
		after = now_ns();
		if (n < SAMPLES_MAX)
			ns[n++] = (uint32_t)(after - t > UINT32_MAX ? UINT32_MAX : after - t);
		calls++;
		t = after;
	}
	qsort(ns, n, sizeof(*ns), cmp);
	printf("calls=%llu per_s=%.0f p50_us=%.1f p99_us=%.1f failed=%llu totalram=%lu mixed=%d\n",
	       (unsigned long long)calls, calls / seconds, n ? ns[n / 2] / 1000.0 : 0,
	       n ? ns[n * 99 / 100] / 1000.0 : 0, (unsigned long long)failed, total, mixed);
	free(ns);
	return failed ? 1 : 0;
}
