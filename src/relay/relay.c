/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "log.h"
#include "relay.h"
#include "relay_ctl.h"
#include "relay_ctl_server.h"
#include "relay_ratelimit.h"
#include "relay_reg.h"
#include "relay_upstream.h"
#include "syslog_msg.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* Datagrams read from one container per wake-up: others get their turn. */
#define DRAIN_BATCH 256
/* A drop window closes at the latest after this long, even under a flood
 * that never pauses, so that a summary is written at least this often. */
#define WINDOW_MAX_US	(60 * G_USEC_PER_SEC)
#define SUMMARY_TICK_MS 100

/* What the relay counts of a container; what the upstream did with its
 * messages is in its relay_upstream_account. */
struct counters {
	guint64 received, dropped_rate, dropped_queue, dropped_memory, truncated;
};

struct container {
	struct relay *relay;
	char *id;
	char *name; /* upstream: base, or base-N when another container holds it */
	char *base; /* the registration's name */
	pid_t pid;
	int fd;
	guint watch;
	struct relay_ratelimit bucket;
	struct counters n;
	/* Its messages waiting for the upstream, forwarded, failed: also
	 * held by each queued message, so it outlives the container. */
	struct relay_upstream_account *account;
	/* The open drop window: drops since win_start_us, the last at win_last_us. */
	guint64 win_rate, win_queue, win_start_us, win_last_us;
};

struct relay {
	struct relay_config cfg;
	GMainLoop *loop;
	GHashTable *containers; /* id -> struct container */
	struct relay_ctl_server *ctl;
	int lock_fd; /* RUN/lock, held while the relay runs */
	struct relay_upstream *up;
	guint summary_timer;
	char *buf; /* one datagram, max_message bytes */
	char *hostname; /* gethostname(2) at start: no container's name */
	guint signals[3];
};

static guint64 now_realtime_us(void)
{
	return (guint64)g_get_real_time();
}

static void container_free(struct container *c)
{
	relay_upstream_account_unref(c->account);
	g_free(c->id);
	g_free(c->name);
	g_free(c->base);
	g_free(c);
}

/* No socket any more; queued messages still go out. With run_dir, its
 * socket and directory go too (the container left); without, they stay
 * for the next relay (this one stops). */
static void container_close(struct container *c, const char *run_dir)
{
	if (c->watch)
		g_source_remove(c->watch);
	c->watch = 0;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	if (run_dir) {
		g_autofree char *dir = relay_ctl_path_dir(run_dir, c->id);
		g_autofree char *sock = g_build_filename(dir, "log", NULL);

		unlink(sock);
		rmdir(dir);
	}
}

/* --- drop summaries --------------------------------------------------------- */

static void summary_emit(struct relay *r, struct container *c, guint64 now)
{
	g_autofree char *text = g_strdup_printf(
		"container %s (%s): %" G_GUINT64_FORMAT
		" messages dropped in %.1f s (%" G_GUINT64_FORMAT
		" over the rate limit of %" G_GUINT64_FORMAT "/s burst %" G_GUINT64_FORMAT
		", %" G_GUINT64_FORMAT " because the upstream was slow)",
		c->name, c->id, c->win_rate + c->win_queue,
		(double)(c->win_last_us - c->win_start_us) / 1e6, c->win_rate, c->bucket.rate,
		c->bucket.burst, c->win_queue);
	struct syslog_origin o = { .id = c->id, .name = c->name, .time_us = (gint64)now };
	g_auto(syslog_msg) m = { 0 };
	GString *out = g_string_new(NULL);

	syslog_msg_init_own(&m, 4 /* warning */, text);
	relay_upstream_format(r->up, &m, &o, out);
	c->win_rate = c->win_queue = 0;
	relay_upstream_push(r->up, c->account, out, true);
}

