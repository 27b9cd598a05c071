/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The lensfs process tree. The process that mounts forks a worker and
 * stays as its guardian: the worker drops its capabilities (caps.h) and
 * serves requests; the guardian keeps the privilege to unmount and nothing
 * else to do. It waits for the worker and unmounts when the worker ends,
 * however it ends. It does not keep the /dev/fuse descriptor, so a dead
 * worker never leaves a hanging mount.
 */
#include "config.h"

#include "caps.h"
#include "daemon.h"
#include "fuse_ops.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>

static volatile sig_atomic_t worker_pid;

static void forward_signal(int sig)
{
	if (worker_pid > 0)
		kill(worker_pid, sig);
}

static int guard_worker(pid_t pid, const char *mountpoint)
{
	struct sigaction sa = { .sa_handler = forward_signal };
	int status = 0;

	worker_pid = pid;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (umount2(mountpoint, MNT_DETACH) < 0 && errno != EINVAL)
		log_warn("unmounting %s: %s", mountpoint, g_strerror(errno));
	if (WIFSIGNALED(status)) {
		log_error("worker killed by signal %d", WTERMSIG(status));
		return 1;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

/*
 * One thread that polls /dev/fuse for a short while after each request
 * before it sleeps: a request that arrives while the thread still runs
 * costs no wake-up, and on virtual machines the cross-CPU wake-up of a
 * sleeping daemon is most of a request's latency (docs/performance.md).
 */
static int serve_polling(struct fuse_session *se, unsigned int spin_us)
{
	struct fuse_buf buf = { 0 };
	int fd = fuse_session_fd(se);
	int r = 0;

	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	while (!fuse_session_exited(se)) {
		uint64_t idle_since = now_monotonic_us();

		for (;;) {
			r = fuse_session_receive_buf(se, &buf);
			if (r != -EAGAIN)
				break;
			if (now_monotonic_us() - idle_since >= spin_us) {
				struct pollfd pfd = { .fd = fd, .events = POLLIN };

				if (poll(&pfd, 1, -1) < 0 && errno != EINTR) {
					r = -errno;
					break;
				}
				if (fuse_session_exited(se))
					break;
				idle_since = now_monotonic_us();
			}
		}
		if (r == -EINTR || r == -EAGAIN)
			continue;
		if (r <= 0)
			break;
		fuse_session_process_buf(se, &buf);
	}
	free(buf.mem);
	if (fuse_session_exited(se) || r == -ENODEV)
		r = 0; /* stopped by a signal, or unmounted */
	fuse_session_reset(se);
	return r < 0 ? r : 0;
}

static int serve(struct fuse_session *se, const struct lensfs_mount_opts *opts)
{
	struct fuse_loop_config *cfg;
	int r;

	if (opts->threads <= 1 && opts->spin_us)
		return serve_polling(se, opts->spin_us);
	if (opts->threads <= 1)
		return fuse_session_loop(se);
	cfg = fuse_loop_cfg_create();
	fuse_loop_cfg_set_clone_fd(cfg, 1);
	fuse_loop_cfg_set_max_threads(cfg, opts->threads);
	fuse_loop_cfg_set_idle_threads(cfg, opts->threads);
	r = fuse_session_loop_mt(se, cfg);
	fuse_loop_cfg_destroy(cfg);
	return r;
}

static int run_worker(struct fuse_session *se, const struct lensfs_mount_opts *opts)
{
	int r = caps_drop_to_worker();

	if (r < 0) {
		log_error("dropping capabilities: %s", g_strerror(-r));
		return 1;
	}
	if (fuse_set_signal_handlers(se) != 0)
		return 1;
	r = serve(se, opts);
	fuse_remove_signal_handlers(se);
	/* libfuse returns the number of the signal that stopped the loop. */
	if (r > 0)
		log_info("stopping on signal %d", r);
	return r < 0 ? 1 : 0;
}

int lensfs_daemon_main(struct lensfs_ctx *ctx, const struct lensfs_mount_opts *opts)
{
	struct lensfs_fs *fs = lensfs_fs_new(ctx);
	struct fuse_session *se = lensfs_fs_mount(fs, opts->mountpoint, opts->debug);
	pid_t pid;
	int r;

	if (!se) {
		log_error("cannot mount on %s", opts->mountpoint);
		lensfs_fs_free(fs);
		return 1;
	}
	log_info("serving %s (cgroup %s)", opts->mountpoint,
		 cgroup_layout_kind_name(ctx->layout->kind));
	pid = fuse_daemonize(opts->foreground) == 0 ? fork() : -1;
	if (pid < 0) {
		umount2(opts->mountpoint, MNT_DETACH);
		r = 1;
	} else if (pid > 0) {
		fuse_session_destroy(se); /* closes this process's /dev/fuse fd */
		se = NULL;
		r = guard_worker(pid, opts->mountpoint);
	} else {
		r = run_worker(se, opts);
	}
	if (se)
		fuse_session_destroy(se);
	lensfs_fs_free(fs);
	return r;
}
