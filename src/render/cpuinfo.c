/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proc/cpuinfo for a container: the host's blocks of the CPUs it may use,
 * in host order, with "processor" renumbered from 0 (what glibc's
 * get_nprocs_conf fallback, Python's os.cpu_count on old versions and JVMs
 * count).
 *
 * Inputs: the host's /proc/cpuinfo (arch/x86/kernel/cpu/proc.c: one block per
 * online CPU, each starting "processor\t: N" and ending with a blank line;
 * arm64 and others use the same block shape); the visible CPU set
 * (cpu_online_visible(): cpuset.cpus.effective on v2, cpuset.effective_cpus or
 * cpuset.cpus on v1, limited by ceil(quota / period)).
 * Blocks that do not start with "processor" (headers and trailers some
 * architectures print) are kept. Other fields (siblings, cpu cores, apicid)
 * still describe the host's topology.
 */
#include "config.h"

#include "render.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* If the block starts "processor<blanks>: N", the offset of N and N itself. */
static bool block_processor(const char *block, size_t *num_at, unsigned long *num)
{
	const char *p = block;
	char *end;

	if (!g_str_has_prefix(p, "processor"))
		return false;
	p += strlen("processor");
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p++ != ':')
		return false;
	while (*p == ' ')
		p++;
	if (!g_ascii_isdigit(*p))
		return false;
	*num = strtoul(p, &end, 10);
	*num_at = (size_t)(p - block);
	return true;
}

int cpuinfo_render(const char *host, const struct cpuset *visible, GString *out)
{
	const char *block = host;
	unsigned int next = 0;

	while (*block) {
		const char *end = strstr(block, "\n\n");
		size_t len = end ? (size_t)(end - block) + 2 : strlen(block);
		size_t num_at;
		unsigned long cpu;

		if (!block_processor(block, &num_at, &cpu)) {
			g_string_append_len(out, block, (gssize)len);
		} else if (cpu <= CPUSET_MAX_CPU && cpuset_test(visible, (unsigned int)cpu)) {
			const char *rest = block + num_at;

			while (g_ascii_isdigit(*rest))
				rest++;
			g_string_append_len(out, block, (gssize)num_at);
			g_string_append_printf(out, "%u", next++);
			g_string_append_len(out, rest, (gssize)(len - (size_t)(rest - block)));
		}
		block += len;
	}
	return next > 0 ? 0 : -ENOENT;
}
