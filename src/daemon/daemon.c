/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The lensfs process tree. The supervisor mounts and keeps the /dev/fuse
 * descriptor for as long as the mount should live: while any process holds
 * it, the kernel keeps the connection, and with it every bind mount in every
 * container (docs/design.md, "Restarts"). It runs the worker, a fresh exec
 * of the binary on disk, which drops its capabilities and serves; when the
 * worker dies, the supervisor starts another (at once, then with a growing
 * pause if workers keep dying young), and the new worker takes over the
 * connection (handover.h). SIGHUP replaces both with the binary now on disk;
 * SIGTERM and SIGINT unmount and stop.
 */
#include "config.h"

#include "caps.h"
#include "daemon.h"
#include "fuse_ops.h"
#include "handover.h"
#include "log.h"
#include "sdnotify.h"
#include "sysinfo_agent.h"
#include "sysinfo_keeper.h"
#include "util.h"
#include "views_ops.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

/* A worker's exit status when a signal stopped it (the supervisor's
 * SIGTERM, or someone else's): not the end of the connection. */
#define WORKER_EXIT_STOPPED 3
/* A worker that dies younger than this counts as dying young. */
#define YOUNG_US (1000 * 1000)
/* Pauses before restarting workers that keep dying young: none the first
 * time, then 25 ms doubling up to 2 s (less under a kernel request
 * timeout, see restart_pause_cap). */
#define PAUSE_FIRST_US (25 * 1000)
#define PAUSE_MAX_US   (2 * 1000 * 1000)
/* How long a new worker may take to serve, and a stopping one to stop. */
#define START_LIMIT_US (10 * 1000 * 1000)
#define STOP_LIMIT_US  (5 * 1000 * 1000)
/* Names of the descriptors in systemd's file descriptor store. */
#define STORE_FUSE	   "lensfs-fuse"
#define STORE_RECORD	   "lensfs-record"
#define STORE_VIEWS_FUSE   "lensfs-views-fuse"
#define STORE_VIEWS_RECORD "lensfs-views-record"

/* The views connection's two descriptors after the others, if any. */
static int parse_views(const char *s, struct lensfs_handed *h)
{
	int n = 0;

	h->views_fuse_fd = h->views_record_fd = -1;
	if (!*s)
		return 0;
	if (sscanf(s, ",%d,%d%n", &h->views_fuse_fd, &h->views_record_fd, &n) != 2 || s[n] ||
	    h->views_fuse_fd < 0 || h->views_record_fd < 0)
		return -EINVAL;
	return 0;
}

int lensfs_handed_parse_worker(const char *s, struct lensfs_handed *h)
{
	unsigned int gen;
	int n = 0;

	if (sscanf(s, "%d,%d,%d,%u%n", &h->fuse_fd, &h->record_fd, &h->ready_fd, &gen, &n) != 4 ||
	    h->fuse_fd < 0 || h->record_fd < 0)
		return -EINVAL;
	h->generation = gen;
	h->worker = -1;
	h->sysinfo_chan = -1;
	return parse_views(s + n, h);
}

int lensfs_handed_parse_takeover(const char *s, struct lensfs_handed *h)
{
	int worker, n = 0;

	if (sscanf(s, "%d,%d,%d%n", &h->fuse_fd, &h->record_fd, &worker, &n) != 3 ||
	    h->fuse_fd < 0 || h->record_fd < 0 || worker <= 0)
		return -EINVAL;
	h->worker = worker;
	h->ready_fd = -1;
	h->generation = 0;
	h->sysinfo_chan = -1;
	return parse_views(s + n, h);
}

/* --- the worker ----------------------------------------------------------- */

static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
	stop_signal = sig;
}

/*
 * One thread that polls /dev/fuse for a short while after each request
 * before it sleeps: a request that arrives while the thread still runs
 * costs no wake-up, and on virtual machines the cross-CPU wake-up of a
 * sleeping daemon is most of a request's latency (docs/performance.md).
 *
 * Stop signals only set a flag, looked at between requests. (libfuse's own
 * handlers make its session drop a request it has just read once told to
 * exit: a request no one answers, whose reader waits forever on kernels
 * without FUSE_NOTIFY_RESEND.) The flag is tested with the signals blocked
 * and ppoll unblocks them, so a signal cannot slip in before the sleep.
 */
