/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Parsers of /proc files. They take strings, never paths: what reads the
 * file is elsewhere, so the unit tests drive these directly. */

#include <glib.h>
#include <stdint.h>
#include <sys/types.h>

/* Value in kB of "Key:   N kB" in /proc/meminfo. -ENOENT when absent. */
int meminfo_find_kb(const char *text, const char *key, uint64_t *out);

/* /proc/uptime: two values in seconds with two decimals, returned in
 * hundredths of a second (fs/proc/uptime.c prints exactly that). */
int uptime_parse(const char *text, uint64_t *uptime_cs, uint64_t *idle_cs);

/* /proc/loadavg (fs/proc/loadavg.c): the three averages in hundredths,
 * then running/threads, then the last pid (not returned). */
int loadavg_parse(const char *text, uint64_t load_cs[3], uint64_t *running, uint64_t *threads);

/* /proc/PID/stat: field 22, start time in clock ticks after boot. The
 * command name (field 2) may hold spaces and parentheses, so fields are
 * counted from the last ')'. */
int proc_stat_starttime(const char *text, uint64_t *ticks);
/* Field 3 of /proc/PID/stat: R, S, D, Z, T, ... */
int proc_stat_state(const char *text, char *state);

/* /proc/PID/status: parent pid and the pid in the innermost namespace
 * (last NSpid value). */
struct proc_status {
	pid_t ppid;
	pid_t nspid_inner;
	unsigned int nspid_depth;
};
int proc_status_parse(const char *text, struct proc_status *out);
