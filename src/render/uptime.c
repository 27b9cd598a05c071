/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proc/uptime for a container. Same format as fs/proc/uptime.c
 * ("%lu.%02lu %lu.%02lu\n", truncated to hundredths).
 *
 * Inputs: the host's uptime (/proc/uptime, first field); the start time of
 * the container's pid-namespace init (/proc/PID/stat field 22, clock ticks
 * after boot); the visible CPU count; the cgroup's CPU time (cpuacct.usage
 * on v1, cpu.stat usage_usec on v2).
 *
 *   uptime = host uptime - init start / USER_HZ              (>= 0)
 *   idle   = visible CPUs * uptime - cgroup CPU time        (>= 0)
 *
 * The kernel's idle field sums the idle time of every CPU, so it can exceed
 * uptime; this keeps that meaning for the CPUs the container sees. The
 * cgroup's CPU time may include work from before the init started (a cgroup
 * reused), hence the clamp.
 */
#include "config.h"

#include "render.h"
#include "util.h"

#include <errno.h>
#include <inttypes.h>

static void append_centi(GString *out, uint64_t centi)
{
	g_string_append_printf(out, "%" PRIu64 ".%02u", centi / 100, (unsigned int)(centi % 100));
}

uint64_t uptime_container_cs(uint64_t host_uptime_cs, uint64_t start_ticks, long ticks_per_sec)
{
	return sat_sub(host_uptime_cs, start_ticks * 100 / (uint64_t)ticks_per_sec);
}

/* In hundredths of a second, in integers: no rounding drift. */
int uptime_render(const struct uptime_input *in, GString *out)
{
	uint64_t up_cs, idle_cs;

	if (in->ticks_per_sec <= 0)
		return -EINVAL;
	up_cs = uptime_container_cs(in->host_uptime_cs, in->start_ticks, in->ticks_per_sec);
	idle_cs = sat_sub(in->ncpus * up_cs, in->cpu_usage_us / 10000);
	append_centi(out, up_cs);
	g_string_append_c(out, ' ');
	append_centi(out, idle_cs);
	g_string_append_c(out, '\n');
	return 0;
}