static int serve_one_thread(struct fuse_session *se, unsigned int spin_us)
{
	struct fuse_buf buf = { 0 };
	int fd = fuse_session_fd(se);
	sigset_t stops, unblocked;
	int r = 0;

	sigemptyset(&stops);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGHUP);
	while (!stop_signal) {
		uint64_t idle_since = now_monotonic_us();

		r = fuse_session_receive_buf(se, &buf);
		while ((r == -EAGAIN || r == -EINTR) && !stop_signal) {
			if (now_monotonic_us() - idle_since >= spin_us) {
				struct pollfd pfd = { .fd = fd, .events = POLLIN };

				sigprocmask(SIG_BLOCK, &stops, &unblocked);
				if (!stop_signal && ppoll(&pfd, 1, NULL, &unblocked) < 0 &&
				    errno != EINTR)
					r = -errno;
				sigprocmask(SIG_SETMASK, &unblocked, NULL);
				if (r != -EAGAIN && r != -EINTR)
					break;
				idle_since = now_monotonic_us();
			}
			r = fuse_session_receive_buf(se, &buf);
		}
		if (r <= 0)
			break;
		fuse_session_process_buf(se, &buf);
	}
	free(buf.mem);
	return r < 0 && r != -ENODEV && r != -EAGAIN && r != -EINTR ? r : 0;
}

/* Whether the kernel has ended the connection (unmounted, aborted):
 * /dev/fuse then polls as an error (fs/fuse/dev.c, fuse_dev_poll). */
static bool connection_gone(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, 0) > 0 && (pfd.revents & POLLERR);
}

/* Returns 0 when the loop ended (the connection ended, or a signal), or
 * -errno. */
static int serve(struct fuse_session *se, const struct lensfs_mount_opts *opts)
{
	struct sigaction sa = { .sa_handler = on_stop_signal }; /* no SA_RESTART */
	struct fuse_loop_config *cfg;
	int fd = fuse_session_fd(se);
	int r;

	/* The descriptor's flags are shared with every process that holds
	 * it: set them the way this worker reads, whatever the last one did. */
	if (fcntl(fd, F_SETFL,
		  opts->threads <= 1 ? fcntl(fd, F_GETFL) | O_NONBLOCK
				     : fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0)
		return -errno;
	if (opts->threads <= 1) {
		sigemptyset(&sa.sa_mask);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
		return serve_one_thread(se, opts->spin_us);
	}
	/* Several threads: libfuse's loop and its signal handlers (which may
	 * drop a request read as the signal comes; RESEND recovers it). */
	if (fuse_set_signal_handlers(se) != 0)
		return -EINVAL;
	cfg = fuse_loop_cfg_create();
	/* All threads read the shared descriptor: requests in flight on a
	 * cloned one are failed (ECONNABORTED) when it closes with a dying
	 * worker, where the shared one keeps them for RESEND. */
	fuse_loop_cfg_set_clone_fd(cfg, 0);
	fuse_loop_cfg_set_max_threads(cfg, opts->threads);
	fuse_loop_cfg_set_idle_threads(cfg, opts->threads);
	r = fuse_session_loop_mt(se, cfg);
	fuse_loop_cfg_destroy(cfg);
	fuse_remove_signal_handlers(se);
	/* libfuse returns the number of the signal that stopped the loop. */
	return r > 0 ? 0 : r;
}

/*
 * The views connection (views_ops.h), served beside the caller-based one
 * by threads of its own: each polls the connection and a stop descriptor,
 * so that the worker can stop them and wait for them before it frees what
 * they use. The stop signals are for the main thread.
 */
struct views_serving {
	struct views *views;
	struct views_fs *fs;
	struct fuse_session *se;
	int stop_fd;
	GPtrArray *threads;
};

static gpointer serve_views_thread(gpointer data)
{
	struct views_serving *vs = data;
	struct fuse_buf buf = { 0 };
	int fd = fuse_session_fd(vs->se);

	for (;;) {
		struct pollfd pfd[2] = { { .fd = fd, .events = POLLIN },
					 { .fd = vs->stop_fd, .events = POLLIN } };
		int r;

		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			break;
		if (pfd[1].revents)
			break;
		r = fuse_session_receive_buf(vs->se, &buf);
		if (r == -EAGAIN || r == -EINTR)
			continue; /* another thread took it */
		if (r <= 0)
			break; /* unmounted (ENODEV) */
		fuse_session_process_buf(vs->se, &buf);
	}
	free(buf.mem);
	return NULL;
}

static void views_stop(struct views_serving *vs)
{
	uint64_t one = 1;

	if (vs->threads) {
		if (write(vs->stop_fd, &one, sizeof(one)) < 0)
			log_warn("stopping the views' threads: %s", g_strerror(errno));
		g_ptr_array_unref(vs->threads); /* joins them */
	}
	/* The session and the views go with the teller's end (views_ops.h). */
	if (!views_fs_free(vs->fs))
		return;
	if (vs->se)
		fuse_session_destroy(vs->se);
	views_free(vs->views);
	if (vs->stop_fd >= 0)
		close(vs->stop_fd);
}

static void join_thread(gpointer p)
{
	g_thread_join(p);
}

static int views_start(struct views_serving *vs, struct lensfs_ctx *ctx,
		       const struct lensfs_mount_opts *opts, const struct lensfs_handed *h)
{
	sigset_t stops, old;
	int r;

	vs->stop_fd = -1;
	if (h->views_fuse_fd < 0)
		return 0;
	vs->views = views_new(ctx);
	views_set_log(vs->views, h->views_record_fd);
	vs->fs = views_fs_new(vs->views);
	vs->se = views_fs_session(vs->fs, h->views_fuse_fd, opts->debug);
	vs->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (!vs->se || vs->stop_fd < 0)
		return -EIO;
	r = handover_start(vs->se, h->views_record_fd);
	if (r == 0 && !views_fs_initialized(vs->fs))
		r = -EPROTO;
	if (r < 0)
		return r;
	if (fcntl(h->views_fuse_fd, F_SETFL, fcntl(h->views_fuse_fd, F_GETFL) | O_NONBLOCK) < 0)
		return -errno;
	sigemptyset(&stops);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &stops, &old);
	vs->threads = g_ptr_array_new_with_free_func(join_thread);
	for (unsigned int i = 0; i < MAX(opts->views_threads, 1u); i++)
		g_ptr_array_add(vs->threads, g_thread_new("lensfs-views", serve_views_thread, vs));
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return 0;
}

