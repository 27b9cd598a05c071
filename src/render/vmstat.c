/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proc/vmstat for a cgroup. Imitates mm/vmstat.c (vmstat_start, vmstat_show:
 * one "name value" line per counter, in the kernel's order) with the
 * cgroup's counters in place of the machine's; the host's file gives the
 * names and their order, so a line a newer kernel adds is kept.
 *
 * Inputs: the host's /proc/vmstat; the cgroup's memory.stat (v1: the
 * hierarchical total_* keys, v2: memory.stat); the container's MemFree
 * (proc/meminfo's, render/meminfo.c); the bytes it read and wrote on block
 * devices (v2 io.stat rbytes/wbytes, v1 blkio.throttle.io_service_bytes,
 * summed over devices).
 *
 * Formula, line by line:
 *   nr_free_pages = MemFree / page size
 *   page counts: the memory.stat size (bytes) / page size:
 *     nr_{zone_,}{inactive,active}_{anon,file}, nr_{zone_,}unevictable
 *       = {inactive,active}_{anon,file}, unevictable
 *     nr_zone_write_pending = file_dirty + file_writeback (the zone counter
 *       counts both: include/linux/mmzone.h NR_ZONE_WRITE_PENDING)
 *     nr_anon_pages = anon (v1 total_rss), nr_file_pages = file (total_cache),
 *     nr_mapped = file_mapped (total_mapped_file), nr_dirty = file_dirty
 *     (total_dirty), nr_writeback = file_writeback (total_writeback),
 *     nr_shmem = shmem (total_shmem), nr_swapcached = swapcached
 *     (total_swapcached), nr_slab_reclaimable, nr_slab_unreclaimable =
 *     slab_reclaimable, slab_unreclaimable; nr_page_table_pages,
 *     nr_sec_page_table_pages = pagetables, sec_pagetables (v1 keeps no
 *     slab, stack or page-table size per cgroup: 0, as in meminfo)
 *   nr_kernel_stack = kernel_stack / 1024 (the kernel prints it in kB)
 *   huge pages (the kernel prints them in PMD-sized pages,
 *   vmstat_item_print_in_thp): nr_anon_transparent_hugepages = anon_thp
 *     (v1 total_rss_huge), nr_shmem_hugepages = shmem_thp, nr_file_hugepages
 *     = file_thp, each / the PMD page size
 *   pgpgin, pgpgout = bytes read, written / 1024 (the kernel counts sectors
 *     at submit_bio and prints kB). v1's memory.stat pgpgin/pgpgout are not
 *     these: they count pages charged to and uncharged from the cgroup.
 *   events: a line that is not a page count and whose name memory.stat has
 *     (v1: with "total_" before it) is memory.stat's: cgroup v2 names its
 *     events with the kernel's own vm_event_name() (mm/memcontrol.c,
 *     memcg_vm_event_stat) and its node counters with vmstat's names
 *     (workingset_*, pgdemote_*), so the same name is the same counter:
 *     pgfault, pgmajfault, pgrefill, pgactivate, pgdeactivate, pglazyfree(d),
 *     pgscan_* and pgsteal_* (kswapd, direct, khugepaged, proactive),
 *     workingset_*, thp_*, zswpin, zswpout, pswpin, pswpout (kernels that
 *     count them per cgroup), numa_* of NUMA balancing. v1 has pgfault,
 *     pgmajfault and workingset_refault_{anon,file}.
 * Every other line keeps the host's value (nothing counts it per cgroup):
 * nr_mlock, nr_bounce, nr_free_cma, nr_isolated_*, numa_hit and the rest of
 * the allocator's numa_* counters, pgalloc_*, pgfree, allocstall_*,
 * compact_*, the dirty thresholds, and any line a newer kernel adds.
 */
#include "config.h"

#include "render.h"
#include "util.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

enum vm_unit { VM_PAGES, VM_KB, VM_HUGE };

/* A page count and the memory.stat size it comes from; second, when set,
 * is added to it. */
struct vm_size {
	const char *line;
	enum memstat_key key;
	enum vm_unit unit;
	int second; /* an enum memstat_key, or -1 */
};

static const struct vm_size vm_sizes[] = {
	{ "nr_zone_inactive_anon", MS_INACTIVE_ANON, VM_PAGES, -1 },
	{ "nr_zone_active_anon", MS_ACTIVE_ANON, VM_PAGES, -1 },
	{ "nr_zone_inactive_file", MS_INACTIVE_FILE, VM_PAGES, -1 },
	{ "nr_zone_active_file", MS_ACTIVE_FILE, VM_PAGES, -1 },
	{ "nr_zone_unevictable", MS_UNEVICTABLE, VM_PAGES, -1 },
	{ "nr_zone_write_pending", MS_FILE_DIRTY, VM_PAGES, MS_FILE_WRITEBACK },
	{ "nr_inactive_anon", MS_INACTIVE_ANON, VM_PAGES, -1 },
	{ "nr_active_anon", MS_ACTIVE_ANON, VM_PAGES, -1 },
	{ "nr_inactive_file", MS_INACTIVE_FILE, VM_PAGES, -1 },
	{ "nr_active_file", MS_ACTIVE_FILE, VM_PAGES, -1 },
	{ "nr_unevictable", MS_UNEVICTABLE, VM_PAGES, -1 },
	{ "nr_slab_reclaimable", MS_SLAB_RECLAIMABLE, VM_PAGES, -1 },
	{ "nr_slab_unreclaimable", MS_SLAB_UNRECLAIMABLE, VM_PAGES, -1 },
	{ "nr_anon_pages", MS_ANON, VM_PAGES, -1 },
	{ "nr_mapped", MS_FILE_MAPPED, VM_PAGES, -1 },
	{ "nr_file_pages", MS_FILE, VM_PAGES, -1 },
	{ "nr_dirty", MS_FILE_DIRTY, VM_PAGES, -1 },
	{ "nr_writeback", MS_FILE_WRITEBACK, VM_PAGES, -1 },
	{ "nr_shmem", MS_SHMEM, VM_PAGES, -1 },
	{ "nr_shmem_hugepages", MS_SHMEM_THP, VM_HUGE, -1 },
	{ "nr_file_hugepages", MS_FILE_THP, VM_HUGE, -1 },
	{ "nr_anon_transparent_hugepages", MS_ANON_THP, VM_HUGE, -1 },
	{ "nr_kernel_stack", MS_KERNEL_STACK, VM_KB, -1 },
	{ "nr_page_table_pages", MS_PAGETABLES, VM_PAGES, -1 },
	{ "nr_sec_page_table_pages", MS_SEC_PAGETABLES, VM_PAGES, -1 },
	{ "nr_swapcached", MS_SWAPCACHED, VM_PAGES, -1 },
};

static const struct vm_size *vm_size_of(const char *name)
{
	for (size_t i = 0; i < G_N_ELEMENTS(vm_sizes); i++)
		if (strcmp(vm_sizes[i].line, name) == 0)
			return &vm_sizes[i];
	return NULL;
}

/* The value of a page-count line from memory.stat: 0 when the cgroup's
 * memory.stat lacks its key (v1 keeps no slab, stack or page-table sizes
 * per cgroup; meminfo shows 0 for them too). */
static uint64_t size_value(const struct vm_size *s, const struct vmstat_input *in,
			   const struct memory_stat *st)
{
	uint64_t bytes;

	if (!memory_stat_has(st, s->key))
		return 0;
	bytes = st->v[s->key];
	if (s->second >= 0 && memory_stat_has(st, (enum memstat_key)s->second))
		bytes += st->v[s->second];
	switch (s->unit) {
	case VM_KB:
		return bytes / 1024;
	case VM_HUGE:
		return bytes / in->hpage_size;
	default:
		return bytes / in->page_size;
	}
}

/* memory.stat's numbers by name (v1: the total_ keys, without "total_"),
 * looked up once for each of vmstat's lines. */
static int events_index(const struct vmstat_input *in, GHashTable *events)
{
	for (const char *line = in->memory_stat; *line;) {
		const char *eol = strchrnul(line, '\n');
		const char *sp = memchr(line, ' ', (size_t)(eol - line));
		const char *name = line;
		g_autofree char *value = NULL;
		uint64_t v;

		if (sp && in->version == 1)
			name = g_str_has_prefix(line, "total_") ? line + 6 : NULL;
		if (sp && name) {
			value = g_strndup(sp + 1, (size_t)(eol - sp - 1));
			if (parse_u64(value, &v) < 0)
				return -EINVAL;
			g_hash_table_insert(events, g_strndup(name, (size_t)(sp - name)),
					    g_memdup2(&v, sizeof(v)));
		}
		line = *eol ? eol + 1 : eol;
	}
	return 0;
}

/* The cgroup's value for the host line name; false for the host's. */
static bool cgroup_value(const char *name, const struct vmstat_input *in,
			 const struct memory_stat *st, GHashTable *events, uint64_t *out)
{
	const struct vm_size *s = vm_size_of(name);
	const uint64_t *ev;

	if (strcmp(name, "nr_free_pages") == 0) {
		*out = in->free_kb * 1024 / in->page_size;
		return true;
	}
	if (s) {
		*out = size_value(s, in, st);
		return true;
	}
	if (strcmp(name, "pgpgin") == 0 || strcmp(name, "pgpgout") == 0) {
		if (!in->io)
			return false;
		*out = (name[4] == 'i' ? in->read_bytes : in->write_bytes) / 1024;
		return true;
	}
	if (g_str_has_prefix(name, "nr_"))
		return false;
	ev = g_hash_table_lookup(events, name);
	if (ev)
		*out = *ev;
	return ev != NULL;
}

int vmstat_render(const char *host, const struct vmstat_input *in, GString *out)
{
	g_autoptr(GHashTable) events =
		g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	struct memory_stat st;
	const char *line = host;
	int r;

	if (in->page_size == 0 || in->hpage_size == 0 || (in->version != 1 && in->version != 2))
		return -EINVAL;
	r = memory_stat_parse(in->memory_stat, in->version, &st);
	if (r == 0)
		r = events_index(in, events);
	if (r < 0)
		return r;
	while (*line) {
		const char *eol = strchrnul(line, '\n');
		const char *sp = memchr(line, ' ', (size_t)(eol - line));
		g_autofree char *name = NULL;
		uint64_t value;

		if (!sp || sp == line)
			return -EINVAL; /* not vmstat's "name value" */
		name = g_strndup(line, (size_t)(sp - line));
		if (cgroup_value(name, in, &st, events, &value))
			g_string_append_printf(out, "%s %" PRIu64 "\n", name, value);
		else
			g_string_append_len(out, line, eol - line + (*eol == '\n'));
		line = *eol ? eol + 1 : eol;
	}
	return 0;
}
