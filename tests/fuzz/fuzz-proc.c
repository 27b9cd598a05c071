/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The parsers of /proc files: meminfo, uptime, loadavg, /proc/PID/stat,
 * /proc/PID/status, and mountinfo, a line at a time and as a whole, and
 * the bindings lensfs-hook reattach finds in it. The first byte chooses. */
#include "config.h"

#include "fuzz.h"
#include "hook.h"
#include "mountinfo.h"
#include "procfs.h"
#include "reattach.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autofree char *text = NULL;

	if (size < 1)
		return 0;
	text = fuzz_text(data + 1, size - 1);

	switch (data[0] % 8) {
	case 0: {
		uint64_t kb;

		(void)meminfo_find_kb(text, "MemTotal", &kb);
		(void)meminfo_find_kb(text, "SwapFree", &kb);
		break;
	}
	case 1: {
		uint64_t up, idle;

		(void)uptime_parse(text, &up, &idle);
		break;
	}
	case 2: {
		uint64_t load[3], running, threads;

		(void)loadavg_parse(text, load, &running, &threads);
		break;
	}
	case 3: {
		uint64_t ticks;
		char state;

		(void)proc_stat_starttime(text, &ticks);
		(void)proc_stat_state(text, &state);
		break;
	}
	case 4: {
		struct proc_status st = { 0 };

		(void)proc_status_parse(text, &st);
		break;
	}
	case 5: {
		struct mountinfo_entry e = { 0 };

		if (mountinfo_entry_parse(text, &e) == 0)
			fuzz_assert(e.root && e.mountpoint && e.fstype && e.super_opts);
		mountinfo_entry_clear(&e);
		break;
	}
	case 6:
		g_free(mountinfo_fstype_at(text, "/sys/fs/cgroup"));
		break;
	case 7: {
		static const char *const live[] = { "0:39", NULL };
		g_autoptr(GPtrArray) found = reattach_find(text, live);

		/* Only files lensfs serves, never its mount point itself. */
		for (guint i = 0; i < found->len; i++) {
			const struct reattach_mount *m = g_ptr_array_index(found, i);

			fuzz_assert(m->target && m->file && hook_bindable_by_path(m->file));
		}
		break;
	}
	}
	return 0;
}