int lensfs_worker_main(struct lensfs_ctx *ctx, const struct lensfs_mount_opts *opts,
		       const struct lensfs_handed *h)
{
	struct sysinfo_agent *agent = NULL;
	struct lensfs_fs *fs = NULL;
	struct fuse_session *se = NULL;
	struct views_serving vs = { 0 };
	int r = caps_drop_to_worker(ctx->cgroup_delegate);
	int status = 1;

	if (r < 0) {
		log_error("dropping capabilities: %s", g_strerror(-r));
		return 1;
	}
	fs = lensfs_fs_new(ctx, h->generation, opts->lane_threads);
	lensfs_fs_set_record(fs, h->record_fd);
	se = lensfs_fs_session(fs, h->fuse_fd, opts->debug);
	signal(SIGPIPE, SIG_IGN);
	if (!se) {
		log_error("cannot serve the connection on fd %d", h->fuse_fd);
		goto out;
	}
	r = handover_start(se, h->record_fd);
	if (r == 0 && !lensfs_fs_initialized(fs))
		r = -EPROTO;
	if (r < 0) {
		log_error("taking over the connection: %s", g_strerror(-r));
		status = r == -ENODEV ? 0 : 1;
		goto out;
	}
	r = views_start(&vs, ctx, opts, h);
	if (r < 0) {
		log_error("serving the views on %s: %s", opts->views_dir, g_strerror(-r));
		goto out;
	}
	/* The calls its supervisor forwards (sysinfo_agent.h). */
	if (h->sysinfo_chan >= 0)
		agent = sysinfo_agent_new(ctx, h->sysinfo_chan);
	log_info("worker %" PRIu32 " serving %s", h->generation, opts->mountpoint);
	if (h->ready_fd >= 0) {
		if (write(h->ready_fd, "1", 1) < 0)
			log_warn("telling the supervisor: %s", g_strerror(errno));
		close(h->ready_fd);
	}
	r = serve(se, opts);
	if (r < 0)
		log_error("serving: %s", g_strerror(-r));
	status = connection_gone(h->fuse_fd) ? 0 : r < 0 ? 1 : WORKER_EXIT_STOPPED;
out:
	sysinfo_agent_free(agent);
	views_stop(&vs);
	/* What waits in the lanes is answered before the session goes. */
	lensfs_fs_drain(fs);
	if (se)
		fuse_session_destroy(se);
	lensfs_fs_free(fs);
	return status;
}

/* --- the supervisor ------------------------------------------------------- */

struct supervisor {
	const struct lensfs_mount_opts *opts;
	const char *exe;
	char *const *args;
	int fuse_fd;
	int record_fd;
	int views_fuse_fd; /* -1: no views */
	int views_record_fd;
	struct sysinfo_keeper *keeper; /* NULL: no sysinfo agent */
	int sig_fd;
	pid_t serving; /* the worker that serves, or -1 */
	uint64_t serving_since_us;
	pid_t starting; /* a worker not yet serving, or -1 */
	int starting_ready; /* read end of its ready pipe */
	uint64_t starting_deadline_us;
	pid_t retiring; /* the worker an upgrade replaced, until it exits, or -1 */
	uint64_t retiring_deadline_us;
	bool warned_resend;
	unsigned int young_deaths; /* in a row */
	uint64_t restart_at_us; /* 0: no restart due */
	uint64_t pause_cap_us;
	uint64_t kill_at_us; /* stopping: SIGKILL what is left then */
	bool stopping;
	int status;
	pid_t reattach; /* lensfs-hook reattach, waiting or running, or -1 */
	int reattach_go; /* written once the first worker serves, or -1 */
};

/*
 * Kernel request timeouts (Linux 6.15: fs.fuse.default_request_timeout and
 * max_request_timeout, in seconds) abort the whole connection when one
 * request waits longer; requests wait while no worker runs. libfuse 3.14
 * cannot negotiate a timeout in INIT, so the connection gets the system's;
 * the pause between restarts stays at a quarter of it.
 */
