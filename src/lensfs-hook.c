/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lensfs-hook: bind-mounts lensfs's views over a container's /proc and /sys
 * files when a runtime starts it (OCI hooks, LXC mount hook). docs/hook.md.
 * Also writes the seccomp profile that sends a container's sysinfo(2) to
 * lensfs (seccomp-profile, docs/sysinfo.md). */
#include "config.h"

#include "cgroup.h"
#include "cli.h"
#include "caps.h"
#include "delegate.h"
#include "hook.h"
#include "oci.h"
#include "reattach.h"
#include "relay_ctl.h"
#include "relay_hook.h"
#include "seccomp_profile.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

/* A state is a few hundred bytes; annotations can make it a few kB. */
#define STATE_MAX (1 << 20)

/* MODE_LXC is LXC's mount hook (the container's namespaces, before its
 * pivot_root), MODE_LXC_HOST its start-host hook (the host's, after it). */
enum mode {
	MODE_RUNTIME,
	MODE_CONTAINER,
	MODE_POSTSTOP,
	MODE_LXC,
	MODE_LXC_HOST,
	MODE_SECCOMP,
	MODE_REATTACH
};

static const struct {
	const char *name;
	enum mode mode;
} modes[] = {
	{ "createRuntime", MODE_RUNTIME },
	{ "prestart", MODE_RUNTIME },
	{ "createContainer", MODE_CONTAINER },
	{ "poststop", MODE_POSTSTOP },
	{ "lxc", MODE_LXC },
	{ "lxc-start-host", MODE_LXC_HOST },
	{ "seccomp-profile", MODE_SECCOMP },
	{ "reattach", MODE_REATTACH },
};

static const char *who = "?"; /* the container, for messages */

/* Messages go to stderr, which runtimes show only when a hook fails, and to
 * syslog, where a warning about a container that started anyway is seen. */
static void vsay(int priority, const char *fmt, va_list ap, const char *tail)
{
	g_autofree char *msg = g_strdup_vprintf(fmt, ap);

	fprintf(stderr, "lensfs-hook: container %s: %s%s\n", who, msg, tail);
	syslog(priority, "container %s: %s%s", who, msg, tail);
}

