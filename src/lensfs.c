/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lensfs: the FUSE daemon. Options here; everything else in the library. */
#include "config.h"

#include "cli.h"
#include "context.h"
#include "daemon.h"
#include "delegate.h"
#include "log.h"

#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

/* Every container that reads keeps a descriptor open in the worker (the
 * pidfd of its init, context.c): the soft limit, often 1024, goes up to the
 * hard one. The worker's caches size themselves to what it gets. */
static void raise_nofile(void)
{
	struct rlimit r;

	if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
		r.rlim_cur = r.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &r) < 0)
			log_warn("raising the descriptor limit: %s", g_strerror(errno));
	}
}

/* The command line a worker or an upgraded supervisor gets: the user's
 * options, without argv[0] and the hidden hand-over options. */
static char **user_args(int argc, char **argv)
{
	GPtrArray *a = g_ptr_array_new();

	for (int i = 1; i < argc; i++) {
		if (!g_str_has_prefix(argv[i], "--worker=") &&
		    !g_str_has_prefix(argv[i], "--takeover=") &&
		    !g_str_has_prefix(argv[i], "--sysinfo-channel=") &&
		    !g_str_has_prefix(argv[i], "--sysinfo-handed="))
			g_ptr_array_add(a, g_strdup(argv[i]));
	}
	g_ptr_array_add(a, NULL);
	return (char **)g_ptr_array_free(a, FALSE);
}