static gboolean summary_tick_cb(gpointer data)
{
	struct relay *r = data;
	guint64 now = now_realtime_us(), mono = now_monotonic_us();
	GHashTableIter it;
	gpointer v;
	bool open = false;

	g_hash_table_iter_init(&it, r->containers);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct container *c = v;

		if (c->win_rate + c->win_queue == 0)
			continue;
		if (mono - c->win_last_us >= r->cfg.summary_ms * 1000 ||
		    mono - c->win_start_us >= WINDOW_MAX_US)
			summary_emit(r, c, now);
		else
			open = true;
	}
	if (open)
		return G_SOURCE_CONTINUE;
	r->summary_timer = 0;
	return G_SOURCE_REMOVE;
}

enum drop_cause { DROP_RATE, DROP_QUEUE, DROP_MEMORY };

static void count_drop(struct relay *r, struct container *c, enum drop_cause why, guint64 mono)
{
	if (why == DROP_RATE)
		c->n.dropped_rate++;
	else if (why == DROP_QUEUE)
		c->n.dropped_queue++;
	else
		c->n.dropped_memory++;
	if (c->win_rate + c->win_queue == 0)
		c->win_start_us = mono;
	c->win_last_us = mono;
	/* The summary's "because the upstream was slow": the queue's share
	 * of messages or of bytes. */
	if (why == DROP_RATE)
		c->win_rate++;
	else
		c->win_queue++;
	if (!r->summary_timer)
		r->summary_timer = g_timeout_add(SUMMARY_TICK_MS, summary_tick_cb, r);
}

/* --- containers --------------------------------------------------------- */

/* Formats one datagram and queues it; false when the bytes it would hold
 * are over the container's or the relay's budget (dropped). */
static bool receive_one(struct relay *r, struct container *c, size_t len, const struct ucred *cred)
{
	g_auto(syslog_msg) m = { 0 };
	struct syslog_origin o = {
		.id = c->id,
		.name = c->name,
		.time_us = (gint64)now_realtime_us(),
	};
	GString *out;

	if (cred) {
		o.pid = cred->pid;
		o.uid = cred->uid;
		o.has_creds = true;
	}
	syslog_msg_parse(r->buf, len, r->cfg.max_message, &m);
	syslog_msg_floor(&m, r->cfg.severity_floor);
	if (m.truncated)
		c->n.truncated++;
	/* len is the datagram's whole length (MSG_TRUNC); what was kept is
	 * at most max_message. */
	out = g_string_sized_new(MIN(len, r->cfg.max_message) + 256);
	relay_upstream_format(r->up, &m, &o, out);
	if (c->account->queued_bytes + out->len > r->cfg.queue_bytes ||
	    relay_upstream_bytes(r->up) + out->len > r->cfg.total_queue_bytes) {
		g_string_free(out, TRUE);
		return false;
	}
	relay_upstream_push(r->up, c->account, out, false);
	return true;
}

static gboolean container_readable_cb(gint fd, GIOCondition cond, gpointer data)
{
	struct container *c = data;
	struct relay *r = c->relay;
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(struct ucred))];
	} ctl;

	for (int i = 0; i < DRAIN_BATCH; i++) {
		struct iovec iov = { .iov_base = r->buf, .iov_len = r->cfg.max_message };
		struct msghdr mh = {
			.msg_iov = &iov,
			.msg_iovlen = 1,
			.msg_control = ctl.buf,
			.msg_controllen = sizeof(ctl.buf),
		};
		const struct ucred *cred = NULL;
		guint64 mono;
		ssize_t n;

		/* MSG_TRUNC: the datagram's real length, however much fits. */
		n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_TRUNC | MSG_CMSG_CLOEXEC);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				log_warn("container %s: receiving: %s", c->id, g_strerror(errno));
			break;
		}
		c->n.received++;
		mono = now_monotonic_us();
		switch (relay_ratelimit_admit(&c->bucket, c->account->queued, r->cfg.queue, mono)) {
		case RELAY_RATELIMIT_DROP_QUEUE:
			count_drop(r, c, DROP_QUEUE, mono);
			continue;
		case RELAY_RATELIMIT_DROP_RATE:
			count_drop(r, c, DROP_RATE, mono);
			continue;
		case RELAY_RATELIMIT_ADMIT:
			break;
		}
		for (struct cmsghdr *h = CMSG_FIRSTHDR(&mh); h; h = CMSG_NXTHDR(&mh, h))
			if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_CREDENTIALS &&
			    h->cmsg_len == CMSG_LEN(sizeof(struct ucred)))
				cred = (const struct ucred *)CMSG_DATA(h);
		if (!receive_one(r, c, (size_t)n, cred)) {
			relay_ratelimit_refund(&c->bucket);
			count_drop(r, c, DROP_MEMORY, mono);
		}
	}
	return G_SOURCE_CONTINUE;
}

