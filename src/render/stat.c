/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proc/stat for a container. Same format as fs/proc/stat.c: the "cpu "
 * aggregate and one "cpuN" line per CPU, ten counters each in USER_HZ
 * ticks (user nice system idle iowait irq softirq steal guest guest_nice),
 * then the machine-wide lines.
 *
 * Inputs: the cgroup's user and system time (cgroup_cpu_times: v2 cpu.stat
 * user_usec/system_usec, v1 cpuacct.usage split as cpuacct.stat), the
 * container's uptime (as proc/uptime), the visible CPUs and the quota, the
 * states of the cgroup's threads, and the host's /proc/stat.
 *
 *   capacity = min(visible CPUs, quota / period) CPUs   (no quota: visible)
 *   user, system: the cgroup's, spread evenly over the visible CPUs
 *   idle     = capacity × uptime − user − system, spread the same way (>= 0)
 *   nice, iowait, irq, softirq, steal, guest, guest_nice = 0: no cgroup
 *            file counts them per cgroup
 *   cpu line = the sum of the cpuN lines
 *
 * Spread evenly, because v2 has no per-CPU times at all, and under a quota
 * a container's tasks run on CPUs it does not see. The capacity makes a
 * container that uses its whole quota 100% busy, as top should show it.
 * idle can fall for a moment (a burst before the quota throttles); the
 * daemon keeps each container's last user, system and idle values and never
 * shows less (view.c), so every counter only grows.
 *
 * intr, ctxt, btime, processes and softirq are the host's: btime must stay
 * the host's, since start times in /proc/PID/stat count from it; the others
 * have no per-cgroup source. procs_running and procs_blocked count the
 * cgroup's threads in state R and D (/proc/TID/stat), the reader as
 * running, as the kernel counts the reader of its own /proc/stat.
 */
#include "config.h"

#include "render.h"
#include "util.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

/* Share i of total spread over n: they differ by at most one, add up to
 * total, and each grows with total. */
static uint64_t share(uint64_t total, unsigned int n, unsigned int i)
{
	return total / n + (i < total % n ? 1 : 0);
}

int stat_compute(const struct stat_usage *u, unsigned int ncpus, struct stat_cpu *cpu)
{
	uint64_t hz = (uint64_t)u->ticks_per_sec;
	uint64_t user, system, capacity;

	if (ncpus == 0 || u->ticks_per_sec <= 0 || u->capacity_milli == 0)
		return -EINVAL;
	user = u->user_us * hz / 1000000;
	system = u->system_us * hz / 1000000;
	capacity =
		(uint64_t)((unsigned __int128)u->uptime_cs * hz / 100 * u->capacity_milli / 1000);
	for (unsigned int i = 0; i < ncpus; i++) {
		cpu[i].user = share(user, ncpus, i);
		cpu[i].system = share(system, ncpus, i);
		cpu[i].idle = sat_sub(share(capacity, ncpus, i), cpu[i].user + cpu[i].system);
	}
	return 0;
}

static void append_cpu_line(GString *out, const char *name, const struct stat_cpu *c)
{
	g_string_append_printf(out, "%s %" PRIu64 " 0 %" PRIu64 " %" PRIu64 " 0 0 0 0 0 0\n", name,
			       c->user, c->system, c->idle);
}

int stat_render(const char *host_stat, const struct stat_input *in, GString *out)
{
	struct stat_cpu sum = { 0 };
	g_auto(GStrv) lines = g_strsplit(host_stat, "\n", -1);
	bool btime = false;

	if (in->ncpus == 0)
		return -EINVAL;
	for (unsigned int i = 0; i < in->ncpus; i++) {
		sum.user += in->cpu[i].user;
		sum.system += in->cpu[i].system;
		sum.idle += in->cpu[i].idle;
	}
	append_cpu_line(out, "cpu ", &sum);
	for (unsigned int i = 0; i < in->ncpus; i++) {
		char name[16];

		g_snprintf(name, sizeof(name), "cpu%u", i);
		append_cpu_line(out, name, &in->cpu[i]);
	}
	for (char **l = lines; *l; l++) {
		if (**l == '\0' || g_str_has_prefix(*l, "cpu"))
			continue;
		if (g_str_has_prefix(*l, "procs_running "))
			g_string_append_printf(out, "procs_running %u\n", in->procs_running);
		else if (g_str_has_prefix(*l, "procs_blocked "))
			g_string_append_printf(out, "procs_blocked %u\n", in->procs_blocked);
		else
			g_string_append_printf(out, "%s\n", *l);
		btime |= g_str_has_prefix(*l, "btime ");
	}
	/* Not a /proc/stat: better an error than a file without btime. */
	return btime ? 0 : -EINVAL;
}
