/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Answering sysinfo(2) through seccomp user notification
 * (seccomp_notify.h), with a real filter: a child installs one that
 * notifies sysinfo (and getppid, which the agent does not answer), hands
 * the listener over, and calls; the test answers as the agent would. No
 * privilege needed: a filter under no_new_privs. */
#include "config.h"

#include "seccomp_notify.h"
#include "sysinfo.h"
#include "sysinfo_agent.h"
#include "sysinfo_keeper.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__x86_64__)
#define ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define ARCH AUDIT_ARCH_AARCH64
#endif

#define TOTALRAM (UINT64_C(256) << 20)

static int install_filter(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_sysinfo, 1, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { G_N_ELEMENTS(f), f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER,
			    &prog);
}

static void send_fd(int sock, int fd)
{
	char byte = 0, ctl[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { &byte, 1 };
	struct msghdr m = {
		.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl)
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(fd));
	if (sendmsg(sock, &m, 0) != 1)
		_exit(3);
}

static int recv_fd(int sock)
{
	char byte, ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &byte, 1 };
	struct msghdr m = {
		.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl)
	};
	struct cmsghdr *c;
	int fd = -1;

	if (recvmsg(sock, &m, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&m);
	if (c && c->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(c), sizeof(fd));
	return fd;
}

/* A child with the filter, which hands its listener over on sock and runs
 * calls(sock). */
static pid_t child_with_filter(int sock, void (*calls)(int sock))
{
	pid_t pid = fork();

	if (pid == 0) {
		int fd = install_filter();

		if (fd < 0)
			_exit(2);
		send_fd(sock, fd);
		close(fd);
		calls(sock);
		_exit(0);
	}
	return pid;
}

/* What the child reports of each call: its return, errno, and the
 * answer's totalram and mem_unit. */
struct outcome {
	long ret;
	int err;
	unsigned long totalram;
	unsigned int mem_unit;
};

static void report(int sock, long ret, const struct sysinfo *si)
{
	struct outcome o = { ret, ret < 0 ? errno : 0, si ? si->totalram : 0,
			     si ? si->mem_unit : 0 };

	if (write(sock, &o, sizeof(o)) != sizeof(o))
		_exit(4);
}

static void three_calls(int sock)
{
	struct sysinfo si = { 0 };

	report(sock, syscall(SYS_sysinfo, &si), &si);
	/* A pointer that is not the caller's to write. */
	report(sock, syscall(SYS_sysinfo, (void *)8), NULL);
	/* A call the agent does not answer: it fails, it is not let through. */
	report(sock, syscall(SYS_getppid), NULL);
}

static int answer(void *data, pid_t pid, struct sysinfo *out)
{
	memset(out, 0, sizeof(*out));
	out->totalram = TOTALRAM;
	out->mem_unit = 1;
	(*(int *)data)++;
	return 0;
}

