/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proc/swaps for a container: the swap its cgroup may use, as one device.
 *
 * Inputs: SwapTotal and SwapFree of the container's own proc/meminfo
 * (meminfo.c: min(swap limit, host swap) and that less the cgroup's swap
 * usage), so that swapon, free and top agree.
 *
 * Format of mm/swapfile.c (swap_show): a header, then per device the path
 * padded to 40 columns, the type, size and used in kB, each followed by a
 * tab and another tab while shorter than 8 digits, and the priority. The
 * device is "none", of type "virtual" (with a tab, as the kernel pads
 * "file", so that the columns line up), priority 0. A container without
 * swap gets the header alone, as a host without swap does.
 */
#include "config.h"

#include "render.h"

#include <inttypes.h>

int swaps_render(uint64_t total_kb, uint64_t used_kb, GString *out)
{
	g_string_append(out, "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
	if (total_kb == 0)
		return 0;
	g_string_append_printf(out, "%-40s%s\t%" PRIu64 "\t%s%" PRIu64 "\t%s%d\n", "none",
			       "virtual\t", total_kb, total_kb < 10000000 ? "\t" : "",
			       MIN(used_kb, total_kb), used_kb < 10000000 ? "\t" : "", 0);
	return 0;
}
