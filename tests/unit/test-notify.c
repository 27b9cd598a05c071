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

#include <errno.h>
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
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
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

/* The worker's agent: a listener handed over with its container's pid is
 * answered with that container's sysinfo, and dropped once the container
 * has gone. */
static void test_agent(void **state)
{
	struct lensfs_config cfg = { 0 };
	g_autoptr(lensfs_ctx) ctx = NULL;
	struct sysinfo_agent *a;
	struct sysinfo want;
	struct outcome o;
	struct viewer v;
	int sv[2], fd;
	pid_t pid;

	if (lensfs_ctx_new(&cfg, &ctx) < 0)
		skip(); /* no cgroup hierarchy here */
	a = sysinfo_agent_new(ctx);
	assert_non_null(a);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	pid = child_with_filter(sv[1], one_call);
	fd = recv_fd(sv[0]);
	assert_true(fd >= 0);
	assert_int_equal(viewer_of_process(ctx, pid, &v), 0);
	assert_int_equal(sysinfo_of_view(ctx, &v, &want), 0);
	viewer_clear(&v);
	assert_int_equal(sysinfo_agent_add(a, fd, pid), 0);
	assert_int_equal(read(sv[0], &o, sizeof(o)), sizeof(o));
	assert_int_equal(o.ret, 0);
	assert_int_equal(o.totalram, want.totalram);
	assert_int_equal(o.mem_unit, 1);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	for (int i = 0; i < 200 && sysinfo_agent_size(a); i++)
		g_usleep(10 * 1000);
	assert_int_equal(sysinfo_agent_size(a), 0);
	sysinfo_agent_free(a);
	close(sv[0]);
	close(sv[1]);
}

/* The supervisor's channel: a listener and its pid per message. */
static void test_channel(void **state)
{
	int sv[2], pipefd[2], got = -1;
	pid_t pid = 0;

	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(pipe(pipefd), 0);
	assert_int_equal(sysinfo_channel_send(sv[0], pipefd[0], 4242), 0);
	assert_int_equal(sysinfo_channel_send(sv[0], -1, 7), 0);
	assert_int_equal(sysinfo_channel_recv(sv[1], &got, &pid), 0);
	assert_int_equal(pid, 4242);
	assert_true(got >= 0 && got != pipefd[0]);
	assert_int_equal(write(pipefd[1], "x", 1), 1);
	{
		char c;

		assert_int_equal(read(got, &c, 1), 1); /* the same pipe */
	}
	close(got);
	assert_int_equal(sysinfo_channel_recv(sv[1], &got, &pid), 0);
	assert_int_equal(got, -1);
	assert_int_equal(pid, 7);
	close(sv[0]);
	assert_int_equal(sysinfo_channel_recv(sv[1], &got, &pid), -ENODATA);
	close(sv[1]);
	close(pipefd[0]);
	close(pipefd[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_answers),
		cmocka_unit_test(test_caller_gone),
		cmocka_unit_test(test_agent),
		cmocka_unit_test(test_channel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