static void test_answers(void **state)
{
	int sv[2], calls = 0, status;
	struct outcome o;
	pid_t pid;
	int fd;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	pid = child_with_filter(sv[1], three_calls);
	fd = recv_fd(sv[0]);
	assert_true(fd >= 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(notify_answer_one(fd, "/proc", answer, &calls), 0);
	assert_int_equal(read(sv[0], &o, sizeof(o)), sizeof(o));
	assert_int_equal(o.ret, 0);
	assert_int_equal(o.totalram, TOTALRAM);
	assert_int_equal(o.mem_unit, 1);
	assert_int_equal(read(sv[0], &o, sizeof(o)), sizeof(o));
	assert_int_equal(o.ret, -1);
	assert_int_equal(o.err, EFAULT);
	assert_int_equal(read(sv[0], &o, sizeof(o)), sizeof(o));
	assert_int_equal(o.ret, -1);
	assert_int_equal(o.err, ENOSYS);
	/* The answer was computed for the two sysinfo calls only. */
	assert_int_equal(calls, 2);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(fd);
	close(sv[0]);
	close(sv[1]);
}

static void one_call(int sock)
{
	struct sysinfo si;

	report(sock, syscall(SYS_sysinfo, &si), &si);
}

/* Kills the caller while its call waits for the answer. */
static int answer_too_late(void *data, pid_t pid, struct sysinfo *out)
{
	pid_t child = *(pid_t *)data;
	int status;

	assert_int_equal(pid, child);
	kill(child, SIGKILL);
	assert_int_equal(waitpid(child, &status, 0), child);
	return answer(&(int){ 0 }, pid, out);
}

static void test_caller_gone(void **state)
{
	int sv[2], fd, calls = 0;
	pid_t pid;
	struct outcome o;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	pid = child_with_filter(sv[1], one_call);
	fd = recv_fd(sv[0]);
	assert_true(fd >= 0);
	/* Gone before its answer: nothing written, nothing sent, no harm. */
	assert_int_equal(notify_answer_one(fd, "/proc", answer_too_late, &pid), -ENOENT);
	close(fd);
	/* And the next container's call is answered. */
	pid = child_with_filter(sv[1], one_call);
	fd = recv_fd(sv[0]);
	assert_int_equal(notify_answer_one(fd, "/proc", answer, &calls), 0);
	assert_int_equal(read(sv[0], &o, sizeof(o)), sizeof(o));
	assert_int_equal(o.ret, 0);
	assert_int_equal(o.totalram, TOTALRAM);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	close(fd);
	close(sv[0]);
	close(sv[1]);
}

/* A runtime's message: the process state, and the listener with it. */
static char *state_of(pid_t pid)
{
	return g_strdup_printf(
		"{\"ociVersion\":\"1.0.2\",\"fds\":[\"seccompFd\"],\"pid\":%d,"
		"\"metadata\":\"\",\"state\":{\"ociVersion\":\"1.0.2\",\"id\":\"t\"}}",
		(int)pid);
}

static int runtime_connects(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	g_strlcpy(sa.sun_path, path, sizeof(sa.sun_path));
	assert_int_equal(connect(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return s;
}

/* len bytes of text on s, with fd (unless -1). */
static void runtime_part(int s, const char *text, size_t len, int fd)
{
	char ctl[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { (char *)text, len };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (fd >= 0) {
		struct cmsghdr *c;

		m.msg_control = ctl;
		m.msg_controllen = sizeof(ctl);
		c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	assert_int_equal(sendmsg(s, &m, 0), (ssize_t)len);
}

/* What runc does: the state and the listener in one message. */
static void runtime_sends(const char *path, int listener, pid_t pid)
{
	g_autofree char *state = state_of(pid);
	int s = runtime_connects(path);

	runtime_part(s, state, strlen(state), listener);
	close(s);
	close(listener);
}

/* The supervisor's loop, for ms. */
static void pump(struct sysinfo_keeper *k, int ms)
{
	for (int64_t end = g_get_monotonic_time() + ms * 1000; g_get_monotonic_time() < end;) {
		struct pollfd pfd = { .fd = sysinfo_keeper_fd(k), .events = POLLIN };

		if (poll(&pfd, 1, 10) > 0)
			sysinfo_keeper_run(k);
	}
}

/* A worker: the agent on one end of a channel whose other the keeper has. */
static struct sysinfo_agent *worker(struct lensfs_ctx *ctx, struct sysinfo_keeper *k)
{
	int ch[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ch), 0);
	sysinfo_keeper_add_channel(k, ch[0]);
	return sysinfo_agent_new(ctx, ch[1]);
}

/* Child pid's one call returned the answer with totalram, and it ended. */
static void answered(int sock, pid_t pid, unsigned long totalram)
{
	struct outcome o;

	assert_int_equal(read(sock, &o, sizeof(o)), sizeof(o));
	assert_int_equal(o.ret, 0);
	assert_int_equal(o.totalram, totalram);
	assert_int_equal(o.mem_unit, 1);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
}

/* A child that calls sysinfo once, its listener (*fd), and the answer it
 * must get (*want). */
static pid_t caller(struct lensfs_ctx *ctx, int sv[2], int *fd, struct sysinfo *want)
{
	pid_t pid = child_with_filter(sv[1], one_call);
	struct viewer v;

	*fd = recv_fd(sv[0]);
	assert_int_equal(viewer_of_process(ctx, pid, &v), 0);
	assert_int_equal(sysinfo_of_view(ctx, &v, want), 0);
	viewer_clear(&v);
	return pid;
}

/* The two halves: a runtime sends a container's listener to the keeper,
 * which receives its calls; a worker answers them, with the container's
 * sysinfo. A call received while no worker runs, or whose worker went
 * before answering, is answered by the next worker. */
static void test_keeper_and_agent(void **state)
{
	struct lensfs_config cfg = { 0 };
	g_autoptr(lensfs_ctx) ctx = NULL;
	g_autofree char *dir = g_dir_make_tmp("lensfs-notify-XXXXXX", NULL);
	g_autofree char *path = g_build_filename(dir, "sysinfo.sock", NULL);
	struct sysinfo_keeper *k;
	struct sysinfo_agent *a;
	struct sysinfo want;
	int sv[2], fd, err = 0;
	pid_t pid;

	if (lensfs_ctx_new(&cfg, &ctx) < 0)
		skip(); /* no cgroup hierarchy here */
	k = sysinfo_keeper_new(path, NULL, &err);
	assert_non_null(k);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);

	/* No worker yet: the call waits in the keeper. */
	pid = caller(ctx, sv, &fd, &want);
	runtime_sends(path, fd, pid);
	pump(k, 200);
	assert_int_equal(sysinfo_keeper_size(k), 1);
	assert_int_equal(sysinfo_keeper_pending(k), 1);
	/* A worker comes, and gets it. */
	a = worker(ctx, k);
	pump(k, 200);
	answered(sv[0], pid, want.totalram);
	assert_int_equal(sysinfo_keeper_pending(k), 0);
	/* The container gone: its listener too, here and in the worker. */
	pump(k, 200);
	assert_int_equal(sysinfo_keeper_size(k), 0);
	assert_int_equal(sysinfo_agent_size(a), 0);

	/* A worker killed with a call it had read and not answered: the next
	 * answers it. (Here a channel whose end the test holds, reads the
	 * call from, and closes, as a killed worker's closes.) */
	sysinfo_agent_free(a);
	{
		struct sysinfo_msg m;
		int ch[2], got = -1;

		/* (The child first: it must not hold the worker's end.) */
		pid = child_with_filter(sv[1], one_call);
		fd = recv_fd(sv[0]);
		assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ch), 0);
		sysinfo_keeper_add_channel(k, ch[0]);
		runtime_sends(path, fd, pid);
		pump(k, 200);
		/* The call, with its listener and its container's first pid. */
		assert_int_equal(sysinfo_msg_recv(ch[1], &m, &got, false), 0);
		assert_int_equal(m.kind, SYSINFO_CALL);
		assert_int_equal(m.pid, pid);
		assert_int_equal(m.first, pid);
		assert_true(got >= 0);
		close(got);
		close(ch[1]);
		pump(k, 200);
		assert_int_equal(sysinfo_keeper_pending(k), 1);
	}
	a = worker(ctx, k);
	pump(k, 200);
	answered(sv[0], pid, want.totalram);
	sysinfo_agent_free(a);
	sysinfo_keeper_free(k, true);
	assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
	rmdir(dir);
	close(sv[0]);
	close(sv[1]);
}

/* What an exec does to a process's descriptors, here: every descriptor
 * the handed text names outlives k, at the same number. */
static void exec_keeping(struct sysinfo_keeper *k, const char *handed)
{
	g_auto(GStrv) parts = g_strsplit(handed, ";", 4);
	GArray *fds = g_array_new(FALSE, FALSE, sizeof(int)),
	       *high = g_array_new(FALSE, FALSE, sizeof(int));
	int fd = atoi(parts[0]);

	g_array_append_val(fds, fd);
	for (int part = 1; part <= 3; part += 2) {
		g_auto(GStrv) items = g_strsplit(parts[part] ? parts[part] : "", ",", -1);

		for (char **i = items; *i; i++) {
			if (!**i)
				continue;
			fd = atoi(*i);
			g_array_append_val(fds, fd);
		}
	}
	for (guint i = 0; i < fds->len; i++) {
		int h = fcntl(g_array_index(fds, int, i), F_DUPFD_CLOEXEC, 100);

		assert_true(h >= 0);
		g_array_append_val(high, h);
	}
	sysinfo_keeper_free(k, false);
	for (guint i = 0; i < fds->len; i++) {
		assert_int_equal(dup2(g_array_index(high, int, i), g_array_index(fds, int, i)),
				 g_array_index(fds, int, i));
		close(g_array_index(high, int, i));
	}
	g_array_unref(fds);
	g_array_unref(high);
}

/* An upgrade while a worker has a call: the new supervisor takes the
 * worker's channel with the call; that worker, retiring, dies without
 * answering; the call goes to the next worker, which answers it. (Lost
 * before: the call was not handed, and its caller waited for good.) */
static void test_upgrade_with_a_call_at_a_worker(void **state)
{
	struct lensfs_config cfg = { 0 };
	g_autoptr(lensfs_ctx) ctx = NULL;
	g_autofree char *dir = g_dir_make_tmp("lensfs-notify-XXXXXX", NULL);
	g_autofree char *path = g_build_filename(dir, "sysinfo.sock", NULL);
	g_autofree char *handed = NULL;
	struct sysinfo_keeper *k;
	struct sysinfo_agent *a;
	struct sysinfo want;
	struct sysinfo_msg m;
	int sv[2], ch[2], fd, got = -1, err = 0;
	pid_t pid;

	if (lensfs_ctx_new(&cfg, &ctx) < 0)
		skip(); /* no cgroup hierarchy here */
	k = sysinfo_keeper_new(path, NULL, &err);
	assert_non_null(k);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	pid = caller(ctx, sv, &fd, &want);
	/* A worker (the test) takes the call and does not answer. */
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ch), 0);
	sysinfo_keeper_add_channel(k, ch[0]);
	runtime_sends(path, fd, pid);
	pump(k, 200);
	assert_int_equal(sysinfo_msg_recv(ch[1], &m, &got, false), 0);
	assert_int_equal(m.kind, SYSINFO_CALL);
	close(got);
	/* The upgrade. */
	handed = sysinfo_keeper_handed(k, true);
	exec_keeping(k, handed);
	k = sysinfo_keeper_new(path, handed, &err);
	assert_non_null(k);
	assert_int_equal(sysinfo_keeper_size(k), 1);
	assert_int_equal(sysinfo_keeper_pending(k), 1);
	/* The retiring worker dies; the next one answers. */
	close(ch[1]);
	a = worker(ctx, k);
	pump(k, 300);
	answered(sv[0], pid, want.totalram);
	assert_int_equal(sysinfo_keeper_pending(k), 0);
	sysinfo_agent_free(a);
	sysinfo_keeper_free(k, true);
	rmdir(dir);
	close(sv[0]);
	close(sv[1]);
}

