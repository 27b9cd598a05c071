/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "sysinfo_keeper.h"
#include "json.h"
#include "log.h"
#include "procfs.h"
#include "sdnotify.h"
#include "sysinfo_agent.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

/* A process state is a few kB (the container's annotations); fds a
 * runtime sends at once (runc: one). */
#define STATE_MAX (64 * 1024)
#define FDS_MAX	  8
/* How long a runtime may take to send its state, once connected, and how
 * many may be connected and not done at once (the oldest goes beyond). */
#define CONN_TIMEOUT_US (10 * G_USEC_PER_SEC)
#define CONNS_MAX	64

/* Calls of one container forwarded and not yet answered, at most: a
 * container whose threads all call cannot fill a worker's queue ahead of
 * the others. */
#define CALLS_PER_CONTAINER 4

/*
 * Under systemd, the socket, every listener and the calls received and not
 * yet answered are in the service's descriptor store too: a supervisor
 * that dies (its worker with it, KillMode=mixed) leaves them to the next
 * start, which answers those calls. A listener is stored under its
 * container's first pid and that pid's start time (unique while the pid
 * lives). The calls are in a memfd, mapped: a row per listener, a slot
 * per call it may have at the workers, into which the kernel itself writes
 * the notification it gives (SECCOMP_IOCTL_NOTIF_RECV): whole once the
 * ioctl returns, even if the supervisor is killed then. A slot is zeroed
 * when its call is answered.
 */
#define STORE_SOCKET   "lensfs-sysinfo-socket"
#define STORE_CALLS    "lensfs-sysinfo-calls"
#define STORE_LISTENER "lensfs-sysinfo." /* PID.START */

struct row_head {
	int32_t first; /* the listener's pid; 0: a free row */
	uint32_t pad;
	uint64_t start; /* of that pid */
};

#define SLOT_SIZE NOTIFY_SIZE_MAX
#define ROW_SIZE  (sizeof(struct row_head) + CALLS_PER_CONTAINER * SLOT_SIZE)

struct held {
	uint64_t key; /* the workers know it by that */
	int fd;
	pid_t pid;
	uint64_t start; /* pid's, in clock ticks after boot */
	GPtrArray *calls; /* struct pending: received, not answered (owned) */
	int row; /* in the calls' record; -1: none */
	unsigned int slots; /* of the row, taken: a bit each */
	bool waiting; /* its share at the workers: not polled for calls */
};

/* A call received and not yet answered, and the channel of the worker
 * that has it (-1: none yet, or its worker went). */
struct pending {
	uint64_t key;
	struct notify_call call;
	int chan;
	int slot; /* in the calls' record; -1: none */
};

/*
 * Work per call is bounded whatever the number of containers: the
 * descriptors are in an epoll set (the supervisor polls its one
 * descriptor), a listener by its key, a channel by its number; a
 * container's calls are its own, and the calls no worker has wait in a
 * queue, in the order received.
 */
#define TAG_SOCK (UINT64_C(1) << 63)
#define TAG_CHAN (UINT64_C(1) << 62)
#define TAG_CONN (UINT64_C(1) << 61)

struct sysinfo_keeper {
	char *path;
	int sock;
	int ep;
	uint64_t next_key;
	GHashTable *held; /* key -> struct held (owned) */
	GArray *chans; /* int: the workers' channels, the newest last */
	GQueue queue; /* struct pending: no worker has it */
	GQueue conns; /* struct conn (owned), the oldest first */
	uint64_t next_conn;
	unsigned int pending; /* calls received, not answered */
	int calls_fd; /* the calls' record; -1: no descriptor store */
	char *rec; /* mapped */
	unsigned int rows; /* mapped */
};

static struct held *held_by_key(struct sysinfo_keeper *k, uint64_t key)
{
	return g_hash_table_lookup(k->held, &key);
}

static void held_free(gpointer data)
{
	struct held *h = data;

	close(h->fd);
	g_ptr_array_unref(h->calls);
	g_free(h);
}

static void watch(struct sysinfo_keeper *k, int op, int fd, uint32_t events, uint64_t tag)
{
	struct epoll_event ev = { .events = events, .data.u64 = tag };

	if (epoll_ctl(k->ep, op, fd, &ev) < 0 && op != EPOLL_CTL_DEL)
		log_warn("sysinfo: epoll_ctl: %s", g_strerror(errno));
}

/* A container with its share of calls at the workers is not polled for
 * more: they wait in the kernel (it still hears of the container's end). */
