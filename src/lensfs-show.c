/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lensfs-show: print a container's view from the host, without FUSE, with
 * the renderers the daemon uses. */
#include "config.h"

#include "cli.h"
#include "context.h"
#include "relay_ctl.h"
#include "log.h"
#include "sysinfo.h"
#include "vfs.h"

#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Prints path as v reads it: a file's text byte for byte, a directory's
 * names one per line, a symlink's target. */
static int show_one(struct lensfs_ctx *ctx, struct ptree *t, const struct viewer *v,
		    const char *path, bool header)
{
	g_auto(GStrv) parts = g_strsplit(path, "/", -1);
	g_autoptr(GString) text = g_string_new(NULL);
	struct vfs_caller c = { .given = v };
	struct vfs_entry e = { .ino = INO_ROOT, .st.st_mode = S_IFDIR };
	int r = 0;

	for (char **p = parts; r == 0 && *p; p++)
		if (**p && strcmp(*p, ".") != 0)
			r = vfs_lookup(ctx, t, &c, e.ino, *p, &e);
	if (r == -ENOENT || r == -ENOTDIR) {
		fprintf(stderr, "lensfs-show: %s: no such file in the view\n", path);
		return 1;
	}
	if (r == 0 && S_ISDIR(e.st.st_mode)) {
		g_autoptr(GArray) list = NULL;

		r = vfs_list(ctx, t, &c, e.ino, &list);
		for (guint i = 2; r == 0 && i < list->len; i++)
			g_string_append_printf(text, "%s\n",
					       g_array_index(list, struct vfs_dirent, i).name);
	} else if (r == 0 && S_ISLNK(e.st.st_mode)) {
		g_autofree char *target = NULL;

		r = vfs_readlink(ctx, t, &c, e.ino, &target);
		if (r == 0)
			g_string_append_printf(text, "%s\n", target);
	} else if (r == 0) {
		r = vfs_render(ctx, t, &c, e.ino, text);
	}
	if (r < 0) {
		fprintf(stderr, "lensfs-show: %s: %s\n", path, g_strerror(-r));
		return 1;
	}
	if (header)
		printf("==> %s <==\n", path);
	fwrite(text->str, 1, text->len, stdout);
	return 0;
}

/* The views a lensfs --views keeps alive (its root's link count, less 2)
 * and the names there. */
static int show_views(const char *dir)
{
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GDir) d = NULL;
	g_autoptr(GError) err = NULL;
	const char *name;
	struct stat st;

	/* The names first: a listing lets views whose process left go. */
	d = g_dir_open(dir, 0, &err);
	if (!d) {
		fprintf(stderr, "lensfs-show: %s\n", err->message);
		return 1;
	}
	while ((name = g_dir_read_name(d)))
		g_ptr_array_add(names, g_strdup(name));
	if (stat(dir, &st) < 0) {
		fprintf(stderr, "lensfs-show: %s: %s\n", dir, g_strerror(errno));
		return 1;
	}
	printf("alive: %lu\n", (unsigned long)(st.st_nlink >= 2 ? st.st_nlink - 2 : 0));
	for (guint i = 0; i < names->len; i++)
		printf("named: %s\n", (const char *)names->pdata[i]);
	return 0;
}

/* What sysinfo(2) would return to v's container, one field a line. */
static int show_sysinfo(struct lensfs_ctx *ctx, const struct viewer *v)
{
	struct sysinfo si;
	int r = sysinfo_of_view(ctx, v, &si);

	if (r < 0) {
		fprintf(stderr, "lensfs-show: sysinfo: %s\n", g_strerror(-r));
		return 1;
	}
	printf("uptime: %ld\nloads: %lu %lu %lu\ntotalram: %lu\nfreeram: %lu\n"
	       "sharedram: %lu\nbufferram: %lu\ntotalswap: %lu\nfreeswap: %lu\nprocs: %u\n"
	       "totalhigh: %lu\nfreehigh: %lu\nmem_unit: %u\n",
	       si.uptime, si.loads[0], si.loads[1], si.loads[2], si.totalram, si.freeram,
	       si.sharedram, si.bufferram, si.totalswap, si.freeswap, (unsigned int)si.procs,
	       si.totalhigh, si.freehigh, si.mem_unit);
	return 0;
}