/* Runtimes as they come: one connected that has not sent (under load,
 * runc may connect well before it sends), one that sends its state in two
 * pieces and keeps its connection open (as runc does while its process
 * runs), one that sends garbage. None holds the others up, each whole
 * state's listener is taken, the garbage is dropped. (An eventfd stands
 * for a listener: the keeper only keeps it until it is called on.) */
static void test_runtimes_as_they_come(void **state)
{
	g_autofree char *dir = g_dir_make_tmp("lensfs-notify-XXXXXX", NULL);
	g_autofree char *path = g_build_filename(dir, "sysinfo.sock", NULL);
	g_autofree char *whole = state_of(getpid());
	struct sysinfo_keeper *k;
	int slow, pieces, garbage, err = 0;
	size_t half = strlen(whole) / 2;

	k = sysinfo_keeper_new(path, NULL, &err);
	assert_non_null(k);
	slow = runtime_connects(path);
	pieces = runtime_connects(path);
	runtime_part(pieces, whole, half, eventfd(0, EFD_CLOEXEC));
	pump(k, 100);
	assert_int_equal(sysinfo_keeper_size(k), 0);
	runtime_part(pieces, whole + half, strlen(whole) - half, -1);
	pump(k, 100);
	assert_int_equal(sysinfo_keeper_size(k), 1);
	garbage = runtime_connects(path);
	runtime_part(garbage, "{\"fds\": no", 10, eventfd(0, EFD_CLOEXEC));
	close(garbage);
	pump(k, 100);
	assert_int_equal(sysinfo_keeper_size(k), 1);
	/* The slow one at last, its connection still open after. */
	runtime_part(slow, whole, strlen(whole), eventfd(0, EFD_CLOEXEC));
	pump(k, 100);
	assert_int_equal(sysinfo_keeper_size(k), 2);
	close(slow);
	close(pieces);
	sysinfo_keeper_free(k, true);
	rmdir(dir);
}

