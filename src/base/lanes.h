/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Work whose cost a container controls — the states of its thousands of
 * threads, its pid lists, a write it delegates, a helper it can stop — is
 * never done on a thread that serves /dev/fuse: one container could then
 * hold every other container's reads (docs/security.md, "Fairness"). It runs
 * in the container's lane: a queue whose jobs run in order, one at a time,
 * taken in turn with every other lane by a few threads. A container with a
 * slow job holds one of them at most; the serving thread goes on answering
 * everything else at once.
 */

#include <stdbool.h>

struct lanes;

typedef void (*lane_job_fn)(void *data);

struct lanes *lanes_new(unsigned int threads);
/* Runs job(data) on a lane thread, after every job pushed to lane key
 * before it and never beside one of them. */
void lanes_push(struct lanes *l, const char *key, lane_job_fn job, void *data);
/* Waits until every job pushed so far has run, then stops the threads. */
void lanes_free(struct lanes *l);
/* Jobs waiting or running. */
unsigned int lanes_pending(struct lanes *l);

/*
 * Threads that serve requests say so; there, a function that would do work
 * whose size a container controls returns -EWOULDBLOCK instead, and the
 * request moves to its container's lane. Everywhere else (lane threads,
 * lensfs-show, the tests) such work is done at once.
 */
void lanes_enter_serving(void);
bool lanes_on_serving_thread(void);