static uint64_t restart_pause_cap(void)
{
	static const char *const files[] = { "/proc/sys/fs/fuse/default_request_timeout",
					     "/proc/sys/fs/fuse/max_request_timeout" };
	uint64_t cap = PAUSE_MAX_US;

	for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
		uint64_t s;

		if (file_read_u64(files[i], &s) == 0 && s > 0)
			cap = MIN(cap, s * 1000 * 1000 / 4);
	}
	return cap;
}

/* Whether fd is closed by exec: handed-over descriptors stay open only
 * across the exec that hands them over. */
static int set_cloexec(int fd, bool on)
{
	int flags = fcntl(fd, F_GETFD);

	if (flags < 0 || fcntl(fd, F_SETFD, on ? flags | FD_CLOEXEC : flags & ~FD_CLOEXEC) < 0)
		return -errno;
	return 0;
}

/* The views connection's descriptors, to follow the others in a hidden
 * option ("" without views). */
static char *views_handed(const struct supervisor *sv)
{
	return sv->views_fuse_fd < 0
		       ? g_strdup("")
		       : g_strdup_printf(",%d,%d", sv->views_fuse_fd, sv->views_record_fd);
}

/* Whether the descriptors handed over stay open across exec. */
static int hand_over(const struct supervisor *sv, bool on)
{
	int r = set_cloexec(sv->fuse_fd, !on);

	if (r == 0)
		r = set_cloexec(sv->record_fd, !on);
	if (r == 0 && sv->views_fuse_fd >= 0)
		r = set_cloexec(sv->views_fuse_fd, !on);
	if (r == 0 && sv->views_fuse_fd >= 0)
		r = set_cloexec(sv->views_record_fd, !on);
	return r;
}

/* argv for exe: the hidden option that hands the descriptors over, then the
 * user's options. */
static char **exec_argv(const struct supervisor *sv, char *handed, char *more)
{
	guint n = g_strv_length((char **)sv->args), at = 2;
	char **argv = g_new0(char *, n + 4);

	argv[0] = g_strdup(sv->exe);
	argv[1] = handed;
	if (more)
		argv[at++] = more;
	for (guint i = 0; i < n; i++)
		argv[at + i] = g_strdup(sv->args[i]);
	return argv;
}

static void restart_later(struct supervisor *sv, bool young)
{
	uint64_t pause = 0;

	sv->young_deaths = young ? sv->young_deaths + 1 : 0;
	if (sv->young_deaths > 1)
		pause = MIN((uint64_t)PAUSE_FIRST_US << MIN(sv->young_deaths - 2, 16u),
			    sv->pause_cap_us);
	sv->restart_at_us = now_monotonic_us() + pause;
	if (pause)
		log_warn("workers keep dying: next one in %" PRIu64 " ms", pause / 1000);
}

/* Starts a worker; it serves once it has written to its ready pipe. */
static void start_worker(struct supervisor *sv)
{
	g_auto(GStrv) argv = NULL;
	g_autofree char *views = views_handed(sv);
	uint32_t gen;
	int ready[2], chan[2] = { -1, -1 };
	pid_t pid;
	int r = handover_next_generation(sv->record_fd, &gen);

	sv->restart_at_us = 0;
	if (r == 0 && pipe2(ready, O_CLOEXEC) < 0)
		r = -errno;
	else if (r == 0 && sv->keeper &&
		 socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, chan) < 0) {
		r = -errno;
		close(ready[0]);
		close(ready[1]);
	}
	if (r < 0) {
		log_error("cannot start a worker: %s", g_strerror(-r));
		restart_later(sv, true);
		return;
	}
	argv = exec_argv(sv,
			 g_strdup_printf("--worker=%d,%d,%d,%" PRIu32 "%s", sv->fuse_fd,
					 sv->record_fd, ready[1], gen, views),
			 chan[1] >= 0 ? g_strdup_printf("--sysinfo-channel=%d", chan[1]) : NULL);
	pid = fork();
	if (pid == 0) {
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (hand_over(sv, true) == 0 && set_cloexec(ready[1], false) == 0 &&
		    (chan[1] < 0 || set_cloexec(chan[1], false) == 0))
			execv(sv->exe, argv);
		dprintf(STDERR_FILENO, "lensfs: cannot run %s: %s\n", sv->exe, strerror(errno));
		_exit(127);
	}
	close(ready[1]);
	if (chan[1] >= 0)
		close(chan[1]);
	if (pid < 0) {
		log_error("cannot start a worker: %s", g_strerror(errno));
		close(ready[0]);
		if (chan[0] >= 0)
			close(chan[0]);
		restart_later(sv, true);
		return;
	}
	/* Every listener kept, now; each new one as it comes. */
	if (chan[0] >= 0)
		sysinfo_keeper_add_channel(sv->keeper, chan[0]);
	sv->starting = pid;
	sv->starting_ready = ready[0];
	sv->starting_deadline_us = now_monotonic_us() + START_LIMIT_US;
}

