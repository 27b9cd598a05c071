/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#include <time.h>

/* Pseudo-files report size 0 or 4096, so the size is never trusted: read
 * until EOF into a buffer that grows. */
int fd_read_all(int fd, size_t max, char **out, size_t *len)
{
	size_t cap = 4096, used = 0;
	g_autofree char *buf = g_malloc(cap);

	for (;;) {
		ssize_t n;

		if (cap - used < 1024) {
			if (cap > max)
				return -EFBIG;
			cap *= 2;
			buf = g_realloc(buf, cap);
		}
		n = read(fd, buf + used, cap - used - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		used += (size_t)n;
		if (used > max)
			return -EFBIG;
	}
	buf[used] = '\0';
	if (len)
		*len = used;
	*out = g_steal_pointer(&buf);
	return 0;
}

int file_read_all(const char *path, char **out, size_t *len)
{
	autoclose int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return -errno;
	return fd_read_all(fd, 64u << 20, out, len);
}

int file_read_allf(char **out, const char *fmt, ...)
{
	g_autofree char *path = NULL;
	va_list ap;

	va_start(ap, fmt);
	path = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	return file_read_all(path, out, NULL);
}

static const char *skip_blanks(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

static int check_tail(const char *end)
{
	end = skip_blanks(end);
	if (*end == '\n')
		end++;
	return *end == '\0' ? 0 : -EINVAL;
}

int parse_u64(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	s = skip_blanks(s);
	if (!g_ascii_isdigit(*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (check_tail(end) < 0)
		return -EINVAL;
	*out = v;
	return 0;
}

int parse_i64(const char *s, int64_t *out)
{
	long long v;
	char *end;

	s = skip_blanks(s);
	if (!g_ascii_isdigit(*s) && !(*s == '-' && g_ascii_isdigit(s[1])))
		return -EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (check_tail(end) < 0)
		return -EINVAL;
	*out = v;
	return 0;
}

int file_read_u64(const char *path, uint64_t *out)
{
	g_autofree char *text = NULL;
	int r = file_read_all(path, &text, NULL);

	if (r < 0)
		return r;
	return parse_u64(text, out);
}

int link_read(const char *path, char **out)
{
	return link_read_at(AT_FDCWD, path, out);
}

int link_read_at(int dirfd, const char *path, char **out)
{
	char buf[PATH_MAX];
	ssize_t n = readlinkat(dirfd, path, buf, sizeof(buf) - 1);

	if (n < 0)
		return -errno;
	buf[n] = '\0';
	*out = g_strdup(buf);
	return 0;
}

int pidfd_of(pid_t pid)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);

	return fd >= 0 ? fd : -errno;
}

bool pidfd_alive(int pidfd)
{
	return syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) == 0;
}

uint64_t now_monotonic_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

int fail_why(char **why, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	*why = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int unix_addr(const char *path, struct sockaddr_un *sa, socklen_t *len)
{
	size_t n = strlen(path);

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	/* One byte for the NUL a path name needs, or the '@' stands for. */
	if (n == 0 || n >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	memcpy(sa->sun_path, path, n);
	if (path[0] == '@')
		sa->sun_path[0] = '\0';
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (path[0] != '@'));
	return 0;
}

int openat2_in(int dirfd, const char *path, int flags, uint64_t resolve)
{
	struct open_how how = { .flags = (uint64_t)flags | O_CLOEXEC, .resolve = resolve };
	int fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));

	return fd < 0 ? -errno : fd;
}

int fd_write_at(int fd, const void *data, size_t len, off_t offset)
{
	ssize_t n = pwrite(fd, data, len, offset);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

const char *path_below(const char *path)
{
	while (*path == '/' || (path[0] == '.' && path[1] == '/'))
		path += *path == '/' ? 1 : 2;
	return path;
}
