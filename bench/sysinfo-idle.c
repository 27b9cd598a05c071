/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sysinfo-idle N SOCKET: N processes, each with a seccomp filter that
 * sends sysinfo(2) to its listener, as a runtime's containers have, and
 * each listener given to lensfs's agent on SOCKET with a process state,
 * as runc gives it. They never call: the agent holds N listeners of
 * containers that are idle (bench/sysinfo.sh measures the calls of a
 * busy one beside them). Prints "ready" once every listener is sent,
 * then waits until killed (its children die with it). */
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__x86_64__)
#define ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define ARCH AUDIT_ARCH_AARCH64
#endif

static int notify_sysinfo(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_sysinfo, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER,
			    &prog);
}

/* The listener and a state naming it, as runc sends them. */
static int send_listener(const char *path, int listener)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char state[256], ctl[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { state, 0 };
	struct msghdr m = {
		.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl)
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	iov.iov_len = (size_t)snprintf(state, sizeof(state),
				       "{\"ociVersion\":\"1.0.2\",\"fds\":[\"seccompFd\"],"
				       "\"pid\":%d,\"state\":{\"status\":\"running\"}}",
				       (int)getpid());
	strncpy(sa.sun_path, path, sizeof(sa.sun_path) - 1);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &listener, sizeof(listener));
	if (sock < 0 || connect(sock, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    sendmsg(sock, &m, 0) != (ssize_t)iov.iov_len)
		return -1;
	/* As runc: the connection stays open while the process runs. */
	return 0;
}

int main(int argc, char **argv)
{
	int n = argc > 2 ? atoi(argv[1]) : -1;
	int ready[2];

	if (n < 0 || pipe(ready) < 0) {
		fprintf(stderr, "usage: sysinfo-idle N SOCKET\n");
		return 2;
	}
	for (int i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0)
			return 1;
		if (pid == 0) {
			int listener;

			prctl(PR_SET_PDEATHSIG, SIGKILL);
			listener = notify_sysinfo();
			if (listener < 0 || send_listener(argv[2], listener) < 0)
				_exit(1);
			close(listener);
			if (write(ready[1], "", 1) != 1)
				_exit(1);
			pause();
			_exit(0);
		}
	}
	close(ready[1]);
	for (int i = 0; i < n; i++) {
		char byte;

		if (read(ready[0], &byte, 1) != 1) {
			fprintf(stderr, "sysinfo-idle: a child could not send its listener\n");
			return 1;
		}
	}
	printf("ready\n");
	fflush(stdout);
	pause();
	return 0;
}