/* The starting worker serves: the one it replaces (an upgrade's) stops. */
static void worker_ready(struct supervisor *sv)
{
	char c;
	ssize_t n = read(sv->starting_ready, &c, 1);

	if (n < 0 && errno == EINTR)
		return;
	close(sv->starting_ready);
	sv->starting_ready = -1;
	if (n != 1)
		return; /* it is ending: its exit status tells why */
	if (sv->serving > 0 && kill(sv->serving, SIGTERM) == 0) {
		log_info("worker pid %d replaced by pid %d", (int)sv->serving, (int)sv->starting);
		sv->retiring = sv->serving;
		sv->retiring_deadline_us = now_monotonic_us() + STOP_LIMIT_US;
	}
	sv->serving = sv->starting;
	sv->serving_since_us = now_monotonic_us();
	sv->starting = -1;
	sdnotify_send("READY=1", NULL, 0);
	if (sv->reattach_go >= 0) {
		if (write(sv->reattach_go, "1", 1) != 1)
			log_warn("lensfs-hook reattach not started: %s", g_strerror(errno));
		close(sv->reattach_go);
		sv->reattach_go = -1;
	}
}

/* The longest a re-attach may take: it asks each container's lensfs mounts
 * whether they answer, and a FUSE filesystem (another daemon's, a stuck
 * one) may never. */
#define REATTACH_LIMIT_S 60

/*
 * After a fresh mount (not an upgrade's, not one systemd kept): the files
 * of a lensfs stopped before are dead in the containers that still run
 * (ENOTCONN); lensfs-hook reattach binds this one's over them (reattach.h)
 * once the first worker serves. The child is made now, while the
 * supervisor still has the capabilities entering a mount namespace takes,
 * and waits for that moment; if the supervisor stops first, it ends.
 */
static void reattach_prepare(struct supervisor *sv)
{
	const struct lensfs_mount_opts *o = sv->opts;
	const char *argv[] = { "lensfs-hook",
			       "reattach",
			       "--mountpoint",
			       o->mountpoint,
			       o->views_dir ? "--views" : "--no-views",
			       o->views_dir,
			       NULL };
	sigset_t none;
	int go[2];
	char c;

	if (!o->reattach)
		return;
	if (pipe2(go, O_CLOEXEC) < 0) {
		log_warn("lensfs-hook reattach not started: %s", g_strerror(errno));
		return;
	}
	sv->reattach = fork();
	if (sv->reattach < 0) {
		log_warn("lensfs-hook reattach not started: %s", g_strerror(errno));
		close(go[0]);
		close(go[1]);
		return;
	}
	if (sv->reattach == 0) {
		/* Nothing of the supervisor's but stdout and stderr (a held
		 * FUSE descriptor would keep a stopped connection alive). */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (dup2(go[0], 3) < 0)
			_exit(1);
		close_range(4, ~0U, 0);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (read(3, &c, 1) != 1)
			_exit(0);
		close(3);
		alarm(REATTACH_LIMIT_S);
		execv(o->reattach, (char *const *)argv);
		_exit(127);
	}
	close(go[0]);
	sv->reattach_go = go[1];
}

static void describe_status(int status, char *buf, size_t len)
{
	if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
}

static void stop(struct supervisor *sv)
{
	if (sv->stopping)
		return;
	sv->stopping = true;
	sv->restart_at_us = 0;
	/* A stop ends the connection: systemd must not keep it either. */
	sdnotify_send("STOPPING=1\nFDSTOREREMOVE=1\nFDNAME=" STORE_FUSE, NULL, 0);
	sdnotify_send("FDSTOREREMOVE=1\nFDNAME=" STORE_RECORD, NULL, 0);
	if (umount2(sv->opts->mountpoint, MNT_DETACH) < 0 && errno != EINVAL)
		log_warn("unmounting %s: %s", sv->opts->mountpoint, g_strerror(errno));
	if (sv->views_fuse_fd >= 0) {
		sdnotify_send("FDSTOREREMOVE=1\nFDNAME=" STORE_VIEWS_FUSE, NULL, 0);
		sdnotify_send("FDSTOREREMOVE=1\nFDNAME=" STORE_VIEWS_RECORD, NULL, 0);
		if (umount2(sv->opts->views_dir, MNT_DETACH) < 0 && errno != EINVAL)
			log_warn("unmounting %s: %s", sv->opts->views_dir, g_strerror(errno));
	}
	/* A stop lets go of the containers' listeners: their sysinfo fails
	 * from now on (ENOSYS), as their files' reads do. */
	sysinfo_keeper_free(sv->keeper, true);
	sv->keeper = NULL;
	if (sv->reattach_go >= 0) {
		close(sv->reattach_go); /* it ends without starting */
		sv->reattach_go = -1;
	} else if (sv->reattach > 0) {
		kill(sv->reattach, SIGTERM);
	}
	if (sv->serving > 0)
		kill(sv->serving, SIGTERM);
	if (sv->starting > 0)
		kill(sv->starting, SIGTERM);
	if (sv->retiring > 0)
		kill(sv->retiring, SIGTERM);
	sv->kill_at_us = now_monotonic_us() + STOP_LIMIT_US;
}