static void share(struct sysinfo_keeper *k, struct held *h)
{
	bool full = h->calls->len >= CALLS_PER_CONTAINER;

	if (full != h->waiting)
		watch(k, EPOLL_CTL_MOD, h->fd, full ? 0 : EPOLLIN, h->key);
	h->waiting = full;
}

/* A listener taken in (fd, pid and start set). */
static struct held *add_held(struct sysinfo_keeper *k, const struct held *from)
{
	struct held *h = g_new0(struct held, 1);

	*h = *from;
	h->key = ++k->next_key;
	h->row = -1;
	h->calls = g_ptr_array_new_with_free_func(g_free);
	g_hash_table_insert(k->held, &h->key, h);
	watch(k, EPOLL_CTL_ADD, h->fd, EPOLLIN, h->key);
	return h;
}

/* A call of h's, received here or by a predecessor, that no worker has. */
static struct pending *add_call(struct sysinfo_keeper *k, struct held *h,
				const struct notify_call *call)
{
	struct pending *p = g_new0(struct pending, 1);

	p->key = h->key;
	p->call = *call;
	p->chan = -1;
	p->slot = -1;
	g_ptr_array_add(h->calls, p);
	g_queue_push_tail(&k->queue, p);
	k->pending++;
	share(k, h);
	return p;
}

/* A runtime's connection, until its state is whole. */
struct conn {
	uint64_t tag;
	int fd;
	int64_t deadline;
	GByteArray *text;
	int fds[FDS_MAX];
	unsigned int nfds;
};

static void conn_free(struct sysinfo_keeper *k, struct conn *c)
{
	g_queue_remove(&k->conns, c);
	watch(k, EPOLL_CTL_DEL, c->fd, 0, 0);
	close(c->fd);
	for (unsigned int i = 0; i < c->nfds; i++)
		close(c->fds[i]);
	g_byte_array_unref(c->text);
	g_free(c);
}

/* Tells systemd to keep fd under name or, fd < 0, to let go of every
 * descriptor it keeps under that name. */
static void store(const char *name, int fd)
{
	g_autofree char *msg =
		g_strdup_printf("%s=1\nFDNAME=%s", fd >= 0 ? "FDSTORE" : "FDSTOREREMOVE", name);
	int r = sdnotify_send(msg, fd >= 0 ? &fd : NULL, fd >= 0 ? 1 : 0);

	if (r < 0)
		log_warn("sysinfo: systemd's store, %s: %s", name, g_strerror(-r));
}

static void store_listener(struct sysinfo_keeper *k, const struct held *h, bool keep)
{
	g_autofree char *name = NULL;

	if (k->calls_fd < 0)
		return;
	name = g_strdup_printf(STORE_LISTENER "%d.%" PRIu64, (int)h->pid, h->start);
	store(name, keep ? h->fd : -1);
}

/* When pid started (its main thread's stat: the process's sums every
 * thread's), 0 if it has gone. */
static uint64_t start_of(pid_t pid)
{
	g_autofree char *text = NULL;
	uint64_t ticks = 0;

	if (file_read_allf(&text, "/proc/%d/task/%d/stat", (int)pid, (int)pid) < 0 ||
	    proc_stat_starttime(text, &ticks) < 0)
		return 0;
	return ticks;
}

static struct row_head *row_at(struct sysinfo_keeper *k, int row)
{
	return (struct row_head *)(k->rec + (size_t)row * ROW_SIZE);
}

static void *slot_at(struct sysinfo_keeper *k, int slot)
{
	return k->rec + (size_t)(slot / CALLS_PER_CONTAINER) * ROW_SIZE + sizeof(struct row_head) +
	       (size_t)(slot % CALLS_PER_CONTAINER) * SLOT_SIZE;
}

/* Room for rows (the record doubles): false, and no record any more, if
 * there is none. */
static bool record_rows(struct sysinfo_keeper *k, unsigned int rows)
{
	unsigned int want = MAX(k->rows, 16u);
	void *map;

	if (rows <= k->rows)
		return true;
	while (want < rows)
		want *= 2;
	if (ftruncate(k->calls_fd, (off_t)(want * ROW_SIZE)) < 0)
		map = MAP_FAILED;
	else if (k->rec)
		map = mremap(k->rec, k->rows * ROW_SIZE, want * ROW_SIZE, MREMAP_MAYMOVE);
	else
		map = mmap(NULL, want * ROW_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, k->calls_fd,
			   0);
	if (map == MAP_FAILED) {
		log_warn("sysinfo: the calls' record: %s", g_strerror(errno));
		return false;
	}
	k->rec = map;
	k->rows = want;
	return true;
}