int main(int argc, char **argv)
{
	gboolean foreground = FALSE, debug = FALSE, version = FALSE, no_cpu_quota = FALSE;
	gboolean delegate = FALSE, no_reattach = FALSE;
	gint threads = 1, cache_ms = 2000, refresh_ms = 100, spin_us = 50, loadavg_ms = 5000;
	gint open_mb = 64, lane_threads = 4;
	g_autofree char *proc_root = NULL, *sys_root = NULL, *worker = NULL, *takeover = NULL;
	g_autofree char *delegate_dir = NULL, *views_dir = NULL, *sysinfo_socket = NULL;
	g_autofree char *sysinfo_handed = NULL, *reattach = NULL;
	gint sysinfo_chan = -1;
	gint delegate_timeout_ms = 1000, views_threads = 4;
	g_autofree char *exe = g_file_read_link("/proc/self/exe", NULL);
	g_auto(GStrv) rest = NULL, args = user_args(argc, argv);
	struct lensfs_handed handed = { 0 };
	const GOptionEntry entries[] = {
		{ "foreground", 'f', 0, G_OPTION_ARG_NONE, &foreground, "Stay in the foreground",
		  NULL },
		{ "debug", 'd', 0, G_OPTION_ARG_NONE, &debug,
		  "Log every request (implies --foreground)", NULL },
		{ "no-cpu-quota", 0, 0, G_OPTION_ARG_NONE, &no_cpu_quota,
		  "Do not limit the visible CPUs by the CPU quota, only by the cpuset", NULL },
		{ "cgroup-delegate", 0, 0, G_OPTION_ARG_NONE, &delegate,
		  "Mount read-write and let the containers lensfs-hook grants it manage their own "
		  "sys/fs/cgroup subtree (the cgroup v2 delegation rules and files; default: "
		  "read-only)",
		  NULL },
		{ "delegate-dir", 0, 0, G_OPTION_ARG_FILENAME, &delegate_dir,
		  "Where lensfs-hook records the containers granted delegation "
		  "(default " DELEGATE_DIR_DEFAULT ")",
		  "DIR" },
		{ "delegate-timeout-ms", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT,
		  &delegate_timeout_ms, "How long a delegated pid write may take (tests)", "MS" },
		{ "container-open-mb", 0, 0, G_OPTION_ARG_INT, &open_mb,
		  "Text one container's open files may hold in the daemon (default 64; ENFILE "
		  "beyond)",
		  "MB" },
		{ "views", 0, 0, G_OPTION_ARG_FILENAME, &views_dir,
		  "Also serve per-container views, made by lensfs-hook, on a connection of their "
		  "own mounted on DIR (" LENSFS_DEFAULT_VIEWS_DIR " where the packaged units run "
		  "it): read from the kernel's page cache (docs/design.md, \"Views\")",
		  "DIR" },
		{ "views-threads", 0, 0, G_OPTION_ARG_INT, &views_threads,
		  "Threads that serve the views (default 4)", "N" },
		{ "threads", 0, 0, G_OPTION_ARG_INT, &threads,
		  "Serving threads (default 1: the fastest on small hosts, see "
		  "docs/performance.md)",
		  "N" },
		{ "lane-threads", 0, 0, G_OPTION_ARG_INT, &lane_threads,
		  "Threads that answer what a container's requests cost beyond a quick "
		  "answer, one container at a time each (default 4; docs/security.md)",
		  "N" },
		{ "spin-us", 0, 0, G_OPTION_ARG_INT, &spin_us,
		  "With one thread, poll for the next request this long before sleeping (default "
		  "50)",
		  "US" },
		{ "cache-ms", 0, 0, G_OPTION_ARG_INT, &cache_ms,
		  "How long a container's resolved init and cgroup are reused (default 2000)",
		  "MS" },
		{ "refresh-ms", 0, 0, G_OPTION_ARG_INT, &refresh_ms,
		  "How long a cgroup's counters and the host's files are reused (default 100, 0: "
		  "never)",
		  "MS" },
		{ "loadavg-period-ms", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &loadavg_ms,
		  "Sample load averages this often (tests; the kernel's 5000)", "MS" },
		{ "proc-root", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_FILENAME, &proc_root,
		  "Read /proc from DIR (tests)", "DIR" },
		{ "sys-root", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_FILENAME, &sys_root,
		  "Read /sys from DIR (tests)", "DIR" },
		{ "worker", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &worker,
		  "Serve a mounted connection (the supervisor runs workers so)", "FDS" },
		{ "takeover", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &takeover,
		  "Supervise a predecessor's mount and worker (upgrades)", "FDS" },
		{ "sysinfo-socket", 0, 0, G_OPTION_ARG_FILENAME, &sysinfo_socket,
		  "Answer sysinfo(2) for containers whose runtime sends their seccomp listener "
		  "to this unix socket (linux.seccomp.listenerPath; docs/sysinfo.md)",
		  "PATH" },
		{ "sysinfo-channel", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &sysinfo_chan,
		  "The supervisor's sysinfo listeners come on FD (workers)", "FD" },
		{ "sysinfo-handed", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &sysinfo_handed,
		  "A predecessor's sysinfo socket and listeners (upgrades)", "FDS" },
		{ "no-reattach", 0, 0, G_OPTION_ARG_NONE, &no_reattach,
		  "Do not bind the files over those of a stopped lensfs in the containers that "
		  "still run, after mounting (lensfs-hook reattach)",
		  NULL },
		CLI_VERSION_ENTRY(&version),
		{ G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &rest, NULL,
		  "[MOUNTPOINT]" },
		{ NULL },
	};
	g_autoptr(GOptionContext) octx =
		g_option_context_new("- per-container /proc and /sys views");
	g_autoptr(lensfs_ctx) ctx = NULL;
	struct lensfs_config cfg = { 0 };
	struct lensfs_mount_opts mopts = { 0 };
	int r;

	g_option_context_add_main_entries(octx, entries, NULL);
	g_option_context_set_description(
		octx,
		"Serves files of /proc and /sys under MOUNTPOINT "
		"(default " LENSFS_DEFAULT_MOUNTPOINT
		"),\neach computed from the reading process's own cgroup limits. See README.md.");
	r = cli_parse(octx, "lensfs", &version, &argc, &argv);
	if (r >= 0)
		return r;
	if (rest && g_strv_length(rest) > 1) {
		fprintf(stderr, "lensfs: one mount point only\n");
		return 2;
	}
	if (threads < 1 || threads > 64 || cache_ms < 0 || refresh_ms < 0 || loadavg_ms < 100 ||
	    open_mb < 1 || open_mb > 1 << 20 || lane_threads < 1 || lane_threads > 64 ||
	    delegate_timeout_ms < 1 || views_threads < 1 || views_threads > 64) {
		fprintf(stderr,
			"lensfs: --threads, --lane-threads and --views-threads must be 1..64, "
			"--cache-ms and "
			"--refresh-ms >= 0, --container-open-mb 1..1048576\n");
		return 2;
	}
	if ((worker && lensfs_handed_parse_worker(worker, &handed) < 0) ||
	    (takeover && lensfs_handed_parse_takeover(takeover, &handed) < 0)) {
		fprintf(stderr, "lensfs: bad --worker or --takeover\n");
		return 2;
	}
	if (!exe) {
		fprintf(stderr, "lensfs: cannot find my own binary in /proc/self/exe\n");
		return 1;
	}
	foreground = foreground || debug;
	log_init("lensfs", !foreground, debug);
	raise_nofile();

	cfg.proc_root = proc_root;
	cfg.sys_root = sys_root;
	cfg.cpu_quota = !no_cpu_quota;
	cfg.cgroup_delegate = delegate;
	cfg.delegate_dir = delegate_dir;
	cfg.delegate_timeout_ms = (unsigned int)delegate_timeout_ms;
	cfg.container_open_mb = (unsigned int)open_mb;
	cfg.cache_ms = (unsigned int)cache_ms;
	cfg.refresh_ms = (unsigned int)refresh_ms;
	cfg.loadavg_period_ms = (unsigned int)loadavg_ms;
	r = lensfs_ctx_new(&cfg, &ctx);
	if (r < 0) {
		log_error("cannot find the cgroup hierarchies: %s", g_strerror(-r));
		return 1;
	}

	mopts.mountpoint = rest && rest[0] ? rest[0] : LENSFS_DEFAULT_MOUNTPOINT;
	mopts.foreground = foreground;
	mopts.debug = debug;
	mopts.threads = (unsigned int)threads;
	mopts.spin_us = (unsigned int)spin_us;
	mopts.lane_threads = (unsigned int)lane_threads;
	/* Read-write: a pressure file takes a PSI trigger, and the cgroup view
	 * delegates with --cgroup-delegate; the daemon refuses every other
	 * write itself (EACCES, the cgroup view's EROFS). */
	mopts.writable = true;
	if (views_dir && !g_path_is_absolute(views_dir)) {
		fprintf(stderr, "lensfs: --views %s: not an absolute path\n", views_dir);
		return 2;
	}
	mopts.views_dir = views_dir;
	mopts.views_threads = (unsigned int)views_threads;
	if (sysinfo_socket && !g_path_is_absolute(sysinfo_socket)) {
		fprintf(stderr, "lensfs: --sysinfo-socket %s: not an absolute path\n",
			sysinfo_socket);
		return 2;
	}
	mopts.sysinfo_socket = sysinfo_socket;
	mopts.sysinfo_handed = sysinfo_handed;
	handed.sysinfo_chan = sysinfo_chan;
	if (worker)
		return lensfs_worker_main(ctx, &mopts, &handed);
	/* lensfs-hook is installed beside lensfs (and built beside it). */
	if (!no_reattach) {
		g_autofree char *dir = g_path_get_dirname(exe);

		reattach = g_build_filename(dir, "lensfs-hook", NULL);
		if (access(reattach, X_OK) == 0)
			mopts.reattach = reattach;
		else
			log_warn("no %s: the files of a stopped lensfs stay dead in running "
				 "containers",
				 reattach);
	}
	/* The supervisor found the hierarchies to report a bad host at once;
	 * it serves nothing itself. */
	g_clear_pointer(&ctx, lensfs_ctx_free);
	return lensfs_supervisor_main(&mopts, exe, args, takeover ? &handed : NULL);
}
