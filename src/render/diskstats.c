/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proc/diskstats for a container: the host's lines (block/genhd.c,
 * diskstats_show) of the devices its cgroup did I/O on, with the cgroup's
 * own counts.
 *
 * Inputs: the cgroup's completed I/O per device (cgroup_io: v2 io.stat; v1
 * blkio.throttle.io_serviced and io_service_bytes, recursive), the host's
 * /proc/diskstats for the device names and the number of fields.
 *
 *   reads completed   = rios        sectors read    = rbytes / 512
 *   writes completed  = wios        sectors written = wbytes / 512
 *   discards completed = dios       sectors discarded = dbytes / 512
 *   every other field (merges, times, I/Os in progress, flushes) = 0: no
 *   cgroup file counts them
 *
 * Devices the container never touched (no line, or no I/O at all) are left
 * out, and so is a device the host no longer lists.
 */
#include "config.h"

#include "render.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

/* Field numbers after major, minor and name (Documentation/admin-guide/
 * iostats.rst): 1 reads, 3 sectors read, 5 writes, 7 sectors written,
 * 12 discards, 14 sectors discarded. */
static uint64_t field(const struct io_dev *d, unsigned int i)
{
	switch (i) {
	case 1:
		return d->rios;
	case 3:
		return d->rbytes / 512;
	case 5:
		return d->wios;
	case 7:
		return d->wbytes / 512;
	case 12:
		return d->dios;
	case 14:
		return d->dbytes / 512;
	default:
		return 0;
	}
}

int diskstats_render(const char *host_diskstats, const GArray *devs, GString *out)
{
	g_auto(GStrv) lines = g_strsplit(host_diskstats, "\n", -1);

	for (char **l = lines; *l; l++) {
		g_auto(GStrv) w = NULL;
		const struct io_dev *d;
		guint64 major, minor;
		unsigned int n;

		if (!**l)
			continue;
		w = g_strsplit_set(g_strstrip(*l), " ", -1);
		/* Runs of blanks give empty words: squeeze them out. */
		n = 0;
		for (char **p = w; *p; p++)
			if (**p)
				w[n++] = *p;
			else
				g_free(*p);
		w[n] = NULL;
		if (n < 4 || !g_ascii_string_to_unsigned(w[0], 10, 0, G_MAXUINT, &major, NULL) ||
		    !g_ascii_string_to_unsigned(w[1], 10, 0, G_MAXUINT, &minor, NULL))
			return -EINVAL;
		d = io_dev_find(devs, (unsigned int)major, (unsigned int)minor);
		if (!d || d->rios + d->wios + d->dios + d->rbytes + d->wbytes + d->dbytes == 0)
			continue;
		g_string_append_printf(out, "%4u %7u %s", (unsigned int)major, (unsigned int)minor,
				       w[2]);
		for (unsigned int i = 1; i <= n - 3; i++)
			g_string_append_printf(out, " %" PRIu64, field(d, i));
		g_string_append_c(out, '\n');
	}
	return 0;
}