/* The socket, bound through the directory's fd: RUN/c/ID/log can be longer
 * than a socket address holds (108 bytes). */
static int container_socket(const struct relay *r, const char *dir, int *out)
{
	autoclose int dfd = open(dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	autoclose int fd = -1;
	g_autofree char *path = NULL;
	struct sockaddr_un sa;
	socklen_t salen;
	int on = 1, rcvbuf = (int)r->cfg.receive_buffer;

	if (dfd < 0)
		return -errno;
	path = g_strdup_printf("/proc/self/fd/%d/log", dfd);
	if (unix_addr(path, &sa, &salen) < 0)
		return -ENAMETOOLONG;
	/* A socket left by a relay that died: its inode is of no use. */
	if (unlinkat(dfd, "log", 0) < 0 && errno != ENOENT)
		return -errno;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) < 0)
		return -errno;
	/* Above net.core.rmem_max only with CAP_NET_ADMIN: the relay does
	 * without, and takes what it gets. */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(fd, (struct sockaddr *)&sa, salen) < 0)
		return -errno;
	/* Any user in the container may log: connect(2) needs write access. */
	if (fchmodat(dfd, "log", 0666, 0) < 0)
		return -errno;
	*out = fd;
	fd = -1;
	return 0;
}

/* The container that asks for a name. */
struct name_owner {
	const struct relay *relay;
	const char *id;
};

/* Whether a name is taken for it: by the host, or by another live container
 * (compared without case, as receivers compare hostnames). */
static bool name_taken(const char *name, void *data)
{
	const struct name_owner *self = data;
	GHashTableIter it;
	gpointer v;

	if (relay_reg_name_is_host(name, self->relay->hostname))
		return true;
	g_hash_table_iter_init(&it, self->relay->containers);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		const struct container *other = v;

		if (other->name && strcmp(other->id, self->id) != 0 &&
		    g_ascii_strcasecmp(other->name, name) == 0)
			return true;
	}
	return false;
}