int main(int argc, char **argv)
{
	gint pid = 0, view = 0;
	gboolean no_cpu_quota = FALSE, version = FALSE, sysinfo = FALSE;
	g_autofree char *cgroup = NULL, *proc_root = NULL, *sys_root = NULL, *relay_dir = NULL;
	g_autofree char *views_dir = NULL;
	g_auto(GStrv) files = NULL;
	const GOptionEntry entries[] = {
		{ "pid", 'p', 0, G_OPTION_ARG_INT, &pid,
		  "Show what process PID reads (default: this one)", "PID" },
		{ "cgroup", 'c', 0, G_OPTION_ARG_FILENAME, &cgroup,
		  "Show the view of the container in cgroup PATH (same path in every hierarchy)",
		  "PATH" },
		{ "view", 0, 0, G_OPTION_ARG_INT, &view,
		  "Show the per-container view lensfs --views makes for the container whose first "
		  "process is PID (whoever reads it)",
		  "PID" },
		{ "views", 0, 0, G_OPTION_ARG_FILENAME, &views_dir,
		  "Print how many per-container views the lensfs whose --views is DIR keeps alive, "
		  "and their names, and exit",
		  "DIR" },
		{ "sysinfo", 0, 0, G_OPTION_ARG_NONE, &sysinfo,
		  "Print what sysinfo(2) would return to the container, instead of files", NULL },
		{ "no-cpu-quota", 0, 0, G_OPTION_ARG_NONE, &no_cpu_quota,
		  "As lensfs --no-cpu-quota", NULL },
		{ "proc-root", 0, 0, G_OPTION_ARG_FILENAME, &proc_root, "Read /proc from DIR",
		  "DIR" },
		{ "sys-root", 0, 0, G_OPTION_ARG_FILENAME, &sys_root, "Read /sys from DIR", "DIR" },
		{ "relay", 0, 0, G_OPTION_ARG_FILENAME, &relay_dir,
		  "Print the counters of the lensfs-relay whose run directory is DIR, and exit",
		  "DIR" },
		CLI_VERSION_ENTRY(&version),
		{ G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL,
		  "[FILE...]" },
		{ NULL },
	};
	g_autoptr(GOptionContext) octx = g_option_context_new("- print a container's lensfs view");
	g_autoptr(lensfs_ctx) ctx = NULL;
	g_autoptr(ptree) nodes = ptree_new();
	struct lensfs_config cfg = { 0 };
	struct viewer v;
	int r, status = 0;
	unsigned int nfiles = 0;

	g_option_context_add_main_entries(octx, entries, NULL);
	g_option_context_set_description(
		octx,
		"FILE is a path in the view, such as proc/meminfo; without one, every file is\n"
		"printed under a header. One FILE is printed byte for byte as the process would\n"
		"read it through the mount; a directory (sys/devices/system/cpu) as its names,\n"
		"one per line; a symlink as its target.");
	r = cli_parse(octx, "lensfs-show", &version, &argc, &argv);
	if (r >= 0)
		return r;
	if (relay_dir) {
		g_autofree char *reply = NULL;

		r = relay_ctl_call(relay_dir, "stats", NULL, &reply);
		if (r < 0) {
			fprintf(stderr, "lensfs-show: lensfs-relay in %s: %s\n", relay_dir,
				r == -EPROTO ? reply : g_strerror(-r));
			return 1;
		}
		fputs(reply, stdout);
		return 0;
	}
	if (views_dir)
		return show_views(views_dir);
	if (!!pid + !!cgroup + !!view > 1) {
		fprintf(stderr, "lensfs-show: --pid, --cgroup and --view exclude each other\n");
		return 2;
	}
	log_init("lensfs-show", false, false);
	cfg.proc_root = proc_root;
	cfg.sys_root = sys_root;
	cfg.cpu_quota = !no_cpu_quota;
	r = lensfs_ctx_new(&cfg, &ctx);
	if (r < 0) {
		fprintf(stderr, "lensfs-show: cannot find the cgroup hierarchies: %s\n",
			g_strerror(-r));
		return 1;
	}
	if (cgroup)
		r = viewer_of_cgroup(ctx, cgroup, &v);
	else if (view)
		r = viewer_of_process(ctx, (pid_t)view, &v);
	else
		r = viewer_of_pid(ctx, pid ? (pid_t)pid : getpid(), &v);
	if (r < 0) {
		if (cgroup)
			fprintf(stderr, "lensfs-show: cgroup %s: %s\n", cgroup, g_strerror(-r));
		else if (view)
			fprintf(stderr, "lensfs-show: view of pid %d: %s\n", view, g_strerror(-r));
		else
			fprintf(stderr, "lensfs-show: pid %d: %s\n", pid ? pid : (int)getpid(),
				g_strerror(-r));
		return 1;
	}
	if (files)
		nfiles = g_strv_length(files);
	if (sysinfo && nfiles) {
		fprintf(stderr, "lensfs-show: --sysinfo prints no files\n");
		status = 2;
	} else if (sysinfo) {
		status = show_sysinfo(ctx, &v);
	} else if (nfiles) {
		for (unsigned int i = 0; i < nfiles; i++)
			status |= show_one(ctx, nodes, &v, files[i], nfiles > 1);
	} else {
		const struct vnode *n;

		for (unsigned int i = 0; (n = vnode_file(i)); i++)
			status |= show_one(ctx, nodes, &v, n->path, true);
	}
	viewer_clear(&v);
	return status;
}
