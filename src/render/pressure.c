/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proc/pressure/{cpu,memory,io} for a container: its cgroup's cpu.pressure,
 * memory.pressure and io.pressure from the unified hierarchy (on v2 and on
 * hybrid hosts), which the kernel writes in /proc/pressure's own format
 * (kernel/sched/psi.c, psi_show: "some avg10=... avg60=... avg300=...
 * total=..." and a "full" line). Passed through once its shape is checked.
 */
#include "config.h"

#include "render.h"

#include <errno.h>
#include <string.h>

int pressure_render(const char *cgroup_text, GString *out)
{
	g_auto(GStrv) lines = g_strsplit(cgroup_text, "\n", -1);
	unsigned int n = 0;

	for (char **l = lines; *l; l++) {
		if (!**l)
			continue;
		if ((!g_str_has_prefix(*l, "some avg10=") &&
		     !g_str_has_prefix(*l, "full avg10=")) ||
		    !strstr(*l, " total="))
			return -EINVAL;
		n++;
	}
	if (n == 0)
		return -EINVAL;
	g_string_append(out, cgroup_text);
	return 0;
}