/* Adds (or updates) a container from its registration file. */
static int container_add(struct relay *r, const char *id, char **why)
{
	g_autofree char *regpath = relay_ctl_path_reg(r->cfg.run_dir, id);
	g_autofree char *dir = relay_ctl_path_dir(r->cfg.run_dir, id);
	g_autofree char *text = NULL;
	g_auto(relay_reg) reg = { 0 };
	struct container *c;
	guint64 rate, burst;
	size_t len;
	int e;

	if (!relay_reg_id_valid(id)) {
		return fail_why(why, "'%s' is not a container id", id);
	}
	e = file_read_all(regpath, &text, &len);
	if (e < 0) {
		*why = g_strdup_printf("%s: %s", regpath, g_strerror(-e));
		return e;
	}
	if (relay_reg_parse(text, len, &reg, why) < 0) {
		g_autofree char *w = g_steal_pointer(why);

		return fail_why(why, "%s: %s", regpath, w);
	}
	if (strcmp(reg.id, id) != 0) {
		return fail_why(why, "%s: registers '%s'", regpath, reg.id);
	}
	/* The name is the hostname upstream: never the host's own, which
	 * receivers and readers take for the host's messages. */
	if (relay_reg_name_is_host(reg.name, r->hostname)) {
		return fail_why(why, "the name '%s' is the host's", reg.name);
	}
	c = g_hash_table_lookup(r->containers, id);
	if (!c) {
		c = g_new0(struct container, 1);
		c->relay = r;
		c->fd = -1;
		c->id = g_strdup(id);
		c->account = relay_upstream_account_new();
		g_hash_table_insert(r->containers, c->id, c);
	}
	/* One live container a name: another that asks for it gets the first
	 * free NAME-N. A container read again (SIGHUP) keeps the name it has. */
	if (!c->name || g_strcmp0(c->base, reg.name) != 0) {
		struct name_owner self = { .relay = r, .id = id };

		g_free(c->name);
		g_free(c->base);
		c->name = relay_reg_name_pick(reg.name, name_taken, &self);
		c->base = g_strdup(reg.name);
		if (strcmp(c->name, reg.name) != 0)
			log_info("container %s: the name '%s' is another container's; it is '%s' "
				 "upstream",
				 id, reg.name, c->name);
	}
	c->pid = reg.pid;
	relay_ratelimit_for(&r->cfg, &reg, &rate, &burst);
	relay_ratelimit_init(&c->bucket, rate, burst, now_monotonic_us());
	if (c->fd >= 0)
		return 0;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		e = -errno;
	else
		e = container_socket(r, dir, &c->fd);
	if (e < 0) {
		*why = g_strdup_printf("%s/log: %s", dir, g_strerror(-e));
		/* Out of the table, its directory kept: it may be mounted. */
		g_hash_table_steal(r->containers, id);
		container_free(c);
		return e;
	}
	c->watch = g_unix_fd_add(c->fd, G_IO_IN, container_readable_cb, c);
	log_info("container %s (%s): %s/log", c->name, c->id, dir);
	return 0;
}

static void container_table_free(gpointer p)
{
	struct container *c = p;

	container_close(c, c->relay->cfg.run_dir);
	container_free(c);
}

int relay_drop(struct relay *r, const char *id, char **why)
{
	g_autofree char *regpath = NULL;
	struct container *c;

	if (!relay_reg_id_valid(id)) {
		return fail_why(why, "'%s' is not a container id", id);
	}
	regpath = relay_ctl_path_reg(r->cfg.run_dir, id);
	unlink(regpath);
	c = g_hash_table_lookup(r->containers, id);
	if (!c) {
		*why = g_strdup_printf("no container '%s'", id);
		return -ENOENT;
	}
	/* A container that stops closes its drop window. */
	if (c->win_rate + c->win_queue > 0)
		summary_emit(r, c, now_realtime_us());
	g_hash_table_remove(r->containers, id);
	return 0;
}

struct reg_entry {
	char *id;
	struct timespec mtime;
};

static void reg_entry_free(gpointer p)
{
	struct reg_entry *e = p;

	g_free(e->id);
	g_free(e);
}

/* Registration order: the file's mtime (lensfs-hook writes it whole, once),
 * then the id. */
static gint reg_entry_cmp(gconstpointer a, gconstpointer b)
{
	const struct reg_entry *x = *(struct reg_entry *const *)a;
	const struct reg_entry *y = *(struct reg_entry *const *)b;

	if (x->mtime.tv_sec != y->mtime.tv_sec)
		return x->mtime.tv_sec < y->mtime.tv_sec ? -1 : 1;
	if (x->mtime.tv_nsec != y->mtime.tv_nsec)
		return x->mtime.tv_nsec < y->mtime.tv_nsec ? -1 : 1;
	return strcmp(x->id, y->id);
}

/* Every registration under RUN/reg: at start, the containers of the
 * relay that ran before, and those registered while none ran. In the order
 * they were registered, not the directory's: the container that had a name
 * first keeps it, the others get NAME-N again. */
