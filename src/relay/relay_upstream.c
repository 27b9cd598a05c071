/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "log.h"
#include "relay_upstream.h"
#include "util.h"

#include <errno.h>
#include <glib-unix.h>
#include <netdb.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define BACKOFF_MIN_MS 100

struct pending {
	struct relay_upstream_account *account;
	GString *data;
	bool own; /* a summary: counted as forwarded nowhere */
};

struct relay_upstream {
	const struct relay_config *cfg;
	int fd;
	guint watch; /* G_IO_OUT, while something waits */
	guint retry; /* reconnection timer */
	bool connecting; /* tcp: connect(2) in progress */
	guint64 backoff_ms;
	GQueue queue; /* struct pending */
	guint64 bytes; /* of every message in the queue */
	size_t offset; /* tcp: bytes of the head already written */
	struct sockaddr_storage addr;
	socklen_t addrlen;
	int socktype;
	guint64 reconnects;
};

static void upstream_kick(struct relay_upstream *up);

struct relay_upstream_account *relay_upstream_account_new(void)
{
	struct relay_upstream_account *a = g_new0(struct relay_upstream_account, 1);

	a->refs = 1;
	return a;
}

void relay_upstream_account_unref(struct relay_upstream_account *a)
{
	if (--a->refs == 0)
		g_free(a);
}

static void pending_free(struct relay_upstream *up, struct pending *p)
{
	p->account->queued -= !p->own;
	p->account->queued_bytes -= p->own ? 0 : p->data->len;
	up->bytes -= p->data->len;
	relay_upstream_account_unref(p->account);
	g_string_free(p->data, TRUE);
	g_free(p);
}

/* The address once, at start: a name lookup would block the loop later. */
static int upstream_resolve(struct relay_upstream *up, char **why)
{
	const struct relay_config *cfg = up->cfg;

	if (cfg->target == RELAY_TO_SYSLOG || cfg->target == RELAY_TO_JOURNAL) {
		struct sockaddr_un *sa = (struct sockaddr_un *)&up->addr;
		const char *path = cfg->path			    ? cfg->path
				   : cfg->target == RELAY_TO_SYSLOG ? "/dev/log"
								    : "/run/systemd/journal/socket";

		if (unix_addr(path, sa, &up->addrlen) < 0) {
			*why = g_strdup_printf("path=%s: too long for a socket", path);
			return -ENAMETOOLONG;
		}
		up->socktype = SOCK_DGRAM;
		return 0;
	}
	{
		g_autofree char *host = NULL;
		const char *colon = strrchr(cfg->address, ':');
		struct addrinfo hints = { .ai_flags = AI_NUMERICSERV }, *res = NULL;
		int e;

		if (!colon || colon == cfg->address || !colon[1]) {
			return fail_why(why, "address=%s: not host:port", cfg->address);
		}
		host = g_strndup(cfg->address, (gsize)(colon - cfg->address));
		if (host[0] == '[' && host[strlen(host) - 1] == ']') {
			memmove(host, host + 1, strlen(host));
			host[strlen(host) - 1] = '\0';
		}
		up->socktype = cfg->target == RELAY_TO_TCP ? SOCK_STREAM : SOCK_DGRAM;
		hints.ai_socktype = up->socktype;
		e = getaddrinfo(host, colon + 1, &hints, &res);
		if (e != 0) {
			return fail_why(why, "address=%s: %s", cfg->address, gai_strerror(e));
		}
		memcpy(&up->addr, res->ai_addr, res->ai_addrlen);
		up->addrlen = res->ai_addrlen;
		freeaddrinfo(res);
	}
	return 0;
}

static gboolean upstream_retry_cb(gpointer data);

static void upstream_close(struct relay_upstream *up)
{
	if (up->watch)
		g_source_remove(up->watch);
	up->watch = 0;
	if (up->fd >= 0)
		close(up->fd);
	up->fd = -1;
	up->connecting = false;
	/* A message half-written to a stream goes again, whole. */
	up->offset = 0;
}

/* Gone (a restarted rsyslogd, a closed connection): try again later, with
 * a pause that doubles up to reconnect-max-ms. The queue waits, bounded. */
static void upstream_lost(struct relay_upstream *up, int err)
{
	if (up->fd >= 0)
		log_warn("upstream %s: %s; connecting again in %" G_GUINT64_FORMAT " ms",
			 relay_config_target_name(up->cfg->target), g_strerror(err),
			 up->backoff_ms);
	upstream_close(up);
	if (!up->retry)
		up->retry = g_timeout_add((guint)up->backoff_ms, upstream_retry_cb, up);
	up->backoff_ms = MIN(up->backoff_ms * 2, up->cfg->reconnect_max_ms);
}

