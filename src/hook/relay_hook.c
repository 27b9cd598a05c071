/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "hook.h"
#include "relay_ctl.h"
#include "relay_hook.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

/* Kubernetes' parts of a name, in order, each as CRI-O annotates it (the
 * kubelet's labels, k8s.io/kubelet/pkg/types) and as containerd does (its
 * pkg/cri/annotations). */
static const char *const k8s_parts[][2] = {
	{ "io.kubernetes.pod.namespace", "io.kubernetes.cri.sandbox-namespace" },
	{ "io.kubernetes.pod.name", "io.kubernetes.cri.sandbox-name" },
	{ "io.kubernetes.container.name", "io.kubernetes.cri.container-name" },
};

/* NAMESPACE.POD.CONTAINER from the parts the runtime annotated (a pod's
 * sandbox has no container name), or NULL when it annotated none. */
static char *k8s_name(const struct oci_state *st)
{
	g_autoptr(GString) name = g_string_new(NULL);
	bool any = false;

	for (size_t i = 0; i < G_N_ELEMENTS(k8s_parts); i++) {
		const char *part = oci_state_annotation(st, k8s_parts[i][0]);

		if (!part || !*part)
			part = oci_state_annotation(st, k8s_parts[i][1]);
		if (!part || !*part)
			continue;
		if (any)
			g_string_append_c(name, '.');
		g_string_append(name, part);
		any = true;
	}
	return any ? g_string_free(g_steal_pointer(&name), FALSE) : NULL;
}

int relay_reg_from_state(const struct oci_state *st, struct relay_reg *reg, char **why,
			 char **warning)
{
	g_autofree char *err = NULL, *k8s = NULL;
	const char *name;

	memset(reg, 0, sizeof(*reg));
	*why = *warning = NULL;
	if (!relay_reg_id_valid(st->id)) {
		return fail_why(why, "the container id is not one of 1-128 [A-Za-z0-9_.+-]");
	}
	if (st->pid <= 0) {
		return fail_why(why, "the state has no pid");
	}
	/* A container name is unique only within its pod, and a pod's name
	 * within its namespace: the three together are unique in the
	 * cluster. They come first: anyone who may create a pod may annotate
	 * it with org.lensfs.relay.name, which must not let a tenant name
	 * itself after another namespace's container. */
	k8s = k8s_name(st);
	name = k8s ? k8s : oci_state_annotation(st, RELAY_ANNOTATION_NAME);
	reg->id = g_strdup(st->id);
	reg->name = name ? relay_reg_name_sanitize(name) : g_strdup(st->id);
	if (!*reg->name) {
		g_free(reg->name);
		reg->name = g_strdup(st->id);
	}
	reg->pid = st->pid;
	if (relay_reg_limits_parse(oci_state_annotation(st, RELAY_ANNOTATION_RATE),
				   oci_state_annotation(st, RELAY_ANNOTATION_BURST), reg, &err) < 0)
		*warning = g_strdup_printf("annotations: %s; the relay's limits apply", err);
	return 0;
}

int relay_hook_register(const char *run_dir, const struct relay_reg *reg)
{
	g_autofree char *regdir = g_build_filename(run_dir, "reg", NULL);
	g_autofree char *cdir = g_build_filename(run_dir, "c", NULL);
	g_autofree char *dir = relay_ctl_path_dir(run_dir, reg->id);
	g_autofree char *path = relay_ctl_path_reg(run_dir, reg->id);
	/* A dot first: the relay skips it (g_file_set_contents' own temporary
	 * name, ID.XXXXXX, is a valid container id). */
	g_autofree char *tmp = g_strdup_printf("%s/.%s.%d", regdir, reg->id, (int)getpid());
	g_autofree char *data = relay_reg_to_data(reg);
	g_autoptr(GError) err = NULL;

	if (g_mkdir_with_parents(regdir, 0700) < 0 || g_mkdir_with_parents(cdir, 0755) < 0)
		return -errno;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	/* Whole or not at all: a relay may read it at any moment. The rename
	 * below is what makes it so; no second temporary file inside. */
	if (!g_file_set_contents_full(tmp, data, -1, G_FILE_SET_CONTENTS_NONE, 0600, &err))
		return -EIO;
	if (rename(tmp, path) < 0) {
		int e = -errno;

		unlink(tmp);
		return e;
	}
	return 0;
}

int relay_hook_prepare(const char *run_dir, const char *id, int *mount_fd)
{
	g_autofree char *dir = relay_ctl_path_dir(run_dir, id);
	/* Read-only still lets the container send to the socket. */
	int fd = hook_clone_mount(dir, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
					       MOUNT_ATTR_NOEXEC);

	if (fd < 0)
		return fd;
	*mount_fd = fd;
	return 0;
}

int relay_hook_attach(int mount_fd, const char *rootfs)
{
	autoclose int rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	autoclose int devfd = -1, tfd = -1;
	g_autofree char *target = NULL;
	char link[64];
	ssize_t n;

	if (rootfd < 0)
		return -errno;
	/* /dev as the container will resolve it (an image's symlinks stay in
	 * the image). */
	devfd = openat2_in(rootfd, "dev", O_PATH | O_DIRECTORY,
			   RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
	if (devfd < 0)
		return devfd;
	if (mkdirat(devfd, RELAY_DEV_DIR, 0755) < 0 && errno != EEXIST)
		return -errno;
	tfd = openat2_in(devfd, RELAY_DEV_DIR, O_PATH | O_DIRECTORY | O_NOFOLLOW,
			 RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
	if (tfd < 0)
		return tfd;
	if (hook_fd_path(tfd, &target) < 0)
		return -EIO;
	if (move_mount(mount_fd, "", tfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) <
	    0)
		return -errno;
	if (symlinkat(RELAY_DEV_DIR "/log", devfd, "log") == 0)
		return 0;
	if (errno != EEXIST) {
		int e = -errno;

		/* No half-done /dev: the mount goes too, as hook_attach undoes
		 * its views. */
		umount2(target, MNT_DETACH | UMOUNT_NOFOLLOW);
		return e;
	}
	n = readlinkat(devfd, "log", link, sizeof(link) - 1);
	if (n >= 0) {
		link[n] = '\0';
		if (strcmp(link, RELAY_DEV_DIR "/log") == 0)
			return 0;
	}
	return -EEXIST;
}

void relay_hook_unregister(const char *run_dir, const char *id, bool connected)
{
	g_autofree char *path = relay_ctl_path_reg(run_dir, id);
	g_autofree char *dir = relay_ctl_path_dir(run_dir, id);
	g_autofree char *sock = g_build_filename(dir, "log", NULL);

	unlink(path);
	if (connected)
		return;
	unlink(sock);
	rmdir(dir);
}
