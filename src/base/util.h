/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Error contract of the whole library: functions return 0 (or a value >= 0)
 * on success and -errno on failure. Helpers do not log; the caller that
 * decides what to do with an error logs it.
 */

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <unistd.h>

static inline void close_fdp(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}
/* GLib 2.74 has no g_autofd yet. */
#define autoclose __attribute__((cleanup(close_fdp)))

/* Read a whole (pseudo-)file, whatever its size, into a NUL-terminated buffer. */
int file_read_all(const char *path, char **out, size_t *len);
/* Same from an open descriptor, to EOF; -EFBIG beyond max bytes. */
int fd_read_all(int fd, size_t max, char **out, size_t *len);
/* Same for a path built from a format. */
int file_read_allf(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Writes len bytes at offset (pwrite(2)); -EIO for a short write. */
int fd_write_at(int fd, const void *data, size_t len, off_t offset);

/* Strict unsigned parse of a whole token; surrounding blanks and one
 * trailing newline are allowed. -EINVAL on junk, -ERANGE on overflow. */
int parse_u64(const char *s, uint64_t *out);
int parse_i64(const char *s, int64_t *out);

/* First line of a file as an unsigned number. */
int file_read_u64(const char *path, uint64_t *out);

/* Text of a symlink (e.g. "pid:[4026531836]"). */
int link_read(const char *path, char **out);
/* The same, path relative to dirfd (AT_FDCWD: as link_read). */
int link_read_at(int dirfd, const char *path, char **out);

/* path without its leading "/" and "./": "proc/meminfo", "/proc/meminfo"
 * and "./proc/meminfo" name the same file below a mount point. */
const char *path_below(const char *path);

/* a - b, or 0 where the kernel's counters would make it negative (usage
 * above a limit, a counter read a moment apart from another): never a
 * wrap-around. */
static inline uint64_t sat_sub(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

/* Sets *why to the formatted text (free it) and returns -EINVAL: for
 * parsers that say what is wrong. */
int fail_why(char **why, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* A socket address for path ("@name": the abstract namespace) and its
 * length; -ENAMETOOLONG when sun_path cannot hold it. */
int unix_addr(const char *path, struct sockaddr_un *sa, socklen_t *len);

/* openat2(2) with O_CLOEXEC added: an fd, or -errno. resolve is a set of
 * RESOLVE_* flags (e.g. RESOLVE_IN_ROOT: path as a container resolves it). */
int openat2_in(int dirfd, const char *path, int flags, uint64_t resolve);

/* pidfd_open(2) of pid: a descriptor (O_CLOEXEC, as pidfds are), or
 * -errno. */
int pidfd_of(pid_t pid);
/* Whether the process a pidfd names lives (pidfd_send_signal(2) of no
 * signal). */
bool pidfd_alive(int pidfd);

/* Monotonic clock in microseconds. */
uint64_t now_monotonic_us(void);
