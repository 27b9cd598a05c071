/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proc/meminfo for a cgroup. Imitates fs/proc/meminfo.c (meminfo_proc_show)
 * with the cgroup's counters in place of the machine's.
 *
 * Inputs: the host's /proc/meminfo; struct memory_facts, fed by
 *   v1: memory.stat (total_* keys, hierarchical_memory_limit,
 *       hierarchical_memsw_limit), memory.usage_in_bytes,
 *       memory.memsw.usage_in_bytes
 *   v2: memory.max and memory.swap.max (min over ancestors), memory.current,
 *       memory.swap.current, memory.stat.
 *
 * Formula (kB; every subtraction saturates at 0):
 *   MemTotal     = min(limit, host MemTotal)
 *   MemFree      = MemTotal - usage
 *   MemAvailable = min(MemTotal, MemFree + active_file + inactive_file
 *                  + slab_reclaimable)
 *   Buffers      = 0 (a cgroup's buffer pages are counted in "file")
 *   Cached       = file - swapcached (NR_FILE_PAGES includes swap cache,
 *                  mm/swap_state.c; the kernel subtracts it the same way)
 *   SwapCached, Active/Inactive(anon|file), Unevictable, Dirty (file_dirty),
 *   Writeback (file_writeback), AnonPages (anon), Mapped (file_mapped),
 *   Shmem, AnonHugePages (anon_thp) = memory.stat
 *   Active = active_anon + active_file, Inactive likewise
 *   v2 only: Slab, SReclaimable, SUnreclaim, KReclaimable, KernelStack,
 *   PageTables, SecPageTables, Percpu, ShmemHugePages, FileHugePages, Zswap,
 *   Zswapped = memory.stat; v1 does not account them per cgroup: 0.
 *   Mlocked, ShmemPmdMapped, FilePmdMapped = 0 (no per-cgroup counter).
 *   SwapTotal = min(swap limit, host SwapTotal); SwapFree = SwapTotal - swap used
 * Lines about the whole machine keep the host's value: CommitLimit,
 * Committed_AS, Vmalloc*, HardwareCorrupted, HugePages_*, Hugepagesize,
 * Hugetlb, DirectMap*, Bounce, NFS_Unstable, WritebackTmp, Balloon, Cma*,
 * Unaccepted, and any line a newer kernel adds.
 * A cgroup with neither a memory nor a swap limit gets the host's file as is.
 */
#include "config.h"

#include "procfs.h"
#include "render.h"
#include "util.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

enum mi_field {
	MI_MEMTOTAL,
	MI_MEMFREE,
	MI_MEMAVAILABLE,
	MI_BUFFERS,
	MI_CACHED,
	MI_SWAPCACHED,
	MI_ACTIVE,
	MI_INACTIVE,
	MI_ACTIVE_ANON,
	MI_INACTIVE_ANON,
	MI_ACTIVE_FILE,
	MI_INACTIVE_FILE,
	MI_UNEVICTABLE,
	MI_MLOCKED,
	MI_SWAPTOTAL,
	MI_SWAPFREE,
	MI_ZSWAP,
	MI_ZSWAPPED,
	MI_DIRTY,
	MI_WRITEBACK,
	MI_ANONPAGES,
	MI_MAPPED,
	MI_SHMEM,
	MI_KRECLAIMABLE,
	MI_SLAB,
	MI_SRECLAIMABLE,
	MI_SUNRECLAIM,
	MI_KERNELSTACK,
	MI_PAGETABLES,
	MI_SECPAGETABLES,
	MI_PERCPU,
	MI_ANONHUGEPAGES,
	MI_SHMEMHUGEPAGES,
	MI_SHMEMPMDMAPPED,
	MI_FILEHUGEPAGES,
	MI_FILEPMDMAPPED,
	MI__COUNT
};

static const char *const mi_name[MI__COUNT] = {
	[MI_MEMTOTAL] = "MemTotal",
	[MI_MEMFREE] = "MemFree",
	[MI_MEMAVAILABLE] = "MemAvailable",
	[MI_BUFFERS] = "Buffers",
	[MI_CACHED] = "Cached",
	[MI_SWAPCACHED] = "SwapCached",
	[MI_ACTIVE] = "Active",
	[MI_INACTIVE] = "Inactive",
	[MI_ACTIVE_ANON] = "Active(anon)",
	[MI_INACTIVE_ANON] = "Inactive(anon)",
	[MI_ACTIVE_FILE] = "Active(file)",
	[MI_INACTIVE_FILE] = "Inactive(file)",
	[MI_UNEVICTABLE] = "Unevictable",
	[MI_MLOCKED] = "Mlocked",
	[MI_SWAPTOTAL] = "SwapTotal",
	[MI_SWAPFREE] = "SwapFree",
	[MI_ZSWAP] = "Zswap",
	[MI_ZSWAPPED] = "Zswapped",
	[MI_DIRTY] = "Dirty",
	[MI_WRITEBACK] = "Writeback",
	[MI_ANONPAGES] = "AnonPages",
	[MI_MAPPED] = "Mapped",
	[MI_SHMEM] = "Shmem",
	[MI_KRECLAIMABLE] = "KReclaimable",
	[MI_SLAB] = "Slab",
	[MI_SRECLAIMABLE] = "SReclaimable",
	[MI_SUNRECLAIM] = "SUnreclaim",
	[MI_KERNELSTACK] = "KernelStack",
	[MI_PAGETABLES] = "PageTables",
	[MI_SECPAGETABLES] = "SecPageTables",
	[MI_PERCPU] = "Percpu",
	[MI_ANONHUGEPAGES] = "AnonHugePages",
	[MI_SHMEMHUGEPAGES] = "ShmemHugePages",
	[MI_SHMEMPMDMAPPED] = "ShmemPmdMapped",
	[MI_FILEHUGEPAGES] = "FileHugePages",
	[MI_FILEPMDMAPPED] = "FilePmdMapped",
};

/* memory.stat key feeding a field directly, or -1. */
static const int mi_from_stat[MI__COUNT] = {
	[MI_MEMTOTAL] = -1,
	[MI_MEMFREE] = -1,
	[MI_MEMAVAILABLE] = -1,
	[MI_BUFFERS] = -1,
	[MI_CACHED] = -1,
	[MI_SWAPCACHED] = MS_SWAPCACHED,
	[MI_ACTIVE] = -1,
	[MI_INACTIVE] = -1,
	[MI_ACTIVE_ANON] = MS_ACTIVE_ANON,
	[MI_INACTIVE_ANON] = MS_INACTIVE_ANON,
	[MI_ACTIVE_FILE] = MS_ACTIVE_FILE,
	[MI_INACTIVE_FILE] = MS_INACTIVE_FILE,
	[MI_UNEVICTABLE] = MS_UNEVICTABLE,
	[MI_MLOCKED] = -1,
	[MI_SWAPTOTAL] = -1,
	[MI_SWAPFREE] = -1,
	[MI_ZSWAP] = MS_ZSWAP,
	[MI_ZSWAPPED] = MS_ZSWAPPED,
	[MI_DIRTY] = MS_FILE_DIRTY,
	[MI_WRITEBACK] = MS_FILE_WRITEBACK,
	[MI_ANONPAGES] = MS_ANON,
	[MI_MAPPED] = MS_FILE_MAPPED,
	[MI_SHMEM] = MS_SHMEM,
	[MI_KRECLAIMABLE] = MS_SLAB_RECLAIMABLE,
	[MI_SLAB] = MS_SLAB,
	[MI_SRECLAIMABLE] = MS_SLAB_RECLAIMABLE,
	[MI_SUNRECLAIM] = MS_SLAB_UNRECLAIMABLE,
	[MI_KERNELSTACK] = MS_KERNEL_STACK,
	[MI_PAGETABLES] = MS_PAGETABLES,
	[MI_SECPAGETABLES] = MS_SEC_PAGETABLES,
	[MI_PERCPU] = MS_PERCPU,
	[MI_ANONHUGEPAGES] = MS_ANON_THP,
	[MI_SHMEMHUGEPAGES] = MS_SHMEM_THP,
	[MI_SHMEMPMDMAPPED] = -1,
	[MI_FILEHUGEPAGES] = MS_FILE_THP,
	[MI_FILEPMDMAPPED] = -1,
};

static uint64_t stat_kb(const struct memory_facts *m, enum memstat_key k)
{
	return m->stat.v[k] / 1024;
}

void meminfo_swap(uint64_t host_swap_kb, const struct memory_facts *m, uint64_t *total_kb,
		  uint64_t *used_kb)
{
	*total_kb = MIN(host_swap_kb, m->swap_limit / 1024);
	*used_kb = MIN(m->swap_usage / 1024, *total_kb);
}

static void meminfo_compute(uint64_t host_total, uint64_t host_swap, const struct memory_facts *m,
			    uint64_t kb[MI__COUNT])
{
	uint64_t total = MIN(host_total, m->limit / 1024);
	uint64_t free_kb = sat_sub(total, m->usage / 1024);
	uint64_t swap_total, swap_used;

	meminfo_swap(host_swap, m, &swap_total, &swap_used);
	for (int f = 0; f < MI__COUNT; f++)
		kb[f] = mi_from_stat[f] >= 0 ? stat_kb(m, (enum memstat_key)mi_from_stat[f]) : 0;
	kb[MI_MEMTOTAL] = total;
	kb[MI_MEMFREE] = free_kb;
	kb[MI_MEMAVAILABLE] =
		MIN(total, free_kb + stat_kb(m, MS_ACTIVE_FILE) + stat_kb(m, MS_INACTIVE_FILE) +
				   stat_kb(m, MS_SLAB_RECLAIMABLE));
	kb[MI_CACHED] = sat_sub(stat_kb(m, MS_FILE), stat_kb(m, MS_SWAPCACHED));
	kb[MI_ACTIVE] = stat_kb(m, MS_ACTIVE_ANON) + stat_kb(m, MS_ACTIVE_FILE);
	kb[MI_INACTIVE] = stat_kb(m, MS_INACTIVE_ANON) + stat_kb(m, MS_INACTIVE_FILE);
	kb[MI_SWAPTOTAL] = swap_total;
	kb[MI_SWAPFREE] = swap_total - swap_used;
	kb[MI_SWAPCACHED] = MIN(kb[MI_SWAPCACHED], swap_total);
}

static int mi_field_of(const char *line, size_t keylen)
{
	for (int f = 0; f < MI__COUNT; f++)
		if (strlen(mi_name[f]) == keylen && memcmp(mi_name[f], line, keylen) == 0)
			return f;
	return -1;
}

int meminfo_render(const char *host, const struct memory_facts *mem, GString *out)
{
	uint64_t host_total, host_swap, kb[MI__COUNT];
	const char *line = host;

	if (!mem->limited) {
		g_string_append(out, host);
		return 0;
	}
	if (meminfo_find_kb(host, "MemTotal", &host_total) < 0 ||
	    meminfo_find_kb(host, "SwapTotal", &host_swap) < 0)
		return -EINVAL;
	meminfo_compute(host_total, host_swap, mem, kb);
	while (*line) {
		const char *eol = strchrnul(line, '\n');
		const char *colon = memchr(line, ':', (size_t)(eol - line));
		int f = colon ? mi_field_of(line, (size_t)(colon - line)) : -1;

		if (f >= 0) {
			/* fs/proc/meminfo.c pads "Name:" to 16 columns, then %8lu. */
			g_string_append_len(out, line, colon - line + 1);
			for (long pad = 16 - (colon - line + 1); pad > 0; pad--)
				g_string_append_c(out, ' ');
			g_string_append_printf(out, "%8" PRIu64 " kB\n", kb[f]);
		} else {
			g_string_append_len(out, line, eol - line);
			g_string_append_c(out, '\n');
		}
		line = *eol ? eol + 1 : eol;
	}
	return 0;
}