/* A row of the calls' record for h, if there is a record. */
static void take_row(struct sysinfo_keeper *k, struct held *h)
{
	unsigned int r = 0;

	h->row = -1;
	h->slots = 0;
	if (k->calls_fd < 0)
		return;
	while (r < k->rows && row_at(k, (int)r)->first)
		r++;
	if (!record_rows(k, r + 1))
		return;
	h->row = (int)r;
	*row_at(k, h->row) = (struct row_head){ .first = h->pid, .start = h->start };
}

static void free_row(struct sysinfo_keeper *k, struct held *h)
{
	if (h->row < 0)
		return;
	memset(row_at(k, h->row), 0, ROW_SIZE);
	h->row = -1;
}

/* A free slot of h's row, or -1. */
static int free_slot(const struct held *h)
{
	unsigned int s = 0;

	if (h->row < 0)
		return -1;
	while (s < CALLS_PER_CONTAINER && (h->slots & (1u << s)))
		s++;
	return s < CALLS_PER_CONTAINER ? h->row * CALLS_PER_CONTAINER + (int)s : -1;
}

static void take_slot(struct held *h, struct pending *p, int slot)
{
	h->slots |= 1u << (slot % CALLS_PER_CONTAINER);
	p->slot = slot;
}

/* p, a call on h received by another supervisor, in h's row. */
static void note_call(struct sysinfo_keeper *k, struct held *h, struct pending *p)
{
	int slot = free_slot(h);

	p->slot = -1;
	if (slot < 0)
		return;
	notify_call_put(&p->call, slot_at(k, slot));
	take_slot(h, p, slot);
}

static void forget_call(struct sysinfo_keeper *k, struct held *h, struct pending *p)
{
	if (p->slot < 0 || !h || h->row < 0)
		return;
	memset(slot_at(k, p->slot), 0, SLOT_SIZE);
	h->slots &= ~(1u << (p->slot % CALLS_PER_CONTAINER));
	p->slot = -1;
}

int sysinfo_state_parse(const char *text, size_t len, unsigned int nfds, unsigned int *index,
			pid_t *pid)
{
	g_autoptr(json_value) o = NULL;
	g_autofree char *why = NULL;
	const struct json_value *fds, *p;
	int64_t v = 0;

	if (json_parse_object(text, len, &o, &why) < 0)
		return -EINVAL;
	fds = json_member(o, "fds");
	p = json_member(o, "pid");
	if (!fds || fds->type != JSON_ARRAY || fds->items->len != nfds || !p ||
	    json_int64(p, &v) < 0 || v <= 0 || v > INT_MAX)
		return -EINVAL;
	for (guint i = 0; i < fds->items->len; i++) {
		const struct json_value *name = g_ptr_array_index(fds->items, i);

		if (name->type == JSON_STRING && strcmp(name->text, "seccompFd") == 0) {
			*index = i;
			*pid = (pid_t)v;
			return 0;
		}
	}
	return -ENOENT;
}