/* A worker ended, perhaps with requests it had read and not answered: the
 * kernel must give them to another one. */
static void resend(struct supervisor *sv)
{
	int r = handover_resend(sv->fuse_fd);

	if (r == 0 && sv->views_fuse_fd >= 0)
		r = handover_resend(sv->views_fuse_fd);

	if (r < 0 && !sv->warned_resend) {
		log_warn("requests a dead worker had read stay unanswered: %s (FUSE_NOTIFY_RESEND "
			 "needs Linux 6.9)",
			 g_strerror(-r));
		sv->warned_resend = true;
	}
}

static void reap(struct supervisor *sv)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		char why[96];

		describe_status(status, why, sizeof(why));
		if (pid == sv->reattach) {
			sv->reattach = -1;
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
				log_warn("lensfs-hook reattach %s", why);
			continue;
		}
		/* Even a worker that a signal stopped cleanly may have read a
		 * request it did not serve: libfuse drops what it reads once
		 * its session has been told to exit. */
		resend(sv);
		if (pid == sv->retiring)
			sv->retiring = -1;
		if (pid == sv->starting) {
			if (sv->starting_ready >= 0)
				close(sv->starting_ready);
			sv->starting_ready = -1;
			sv->starting = -1;
			if (!sv->stopping)
				log_error("new worker pid %d %s before serving", (int)pid, why);
			if (!sv->stopping && sv->serving < 0)
				restart_later(sv, true);
		} else if (pid == sv->serving) {
			sv->serving = -1;
			if (sv->stopping)
				continue;
			if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
				log_info("the connection has ended (unmounted): stopping");
				stop(sv);
				continue;
			}
			log_error("worker pid %d %s: restarting it", (int)pid, why);
			if (sv->starting < 0)
				restart_later(sv,
					      now_monotonic_us() - sv->serving_since_us < YOUNG_US);
		} else {
			log_info("worker pid %d %s", (int)pid, why);
		}
	}
}

/* SIGHUP: the supervisor becomes the binary on disk, keeping the
 * descriptors and its serving worker, and that new supervisor starts a new
 * worker. If it cannot exec, this one starts the new worker itself. */
static void upgrade(struct supervisor *sv)
{
	g_auto(GStrv) argv = NULL;
	g_autofree char *views = views_handed(sv);

	if (sv->starting > 0) {
		log_info("a new worker is already starting");
		return;
	}
	if (sv->serving > 0) {
		g_autofree char *kept = sv->keeper ? sysinfo_keeper_handed(sv->keeper, true) : NULL;

		argv = exec_argv(sv,
				 g_strdup_printf("--takeover=%d,%d,%d%s", sv->fuse_fd,
						 sv->record_fd, (int)sv->serving, views),
				 kept ? g_strdup_printf("--sysinfo-handed=%s", kept) : NULL);
		if (hand_over(sv, true) == 0) {
			log_info("upgrading: running %s", sv->exe);
			execv(sv->exe, argv);
		}
		log_error("cannot run %s: %s; replacing the worker only", sv->exe,
			  g_strerror(errno));
		hand_over(sv, false);
		if (sv->keeper)
			g_free(sysinfo_keeper_handed(sv->keeper, false));
	}
	start_worker(sv);
}

static void on_signal(struct supervisor *sv)
{
	struct signalfd_siginfo si;

	while (read(sv->sig_fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGCHLD)
			reap(sv);
		else if (si.ssi_signo == SIGHUP && !sv->stopping)
			upgrade(sv);
		else if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT)
			stop(sv);
	}
}

static int poll_timeout_ms(const struct supervisor *sv)
{
	uint64_t now = now_monotonic_us(), next = UINT64_MAX;

	if (sv->restart_at_us)
		next = sv->restart_at_us;
	if (sv->starting > 0)
		next = MIN(next, sv->starting_deadline_us);
	if (sv->stopping)
		next = MIN(next, sv->kill_at_us);
	if (sv->retiring > 0)
		next = MIN(next, sv->retiring_deadline_us);
	if (next == UINT64_MAX)
		return -1;
	return next <= now ? 0 : (int)MIN((next - now + 999) / 1000, (uint64_t)INT32_MAX);
}

