/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/* A set of CPU numbers, sized by the highest CPU it holds (no fixed
 * CPU_SETSIZE: hosts with more than 1024 CPUs exist). */
struct cpuset {
	unsigned int nwords;
	uint64_t *words;
};

/* Highest CPU number accepted from a kernel list (the kernel's own
 * NR_CPUS maximum is 8192). */
#define CPUSET_MAX_CPU 8191u

struct cpuset *cpuset_new(void);
void cpuset_free(struct cpuset *set);
typedef struct cpuset cpuset;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(cpuset, cpuset_free)
struct cpuset *cpuset_copy(const struct cpuset *set);

/* Kernel list format ("0-3,8,10-11", blanks and a newline around it); an
 * empty list is an empty set. -EINVAL on anything else. */
int cpuset_parse(const char *text, struct cpuset **out);
void cpuset_set(struct cpuset *set, unsigned int cpu);
bool cpuset_test(const struct cpuset *set, unsigned int cpu);
unsigned int cpuset_count(const struct cpuset *set);
/* Highest member + 1, or 0 when empty. */
unsigned int cpuset_limit(const struct cpuset *set);
void cpuset_and(struct cpuset *set, const struct cpuset *other);
/* Keep only the n lowest members. */
void cpuset_keep_first(struct cpuset *set, unsigned int n);
/* Kernel list format, without a newline; an empty set appends nothing. */
void cpuset_format(const struct cpuset *set, GString *out);