static void containers_restore(struct relay *r)
{
	g_autofree char *regdir = g_build_filename(r->cfg.run_dir, "reg", NULL);
	g_autoptr(GDir) d = g_dir_open(regdir, 0, NULL);
	g_autoptr(GPtrArray) regs = g_ptr_array_new_with_free_func(reg_entry_free);
	const char *name;

	while (d && (name = g_dir_read_name(d))) {
		g_autofree char *path = NULL;
		struct reg_entry *e;
		struct stat st;

		if (name[0] == '.')
			continue; /* a registration being written */
		path = g_build_filename(regdir, name, NULL);
		e = g_new0(struct reg_entry, 1);
		e->id = g_strdup(name);
		/* Gone meanwhile: container_add says so. */
		if (lstat(path, &st) == 0)
			e->mtime = st.st_mtim;
		g_ptr_array_add(regs, e);
	}
	g_ptr_array_sort(regs, reg_entry_cmp);
	for (guint i = 0; i < regs->len; i++) {
		const struct reg_entry *e = regs->pdata[i];
		g_autofree char *why = NULL;

		if (container_add(r, e->id, &why) < 0)
			log_warn("registration %s: %s", e->id, why);
	}
}

/* --- what the control socket asks (relay_ctl_server.c) ------------------ */

int relay_add(struct relay *r, const char *id, const char **name, char **why)
{
	int e = container_add(r, id, why);

	if (e == 0)
		*name = ((const struct container *)g_hash_table_lookup(r->containers, id))->name;
	return e;
}

void relay_stats(struct relay *r, GString *out)
{
	g_autoptr(GList) ids = g_hash_table_get_keys(r->containers);

	ids = g_list_sort(ids, (GCompareFunc)strcmp);
	relay_upstream_stats(r->up, out);
	for (GList *l = ids; l; l = l->next) {
		const struct container *c = g_hash_table_lookup(r->containers, l->data);
		guint64 dropped = c->n.dropped_rate + c->n.dropped_queue + c->n.dropped_memory +
				  c->account->dropped_failed;

		g_string_append_printf(
			out,
			"container id=%s name=%s pid=%d received=%" G_GUINT64_FORMAT
			" forwarded=%" G_GUINT64_FORMAT " dropped=%" G_GUINT64_FORMAT
			" truncated=%" G_GUINT64_FORMAT " dropped-rate=%" G_GUINT64_FORMAT
			" dropped-queue=%" G_GUINT64_FORMAT " dropped-memory=%" G_GUINT64_FORMAT
			" dropped-failed=%" G_GUINT64_FORMAT " queued=%" G_GUINT64_FORMAT
			" queued-bytes=%" G_GUINT64_FORMAT " rate=%" G_GUINT64_FORMAT
			" burst=%" G_GUINT64_FORMAT "\n",
			c->id, c->name, (int)c->pid, c->n.received, c->account->forwarded, dropped,
			c->n.truncated, c->n.dropped_rate, c->n.dropped_queue, c->n.dropped_memory,
			c->account->dropped_failed, c->account->queued, c->account->queued_bytes,
			c->bucket.rate, c->bucket.burst);
	}
}

/* The control socket's requests, for its server (relay_ctl_server.h). */
static int ctl_add(void *r, const char *id, const char **name, char **why)
{
	return relay_add(r, id, name, why);
}

static int ctl_drop(void *r, const char *id, char **why)
{
	return relay_drop(r, id, why);
}

static void ctl_stats(void *r, GString *out)
{
	relay_stats(r, out);
}

static const struct relay_ctl_ops ctl_ops = { .add = ctl_add,
					      .drop = ctl_drop,
					      .stats = ctl_stats };

/* --- the daemon --------------------------------------------------------- */

static gboolean quit_cb(gpointer data)
{
	struct relay *r = data;

	g_main_loop_quit(r->loop);
	return G_SOURCE_CONTINUE;
}

/* SIGHUP: registrations written by hand or while a request failed. */
static gboolean rescan_cb(gpointer data)
{
	struct relay *r = data;

	containers_restore(r);
	log_info("registrations read again: %u containers", g_hash_table_size(r->containers));
	return G_SOURCE_CONTINUE;
}

static int make_dir(const char *path, mode_t mode, char **why)
{
	if (g_mkdir_with_parents(path, 0755) < 0 || chmod(path, mode) < 0) {
		int e = -errno;

		*why = g_strdup_printf("%s: %s", path, g_strerror(errno));
		return e;
	}
	return 0;
}