static int listen_on(const char *path)
{
	struct sockaddr_un sa;
	socklen_t len;
	int r = unix_addr(path, &sa, &len);
	int fd;

	if (r < 0)
		return r;
	{
		g_autofree char *dir = g_path_get_dirname(path);

		if (g_mkdir_with_parents(dir, 0755) < 0)
			return -errno;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	unlink(path); /* a predecessor's that nothing listens on */
	if (bind(fd, (struct sockaddr *)&sa, len) < 0 || chmod(path, 0600) < 0 ||
	    listen(fd, 64) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

/* "SOCKET;FD/PID/START,...;INDEX/ID/PID/ADDR/ANSWERABLE/CHAN,...;FD,...":
 * the socket, the listeners, the calls received and not answered (their
 * listener by its place in the list; CHAN: the place of the channel of the
 * worker that has it, -1 for none), and the workers' channels. A
 * predecessor may give no START, no CHAN and no channels (it handed only
 * the calls no worker had). */
static int take_over(struct sysinfo_keeper *k, const char *handed)
{
	g_auto(GStrv) parts = g_strsplit(handed, ";", 4);
	g_auto(GStrv) items = NULL, calls = NULL, chans = NULL;
	g_autoptr(GPtrArray) order = g_ptr_array_new();
	int n = 0;

	if (!parts[0] || sscanf(parts[0], "%d%n", &k->sock, &n) != 1 || parts[0][n] || k->sock < 0)
		return -EINVAL;
	fcntl(k->sock, F_SETFD, FD_CLOEXEC);
	items = g_strsplit(parts[1] ? parts[1] : "", ",", -1);
	for (char **i = items; *i; i++) {
		struct held h = { 0 };
		int more = 0;

		if (!**i)
			continue;
		if (sscanf(*i, "%d/%d%n", &h.fd, &h.pid, &n) != 2 || h.fd < 0 ||
		    ((*i)[n] &&
		     (sscanf(*i + n, "/%" SCNu64 "%n", &h.start, &more) != 1 || (*i)[n + more])))
			return -EINVAL;
		if (!(*i)[n])
			h.start = start_of(h.pid);
		fcntl(h.fd, F_SETFD, FD_CLOEXEC);
		g_ptr_array_add(order, add_held(k, &h));
	}
	/* The workers' channels first: the calls name them. */
	chans = g_strsplit(parts[1] && parts[2] && parts[3] ? parts[3] : "", ",", -1);
	for (char **c = chans; *c; c++) {
		int chan;

		if (!**c)
			continue;
		if (sscanf(*c, "%d%n", &chan, &n) != 1 || (*c)[n] || chan < 0)
			return -EINVAL;
		fcntl(chan, F_SETFD, FD_CLOEXEC);
		sysinfo_keeper_add_channel(k, chan);
	}
	calls = g_strsplit(parts[1] && parts[2] ? parts[2] : "", ",", -1);
	for (char **c = calls; *c; c++) {
		unsigned int index, answerable;
		uint64_t id, addr;
		int pid, chan = -1, more = 0;
		struct pending *p;

		if (!**c)
			continue;
		if (sscanf(*c, "%u/%" SCNu64 "/%d/%" SCNu64 "/%u%n", &index, &id, &pid, &addr,
			   &answerable, &n) != 5 ||
		    ((*c)[n] && (sscanf(*c + n, "/%d%n", &chan, &more) != 1 || (*c)[n + more])) ||
		    index >= order->len || chan >= (int)k->chans->len)
			return -EINVAL;
		p = add_call(k, g_ptr_array_index(order, index),
			     &(struct notify_call){ id, (pid_t)pid, answerable != 0, addr });
		/* One a worker has stays with it: its answer comes on its
		 * channel, or, if it goes first, the call goes to the next. */
		if (chan >= 0) {
			g_queue_remove(&k->queue, p);
			p->chan = g_array_index(k->chans, int, chan);
		}
	}
	return 0;
}

/* The socket systemd kept, if it is still the one listening on path. */
static int adopt_socket(const char *path)
{
	int fd = sdnotify_listen_fd(STORE_SOCKET), listening = 0;
	socklen_t len = sizeof(struct sockaddr_un), size = sizeof(listening);
	struct sockaddr_un sa = { 0 };
	struct stat st;

	if (fd < 0)
		return -ENOENT;
	if (getsockname(fd, (struct sockaddr *)&sa, &len) < 0 || sa.sun_family != AF_UNIX ||
	    strncmp(sa.sun_path, path, sizeof(sa.sun_path)) != 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &size) < 0 || !listening ||
	    stat(path, &st) < 0 || !S_ISSOCK(st.st_mode)) {
		close(fd);
		return -ENOENT;
	}
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	return fd;
}

/* A listener systemd kept, under STORE_LISTENER PID.START. */
static void adopt_listener(const char *name, int fd, void *data)
{
	struct sysinfo_keeper *k = data;
	struct held h = { .fd = fd, .row = -1 };
	g_autofree char *link = g_strdup_printf("/proc/self/fd/%d", fd);
	g_autofree char *what = NULL;
	int pid = 0, n = 0;

	if (sscanf(name + strlen(STORE_LISTENER), "%d.%" SCNu64 "%n", &pid, &h.start, &n) != 2 ||
	    name[strlen(STORE_LISTENER) + (size_t)n] || pid <= 0 || link_read(link, &what) < 0 ||
	    strcmp(what, "anon_inode:seccomp notify") != 0) {
		log_warn("sysinfo: systemd kept %s, not a listener: let go", name);
		store(name, -1);
		close(fd);
		return;
	}
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	h.pid = pid;
	add_held(k, &h);
}

/* The calls a dead supervisor had received and not seen answered: asked
 * again of the next worker (one answered meanwhile is not pending any
 * more, and the worker leaves it). */
static void adopt_calls(struct sysinfo_keeper *k, int fd)
{
	g_autofree char *text = NULL;
	size_t len = 0;

	if (lseek(fd, 0, SEEK_SET) < 0 || fd_read_all(fd, 256u << 20, &text, &len) < 0)
		len = 0;
	close(fd);
	for (size_t off = 0; off + ROW_SIZE <= len; off += ROW_SIZE) {
		struct row_head head;
		struct held *h = NULL;
		GHashTableIter it;
		gpointer value;

		memcpy(&head, text + off, sizeof(head));
		g_hash_table_iter_init(&it, k->held);
		while (head.first && !h && g_hash_table_iter_next(&it, NULL, &value)) {
			if (((struct held *)value)->pid == head.first &&
			    ((struct held *)value)->start == head.start)
				h = value;
		}
		for (unsigned int s = 0; h && s < CALLS_PER_CONTAINER; s++) {
			struct notify_call call;

			notify_call_of(text + off + sizeof(head) + s * SLOT_SIZE, &call);
			if (call.id)
				add_call(k, h, &call);
		}
	}
}

/* Under a service manager: a new calls' record, and the socket, the
 * listeners and the calls held, in its store. (systemd keeps a descriptor
 * once, however often it is given.) */
static void store_all(struct sysinfo_keeper *k)
{
	GHashTableIter it;
	gpointer value;

	if (!getenv("NOTIFY_SOCKET"))
		return;
	k->calls_fd = memfd_create("lensfs-sysinfo-calls", MFD_CLOEXEC);
	if (k->calls_fd < 0) {
		log_warn("sysinfo: no calls' record: %s", g_strerror(errno));
		return;
	}
	store(STORE_CALLS, -1);
	store(STORE_CALLS, k->calls_fd);
	store(STORE_SOCKET, -1);
	store(STORE_SOCKET, k->sock);
	g_hash_table_iter_init(&it, k->held);
	while (g_hash_table_iter_next(&it, NULL, &value)) {
		struct held *h = value;

		take_row(k, h);
		store_listener(k, h, true);
		for (guint j = 0; j < h->calls->len; j++)
			note_call(k, h, g_ptr_array_index(h->calls, j));
	}
}

struct sysinfo_keeper *sysinfo_keeper_new(const char *path, const char *handed, int *err)
{
	struct sysinfo_keeper *k = g_new0(struct sysinfo_keeper, 1);

	k->path = g_strdup(path);
	k->held = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, held_free);
	k->chans = g_array_new(FALSE, FALSE, sizeof(int));
	g_queue_init(&k->queue);
	g_queue_init(&k->conns);
	k->sock = -1;
	k->calls_fd = -1;
	k->ep = epoll_create1(EPOLL_CLOEXEC);
	if (k->ep < 0)
		*err = -errno;
	else if (handed)
		*err = take_over(k, handed);
	else
		*err = (k->sock = adopt_socket(path)) >= 0 || (k->sock = listen_on(path)) >= 0
			       ? 0
			       : k->sock;
	if (*err < 0) {
		sysinfo_keeper_free(k, false);
		return NULL;
	}
	watch(k, EPOLL_CTL_ADD, k->sock, EPOLLIN, TAG_SOCK);
	if (!handed) {
		int calls = sdnotify_listen_fd(STORE_CALLS);

		sdnotify_listen_each(STORE_LISTENER, adopt_listener, k);
		if (calls >= 0)
			adopt_calls(k, calls);
		if (g_hash_table_size(k->held))
			log_info("sysinfo: %u listeners and %u calls systemd kept",
				 g_hash_table_size(k->held), k->pending);
	}
	store_all(k);
	return k;
}

void sysinfo_keeper_free(struct sysinfo_keeper *k, bool unlink_path)
{
	GHashTableIter it;
	gpointer value;

	if (!k)
		return;
	if (unlink_path && k->calls_fd >= 0) {
		/* A stop: systemd must not keep them either. */
		store(STORE_SOCKET, -1);
		store(STORE_CALLS, -1);
		g_hash_table_iter_init(&it, k->held);
		while (g_hash_table_iter_next(&it, NULL, &value))
			store_listener(k, value, false);
	}
	if (k->sock >= 0)
		close(k->sock);
	if (unlink_path && k->sock >= 0)
		unlink(k->path);
	if (k->rec)
		munmap(k->rec, k->rows * ROW_SIZE);
	if (k->calls_fd >= 0)
		close(k->calls_fd);
	for (guint i = 0; i < k->chans->len; i++)
		close(g_array_index(k->chans, int, i));
	g_queue_clear(&k->queue);
	while (k->conns.head)
		conn_free(k, k->conns.head->data);
	g_hash_table_unref(k->held);
	g_array_unref(k->chans);
	if (k->ep >= 0)
		close(k->ep);
	g_free(k->path);
	g_free(k);
}

int sysinfo_keeper_fd(struct sysinfo_keeper *k)
{
	return k->ep;
}

static void forget_chan(struct sysinfo_keeper *k, guint i)
{
	int chan = g_array_index(k->chans, int, i);
	GHashTableIter it;
	gpointer value;

	/* Its worker has gone: its calls go to the next, first. */
	g_hash_table_iter_init(&it, k->held);
	while (g_hash_table_iter_next(&it, NULL, &value)) {
		GPtrArray *calls = ((struct held *)value)->calls;

		for (guint j = 0; j < calls->len; j++) {
			struct pending *p = g_ptr_array_index(calls, j);

			if (p->chan == chan) {
				p->chan = -1;
				g_queue_push_head(&k->queue, p);
			}
		}
	}
	watch(k, EPOLL_CTL_DEL, chan, 0, 0);
	close(chan);
	g_array_remove_index(k->chans, i);
}

/* Sends m to every channel; one whose worker has gone goes. (A full one
 * misses it: a DROP only lets a worker forget a container sooner.) */
static void to_all(struct sysinfo_keeper *k, const struct sysinfo_msg *m)
{
	for (guint i = 0; i < k->chans->len;) {
		int r = sysinfo_msg_send(g_array_index(k->chans, int, i), m, -1, false);

		if (r < 0 && r != -EAGAIN)
			forget_chan(k, i);
		else
			i++;
	}
}

/* The calls no worker has go to the newest one, each with its listener, in
 * the order received, until its channel is full (the worker's answers
 * wake the supervisor for the rest). */
static void assign(struct sysinfo_keeper *k)
{
	int chan = k->chans->len ? g_array_index(k->chans, int, k->chans->len - 1) : -1;
	struct pending *p;

	while (chan >= 0 && (p = g_queue_peek_head(&k->queue))) {
		const struct held *h = held_by_key(k, p->key);
		struct sysinfo_msg m = { .kind = SYSINFO_CALL,
					 .pid = p->call.pid,
					 .first = h->pid,
					 .answerable = p->call.answerable,
					 .key = p->key,
					 .id = p->call.id,
					 .addr = p->call.addr };

		if (sysinfo_msg_send(chan, &m, h->fd, false) < 0)
			return;
		p->chan = chan;
		g_queue_pop_head(&k->queue);
	}
}

static void done(struct sysinfo_keeper *k, const struct sysinfo_msg *m)
{
	struct held *h = held_by_key(k, m->key);

	for (guint j = 0; h && j < h->calls->len; j++) {
		struct pending *p = g_ptr_array_index(h->calls, j);

		if (p->call.id != m->id)
			continue;
		if (p->chan < 0)
			g_queue_remove(&k->queue, p);
		forget_call(k, h, p);
		g_ptr_array_remove_index_fast(h->calls, j);
		k->pending--;
		share(k, h);
		return;
	}
}

/* A call on h: received here (into its slot of the record, if there is
 * one), answered by a worker. */
static void receive(struct sysinfo_keeper *k, struct held *h)
{
	struct notify_call call;
	int slot = free_slot(h);
	int r = slot >= 0 ? notify_recv_in(h->fd, slot_at(k, slot), SLOT_SIZE, &call) : -EMSGSIZE;

	if (r == -EMSGSIZE) {
		slot = -1;
		r = notify_recv(h->fd, &call);
	}
	if (r < 0)
		return; /* its caller went away meanwhile */
	{
		struct pending *p = add_call(k, h, &call);

		if (slot >= 0)
			take_slot(h, p, slot);
	}
}

/* The container of h has gone: its listener, and its calls (their
 * callers are gone with it). */
static void let_go(struct sysinfo_keeper *k, struct held *h)
{
	struct sysinfo_msg m = { .kind = SYSINFO_DROP, .key = h->key };

	for (guint j = 0; j < h->calls->len; j++) {
		struct pending *p = g_ptr_array_index(h->calls, j);

		if (p->chan < 0)
			g_queue_remove(&k->queue, p);
	}
	k->pending -= h->calls->len;
	to_all(k, &m);
	free_row(k, h);
	store_listener(k, h, false);
	watch(k, EPOLL_CTL_DEL, h->fd, 0, 0);
	g_hash_table_remove(k->held, &h->key);
}

/* The listener a whole state names, taken; the other descriptors closed. */
static void take_listener(struct sysinfo_keeper *k, struct conn *c, unsigned int index, pid_t pid)
{
	struct held h = { .fd = c->fds[index], .pid = pid }, *added;

	c->fds[index] = c->fds[--c->nfds];
	h.start = start_of(h.pid);
	added = add_held(k, &h);
	take_row(k, added);
	store_listener(k, added, true);
	log_debug("sysinfo: the listener of the container of pid %d", (int)h.pid);
}

/* What a runtime's connection brings, as it comes: runc and crun send the
 * state and the listener in one message, and keep the connection open as
 * long as their process runs; under load a runtime may connect well
 * before it sends. Nothing here waits: the connection is polled until its
 * state is whole (then closed), ends, or is too slow (CONN_TIMEOUT_US). */
static void conn_read(struct sysinfo_keeper *k, struct conn *c)
{
	for (;;) {
		char buf[4096], ctl[CMSG_SPACE(FDS_MAX * sizeof(int))];
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr m = { .msg_iov = &iov,
				    .msg_iovlen = 1,
				    .msg_control = ctl,
				    .msg_controllen = sizeof(ctl) };
		ssize_t n = recvmsg(c->fd, &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		unsigned int index = 0;
		pid_t pid = 0;
		int r;

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		for (struct cmsghdr *h = n > 0 ? CMSG_FIRSTHDR(&m) : NULL; h;
		     h = CMSG_NXTHDR(&m, h)) {
			int count = (int)((h->cmsg_len - CMSG_LEN(0)) / sizeof(int));

			if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS)
				continue;
			for (int i = 0; i < count; i++) {
				int fd;

				memcpy(&fd, CMSG_DATA(h) + i * sizeof(int), sizeof(int));
				if (c->nfds < FDS_MAX)
					c->fds[c->nfds++] = fd;
				else
					close(fd);
			}
		}
		if (n > 0)
			g_byte_array_append(c->text, (const guint8 *)buf, (guint)n);
		r = c->text->len > STATE_MAX ? -EMSGSIZE
		    : c->nfds ? sysinfo_state_parse((const char *)c->text->data, c->text->len,
						    c->nfds, &index, &pid)
			      : -EBADMSG;
		if (r == 0) {
			take_listener(k, c, index, pid);
			conn_free(k, c);
			return;
		}
		/* A state in pieces reads as not JSON until it is whole. */
		if (n > 0 && (r == -EINVAL || r == -EBADMSG))
			continue;
		log_warn("sysinfo: a runtime's message that is not a process state with a "
			 "listener (%s): dropped",
			 g_strerror(r == -EBADMSG || r == -EINVAL ? EBADMSG : -r));
		conn_free(k, c);
		return;
	}
}

static void accept_conn(struct sysinfo_keeper *k)
{
	struct conn *c;
	int fd = accept4(k->sock, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0)
		return;
	if (g_queue_get_length(&k->conns) >= CONNS_MAX) {
		log_warn("sysinfo: %u runtimes connected and not done sending: the oldest "
			 "dropped",
			 CONNS_MAX);
		conn_free(k, g_queue_peek_head(&k->conns));
	}
	c = g_new0(struct conn, 1);
	c->tag = TAG_CONN | ++k->next_conn;
	c->fd = fd;
	c->deadline = g_get_monotonic_time() + CONN_TIMEOUT_US;
	c->text = g_byte_array_new();
	g_queue_push_tail(&k->conns, c);
	watch(k, EPOLL_CTL_ADD, fd, EPOLLIN, c->tag);
	conn_read(k, c);
}

/* The connections too slow to send a whole state (the oldest first). */
static void conns_expire(struct sysinfo_keeper *k)
{
	struct conn *c;

	while ((c = g_queue_peek_head(&k->conns)) && c->deadline < g_get_monotonic_time()) {
		log_warn("sysinfo: a runtime sent no whole process state within %d s: dropped",
			 (int)(CONN_TIMEOUT_US / G_USEC_PER_SEC));
		conn_free(k, c);
	}
}

static struct conn *conn_by_tag(struct sysinfo_keeper *k, uint64_t tag)
{
	for (GList *l = k->conns.head; l; l = l->next)
		if (((struct conn *)l->data)->tag == tag)
			return l->data;
	return NULL;
}

/* A worker's news: calls answered, or its end. */
static void from_chan(struct sysinfo_keeper *k, int chan)
{
	struct sysinfo_msg m;
	int fd, r;
	guint i = 0;

	while ((r = sysinfo_msg_recv(chan, &m, &fd, false)) == 0 || r == -EBADMSG) {
		if (fd >= 0)
			close(fd);
		if (r == 0 && m.kind == SYSINFO_DONE)
			done(k, &m);
	}
	if (r == -EAGAIN || r == -EINTR)
		return;
	while (i < k->chans->len && g_array_index(k->chans, int, i) != chan)
		i++;
	if (i < k->chans->len)
		forget_chan(k, i);
}

void sysinfo_keeper_run(struct sysinfo_keeper *k)
{
	struct epoll_event ev[64];
	int n = epoll_wait(k->ep, ev, G_N_ELEMENTS(ev), 0);

	for (int i = 0; i < n; i++) {
		uint64_t tag = ev[i].data.u64;
		struct held *h;
		struct conn *c;

		if (tag == TAG_SOCK) {
			accept_conn(k);
		} else if (tag & TAG_CONN) {
			if ((c = conn_by_tag(k, tag)))
				conn_read(k, c);
		} else if (tag & TAG_CHAN) {
			from_chan(k, (int)(tag & ~TAG_CHAN));
		} else if ((h = held_by_key(k, tag))) {
			/* (A container let go earlier in this round is not found.) */
			if (ev[i].events & (EPOLLHUP | EPOLLERR))
				let_go(k, h);
			else if (ev[i].events & EPOLLIN && !h->waiting)
				receive(k, h);
		}
	}
	conns_expire(k);
	assign(k);
}

void sysinfo_keeper_add_channel(struct sysinfo_keeper *k, int chan)
{
	g_array_append_val(k->chans, chan);
	watch(k, EPOLL_CTL_ADD, chan, EPOLLIN, TAG_CHAN | (uint64_t)chan);
	assign(k);
}

unsigned int sysinfo_keeper_pending(struct sysinfo_keeper *k)
{
	return k->pending;
}

char *sysinfo_keeper_handed(struct sysinfo_keeper *k, bool on)
{
	GString *s = g_string_new(NULL), *calls = g_string_new(NULL);
	GHashTableIter it;
	gpointer value;
	guint index = 0;

	g_string_printf(s, "%d;", k->sock);
	fcntl(k->sock, F_SETFD, on ? 0 : FD_CLOEXEC);
	g_hash_table_iter_init(&it, k->held);
	while (g_hash_table_iter_next(&it, NULL, &value)) {
		const struct held *h = value;

		g_string_append_printf(s, "%s%d/%d/%" PRIu64, index ? "," : "", h->fd, (int)h->pid,
				       h->start);
		fcntl(h->fd, F_SETFD, on ? 0 : FD_CLOEXEC);
		/* Every call not answered, with the place of the channel of the
		 * worker that has it: that worker (retiring) answers what its
		 * channel holds, and if it dies first the successor knows. */
		for (guint j = 0; j < h->calls->len; j++) {
			const struct pending *p = g_ptr_array_index(h->calls, j);
			guint c = 0;

			while (p->chan >= 0 && c < k->chans->len &&
			       g_array_index(k->chans, int, c) != p->chan)
				c++;
			g_string_append_printf(calls, "%s%u/%" PRIu64 "/%d/%" PRIu64 "/%u/%d",
					       calls->len ? "," : "", index, p->call.id,
					       (int)p->call.pid, p->call.addr,
					       p->call.answerable ? 1u : 0u,
					       p->chan >= 0 && c < k->chans->len ? (int)c : -1);
		}
		index++;
	}
	g_string_append_c(s, ';');
	g_string_append(s, calls->str);
	g_string_append_c(s, ';');
	for (guint c = 0; c < k->chans->len; c++) {
		int chan = g_array_index(k->chans, int, c);

		g_string_append_printf(s, "%s%d", c ? "," : "", chan);
		fcntl(chan, F_SETFD, on ? 0 : FD_CLOEXEC);
	}
	g_string_free(calls, TRUE);
	return g_string_free(s, FALSE);
}

unsigned int sysinfo_keeper_size(struct sysinfo_keeper *k)
{
	return g_hash_table_size(k->held);
}