static int upstream_connect(struct relay_upstream *up)
{
	int fd, sndbuf = 4 << 20;

	fd = socket(up->addr.ss_family, up->socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* Room for a burst (the kernel caps it at net.core.wmem_max). */
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	up->fd = fd;
	up->reconnects++;
	if (connect(fd, (struct sockaddr *)&up->addr, up->addrlen) < 0) {
		if (errno == EINPROGRESS) {
			up->connecting = true;
			return 0;
		}
		return -errno;
	}
	return 0;
}

void relay_upstream_start(struct relay_upstream *up)
{
	int e = upstream_connect(up);

	if (e < 0)
		upstream_lost(up, -e);
	else
		upstream_kick(up);
}

static gboolean upstream_retry_cb(gpointer data)
{
	struct relay_upstream *up = data;

	up->retry = 0;
	relay_upstream_start(up);
	return G_SOURCE_REMOVE;
}

/* The head message went out. */
static void upstream_done(struct relay_upstream *up, bool sent)
{
	struct pending *p = g_queue_pop_head(&up->queue);

	if (!p->own) {
		if (sent)
			p->account->forwarded++;
		else
			p->account->dropped_failed++;
	}
	pending_free(up, p);
	up->offset = 0;
}

static gboolean upstream_writable_cb(gint fd, GIOCondition cond, gpointer data)
{
	struct relay_upstream *up = data;

	up->watch = 0;
	if (up->connecting) {
		int err = 0;
		socklen_t len = sizeof(err);

		getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
		up->connecting = false;
		if (err) {
			upstream_lost(up, err);
			return G_SOURCE_REMOVE;
		}
		log_info("upstream %s: connected", relay_config_target_name(up->cfg->target));
	}
	upstream_kick(up);
	return G_SOURCE_REMOVE;
}

/* Writes what it can without blocking; waits for POLLOUT for the rest. */
static void upstream_kick(struct relay_upstream *up)
{
	if (up->fd < 0 || up->watch || up->connecting) {
		if (up->fd >= 0 && up->connecting && !up->watch)
			up->watch = g_unix_fd_add(up->fd, G_IO_OUT, upstream_writable_cb, up);
		return;
	}
	while (!g_queue_is_empty(&up->queue)) {
		struct pending *p = g_queue_peek_head(&up->queue);
		ssize_t n = send(up->fd, p->data->str + up->offset, p->data->len - up->offset,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EAGAIN || errno == ENOBUFS) {
				up->watch =
					g_unix_fd_add(up->fd, G_IO_OUT, upstream_writable_cb, up);
				return;
			}
			if (errno == EINTR)
				continue;
			if (errno == EMSGSIZE) {
				/* This one can never go: count it, go on. */
				upstream_done(up, false);
				continue;
			}
			upstream_lost(up, errno);
			return;
		}
		if (up->socktype == SOCK_STREAM && (size_t)n + up->offset < p->data->len) {
			up->offset += (size_t)n;
			continue;
		}
		up->backoff_ms = BACKOFF_MIN_MS;
		upstream_done(up, true);
	}
}

int relay_upstream_new(const struct relay_config *cfg, struct relay_upstream **out, char **why)
{
	struct relay_upstream *up = g_new0(struct relay_upstream, 1);
	int e;

	up->cfg = cfg;
	up->fd = -1;
	up->backoff_ms = BACKOFF_MIN_MS;
	g_queue_init(&up->queue);
	e = upstream_resolve(up, why);
	if (e < 0) {
		g_free(up);
		*out = NULL;
		return e;
	}
	*out = up;
	return 0;
}

void relay_upstream_format(const struct relay_upstream *up, const struct syslog_msg *m,
			   const struct syslog_origin *o, GString *out)
{
	switch (up->cfg->target) {
	case RELAY_TO_JOURNAL:
		syslog_format_journal(m, o, out);
		break;
	case RELAY_TO_SYSLOG:
	case RELAY_TO_UDP:
	case RELAY_TO_TCP:
		if (up->cfg->format == RELAY_RFC3164)
			syslog_format_3164(m, o, out);
		else
			syslog_format_5424(m, o, out);
		if (up->cfg->target == RELAY_TO_TCP)
			syslog_frame_octets(out);
		break;
	}
}

void relay_upstream_push(struct relay_upstream *up, struct relay_upstream_account *a, GString *data,
			 bool own)
{
	struct pending *p = g_new0(struct pending, 1);

	p->account = a;
	a->refs++;
	a->queued += !own;
	a->queued_bytes += own ? 0 : data->len;
	up->bytes += data->len;
	p->data = data;
	p->own = own;
	g_queue_push_tail(&up->queue, p);
	upstream_kick(up);
}

guint64 relay_upstream_bytes(const struct relay_upstream *up)
{
	return up->bytes;
}

void relay_upstream_stats(const struct relay_upstream *up, GString *out)
{
	g_string_append_printf(
		out,
		"upstream to=%s connected=%s queued=%u queued-bytes=%" G_GUINT64_FORMAT
		" reconnects=%" G_GUINT64_FORMAT "\n",
		relay_config_target_name(up->cfg->target),
		up->fd >= 0 && !up->connecting ? "yes" : "no", up->queue.length, up->bytes,
		up->reconnects);
}

void relay_upstream_free(struct relay_upstream *up)
{
	struct pending *p;

	if (!up)
		return;
	if (up->retry)
		g_source_remove(up->retry);
	upstream_close(up);
	while ((p = g_queue_pop_head(&up->queue)))
		pending_free(up, p);
	g_free(up);
}
