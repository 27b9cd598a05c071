/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proc/slabinfo for a cgroup. Imitates mm/slab_common.c
 * (print_slabinfo_header, cache_show): the two header lines, then one line
 * per cache, "name active_objs num_objs objsize objperslab pagesperslab :
 * tunables limit batchcount sharedfactor : slabdata active_slabs num_slabs
 * sharedavail".
 *
 * Inputs: the host's /proc/slabinfo (its header only: the kernel's
 * version line); the cgroup's memory.kmem.slabinfo (v1); the cgroup's slab
 * sizes (v2 memory.stat slab_reclaimable and slab_unreclaimable; v1
 * memory.kmem.usage_in_bytes).
 *
 * What a cgroup's slab is cache by cache is known only where the kernel
 * prints it: v1's memory.kmem.slabinfo, before Linux 5.9 (its slab
 * controller rework; since then the file holds nothing, and cgroup v2 never
 * had one). Then the caches are that file's lines. Otherwise each size
 * becomes one line named after its source, counted in pages: objsize =
 * page size, num_objs = active_objs = num_slabs = active_slabs =
 * ceil(bytes / page size), objperslab = pagesperslab = 1, tunables and
 * sharedavail 0; slabtop's totals are then the cgroup's.
 */
#include "config.h"

#include "render.h"
#include "util.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

/* The text after the two header lines of a slabinfo text; NULL when
 * text does not start with them. */
static const char *after_header(const char *text)
{
	const char *second;

	if (!g_str_has_prefix(text, "slabinfo - version:"))
		return NULL;
	second = strchr(text, '\n');
	if (!second || second[1] != '#')
		return NULL;
	second = strchr(second + 1, '\n');
	return second ? second + 1 : NULL;
}

int slabinfo_render(const char *host, const char *cgroup_caches, const struct slab_size *sizes,
		    unsigned int n, uint64_t page_size, GString *out)
{
	const char *body = after_header(host), *caches = NULL;

	if (!body || page_size == 0)
		return -EINVAL;
	if (cgroup_caches && *cgroup_caches) {
		caches = after_header(cgroup_caches);
		if (!caches)
			return -EINVAL;
	}
	g_string_append_len(out, host, body - host);
	if (caches && *caches) {
		g_string_append(out, caches);
		return 0;
	}
	for (unsigned int i = 0; i < n; i++) {
		uint64_t pages = sizes[i].bytes / page_size + (sizes[i].bytes % page_size != 0);

		g_string_append_printf(out,
				       "%-17s %6" PRIu64 " %6" PRIu64 " %6" PRIu64
				       " %4u %4d : tunables %4u %4u %4u : slabdata %6" PRIu64
				       " %6" PRIu64 " %6u\n",
				       sizes[i].name, pages, pages, page_size, 1u, 1, 0u, 0u, 0u,
				       pages, pages, 0u);
	}
	return 0;
}