/* A warning (LOG_WARNING), or news (LOG_NOTICE): the start goes on. */
static void say(int priority, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void say(int priority, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(priority, fmt, ap, "");
	va_end(ap);
}

/* Reports why the hook refuses the start, and returns the exit status. */
static int failure(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static int failure(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(LOG_ERR, fmt, ap, "; nothing mounted");
	va_end(ap);
	return 1;
}

/* The rootfs of an OCI container: crun's "root" when given, else the
 * bundle's config.json. */
static int oci_rootfs(const struct oci_state *st, char **rootfs)
{
	g_autofree char *config = NULL, *path = NULL, *why = NULL;
	size_t len;
	int r;

	if (st->root) {
		*rootfs = g_strdup(st->root);
		return 0;
	}
	path = g_build_filename(st->bundle, "config.json", NULL);
	r = file_read_all(path, &config, &len);
	if (r < 0)
		return failure("%s: %s", path, g_strerror(-r));
	if (oci_config_rootfs(config, len, st->bundle, rootfs, &why) < 0)
		return failure("%s: %s", path, why);
	return 0;
}

/* lensfs-relay (docs/relay.md): the container's registration and a
 * detached copy of its socket directory in *mount_fd (-1 after a warning);
 * 0, or the exit status when the relay refused the container. */
static int relay_prepare(const char *run_dir, const struct oci_state *st, int *mount_fd)
{
	g_auto(relay_reg) reg = { 0 };
	g_autofree char *why = NULL, *warning = NULL, *reply = NULL;
	autoclose int fd = -1;
	const char *name;
	int r;

	*mount_fd = -1;
	if (relay_reg_from_state(st, &reg, &why, &warning) < 0) {
		say(LOG_WARNING, "no /dev/log from lensfs-relay: %s", why);
		return 0;
	}
	if (warning)
		say(LOG_WARNING, "%s", warning);
	r = relay_hook_register(run_dir, &reg);
	if (r >= 0)
		r = relay_hook_prepare(run_dir, reg.id, &fd);
	if (r < 0) {
		say(LOG_WARNING, "no /dev/log from lensfs-relay: %s: %s", run_dir, g_strerror(-r));
		return 0;
	}
	r = relay_ctl_call(run_dir, "add", reg.id, &reply);
	if (r == -EPROTO) {
		/* A running relay said no (the host's name, a registration it
		 * cannot use): the container would start without the /dev/log
		 * it was set up with, and runtimes show a hook's stderr only
		 * when it fails. No registration is left for a later relay to
		 * take up. */
		relay_hook_unregister(run_dir, reg.id, false);
		return failure("lensfs-relay in %s: %s", run_dir,
			       g_str_has_prefix(reply, "error: ") ? reply + 7 : reply);
	}
	/* Not running, or not answering in time: it binds the socket when it
	 * (next) reads the registrations. */
	if (r < 0) {
		say(LOG_WARNING,
		    "lensfs-relay in %s: %s; /dev/log gets its socket when the relay starts",
		    run_dir, g_strerror(-r));
	} else if (g_str_has_prefix(reply, "name=")) {
		name = reply + 5;
		reply[strcspn(reply, "\n")] = '\0';
		if (strcmp(name, reg.name) != 0)
			say(LOG_NOTICE,
			    "lensfs-relay: the name '%s' is another container's; this one is "
			    "'%s'",
			    reg.name, name);
	}
	*mount_fd = fd;
	fd = -1;
	return 0;
}

/* Records the container as granted delegation of its sys/fs/cgroup view
 * (delegate.h): by the cgroup of its init, as lensfs will find it. */
static int grant_delegation(const char *dir, const struct oci_state *st, const char *mountinfo)
{
	g_autoptr(cgroup_layout) layout = NULL;
	g_autofree char *text = NULL, *own = NULL;
	int r = file_read_allf(&text, "/proc/%d/cgroup", (int)st->pid);

	if (r >= 0)
		r = cgroup_layout_parse(mountinfo, "/sys", &layout);
	if (r >= 0)
		r = cgroup_container_path(layout, text, NULL, &own);
	if (r >= 0)
		r = delegate_grant(dir, st->id, own);
	return r;
}

/* What a start that fails takes back: its delegation record, and the view
 * it made (by a descriptor of the views' root: the hook may be in the
 * container's mount namespace by then). */
struct undo {
	const char *delegate_dir, *id; /* id NULL: no record made */
	int views_fd; /* -1: no view made */
	char view[16];
};

static void take_back(const struct undo *u)
{
	if (u->id)
		delegate_revoke(u->delegate_dir, u->id);
	if (u->views_fd >= 0)
		unlinkat(u->views_fd, u->view, AT_REMOVEDIR);
}

/* The containers' default profile of podman, CRI-O and buildah
 * (containers-common), where the host has one: the first found. */
static const char *const containers_profiles[] = {
	"/etc/containers/seccomp.json",
	"/usr/share/containers/seccomp.json",
};

/* An input as messages name it. */
static const char *input_name(const char *path)
{
	return strcmp(path, "-") == 0 ? "stdin" : path;
}

/* A profile or config.json from path ("-": stdin), or 1 after saying why. */
static int read_document(const char *path, struct json_value **out)
{
	bool in = strcmp(path, "-") == 0;
	const char *name = input_name(path);
	g_autofree char *text = NULL, *why = NULL;
	autoclose int fd = in ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	size_t len = 0;
	int r = fd < 0 ? -errno : fd_read_all(fd, SECCOMP_PROFILE_MAX, &text, &len);

	if (r == -EFBIG)
		fprintf(stderr, "lensfs-hook: %s: larger than %u MiB\n", name,
			SECCOMP_PROFILE_MAX >> 20);
	else if (r < 0)
		fprintf(stderr, "lensfs-hook: %s: %s\n", name, g_strerror(-r));
	else if (json_parse_object(text, len, out, &why) < 0)
		fprintf(stderr, "lensfs-hook: %s: %s\n", name, why);
	return *out ? 0 : 1;
}

/* seccomp-profile: the profile, or the whole config.json, on stdout; 1 with
 * nothing there when an input is bad. */
static int seccomp_profile(const char *from, const char *config, const char *socket)
{
	g_autoptr(json_value) profile = NULL, bundle = NULL;
	g_autoptr(GString) out = g_string_new(NULL);
	g_autofree char *why = NULL;
	const char *base = NULL;
	int r;

	for (size_t i = 0; !from && !config && i < G_N_ELEMENTS(containers_profiles); i++) {
		if (g_file_test(containers_profiles[i], G_FILE_TEST_EXISTS))
			base = from = containers_profiles[i];
	}
	if (from && read_document(from, &profile) != 0)
		return 1;
	if (profile && seccomp_profile_apply(profile, socket, &why) < 0) {
		fprintf(stderr, "lensfs-hook: %s: %s\n", input_name(from), why);
		return 1;
	}
	if (config) {
		if (read_document(config, &bundle) != 0)
			return 1;
		r = seccomp_profile_apply_config(bundle, g_steal_pointer(&profile), socket, &why);
		if (r < 0) {
			fprintf(stderr, "lensfs-hook: %s: %s\n", input_name(config), why);
			return 1;
		}
		if (r == 1)
			fprintf(stderr,
				"lensfs-hook: %s has no linux.seccomp: a profile that allows every "
				"call but sysinfo put in\n",
				input_name(config));
		json_write(bundle, out);
	} else {
		if (base)
			fprintf(stderr, "lensfs-hook: the containers' default profile: %s\n", base);
		if (!profile) {
			/* runc's default is no filter at all: this adds only
			 * the agent. */
			fprintf(stderr,
				"lensfs-hook: no containers' default profile (%s, %s): one that "
				"allows every call but sysinfo\n",
				containers_profiles[0], containers_profiles[1]);
			profile = seccomp_profile_minimal();
			if (seccomp_profile_apply(profile, socket, &why) < 0)
				return 1; /* (it cannot fail) */
		}
		json_write(profile, out);
	}
	g_string_append_c(out, '\n');
	if (fwrite(out->str, 1, out->len, stdout) != out->len || fflush(stdout) != 0) {
		fprintf(stderr, "lensfs-hook: writing the profile: %s\n", g_strerror(errno));
		return 1;
	}
	return 0;
}

/* reattach: what was done in a container's mount namespace. */
static void reattach_said(const struct reattach_result *res, void *data)
{
	char name[32];

	snprintf(name, sizeof(name), "of pid %d", (int)res->pid);
	who = name;
	if (res->error == -ESRCH)
		say(LOG_NOTICE, "gone meanwhile: skipped");
	else if (res->error)
		say(LOG_ERR, "binding %s again: %s (%u bound before)",
		    res->failed ? res->failed : "the files", g_strerror(-res->error), res->bound);
	else if (res->bound)
		say(LOG_NOTICE, "%u files bound again", res->bound);
	if (res->alive)
		say(LOG_NOTICE, "%u files of a lensfs that answers: left alone", res->alive);
	who = "?";
}

/* lensfs-hook reattach (reattach.h): 0, or 1 when a container's files
 * could not all be bound again. */
static int reattach(const char *mountpoint, const char *views_dir)
{
	g_autofree char *canon = realpath(mountpoint, NULL), *canon_views = NULL;
	g_autofree char *mountinfo = NULL;
	int r;

	r = caps_drop_to_hook();
	if (r < 0)
		return failure("dropping capabilities: %s", g_strerror(-r));
	r = file_read_all("/proc/self/mountinfo", &mountinfo, NULL);
	if (r >= 0)
		r = canon ? hook_lensfs_mounted(mountinfo, canon, LENSFS_FSTYPE) : -ENOENT;
	if (r < 0) {
		fprintf(stderr, "lensfs-hook: reattach: no lensfs on %s: %s\n", mountpoint,
			g_strerror(-r));
		return 1;
	}
	canon_views = views_dir ? realpath(views_dir, NULL) : NULL;
	if (canon_views && hook_lensfs_mounted(mountinfo, canon_views, LENSFS_VIEWS_FSTYPE) < 0)
		g_clear_pointer(&canon_views, free);
	r = reattach_all(mountinfo, canon, canon_views, reattach_said, NULL);
	if (r < 0)
		fprintf(stderr, "lensfs-hook: reattach: not every container's files: %s\n",
			g_strerror(-r));
	return r < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
	g_autofree char *mountpoint = NULL, *files_opt = NULL, *rootfs = NULL, *text = NULL;
	g_autofree char *mountinfo = NULL, *why = NULL, *canon = NULL, *relay_dir = NULL;
	g_autofree char *delegate_dir = NULL, *views_dir = NULL, *view = NULL, *canon_views = NULL;
	g_autofree char *from = NULL, *config = NULL, *socket = NULL;
	autoclose int relay_fd = -1;
	bool views = true, own_views = false, lxc;
	struct undo undo = { .views_fd = -1 };
	pid_t pid = 0;
	g_auto(GStrv) files = NULL, rest = NULL;
	gboolean require = FALSE, version = FALSE, cgroup_view = FALSE, delegate = FALSE;
	gboolean no_views = FALSE;
	const GOptionEntry entries[] = {
		{ "mountpoint", 'm', 0, G_OPTION_ARG_FILENAME, &mountpoint,
		  "Where lensfs is mounted (default " LENSFS_DEFAULT_MOUNTPOINT ")", "DIR" },
		{ "views", 0, 0, G_OPTION_ARG_FILENAME, &views_dir,
		  "Where lensfs --views serves per-container views "
		  "(default " LENSFS_DEFAULT_VIEWS_DIR
		  "): the container's files come from a view of its own there, made now, where "
		  "lensfs serves one",
		  "DIR" },
		{ "no-views", 0, 0, G_OPTION_ARG_NONE, &no_views,
		  "Bind every file from the mount point, as the reader sees it", NULL },
		{ "files", 0, 0, G_OPTION_ARG_STRING, &files_opt,
		  "Only these views, comma-separated (default: every one lensfs serves)",
		  "proc/meminfo,..." },
		{ "cgroup-view", 0, 0, G_OPTION_ARG_NONE, &cgroup_view,
		  "Also mount the sys/fs/cgroup view over the container's /sys/fs/cgroup (off by "
		  "default: runtimes that find cgroups by filesystem type do not know it)",
		  NULL },
		{ "cgroup-delegate", 0, 0, G_OPTION_ARG_NONE, &delegate,
		  "With --cgroup-view: let the container manage the cgroups below its own, where "
		  "lensfs runs with --cgroup-delegate (or per container: the "
		  "annotation " DELEGATE_ANNOTATION "=true)",
		  NULL },
		{ "delegate-dir", 0, 0, G_OPTION_ARG_FILENAME, &delegate_dir,
		  "Where the containers granted delegation are recorded, as lensfs --delegate-dir "
		  "(default " DELEGATE_DIR_DEFAULT ")",
		  "DIR" },
		{ "require", 0, 0, G_OPTION_ARG_NONE, &require,
		  "Refuse the start when lensfs is not mounted (default: warn, and the container "
		  "starts with the host's files)",
		  NULL },
		{ "relay", 0, 0, G_OPTION_ARG_FILENAME, &relay_dir,
		  "Give the container a /dev/log from the lensfs-relay whose run directory is DIR",
		  "DIR" },
		{ "from", 0, 0, G_OPTION_ARG_FILENAME, &from,
		  "seccomp-profile: the profile to change, OCI or Docker format ('-': stdin; "
		  "default: the containers' default profile, /etc/containers/seccomp.json or "
		  "/usr/share/containers/seccomp.json)",
		  "FILE" },
		{ "config", 0, 0, G_OPTION_ARG_FILENAME, &config,
		  "seccomp-profile: print this bundle's config.json ('-': stdin) with its "
		  "linux.seccomp changed (or the --from profile there)",
		  "FILE" },
		{ "socket", 0, 0, G_OPTION_ARG_FILENAME, &socket,
		  "seccomp-profile: the listenerPath, lensfs --sysinfo-socket "
		  "(default " SECCOMP_PROFILE_SOCKET ")",
		  "PATH" },
		CLI_VERSION_ENTRY(&version),
		{ G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, "MODE" },
		{ NULL },
	};
	g_autoptr(GOptionContext) octx =
		g_option_context_new("- mount lensfs's views into a starting container");
	g_auto(oci_state) st = { 0 };
	g_auto(hook_plan) plan = { 0 };
	const char *failed = NULL;
	enum mode mode = MODE_RUNTIME;
	size_t len = 0;
	bool known = false;
	int r;

	openlog("lensfs-hook", LOG_PID, LOG_DAEMON);
	g_option_context_add_main_entries(octx, entries, NULL);
	g_option_context_set_description(
		octx, "MODE: createRuntime, prestart, createContainer or poststop (OCI hooks),\n"
		      "lxc or lxc-start-host (LXC hooks), seccomp-profile or reattach.\n"
		      "The OCI modes read the container's state on stdin; lxc reads "
		      "LXC_ROOTFS_MOUNT and LXC_NAME,\nlxc-start-host LXC_PID and LXC_NAME "
		      "(extra arguments from LXC are ignored).\n"
		      "Exit status 1 stops the container's start.\n"
		      "seccomp-profile prints a seccomp profile (or, with --config, the whole "
		      "config.json)\nthat sends sysinfo(2) to lensfs --sysinfo-socket.\n"
		      "reattach binds the files of the lensfs on --mountpoint (and --views) over\n"
		      "those of a stopped one in every running container.");
	r = cli_parse(octx, "lensfs-hook", &version, &argc, &argv);
	if (r >= 0)
		return r;
	for (size_t i = 0; rest && rest[0] && i < G_N_ELEMENTS(modes); i++) {
		if (strcmp(rest[0], modes[i].name) == 0) {
			mode = modes[i].mode;
			known = true;
		}
	}
	if (!known) {
		fprintf(stderr, "lensfs-hook: name the hook stage: %s\n",
			"createRuntime, prestart, createContainer, poststop, lxc, "
			"lxc-start-host, seccomp-profile or reattach");
		return 2;
	}
	if (mode != MODE_SECCOMP && (from || config || socket)) {
		fprintf(stderr,
			"lensfs-hook: --from, --config and --socket are seccomp-profile's\n");
		return 2;
	}
	if (mode == MODE_SECCOMP) {
		if (g_strv_length(rest) > 1) {
			fprintf(stderr, "lensfs-hook: unexpected argument '%s'\n", rest[1]);
			return 2;
		}
		if (!socket)
			socket = g_strdup(SECCOMP_PROFILE_SOCKET);
		if (!g_path_is_absolute(socket)) {
			fprintf(stderr, "lensfs-hook: --socket %s: not an absolute path\n", socket);
			return 2;
		}
		/* The profile is JSON text, which holds UTF-8 only. */
		if (!g_utf8_validate(socket, -1, NULL)) {
			fprintf(stderr, "lensfs-hook: --socket: not UTF-8\n");
			return 2;
		}
		if (from && config && strcmp(from, "-") == 0 && strcmp(config, "-") == 0) {
			fprintf(stderr, "lensfs-hook: --from and --config cannot both be stdin\n");
			return 2;
		}
		return seccomp_profile(from, config, socket);
	}
	lxc = mode == MODE_LXC || mode == MODE_LXC_HOST;
	if (!lxc && g_strv_length(rest) > 1) {
		fprintf(stderr, "lensfs-hook: unexpected argument '%s'\n", rest[1]);
		return 2;
	}
	if (!mountpoint)
		mountpoint = g_strdup(LENSFS_DEFAULT_MOUNTPOINT);
	if (!delegate_dir)
		delegate_dir = g_strdup(DELEGATE_DIR_DEFAULT);
	if (!views_dir)
		views_dir = g_strdup(LENSFS_DEFAULT_VIEWS_DIR);
	if (!g_path_is_absolute(mountpoint)) {
		fprintf(stderr, "lensfs-hook: --mountpoint %s: not an absolute path\n", mountpoint);
		return 2;
	}
	if (mode == MODE_REATTACH) {
		if (g_strv_length(rest) > 1 || files_opt || cgroup_view || delegate || require ||
		    relay_dir) {
			fprintf(stderr, "lensfs-hook: reattach takes --mountpoint, --views and "
					"--no-views only\n");
			return 2;
		}
		return reattach(mountpoint, no_views ? NULL : views_dir);
	}
	if (files_opt) {
		files = g_strsplit(files_opt, ",", -1);
		if (!files[0]) {
			fprintf(stderr, "lensfs-hook: --files: an empty list mounts nothing\n");
			return 2;
		}
		if (hook_files_check((const char *const *)files, &failed) < 0) {
			fprintf(stderr, "lensfs-hook: --files: lensfs serves no '%s'\n", failed);
			return 2;
		}
	}
	if (!files)
		files = hook_default_files();
	if (cgroup_view)
		files = hook_files_add_cgroup_view(files);

	/* Who is starting, and where its root is. */
	if (mode == MODE_LXC) {
		const char *name = g_getenv("LXC_NAME"), *root = g_getenv("LXC_ROOTFS_MOUNT");

		who = name ? name : "?";
		if (!root || !g_path_is_absolute(root))
			return failure("LXC_ROOTFS_MOUNT is not an absolute path");
		rootfs = g_strdup(root);
	} else if (mode == MODE_LXC_HOST) {
		const char *name = g_getenv("LXC_NAME"), *first = g_getenv("LXC_PID");
		uint64_t n = 0;

		who = name ? name : "?";
		if (!first || parse_u64(first, &n) < 0 || n == 0 || n > INT_MAX)
			return failure("LXC_PID is not a pid");
		pid = (pid_t)n;
		/* Its root once in its mount namespace, which has pivoted. */
		rootfs = g_strdup("/");
	} else {
		r = fd_read_all(STDIN_FILENO, STATE_MAX, &text, &len);
		if (r < 0)
			return failure("reading the state on stdin: %s", g_strerror(-r));
		r = oci_state_parse(text, len, &st, &why);
		if (r < 0)
			return failure("the state on stdin: %s", why);
		who = st.id;
		if (mode == MODE_POSTSTOP)
			delegate_revoke(delegate_dir, st.id);
		if (mode == MODE_POSTSTOP && relay_dir && relay_reg_id_valid(st.id)) {
			g_autofree char *reply = NULL;

			relay_hook_unregister(relay_dir, st.id,
					      relay_ctl_call(relay_dir, "drop", st.id, &reply) ==
						      0);
		}
		if (mode == MODE_POSTSTOP)
			return 0; /* lensfs keeps nothing per container yet */
		if (st.pid <= 0)
			return failure("the state on stdin has no pid");
		if (oci_rootfs(&st, &rootfs) != 0)
			return 1;
		pid = st.pid;
	}

	r = caps_drop_to_hook();
	if (r < 0)
		return failure("dropping capabilities: %s", g_strerror(-r));
	if (relay_dir && !lxc) {
		r = relay_prepare(relay_dir, &st, &relay_fd);
		if (r != 0)
			return r;
	}

	/* Step 1, where lensfs is mounted: nothing is visible yet. */
	canon = realpath(mountpoint, NULL);
	r = file_read_all("/proc/self/mountinfo", &mountinfo, NULL);
	if (r >= 0)
		r = canon ? hook_lensfs_mounted(mountinfo, canon, LENSFS_FSTYPE) : -ENOENT;
	/* (LXC's mount hook has said so, or stopped the start.) */
	if (r < 0 && mode == MODE_LXC_HOST)
		return 0;
	if (r < 0) {
		if (require)
			return failure("no lensfs on %s (--require): %s", mountpoint,
				       g_strerror(-r));
		say(LOG_WARNING, "no lensfs on %s (%s); it starts with the host's files",
		    mountpoint, g_strerror(-r));
		if (relay_fd < 0)
			return 0;
		views = false;
	}
	/* Delegation: asked for every container (--cgroup-delegate) or by
	 * this one's annotation; only with the cgroup view. */
	if (views && cgroup_view && !lxc &&
	    (delegate || g_strcmp0(oci_state_annotation(&st, DELEGATE_ANNOTATION), "true") == 0)) {
		r = grant_delegation(delegate_dir, &st, mountinfo);
		if (r < 0)
			return failure("granting delegation in %s: %s", delegate_dir,
				       g_strerror(-r));
		undo.delegate_dir = delegate_dir;
		undo.id = st.id;
	}
	/* The container's own view, where lensfs serves views: made by the
	 * host's root, so only from the host's namespaces (createRuntime,
	 * prestart, LXC's start-host), with the first process's pid. LXC's
	 * mount hook, in the container's pid namespace, leaves the files to
	 * its start-host hook then (which binds them from the mount point if
	 * no view can be made), and that one does nothing where the mount
	 * hook bound them. */
	if (views && !no_views && mode != MODE_CONTAINER) {
		canon_views = realpath(views_dir, NULL);
		own_views = canon_views &&
			    hook_lensfs_mounted(mountinfo, canon_views, LENSFS_VIEWS_FSTYPE) == 0;
	}
	if ((mode == MODE_LXC && own_views) || (mode == MODE_LXC_HOST && !own_views))
		return 0;
	if (own_views) {
		r = hook_make_view(canon_views, pid, &view);
		if (r < 0)
			say(LOG_WARNING,
			    "no view of its own in %s (%s): its files are read as "
			    "the reader sees them",
			    canon_views, g_strerror(-r));
		else if (r == 1) /* made now: a failed start takes it back */
			undo.views_fd = open(canon_views, O_PATH | O_DIRECTORY | O_CLOEXEC);
		snprintf(undo.view, sizeof(undo.view), "%d", (int)pid);
	}
	r = views ? hook_prepare(canon, view, (const char *const *)files, undo.id != NULL, &plan)
		  : 0;
	if (r < 0) {
		take_back(&undo);
		return failure("preparing the views from %s: %s", canon, g_strerror(-r));
	}

	/* Step 2: the container's mount namespace, before its pivot_root (after
	 * it for LXC's start-host). LXC's mount hook and createContainer
	 * already run there. */
	if (mode == MODE_RUNTIME || mode == MODE_LXC_HOST) {
		r = hook_enter_mount_ns(pid);
		if (r < 0) {
			take_back(&undo);
			return failure("entering the mount namespace of pid %d: %s", (int)pid,
				       g_strerror(-r));
		}
	}

	/* Step 3. (The host's /run is still in reach for an undo: the
	 * container's mount namespace has not pivoted yet.) */
	r = views ? hook_attach(&plan, rootfs, &failed) : 0;
	if (r < 0) {
		take_back(&undo);
		return failure("mounting %s in %s: %s", failed, rootfs, g_strerror(-r));
	}
	if (mode == MODE_LXC_HOST && hook_leave_mount_ns() < 0)
		say(LOG_WARNING, "back in its own mount namespace: %s", g_strerror(errno));
	if (relay_fd >= 0) {
		r = relay_hook_attach(relay_fd, rootfs);
		if (r == -EEXIST)
			say(LOG_WARNING, "the image has a /dev/log of its own: left alone");
		else if (r < 0)
			say(LOG_WARNING, "no /dev/log from lensfs-relay: %s/dev: %s", rootfs,
			    g_strerror(-r));
	}
	return 0;
}
