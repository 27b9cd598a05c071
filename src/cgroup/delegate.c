/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "caps.h"
#include "delegate.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static bool in(const char *name, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(name, *list) == 0)
			return true;
	return false;
}

bool delegate_allowed(const char *name, bool at_root)
{
	/* /sys/kernel/cgroup/delegate (kernel/cgroup/cgroup.c, CFTYPE_NS_DELEGATABLE),
	 * and v1's lists of pids. */
	static const char *const root[] = {
		"cgroup.procs",
		"cgroup.threads",
		"cgroup.subtree_control",
		"memory.oom.group",
		"memory.reclaim",
		"tasks",
		NULL,
	};
	static const char *const below[] = {
		/* v2: the core files of a cgroup of its own */
		"cgroup.type",
		"cgroup.max.descendants",
		"cgroup.max.depth",
		"cgroup.freeze",
		"cgroup.kill",
		/* memory */
		"memory.min",
		"memory.low",
		"memory.high",
		"memory.max",
		"memory.swap.high",
		"memory.swap.max",
		"memory.zswap.max",
		"memory.zswap.writeback",
		/* cpu and cpuset (not partitions: they take CPUs from the parent) */
		"cpu.weight",
		"cpu.weight.nice",
		"cpu.max",
		"cpu.max.burst",
		"cpu.idle",
		"cpu.uclamp.min",
		"cpu.uclamp.max",
		"cpuset.cpus",
		"cpuset.mems",
		/* io, pids, rdma, misc */
		"io.weight",
		"io.max",
		"io.latency",
		"io.bfq.weight",
		"pids.max",
		"rdma.max",
		"misc.max",
		/* v1 (Documentation/admin-guide/cgroup-v1/) */
		"cgroup.clone_children",
		"memory.limit_in_bytes",
		"memory.soft_limit_in_bytes",
		"memory.memsw.limit_in_bytes",
		"memory.swappiness",
		"memory.oom_control",
		"cpu.shares",
		"cpu.cfs_quota_us",
		"cpu.cfs_period_us",
		"cpu.cfs_burst_us",
		"blkio.weight",
		"blkio.weight_device",
		"blkio.bfq.weight",
		"blkio.throttle.read_bps_device",
		"blkio.throttle.write_bps_device",
		"blkio.throttle.read_iops_device",
		"blkio.throttle.write_iops_device",
		"freezer.state",
		NULL,
	};

	if (in(name, root))
		return true;
	if (at_root)
		return false;
	/* hugetlb.<size>.max and .rsvd.max (v2), .limit_in_bytes (v1) */
	if (g_str_has_prefix(name, "hugetlb.") &&
	    (g_str_has_suffix(name, ".max") || g_str_has_suffix(name, ".limit_in_bytes")))
		return true;
	return in(name, below);
}

static char *entry_path(const char *dir, const char *cgroup_path)
{
	g_autofree char *sum = g_compute_checksum_for_string(G_CHECKSUM_SHA256, cgroup_path, -1);

	return g_build_filename(dir, sum, NULL);
}

int delegate_granted(const char *dir, const char *cgroup_path)
{
	g_autofree char *path = entry_path(dir, cgroup_path);

	return access(path, F_OK) == 0 ? 0 : -EROFS;
}

int delegate_grant(const char *dir, const char *id, const char *cgroup_path)
{
	g_autofree char *path = entry_path(dir, cgroup_path);
	g_autofree char *text = g_strdup_printf("%s\n%s\n", id, cgroup_path);

	if (g_mkdir_with_parents(dir, 0700) < 0)
		return -errno;
	if (!g_file_set_contents_full(path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, NULL))
		return -EIO;
	return 0;
}

void delegate_revoke(const char *dir, const char *id)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *name;

	while (d && (name = g_dir_read_name(d))) {
		g_autofree char *path = g_build_filename(dir, name, NULL);
		g_autofree char *text = NULL;
		char *eol;

		if (!g_file_get_contents(path, &text, NULL, NULL))
			continue;
		eol = strchr(text, '\n');
		if (eol)
			*eol = '\0';
		if (strcmp(text, id) == 0)
			unlink(path);
	}
}

/* Closes every descriptor but the n in keep (sorted). */
static void close_all_but(const int *keep, int n)
{
	unsigned int next = 0;

	for (int i = 0; i < n; i++) {
		if ((unsigned int)keep[i] > next)
			close_range(next, (unsigned int)keep[i] - 1, 0);
		next = (unsigned int)keep[i] + 1;
	}
	close_range(next, ~0U, 0);
}