/* One relay a run directory: a second would take the control socket and
 * rebind every container's socket from under the first. */
static int relay_lock(struct relay *r, char **why)
{
	g_autofree char *path = g_build_filename(r->cfg.run_dir, "lock", NULL);

	r->lock_fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (r->lock_fd < 0) {
		int e = -errno;

		*why = g_strdup_printf("%s: %s", path, g_strerror(errno));
		return e;
	}
	if (flock(r->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		int e = -errno;

		*why = errno == EWOULDBLOCK
			       ? g_strdup_printf("another lensfs-relay runs on %s (%s is locked)",
						 r->cfg.run_dir, path)
			       : g_strdup_printf("%s: %s", path, g_strerror(errno));
		return e;
	}
	return 0;
}

int relay_new(const struct relay_config *cfg, struct relay **out, char **why)
{
	struct relay *r = g_new0(struct relay, 1);
	g_autofree char *regdir = g_build_filename(cfg->run_dir, "reg", NULL);
	g_autofree char *cdir = g_build_filename(cfg->run_dir, "c", NULL);
	int e;

	*why = NULL;
	r->cfg = *cfg;
	r->cfg.run_dir = g_strdup(cfg->run_dir);
	r->cfg.path = g_strdup(cfg->path);
	r->cfg.address = g_strdup(cfg->address);
	r->lock_fd = -1;
	r->buf = g_malloc(cfg->max_message);
	{
		char host[HOST_NAME_MAX + 1] = "";

		/* Truncated or failing: an empty name, which compares equal
		 * to none (localhost is still refused). */
		if (gethostname(host, sizeof(host)) < 0)
			host[0] = '\0';
		host[HOST_NAME_MAX] = '\0';
		r->hostname = g_strdup(host);
	}
	r->containers = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, container_table_free);
	r->loop = g_main_loop_new(NULL, FALSE);
	*out = r;
	if ((e = make_dir(cfg->run_dir, 0755, why)) < 0 || (e = make_dir(regdir, 0700, why)) < 0 ||
	    (e = make_dir(cdir, 0755, why)) < 0)
		return e;
	e = relay_lock(r, why);
	if (e < 0)
		return e;
	e = relay_upstream_new(&r->cfg, &r->up, why);
	if (e < 0)
		return e;
	e = relay_ctl_server_new(&ctl_ops, r, r->cfg.run_dir, &r->ctl, why);
	if (e < 0)
		return e;
	containers_restore(r);
	relay_upstream_start(r->up);
	r->signals[0] = g_unix_signal_add(SIGTERM, quit_cb, r);
	r->signals[1] = g_unix_signal_add(SIGINT, quit_cb, r);
	r->signals[2] = g_unix_signal_add(SIGHUP, rescan_cb, r);
	signal(SIGPIPE, SIG_IGN);
	log_info("relaying %u containers to %s", g_hash_table_size(r->containers),
		 relay_config_target_name(cfg->target));
	return 0;
}

void relay_run(struct relay *r)
{
	g_main_loop_run(r->loop);
}

void relay_free(struct relay *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < G_N_ELEMENTS(r->signals); i++)
		if (r->signals[i])
			g_source_remove(r->signals[i]);
	if (r->summary_timer)
		g_source_remove(r->summary_timer);
	relay_ctl_server_free(r->ctl);
	relay_upstream_free(r->up);
	/* Directories stay (containers have them mounted) and so do
	 * registrations: the next relay binds a new socket in each. */
	{
		GHashTableIter it;
		gpointer v;

		g_hash_table_iter_init(&it, r->containers);
		while (g_hash_table_iter_next(&it, NULL, &v)) {
			struct container *c = v;

			g_hash_table_iter_steal(&it);
			container_close(c, NULL);
			container_free(c);
		}
	}
	g_hash_table_unref(r->containers);
	g_main_loop_unref(r->loop);
	g_free(r->buf);
	g_free(r->hostname);
	if (r->lock_fd >= 0)
		close(r->lock_fd);
	relay_config_clear(&r->cfg);
	g_free(r);
}
