/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lensfs-show: print a container's view from the host, without FUSE, with
 * the renderers the daemon uses. */
#include "config.h"

#include "cli.h"
#include "context.h"
#include "relay_ctl.h"
#include "log.h"
#include "vtree.h"

#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int show_one(struct lensfs_ctx *ctx, const struct viewer *v, const char *path, bool header)
{
	const struct vnode *n = vnode_by_path(path);
	g_autoptr(GString) text = g_string_new(NULL);
	int r;

	if (!n || !n->view) {
		fprintf(stderr, "lensfs-show: %s: no such file in the view\n", path);
		return 1;
	}
	r = vnode_render(ctx, n, v, text);
	if (r < 0) {
		fprintf(stderr, "lensfs-show: %s: %s\n", n->path, g_strerror(-r));
		return 1;
	}
	if (header)
		printf("==> %s <==\n", n->path);
	fwrite(text->str, 1, text->len, stdout);
	return 0;
}

int main(int argc, char **argv)
{
	gint pid = 0;
	gboolean no_cpu_quota = FALSE, version = FALSE;
	g_autofree char *cgroup = NULL, *proc_root = NULL, *sys_root = NULL, *relay_dir = NULL;
	g_auto(GStrv) files = NULL;
	const GOptionEntry entries[] = {
		{ "pid", 'p', 0, G_OPTION_ARG_INT, &pid,
		  "Show what process PID reads (default: this one)", "PID" },
		{ "cgroup", 'c', 0, G_OPTION_ARG_FILENAME, &cgroup,
		  "Show the view of the container in cgroup PATH (same path in every hierarchy)",
		  "PATH" },
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
	struct lensfs_config cfg = { 0 };
	struct viewer v;
	int r, status = 0;
	unsigned int nfiles = 0;

	g_option_context_add_main_entries(octx, entries, NULL);
	g_option_context_set_description(
		octx,
		"FILE is a path in the view, such as proc/meminfo; without one, every file is\n"
		"printed under a header. One FILE is printed byte for byte as the process would\n"
		"read it through the mount.");
	r = cli_parse(octx, "lensfs-show", &version, &argc, &argv);
	if (r >= 0)
		return r;
	if (relay_dir) {
		g_autofree char *reply = NULL;

		r = relay_ctl_call(relay_dir, "stats", RELAY_CTL_TIMEOUT_MS, &reply);
		if (r < 0) {
			fprintf(stderr, "lensfs-show: lensfs-relay in %s: %s\n", relay_dir,
				r == -EPROTO ? g_strstrip(reply) : g_strerror(-r));
			return 1;
		}
		fputs(reply + 3, stdout); /* after "ok\n" */
		return 0;
	}
	if (pid && cgroup) {
		fprintf(stderr, "lensfs-show: --pid and --cgroup exclude each other\n");
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
	else
		r = viewer_of_pid(ctx, pid ? (pid_t)pid : getpid(), &v);
	if (r < 0) {
		if (cgroup)
			fprintf(stderr, "lensfs-show: cgroup %s: %s\n", cgroup, g_strerror(-r));
		else
			fprintf(stderr, "lensfs-show: pid %d: %s\n", pid ? pid : (int)getpid(),
				g_strerror(-r));
		return 1;
	}
	if (files)
		nfiles = g_strv_length(files);
	if (nfiles) {
		for (unsigned int i = 0; i < nfiles; i++)
			status |= show_one(ctx, &v, files[i], nfiles > 1);
	} else {
		const struct vnode *n;

		for (unsigned int i = 0; (n = vnode_file(i)); i++)
			status |= show_one(ctx, &v, n->path, true);
	}
	viewer_clear(&v);
	return status;
}
