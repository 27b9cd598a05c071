/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "log.h"
#include "relay_ctl.h"
#include "relay_ctl_server.h"
#include "util.h"

#include <errno.h>
#include <glib-unix.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* Out of descriptors: the listening socket stays readable, so accepting
 * waits this long instead of spinning. */
#define ACCEPT_PAUSE_MS	  100
#define CLIENT_TIMEOUT_MS 5000

struct relay_ctl_server {
	const struct relay_ctl_ops *ops;
	void *data;
	int fd;
	guint watch;
	guint pause; /* accepting again after EMFILE */
};

static void control_request(const struct relay_ctl_server *s, const char *req, GString *reply)
{
	g_autofree char *why = NULL;
	int e = 0;

	if (g_str_has_prefix(req, "add ")) {
		const char *name;

		e = s->ops->add(s->data, req + 4, &name, &why);
		if (e == 0) {
			/* The name it has upstream: maybe not the one it asked for. */
			g_string_append_printf(reply, "ok name=%s\n", name);
			return;
		}
	} else if (g_str_has_prefix(req, "drop ")) {
		e = s->ops->drop(s->data, req + 5, &why);
	} else if (strcmp(req, "stats") == 0) {
		g_string_append(reply, "ok\n");
		s->ops->stats(s->data, reply);
		return;
	} else {
		e = -EINVAL;
		why = g_strdup("unknown request (add ID, drop ID, stats)");
	}
	if (e < 0)
		g_string_append_printf(reply, "error: %s\n", why);
	else
		g_string_append(reply, "ok\n");
}

/* A control connection: one request, one reply, within CLIENT_TIMEOUT_MS. */
struct ctl_client {
	const struct relay_ctl_server *server;
	int fd;
	guint watch, timer;
};

static void ctl_client_free(struct ctl_client *cl)
{
	if (cl->watch)
		g_source_remove(cl->watch);
	if (cl->timer)
		g_source_remove(cl->timer);
	close(cl->fd);
	g_free(cl);
}

static gboolean ctl_client_timeout_cb(gpointer data)
{
	struct ctl_client *cl = data;

	cl->timer = 0;
	ctl_client_free(cl);
	return G_SOURCE_REMOVE;
}

static gboolean control_client_cb(gint fd, GIOCondition cond, gpointer data)
{
	struct ctl_client *cl = data;
	g_autoptr(GString) reply = g_string_new(NULL);
	char req[512];
	ssize_t n = recv(fd, req, sizeof(req) - 1, MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return G_SOURCE_CONTINUE;
	if (n > 0) {
		req[n] = '\0';
		req[strcspn(req, "\n")] = '\0';
		control_request(cl->server, req, reply);
		log_debug("control: %s: %.*s", req, (int)strcspn(reply->str, "\n"), reply->str);
		if (reply->len > RELAY_CTL_REPLY_MAX)
			g_string_assign(reply, "error: the reply is too long\n");
		/* A client that reads nothing does not hold the relay up. */
		if (send(fd, reply->str, reply->len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
			log_warn("control: replying: %s", g_strerror(errno));
	}
	cl->watch = 0;
	ctl_client_free(cl);
	return G_SOURCE_REMOVE;
}

static gboolean control_accept_cb(gint fd, GIOCondition cond, gpointer data);

static gboolean control_resume_cb(gpointer data)
{
	struct relay_ctl_server *s = data;

	s->pause = 0;
	s->watch = g_unix_fd_add(s->fd, G_IO_IN, control_accept_cb, s);
	return G_SOURCE_REMOVE;
}

static gboolean control_accept_cb(gint fd, GIOCondition cond, gpointer data)
{
	struct relay_ctl_server *s = data;
	struct ctl_client *cl;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (c < 0 && (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)) {
		/* The connection stays queued and the socket readable: watching
		 * it now would spin. Wait for descriptors to be closed. */
		log_warn("control: accepting: %s; again in %d ms", g_strerror(errno),
			 ACCEPT_PAUSE_MS);
		s->watch = 0;
		s->pause = g_timeout_add(ACCEPT_PAUSE_MS, control_resume_cb, s);
		return G_SOURCE_REMOVE;
	}
	if (c < 0)
		return G_SOURCE_CONTINUE;
	/* The socket is root's, mode 0600; and the peer must be root too. */
	if (getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.uid != 0) {
		close(c);
		return G_SOURCE_CONTINUE;
	}
	cl = g_new0(struct ctl_client, 1);
	cl->server = s;
	cl->fd = c;
	cl->watch = g_unix_fd_add(c, G_IO_IN | G_IO_HUP, control_client_cb, cl);
	/* A client that connects and says nothing does not keep its fd. */
	cl->timer = g_timeout_add(CLIENT_TIMEOUT_MS, ctl_client_timeout_cb, cl);
	return G_SOURCE_CONTINUE;
}

int relay_ctl_server_new(const struct relay_ctl_ops *ops, void *data, const char *run_dir,
			 struct relay_ctl_server **out, char **why)
{
	g_autofree char *path = relay_ctl_path_control(run_dir);
	struct relay_ctl_server *s;
	struct sockaddr_un sa;
	socklen_t salen;
	autoclose int fd = -1;
	mode_t old;
	int e;

	*out = NULL;
	if (unix_addr(path, &sa, &salen) < 0) {
		*why = g_strdup_printf("%s: too long for a socket address", path);
		return -ENAMETOOLONG;
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	unlink(path);
	old = umask(0077);
	e = bind(fd, (struct sockaddr *)&sa, salen) < 0 ? -errno : 0;
	umask(old);
	if (e == 0 && listen(fd, 64) < 0)
		e = -errno;
	if (e < 0) {
		*why = g_strdup_printf("%s: %s", path, g_strerror(-e));
		return e;
	}
	s = g_new0(struct relay_ctl_server, 1);
	s->ops = ops;
	s->data = data;
	s->fd = fd;
	fd = -1;
	s->watch = g_unix_fd_add(s->fd, G_IO_IN, control_accept_cb, s);
	*out = s;
	return 0;
}

void relay_ctl_server_free(struct relay_ctl_server *s)
{
	if (!s)
		return;
	if (s->watch)
		g_source_remove(s->watch);
	if (s->pause)
		g_source_remove(s->pause);
	close(s->fd);
	g_free(s);
}
