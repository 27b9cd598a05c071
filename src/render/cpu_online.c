/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sys/devices/system/cpu/online for a container, and the rule for which
 * CPUs a container sees (shared with cpuinfo).
 *
 * The file uses the kernel's list format (drivers/base/cpu.c, print_cpus_online
 * via cpumap_print_to_pagebuf: "0-3\n"). The visible CPUs are numbered from 0,
 * as in proc/cpuinfo, so both files agree on the count and the names:
 * glibc's sysconf(_SC_NPROCESSORS_ONLN) parses this file.
 *
 * Visible CPUs = cpuset (cpuset.cpus.effective on v2, cpuset.effective_cpus
 * on v1; the nearest non-empty one walking up) within the host's online CPUs;
 * then, when a CPU quota applies, only the first ceil(quota / period) of them
 * (cpu.max on v2, cpu.cfs_quota_us / cpu.cfs_period_us on v1; the smallest
 * ratio over the cgroup and its ancestors). At least one CPU.
 */
#include "config.h"

#include "render.h"

#include <errno.h>

int cpu_online_render(unsigned int ncpus, GString *out)
{
	if (ncpus == 0)
		return -EINVAL;
	if (ncpus == 1)
		g_string_append(out, "0\n");
	else
		g_string_append_printf(out, "0-%u\n", ncpus - 1);
	return 0;
}

struct cpuset *cpu_online_visible(const struct cpuset *online, const struct cpu_facts *cpu,
				  bool apply_quota)
{
	struct cpuset *set = cpuset_copy(online);

	if (cpu->cpus) {
		cpuset_and(set, cpu->cpus);
		/* A cpuset of offline CPUs only: the kernel would not run the
		 * task there; show the online ones rather than nothing. */
		if (cpuset_count(set) == 0) {
			cpuset_free(set);
			set = cpuset_copy(online);
		}
	}
	if (apply_quota && cpu->quota_us) {
		uint64_t n = (cpu->quota_us + cpu->period_us - 1) / cpu->period_us;

		cpuset_keep_first(set, (unsigned int)MAX(MIN(n, (uint64_t)CPUSET_MAX_CPU + 1), 1));
	}
	return set;
}