static void on_time(struct supervisor *sv)
{
	uint64_t now = now_monotonic_us();

	if (sv->restart_at_us && now >= sv->restart_at_us)
		start_worker(sv);
	if (sv->starting > 0 && now >= sv->starting_deadline_us) {
		log_error("new worker pid %d did not start serving in %d s", (int)sv->starting,
			  START_LIMIT_US / 1000000);
		kill(sv->starting, SIGKILL);
		sv->starting_deadline_us = UINT64_MAX;
	}
	if (sv->retiring > 0 && now >= sv->retiring_deadline_us) {
		log_error("replaced worker pid %d did not stop in %d s", (int)sv->retiring,
			  STOP_LIMIT_US / 1000000);
		kill(sv->retiring, SIGKILL);
		sv->retiring_deadline_us = UINT64_MAX;
	}
	if (sv->stopping && now >= sv->kill_at_us) {
		if (sv->serving > 0)
			kill(sv->serving, SIGKILL);
		if (sv->starting > 0)
			kill(sv->starting, SIGKILL);
		sv->kill_at_us = UINT64_MAX;
	}
}

static bool has_children(void)
{
	siginfo_t info;

	return waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) == 0;
}

static int supervise(struct supervisor *sv)
{
	while (!sv->stopping || has_children()) {
		/* The signals, a starting worker's ready pipe, and the sysinfo
		 * agent's socket, channels and listeners (one epoll set). */
		struct pollfd pfd[3] = {
			{ .fd = sv->sig_fd, .events = POLLIN },
			{ .fd = sv->starting_ready, .events = POLLIN },
			{ .fd = sv->keeper ? sysinfo_keeper_fd(sv->keeper) : -1, .events = POLLIN },
		};
		int n = poll(pfd, 3, poll_timeout_ms(sv));

		if (n < 0 && errno != EINTR) {
			log_error("supervisor: poll: %s", g_strerror(errno));
			return 1;
		}
		if (n > 0 && pfd[0].revents)
			on_signal(sv);
		if (n > 0 && sv->starting_ready >= 0 && pfd[1].revents)
			worker_ready(sv);
		if (n > 0 && sv->keeper && pfd[2].revents)
			sysinfo_keeper_run(sv->keeper);
		on_time(sv);
	}
	return sv->status;
}

/* Under systemd, the connections and the records also go to the service's
 * file descriptor store (FileDescriptorStoreMax= in the unit): if the
 * supervisor itself dies, systemd gives them back to the next start, which
 * resumes the connections instead of mounting afresh. */
static void store_pair(const char *fuse_name, const char *record_name, int fuse_fd, int record_fd)
{
	g_autofree char *f = g_strdup_printf("FDSTORE=1\nFDNAME=%s", fuse_name);
	g_autofree char *rec = g_strdup_printf("FDSTORE=1\nFDNAME=%s", record_name);
	int r = sdnotify_send(f, &fuse_fd, 1);

	if (r > 0)
		r = sdnotify_send(rec, &record_fd, 1);
	if (r < 0)
		log_warn("keeping %s in systemd's store: %s", fuse_name, g_strerror(-r));
}

/* A connection systemd kept for us, if it did: a /dev/fuse descriptor and
 * a record, stored under those names. */