/* A runtime's process state: the listener's place among the descriptors,
 * and the container's pid; anything else is refused. */
static void test_state(void **state)
{
	static const char ok[] = "{\"ociVersion\":\"1.0.2\",\"fds\":[\"other\",\"seccompFd\"],"
				 "\"pid\":42,\"state\":{}}";
	unsigned int index = 9;
	pid_t pid = 0;

	assert_int_equal(sysinfo_state_parse(ok, strlen(ok), 2, &index, &pid), 0);
	assert_int_equal(index, 1);
	assert_int_equal(pid, 42);
	/* As many names as descriptors came. */
	assert_int_equal(sysinfo_state_parse(ok, strlen(ok), 1, &index, &pid), -EINVAL);
	assert_int_equal(sysinfo_state_parse("{\"fds\":[\"x\"],\"pid\":1}", 21, 1, &index, &pid),
			 -ENOENT);
	assert_int_equal(
		sysinfo_state_parse("{\"fds\":[\"seccompFd\"],\"pid\":-1}", 31, 1, &index, &pid),
		-EINVAL);
	assert_int_equal(sysinfo_state_parse("not json", 8, 1, &index, &pid), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_answers),
		cmocka_unit_test(test_caller_gone),
		cmocka_unit_test(test_keeper_and_agent),
		cmocka_unit_test(test_runtimes_as_they_come),
		cmocka_unit_test(test_upgrade_with_a_call_at_a_worker),
		cmocka_unit_test(test_state),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
