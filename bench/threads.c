/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench/threads: a process of N threads, as a JVM or a thread pool has them:
 * BUSY of them spin, the others sleep. Prints "ready" once they all exist,
 * then waits to be killed. For tests/integration/hostile.sh and
 * bench/hostile.sh.
 *
 *   threads N [BUSY]
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Threads that have started: "ready" once all have (a thread created is
 * not yet running its function, and under a sanitizer or on a busy machine
 * thousands of them start seconds later, running meanwhile). */
static long started;

static void *sleeper(void *arg)
{
	__atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
	for (;;)
		pause();
	return NULL;
}

static void *spinner(void *arg)
{
	__atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
	for (volatile unsigned long i = 0;; i++)
		;
	return NULL;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 0,
	     busy = argc > 2 ? strtol(argv[2], NULL, 10) : 0;
	pthread_attr_t attr;

	if (n < 1) {
		fprintf(stderr, "usage: threads N [BUSY]\n");
		return 2;
	}
	/* Small stacks: what costs is the number of threads, not memory. */
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	for (long i = 0; i < n; i++) {
		pthread_t t;

		if (pthread_create(&t, &attr, i < busy ? spinner : sleeper, NULL) != 0) {
			fprintf(stderr, "threads: only %ld threads\n", i);
			return 1;
		}
	}
	while (__atomic_load_n(&started, __ATOMIC_SEQ_CST) < n)
		usleep(1000);
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}
