/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * sysinfo(2) as a container sees it (docs/sysinfo.md): computed from the
 * texts lensfs shows the container in proc/meminfo, proc/uptime and
 * proc/loadavg, so that the two never disagree. The fields and their
 * units are the kernel's (kernel/sys.c, do_sysinfo), on a 64-bit kernel:
 *
 *   uptime     seconds since the container's start, rounded up as the
 *              kernel rounds its boot time (a fraction counts a second)
 *   loads[3]   the 1, 5 and 15 minute averages << SI_LOAD_SHIFT (16): the
 *              kernel shifts its 11-bit fixed point by 5; lensfs scales the
 *              hundredths it prints
 *   totalram, freeram, sharedram, bufferram
 *              MemTotal, MemFree, Shmem, Buffers (si_meminfo)
 *   totalswap, freeswap
 *              SwapTotal, SwapFree (si_swapinfo)
 *   procs      the threads (loadavg's count after the slash: nr_threads),
 *              at most 65535 (the field is 16 bits; the kernel wraps)
 *   totalhigh, freehigh
 *              0 (no highmem on 64-bit)
 *   mem_unit   1: the sizes in bytes (do_sysinfo makes the unit 1 whenever
 *              RAM and swap fit an unsigned long, always on 64-bit)
 */

#include "context.h"

#include <sys/sysinfo.h>

#define SYSINFO_LOAD_SHIFT 16 /* SI_LOAD_SHIFT, include/uapi/linux/kernel.h */

/* From the three texts; -EINVAL when one does not parse, -ENOENT when
 * meminfo lacks a field. */
int sysinfo_from_texts(const char *meminfo, const char *uptime, const char *loadavg,
		       struct sysinfo *out);
/* What the container of v gets. */
int sysinfo_of_view(struct lensfs_ctx *ctx, const struct viewer *v, struct sysinfo *out);