static bool stored_pair(const char *fuse_name, const char *record_name, int *fuse_fd,
			int *record_fd)
{
	int f = sdnotify_listen_fd(fuse_name), rec = sdnotify_listen_fd(record_name);
	struct stat st;

	if (f < 0 || rec < 0)
		return false;
	if (fstat(f, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(10, 229)) {
		log_warn("the stored %s is not /dev/fuse: mounting afresh", fuse_name);
		return false;
	}
	set_cloexec(f, true);
	set_cloexec(rec, true);
	*fuse_fd = f;
	*record_fd = rec;
	return true;
}

static bool resume_stored(struct supervisor *sv)
{
	bool found = stored_pair(STORE_FUSE, STORE_RECORD, &sv->fuse_fd, &sv->record_fd);

	if (found && sv->opts->views_dir &&
	    !stored_pair(STORE_VIEWS_FUSE, STORE_VIEWS_RECORD, &sv->views_fuse_fd,
			 &sv->views_record_fd))
		log_warn("systemd kept no views connection: mounting one afresh");
	if (!found)
		return false;
	log_info("resuming the connection systemd kept");
	/* The dead supervisor's worker died with it, perhaps in the middle
	 * of requests: no one else will ask for them again. */
	resend(sv);
	return true;
}

/* A mount of type fstype, as libfuse would make it for root (mount(8)'s
 * fuse.lensfs with the connection's descriptor in the options). */
static int mount_fuse(const char *fstype, const char *mountpoint, bool writable, int *fd_out)
{
	g_autofree char *opts = NULL;
	int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	opts = g_strdup_printf("fd=%d,rootmode=40000,user_id=0,group_id=0,allow_other,"
			       "default_permissions",
			       fd);
	if (mount("lensfs", mountpoint, fstype,
		  (writable ? 0 : MS_RDONLY) | MS_NOSUID | MS_NODEV | MS_NOEXEC, opts) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	*fd_out = fd;
	return 0;
}

/* The views connection, mounted read-write (the host's root makes views
 * with mkdir; lensfs-hook binds them read-only), and its record. */
static int mount_views(struct supervisor *sv)
{
	int r;

	if (g_mkdir_with_parents(sv->opts->views_dir, 0755) < 0)
		return -errno;
	r = mount_fuse(LENSFS_VIEWS_FSTYPE, sv->opts->views_dir, true, &sv->views_fuse_fd);
	if (r < 0)
		return r;
	sv->views_record_fd = handover_create();
	if (sv->views_record_fd < 0) {
		r = sv->views_record_fd;
		umount2(sv->opts->views_dir, MNT_DETACH);
		close(sv->views_fuse_fd);
		sv->views_fuse_fd = -1;
	}
	return r;
}

int lensfs_supervisor_main(const struct lensfs_mount_opts *opts, const char *exe, char *const *args,
			   const struct lensfs_handed *takeover)
{
	struct supervisor sv = {
		.opts = opts,
		.exe = exe,
		.args = args,
		.fuse_fd = -1,
		.record_fd = -1,
		.views_fuse_fd = -1,
		.views_record_fd = -1,
		.serving = -1,
		.starting = -1,
		.starting_ready = -1,
		.retiring = -1,
		.pause_cap_us = restart_pause_cap(),
		.reattach = -1,
		.reattach_go = -1,
	};
	bool resumed = false;
	sigset_t mask;
	int r;

	if (sv.pause_cap_us < PAUSE_MAX_US)
		log_info("kernel request timeout set: restart pauses stay under %" PRIu64 " ms",
			 sv.pause_cap_us / 1000);
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sv.sig_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sv.sig_fd < 0) {
		log_error("signalfd: %s", g_strerror(errno));
		return 1;
	}
	if (takeover) {
		sv.fuse_fd = takeover->fuse_fd;
		sv.record_fd = takeover->record_fd;
		sv.views_fuse_fd = takeover->views_fuse_fd;
		sv.views_record_fd = takeover->views_record_fd;
		hand_over(&sv, false);
		sv.serving = takeover->worker;
		sv.serving_since_us = now_monotonic_us();
		log_info("supervisor upgraded; replacing worker pid %d", (int)sv.serving);
	} else if (!(resumed = resume_stored(&sv))) {
		/* Only here: the mount point of a connection systemd kept is
		 * that connection's root, and no one answers it yet. */
		if (g_mkdir_with_parents(opts->mountpoint, 0755) < 0) {
			log_error("cannot create %s: %s", opts->mountpoint, g_strerror(errno));
			return 1;
		}
		r = mount_fuse(LENSFS_FSTYPE, opts->mountpoint, opts->writable, &sv.fuse_fd);
		if (r < 0) {
			log_error("cannot mount on %s: %s", opts->mountpoint, g_strerror(-r));
			return 1;
		}
		sv.record_fd = handover_create();
		if (sv.record_fd < 0 || fuse_daemonize(opts->foreground) != 0) {
			log_error("cannot start: %s",
				  g_strerror(sv.record_fd < 0 ? -sv.record_fd : errno));
			umount2(opts->mountpoint, MNT_DETACH);
			return 1;
		}
	}
	if (!takeover && !resumed)
		store_pair(STORE_FUSE, STORE_RECORD, sv.fuse_fd, sv.record_fd);
	if (!takeover && opts->views_dir && sv.views_fuse_fd < 0) {
		r = mount_views(&sv);
		if (r < 0)
			log_error("cannot mount the views on %s: %s; serving without",
				  opts->views_dir, g_strerror(-r));
		else
			store_pair(STORE_VIEWS_FUSE, STORE_VIEWS_RECORD, sv.views_fuse_fd,
				   sv.views_record_fd);
	}
	if (opts->sysinfo_socket) {
		sv.keeper = sysinfo_keeper_new(opts->sysinfo_socket,
					       takeover ? opts->sysinfo_handed : NULL, &r);
		if (!sv.keeper)
			log_error("no sysinfo agent on %s: %s", opts->sysinfo_socket,
				  g_strerror(-r));
	}
	/* What systemd kept is taken (the sysinfo agent's too): the rest is
	 * not the workers'. */
	sdnotify_listen_done();
	if (!takeover && !resumed)
		reattach_prepare(&sv);
	r = caps_drop_to_supervisor();
	if (r < 0) {
		log_error("dropping capabilities: %s", g_strerror(-r));
		sv.status = 1;
		stop(&sv);
	} else {
		start_worker(&sv);
	}
	r = supervise(&sv);
	close(sv.fuse_fd);
	close(sv.record_fd);
	if (sv.views_fuse_fd >= 0) {
		close(sv.views_fuse_fd);
		close(sv.views_record_fd);
	}
	close(sv.sig_fd);
	sysinfo_keeper_free(sv.keeper, false);
	return r;
}