/* An empty, read-only root in a mount namespace of its own: nothing of the
 * host's files is in reach (pivot_root(2)'s "new_root and put_old may be
 * the same directory"). */
static int empty_root(void)
{
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("lensfs-helper", "/proc", "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "size=4k,mode=0") < 0 ||
	    chdir("/proc") < 0 || syscall(SYS_pivot_root, ".", ".") < 0 ||
	    umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
		return -1;
	return 0;
}

enum { KEEP_TARGET, KEEP_PIDNS, KEEP_NETNS, KEEP_IPCNS, KEEP__COUNT };

/*
 * The helper, after fork(2) from a multi-threaded daemon: system calls
 * only. Its exit status is 0 or an errno. The order matters: not dumpable
 * and every other descriptor closed before anything else; the namespaces
 * joined while it still has CAP_SYS_ADMIN; then no capability at all
 * before the writer is forked into the container's pid namespace, where
 * the container can see it (and stop it: the daemon does not wait for it
 * beyond its time).
 */
static void helper(pid_t daemon, const int *fds, const int *sorted, const char *text, size_t len)
{
	pid_t writer;
	int status;
	ssize_t n;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != daemon)
		_exit(ESRCH);
	if (prctl(PR_SET_DUMPABLE, 0) < 0)
		_exit(EPERM);
	close_all_but(sorted, KEEP__COUNT);
	if (caps_thread_effective(true) < 0 || setns(fds[KEEP_NETNS], CLONE_NEWNET) < 0 ||
	    setns(fds[KEEP_IPCNS], CLONE_NEWIPC) < 0 || setns(fds[KEEP_PIDNS], CLONE_NEWPID) < 0)
		_exit(errno);
	if (empty_root() < 0)
		_exit(EPERM);
	/* A user namespace of its own, where the kernel allows one: keyrings
	 * are per user namespace, and uid 0's would be in reach. */
	(void)unshare(CLONE_NEWUSER);
	close(fds[KEEP_NETNS]);
	close(fds[KEEP_IPCNS]);
	close(fds[KEEP_PIDNS]);
	if (caps_thread_none() < 0)
		_exit(EPERM);
	writer = fork();
	if (writer < 0)
		_exit(errno == ENOMEM ? ESRCH : errno); /* a namespace whose init left */
	if (writer == 0) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
			_exit(EPERM);
		n = write(fds[KEEP_TARGET], text, len);
		_exit(n == (ssize_t)len ? 0 : n < 0 ? errno : EIO);
	}
	close(fds[KEEP_TARGET]);
	if (waitpid(writer, &status, 0) < 0)
		_exit(errno);
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : EINTR);
}

static int int_order(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static int open_ns(const char *proc_root, pid_t pid, const char *ns)
{
	g_autofree char *path = g_strdup_printf("%s/%d/ns/%s", proc_root, (int)pid, ns);
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	return fd >= 0 ? fd : errno == ENOENT ? -ESRCH : -errno;
}

int delegate_write_pid(const char *proc_root, pid_t writer, int fd, const char *text,
		       unsigned int timeout_ms)
{
	autoclose int pidns = open_ns(proc_root, writer, "pid");
	autoclose int netns = open_ns(proc_root, writer, "net");
	autoclose int ipcns = open_ns(proc_root, writer, "ipc");
	autoclose int pidfd = -1;
	int fds[KEEP__COUNT] = { fd, pidns, netns, ipcns }, sorted[KEEP__COUNT];
	struct pollfd pfd = { .events = POLLIN };
	pid_t daemon = getpid(), child;
	int status;

	for (int i = 0; i < KEEP__COUNT; i++)
		if (fds[i] < 0)
			return fds[i];
	memcpy(sorted, fds, sizeof(fds));
	qsort(sorted, KEEP__COUNT, sizeof(int), int_order);
	child = fork();
	if (child < 0)
		return -errno;
	if (child == 0)
		helper(daemon, fds, sorted, text, strlen(text));
	pidfd = pidfd_of(child);
	pfd.fd = pidfd;
	if (pidfd < 0 || poll(&pfd, 1, (int)timeout_ms) <= 0) {
		/* Stopped (the container sees it and can stop it), or slow:
		 * killed; the writer in its namespace dies with it. */
		kill(child, SIGKILL);
		waitpid(child, &status, 0);
		return -ETIMEDOUT;
	}
	if (waitpid(child, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) ? -WEXITSTATUS(status) : -EIO;
}
