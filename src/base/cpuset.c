/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "cpuset.h"

#include <errno.h>
#include <stdlib.h>

struct cpuset *cpuset_new(void)
{
	return g_new0(struct cpuset, 1);
}

void cpuset_free(struct cpuset *set)
{
	if (!set)
		return;
	g_free(set->words);
	g_free(set);
}

struct cpuset *cpuset_copy(const struct cpuset *set)
{
	struct cpuset *copy = cpuset_new();

	copy->nwords = set->nwords;
	copy->words = g_memdup2(set->words, sizeof(uint64_t) * set->nwords);
	return copy;
}

void cpuset_set(struct cpuset *set, unsigned int cpu)
{
	unsigned int word = cpu / 64;

	if (word >= set->nwords) {
		set->words = g_renew(uint64_t, set->words, word + 1);
		for (unsigned int i = set->nwords; i <= word; i++)
			set->words[i] = 0;
		set->nwords = word + 1;
	}
	set->words[word] |= UINT64_C(1) << (cpu % 64);
}

bool cpuset_test(const struct cpuset *set, unsigned int cpu)
{
	unsigned int word = cpu / 64;

	return word < set->nwords && (set->words[word] >> (cpu % 64)) & 1;
}

unsigned int cpuset_count(const struct cpuset *set)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < set->nwords; i++)
		n += (unsigned int)__builtin_popcountll(set->words[i]);
	return n;
}

unsigned int cpuset_limit(const struct cpuset *set)
{
	for (unsigned int i = set->nwords; i-- > 0;)
		if (set->words[i])
			return i * 64 + 64 - (unsigned int)__builtin_clzll(set->words[i]);
	return 0;
}

void cpuset_and(struct cpuset *set, const struct cpuset *other)
{
	for (unsigned int i = 0; i < set->nwords; i++)
		set->words[i] &= i < other->nwords ? other->words[i] : 0;
}

void cpuset_keep_first(struct cpuset *set, unsigned int n)
{
	unsigned int seen = 0, limit = cpuset_limit(set);

	for (unsigned int cpu = 0; cpu < limit; cpu++) {
		if (!cpuset_test(set, cpu))
			continue;
		if (seen++ >= n)
			set->words[cpu / 64] &= ~(UINT64_C(1) << (cpu % 64));
	}
}

static int parse_cpu(const char **p, unsigned int *out)
{
	unsigned long v;
	char *end;

	if (!g_ascii_isdigit(**p))
		return -EINVAL;
	errno = 0;
	v = strtoul(*p, &end, 10);
	if (errno || v > CPUSET_MAX_CPU)
		return -EINVAL;
	*p = end;
	*out = (unsigned int)v;
	return 0;
}

int cpuset_parse(const char *text, struct cpuset **out)
{
	g_autoptr(cpuset) set = cpuset_new();
	const char *p = text;

	while (*p == ' ' || *p == '\t')
		p++;
	while (*p && *p != '\n') {
		unsigned int first, last;

		if (parse_cpu(&p, &first) < 0)
			return -EINVAL;
		last = first;
		if (*p == '-') {
			p++;
			if (parse_cpu(&p, &last) < 0 || last < first)
				return -EINVAL;
		}
		for (unsigned int cpu = first; cpu <= last; cpu++)
			cpuset_set(set, cpu);
		if (*p == ',')
			p++;
		else if (*p && *p != '\n' && *p != ' ')
			return -EINVAL;
		while (*p == ' ')
			p++;
	}
	if (*p == '\n')
		p++;
	if (*p)
		return -EINVAL;
	*out = g_steal_pointer(&set);
	return 0;
}

void cpuset_format(const struct cpuset *set, GString *out)
{
	unsigned int limit = cpuset_limit(set);
	bool first = true;

	for (unsigned int cpu = 0; cpu < limit; cpu++) {
		unsigned int end = cpu;

		if (!cpuset_test(set, cpu))
			continue;
		while (end + 1 < limit && cpuset_test(set, end + 1))
			end++;
		g_string_append_printf(out, first ? "%u" : ",%u", cpu);
		if (end > cpu)
			g_string_append_printf(out, "-%u", end);
		first = false;
		cpu = end;
	}
}
