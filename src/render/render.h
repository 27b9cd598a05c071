/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The renderers: pure functions from plain inputs to the text of one
 * virtual file. They do no I/O; view.c gathers their inputs.
 */

#include "cgroup.h"
#include "cpuset.h"

#include <glib.h>
#include <stdint.h>
#include <sys/types.h>

int meminfo_render(const char *host_meminfo, const struct memory_facts *mem, GString *out);
/* SwapTotal (the swap limit, at most the host's) and the swap in use (at
 * most that), in kB: what meminfo's Swap lines and swaps show. */
void meminfo_swap(uint64_t host_swap_kb, const struct memory_facts *m, uint64_t *total_kb,
		  uint64_t *used_kb);

/* visible: host CPU numbers the container may use; they are shown
 * renumbered from 0 in their host order. */
int cpuinfo_render(const char *host_cpuinfo, const struct cpuset *visible, GString *out);

struct uptime_input {
	uint64_t host_uptime_cs; /* hundredths of a second since boot (/proc/uptime) */
	uint64_t start_ticks; /* container init's start, clock ticks after boot */
	long ticks_per_sec; /* USER_HZ */
	unsigned int ncpus; /* visible CPUs */
	uint64_t cpu_usage_us; /* the cgroup's CPU time */
};
int uptime_render(const struct uptime_input *in, GString *out);
/* How long the container has run, in hundredths of a second (>= 0): the
 * host's uptime less its init's start; proc/uptime and proc/stat agree. */
uint64_t uptime_container_cs(uint64_t host_uptime_cs, uint64_t start_ticks, long ticks_per_sec);

/* proc/stat (stat.c). Counters in USER_HZ ticks. */
struct stat_cpu {
	uint64_t user;
	uint64_t system;
	uint64_t idle;
};
struct stat_usage {
	uint64_t user_us; /* the cgroup's */
	uint64_t system_us;
	uint64_t uptime_cs; /* the container's, as proc/uptime */
	uint64_t capacity_milli; /* CPUs the container may use, in thousandths */
	long ticks_per_sec; /* USER_HZ */
};
struct stat_input {
	unsigned int ncpus; /* visible */
	const struct stat_cpu *cpu; /* ncpus of them */
	unsigned int procs_running;
	unsigned int procs_blocked;
};
/* Fills cpu[0..ncpus-1] from the cgroup's usage. */
int stat_compute(const struct stat_usage *u, unsigned int ncpus, struct stat_cpu *cpu);
int stat_render(const char *host_stat, const struct stat_input *in, GString *out);

/* proc/loadavg (loadavg.c): averages in 11-bit fixed point. */
int loadavg_render(const uint64_t avg[3], unsigned int running, unsigned int total, pid_t last_pid,
		   GString *out);

/* proc/diskstats (diskstats.c): the host's lines of the devices in devs
 * (struct io_dev) with their counts. */
int diskstats_render(const char *host_diskstats, const GArray *devs, GString *out);

/* proc/vmstat (vmstat.c): the host's lines with the cgroup's counters. */
struct vmstat_input {
	int version; /* of the memory hierarchy: 1 or 2 */
	const char *memory_stat; /* the cgroup's memory.stat */
	uint64_t free_kb; /* MemFree of the container's meminfo */
	bool io; /* whether read_bytes and write_bytes are known */
	uint64_t read_bytes, write_bytes; /* on block devices, all of them */
	uint64_t page_size, hpage_size; /* bytes; hpage: a PMD-sized page */
};
int vmstat_render(const char *host_vmstat, const struct vmstat_input *in, GString *out);

/* proc/slabinfo (slabinfo.c): the host's header, then the cgroup's caches
 * (cgroup_caches: v1 memory.kmem.slabinfo, NULL or empty when the kernel
 * has none), else one line per size. */
struct slab_size {
	const char *name;
	uint64_t bytes;
};
int slabinfo_render(const char *host_slabinfo, const char *cgroup_caches,
		    const struct slab_size *sizes, unsigned int n, uint64_t page_size,
		    GString *out);

/* sys/devices/system/node/nodeN/meminfo (node.c): host node host_node's
 * file with the cgroup's numbers, shown as node shown_node. A line that is
 * not "Node M Key: value" is -EINVAL. */
struct node_meminfo_input {
	bool host_values; /* the host node's values, renamed only */
	int version; /* of the memory hierarchy: 1 or 2 */
	const char *numa_stat; /* the cgroup's memory.numa_stat */
	unsigned int host_node, shown_node;
	uint64_t total_kb, free_kb; /* MemTotal and MemFree of the container's meminfo */
	uint64_t page_size; /* v1 counts pages */
};
int node_meminfo_render(const char *host, const struct node_meminfo_input *in, GString *out);
/* A node's distance row: the host's, only the columns of the nodes in shown
 * (host numbers; online: the host's online nodes, one column each). */
int node_distance_render(const char *host, const struct cpuset *online, const struct cpuset *shown,
			 GString *out);

/* A cgroup's <kind>.pressure, checked; -EINVAL when it is not PSI text. */
int pressure_render(const char *cgroup_text, GString *out);

/* One "none" device of total_kb, used_kb of it in use; the header alone
 * when total_kb is 0. */
int swaps_render(uint64_t total_kb, uint64_t used_kb, GString *out);

/* The kernel's list format for n CPUs numbered from 0. */
int cpu_online_render(unsigned int ncpus, GString *out);

/* Which host CPUs a container sees: its cpuset (all online CPUs when NULL)
 * within the online CPUs, then only as many as the quota allows
 * (ceil(quota / period)), lowest first. Never empty when online is not. */
struct cpuset *cpu_online_visible(const struct cpuset *online, const struct cpu_facts *cpu,
				  bool apply_quota);
