/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "handover.h"
#include "util.h"

#include <errno.h>
#include <linux/fuse.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Linux 6.9 (protocol 7.40); older uapi headers do not name it. */
#ifndef FUSE_NOTIFY_RESEND
#define FUSE_NOTIFY_RESEND 7
#endif

#define RECORD_MAGIC	0x6c656e73u /* "lens" */
#define RECORD_INIT_MAX 512 /* header + fuse_init_in: 104 bytes on 6.x */

enum init_state {
	INIT_NONE, /* no worker has seen the kernel's INIT yet */
	INIT_PENDING, /* a worker took INIT and may have died before answering */
	INIT_ANSWERED, /* the kernel has its answer: replay, never wait for INIT */
};

struct record {
	uint32_t magic;
	uint32_t generation;
	uint32_t init_state;
	uint32_t init_len;
	unsigned char init[RECORD_INIT_MAX];
};

static int record_read(int fd, struct record *rec)
{
	ssize_t n = pread(fd, rec, sizeof(*rec), 0);

	if (n < 0)
		return -errno;
	if (n != sizeof(*rec) || rec->magic != RECORD_MAGIC || rec->init_len > RECORD_INIT_MAX)
		return -EBADMSG;
	return 0;
}

static int record_set_state(int fd, uint32_t state)
{
	return fd_write_at(fd, &state, sizeof(state), offsetof(struct record, init_state));
}

int handover_create(void)
{
	struct record rec = { .magic = RECORD_MAGIC };
	int fd = memfd_create("lensfs-handover", MFD_CLOEXEC);
	int r;

	if (fd < 0)
		return -errno;
	r = fd_write_at(fd, &rec, sizeof(rec), 0);
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

int handover_next_generation(int record_fd, uint32_t *generation)
{
	struct record rec;
	int r = record_read(record_fd, &rec);

	if (r < 0)
		return r;
	*generation = rec.generation + 1;
	return fd_write_at(record_fd, generation, sizeof(*generation),
			   offsetof(struct record, generation));
}

/* The next request, waiting for it even if a predecessor left the shared
 * descriptor non-blocking. */
static int receive(struct fuse_session *se, struct fuse_buf *buf)
{
	for (;;) {
		int r = fuse_session_receive_buf(se, buf);
		struct pollfd pfd = { .fd = fuse_session_fd(se), .events = POLLIN };

		if (r > 0 && (buf->flags & FUSE_BUF_IS_FD))
			return -EPROTO; /* spliced: never before INIT */
		if (r != -EAGAIN && r != -EINTR)
			return r == 0 ? -ENODEV : r;
		if (r == -EAGAIN && poll(&pfd, 1, -1) < 0 && errno != EINTR)
			return -errno;
	}
}

static bool is_init(const struct fuse_buf *buf)
{
	const struct fuse_in_header *in = buf->mem;

	return buf->size >= sizeof(*in) && in->opcode == FUSE_INIT;
}

/* Answers the kernel's own INIT, recording it first: a worker that dies
 * between the two leaves INIT_PENDING, and its successor sorts it out. */
static int answer_init(struct fuse_session *se, int fd, const struct fuse_buf *buf, size_t len)
{
	uint32_t n = (uint32_t)len;
	int r;

	if (len > RECORD_INIT_MAX)
		return -E2BIG;
	r = fd_write_at(fd, buf->mem, len, offsetof(struct record, init));
	if (r == 0)
		r = fd_write_at(fd, &n, sizeof(n), offsetof(struct record, init_len));
	if (r == 0)
		r = record_set_state(fd, INIT_PENDING);
	if (r < 0)
		return r;
	fuse_session_process_buf(se, buf);
	return record_set_state(fd, INIT_ANSWERED);
}

/* The recorded INIT, given to this session as if the kernel sent it. The
 * answer goes to the kernel under a request id it has already retired, so
 * it refuses it (ENOENT, which libfuse takes quietly). */
static void replay_init(struct fuse_session *se, const struct record *rec)
{
	unsigned char copy[RECORD_INIT_MAX];
	struct fuse_buf buf = { .mem = copy, .size = rec->init_len };

	memcpy(copy, rec->init, rec->init_len);
	fuse_session_process_buf(se, &buf);
}

int handover_resend(int fuse_fd)
{
	struct fuse_out_header out = { .len = sizeof(out), .error = FUSE_NOTIFY_RESEND };

	if (write(fuse_fd, &out, sizeof(out)) < 0)
		return -errno;
	return 0;
}

int handover_start(struct fuse_session *se, int record_fd)
{
	struct fuse_buf buf = { 0 };
	struct record rec;
	int r = record_read(record_fd, &rec);

	if (r < 0)
		return r;
	if (rec.init_state == INIT_ANSWERED) {
		replay_init(se, &rec);
		return 0;
	}
	/* INIT_PENDING: the kernel may still wait for its INIT answer. It
	 * sends INIT again after RESEND if so; any other request means the
	 * answer did reach it. */
	if (rec.init_state == INIT_PENDING) {
		r = handover_resend(fuse_session_fd(se));
		if (r < 0)
			return r;
	}
	r = receive(se, &buf);
	if (r > 0 && is_init(&buf)) {
		r = answer_init(se, record_fd, &buf, (size_t)r);
	} else if (r > 0 && rec.init_state == INIT_PENDING) {
		replay_init(se, &rec);
		r = record_set_state(record_fd, INIT_ANSWERED);
		if (r == 0)
			fuse_session_process_buf(se, &buf);
	} else if (r > 0) {
		r = -EPROTO; /* an initialized connection, and no record of it */
	}
	free(buf.mem);
	return r;
}
