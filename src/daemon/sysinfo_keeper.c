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
/* How long a runtime may take to send, once connected. */
#define RECV_TIMEOUT_MS 100

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
	unsigned int calls; /* forwarded, not answered */
	int row; /* in the calls' record; -1: none */
	unsigned int slots; /* of the row, taken: a bit each */
};

/* A call received and not yet answered, and the channel of the worker
 * that has it (-1: none yet, or its worker went). */
struct pending {
	uint64_t key;
	struct notify_call call;
	int chan;
	int slot; /* in the calls' record; -1: none */
};

struct sysinfo_keeper {
	char *path;
	int sock;
	uint64_t next_key;
	GArray *held; /* struct held */
	GArray *chans; /* int: the workers' channels, the newest last */
	GPtrArray *pending; /* struct pending (owned) */
	int calls_fd; /* the calls' record; -1: no descriptor store */
	char *rec; /* mapped */
	unsigned int rows; /* mapped */
};

static struct held *held_by_key(struct sysinfo_keeper *k, uint64_t key)
{
	for (guint i = 0; i < k->held->len; i++)
		if (g_array_index(k->held, struct held, i).key == key)
			return &g_array_index(k->held, struct held, i);
	return NULL;
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

	if (json_parse(text, len, &o, &why) < 0 || o->type != JSON_OBJECT)
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

/* "SOCKET;FD/PID/START,...;INDEX/ID/PID/ADDR/ANSWERABLE,...": the socket,
 * the listeners (a predecessor may not give START), and the calls received
 * that no worker has (their listener by its place in the list). */
static int take_over(struct sysinfo_keeper *k, const char *handed)
{
	g_auto(GStrv) parts = g_strsplit(handed, ";", 3);
	g_auto(GStrv) items = NULL, calls = NULL;
	int n = 0;

	if (!parts[0] || sscanf(parts[0], "%d%n", &k->sock, &n) != 1 || parts[0][n] || k->sock < 0)
		return -EINVAL;
	fcntl(k->sock, F_SETFD, FD_CLOEXEC);
	items = g_strsplit(parts[1] ? parts[1] : "", ",", -1);
	for (char **i = items; *i; i++) {
		struct held h = { .key = ++k->next_key, .row = -1 };
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
		g_array_append_val(k->held, h);
	}
	calls = g_strsplit(parts[1] && parts[2] ? parts[2] : "", ",", -1);
	for (char **c = calls; *c; c++) {
		struct pending *p;
		unsigned int index, answerable;
		uint64_t id, addr;
		int pid;

		if (!**c)
			continue;
		if (sscanf(*c, "%u/%" SCNu64 "/%d/%" SCNu64 "/%u%n", &index, &id, &pid, &addr,
			   &answerable, &n) != 5 ||
		    (*c)[n] || index >= k->held->len)
			return -EINVAL;
		p = g_new0(struct pending, 1);
		p->key = g_array_index(k->held, struct held, index).key;
		p->call = (struct notify_call){ id, (pid_t)pid, answerable != 0, addr };
		p->chan = -1;
		p->slot = -1;
		g_array_index(k->held, struct held, index).calls++;
		g_ptr_array_add(k->pending, p);
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
	h.key = ++k->next_key;
	g_array_append_val(k->held, h);
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
		guint i = 0;

		memcpy(&head, text + off, sizeof(head));
		while (i < k->held->len &&
		       (g_array_index(k->held, struct held, i).pid != head.first ||
			g_array_index(k->held, struct held, i).start != head.start))
			i++;
		if (!head.first || i == k->held->len)
			continue;
		for (unsigned int s = 0; s < CALLS_PER_CONTAINER; s++) {
			const char *notif = text + off + sizeof(head) + s * SLOT_SIZE;
			struct pending *p = g_new0(struct pending, 1);

			notify_call_of(notif, &p->call);
			if (!p->call.id) {
				g_free(p);
				continue;
			}
			p->key = g_array_index(k->held, struct held, i).key;
			p->chan = -1;
			p->slot = -1;
			g_array_index(k->held, struct held, i).calls++;
			g_ptr_array_add(k->pending, p);
		}
	}
}

/* Under a service manager: a new calls' record, and the socket, the
 * listeners and the calls held, in its store. (systemd keeps a descriptor
 * once, however often it is given.) */
static void store_all(struct sysinfo_keeper *k)
{
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
	for (guint i = 0; i < k->held->len; i++) {
		struct held *h = &g_array_index(k->held, struct held, i);

		take_row(k, h);
		store_listener(k, h, true);
	}
	for (guint j = 0; j < k->pending->len; j++) {
		struct pending *p = g_ptr_array_index(k->pending, j);
		struct held *h = held_by_key(k, p->key);

		if (h)
			note_call(k, h, p);
	}
}

struct sysinfo_keeper *sysinfo_keeper_new(const char *path, const char *handed, int *err)
{
	struct sysinfo_keeper *k = g_new0(struct sysinfo_keeper, 1);

	k->path = g_strdup(path);
	k->held = g_array_new(FALSE, FALSE, sizeof(struct held));
	k->chans = g_array_new(FALSE, FALSE, sizeof(int));
	k->pending = g_ptr_array_new_with_free_func(g_free);
	k->sock = -1;
	k->calls_fd = -1;
	if (handed) {
		*err = take_over(k, handed);
	} else {
		k->sock = adopt_socket(path);
		if (k->sock < 0)
			k->sock = listen_on(path);
		*err = k->sock < 0 ? k->sock : 0;
	}
	if (*err < 0) {
		sysinfo_keeper_free(k, false);
		return NULL;
	}
	if (!handed) {
		int calls = sdnotify_listen_fd(STORE_CALLS);

		sdnotify_listen_each(STORE_LISTENER, adopt_listener, k);
		if (calls >= 0)
			adopt_calls(k, calls);
		if (k->held->len)
			log_info("sysinfo: %u listeners and %u calls systemd kept", k->held->len,
				 k->pending->len);
	}
	store_all(k);
	return k;
}

void sysinfo_keeper_free(struct sysinfo_keeper *k, bool unlink_path)
{
	if (!k)
		return;
	if (unlink_path && k->calls_fd >= 0) {
		/* A stop: systemd must not keep them either. */
		store(STORE_SOCKET, -1);
		store(STORE_CALLS, -1);
		for (guint i = 0; i < k->held->len; i++)
			store_listener(k, &g_array_index(k->held, struct held, i), false);
	}
	if (k->sock >= 0)
		close(k->sock);
	if (unlink_path && k->sock >= 0)
		unlink(k->path);
	if (k->rec)
		munmap(k->rec, k->rows * ROW_SIZE);
	if (k->calls_fd >= 0)
		close(k->calls_fd);
	for (guint i = 0; i < k->held->len; i++)
		close(g_array_index(k->held, struct held, i).fd);
	for (guint i = 0; i < k->chans->len; i++)
		close(g_array_index(k->chans, int, i));
	g_array_unref(k->held);
	g_array_unref(k->chans);
	g_ptr_array_unref(k->pending);
	g_free(k->path);
	g_free(k);
}

unsigned int sysinfo_keeper_pollfds(struct sysinfo_keeper *k, struct pollfd *pfd, unsigned int max)
{
	unsigned int n = 0;

	if (max > 0)
		pfd[n++] = (struct pollfd){ .fd = k->sock, .events = POLLIN };
	for (guint i = 0; i < k->chans->len && n < max; i++)
		pfd[n++] =
			(struct pollfd){ .fd = g_array_index(k->chans, int, i), .events = POLLIN };
	/* A container with its share of calls at the workers waits. */
	for (guint i = 0; i < k->held->len && n < max; i++) {
		const struct held *h = &g_array_index(k->held, struct held, i);

		pfd[n++] = (struct pollfd){ .fd = h->fd,
					    .events = h->calls < CALLS_PER_CONTAINER ? POLLIN : 0 };
	}
	return n;
}

unsigned int sysinfo_keeper_pollfds_max(struct sysinfo_keeper *k)
{
	return 1 + k->chans->len + k->held->len;
}

static void forget_chan(struct sysinfo_keeper *k, guint i)
{
	int chan = g_array_index(k->chans, int, i);

	/* Its worker has gone: its calls go to the next. */
	for (guint j = 0; j < k->pending->len; j++) {
		struct pending *p = g_ptr_array_index(k->pending, j);

		if (p->chan == chan)
			p->chan = -1;
	}
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

/* The calls no worker has go to the newest one, each with its listener;
 * one its channel has no room for now, at a next round (the worker's
 * answers wake the supervisor). The calls of a container gone go: their
 * callers are gone with it. */
static void assign(struct sysinfo_keeper *k)
{
	int chan = k->chans->len ? g_array_index(k->chans, int, k->chans->len - 1) : -1;

	for (guint j = 0; j < k->pending->len;) {
		struct pending *p = g_ptr_array_index(k->pending, j);
		const struct held *h = held_by_key(k, p->key);
		struct sysinfo_msg m = { .kind = SYSINFO_CALL,
					 .pid = p->call.pid,
					 .first = h ? h->pid : 0,
					 .answerable = p->call.answerable,
					 .key = p->key,
					 .id = p->call.id,
					 .addr = p->call.addr };

		if (!h) {
			g_ptr_array_remove_index_fast(k->pending, j);
			continue;
		}
		if (p->chan < 0 && chan >= 0 && sysinfo_msg_send(chan, &m, h->fd, false) == 0)
			p->chan = chan;
		j++;
	}
}

static void done(struct sysinfo_keeper *k, const struct sysinfo_msg *m)
{
	for (guint j = 0; j < k->pending->len; j++) {
		struct pending *p = g_ptr_array_index(k->pending, j);
		struct held *h;

		if (p->key != m->key || p->call.id != m->id)
			continue;
		h = held_by_key(k, p->key);
		if (h && h->calls)
			h->calls--;
		forget_call(k, h, p);
		g_ptr_array_remove_index_fast(k->pending, j);
		return;
	}
}

/* A call on h: received here (into its slot of the record, if there is
 * one), answered by a worker. */
static void receive(struct sysinfo_keeper *k, struct held *h)
{
	struct pending *p = g_new0(struct pending, 1);
	int slot = free_slot(h);
	int r = slot >= 0 ? notify_recv_in(h->fd, slot_at(k, slot), SLOT_SIZE, &p->call)
			  : -EMSGSIZE;

	if (r == -EMSGSIZE) {
		slot = -1;
		r = notify_recv(h->fd, &p->call);
	}
	if (r < 0) {
		g_free(p); /* its caller went away meanwhile */
		return;
	}
	p->key = h->key;
	p->chan = -1;
	p->slot = -1;
	if (slot >= 0)
		take_slot(h, p, slot);
	h->calls++;
	g_ptr_array_add(k->pending, p);
}

/* One runtime's connection: its state and its listener. */
static void accept_one(struct sysinfo_keeper *k)
{
	struct timeval tv = { 0, RECV_TIMEOUT_MS * 1000 };
	g_autofree char *text = g_malloc(STATE_MAX + 1);
	char ctl[CMSG_SPACE(FDS_MAX * sizeof(int))];
	struct iovec iov = { text, STATE_MAX };
	struct msghdr m = {
		.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl)
	};
	int fds[FDS_MAX], nfds = 0;
	autoclose int conn = accept4(k->sock, NULL, NULL, SOCK_CLOEXEC);
	struct cmsghdr *c;
	struct held h = { .fd = -1, .row = -1 };
	unsigned int index = 0;
	size_t len = 0;
	ssize_t n;
	int r;

	if (conn < 0)
		return;
	setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	n = recvmsg(conn, &m, MSG_CMSG_CLOEXEC);
	for (c = n > 0 ? CMSG_FIRSTHDR(&m) : NULL; c; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			int count = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));

			for (int i = 0; i < count && nfds < FDS_MAX; i++)
				memcpy(&fds[nfds++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
		}
	/* runc and crun send the state in one message and keep the
	 * connection open as long as their process runs (runc exec: the whole
	 * life of the command): what follows a whole state is not waited
	 * for, or every exec would hold the supervisor RECV_TIMEOUT_MS. The
	 * rest of a state that came in pieces is. */
	len = n > 0 ? (size_t)n : 0;
	text[len] = '\0';
	r = nfds ? sysinfo_state_parse(text, len, (unsigned int)nfds, &index, &h.pid) : -EBADMSG;
	while (r == -EINVAL && n > 0 && len < STATE_MAX &&
	       (n = read(conn, text + len, STATE_MAX - len)) > 0) {
		len += (size_t)n;
		text[len] = '\0';
		r = sysinfo_state_parse(text, len, (unsigned int)nfds, &index, &h.pid);
	}
	for (int i = 0; i < nfds; i++) {
		if (r == 0 && (unsigned int)i == index)
			h.fd = fds[i];
		else
			close(fds[i]);
	}
	if (r < 0) {
		log_warn("sysinfo: a runtime's message that is not a process state with a "
			 "listener (%s): dropped",
			 g_strerror(-r));
		return;
	}
	h.key = ++k->next_key;
	h.start = start_of(h.pid);
	take_row(k, &h);
	store_listener(k, &h, true);
	g_array_append_val(k->held, h);
	log_debug("sysinfo: the listener of the container of pid %d", (int)h.pid);
}

void sysinfo_keeper_on_poll(struct sysinfo_keeper *k, const struct pollfd *pfd, unsigned int n)
{
	unsigned int nchans = MIN(k->chans->len, n > 0 ? n - 1 : 0);
	unsigned int first_held = 1 + nchans;

	/* The workers' news: calls answered, or their end. From the last:
	 * the indexes stay right. */
	for (unsigned int i = nchans; i-- > 0;) {
		const struct pollfd *c = &pfd[1 + i];
		struct sysinfo_msg m;
		int fd, r = 0;

		if (!c->revents)
			continue;
		while ((r = sysinfo_msg_recv(c->fd, &m, &fd, false)) == 0 || r == -EBADMSG) {
			if (fd >= 0)
				close(fd);
			if (r == 0 && m.kind == SYSINFO_DONE)
				done(k, &m);
		}
		if (r != -EAGAIN && r != -EINTR)
			forget_chan(k, i);
	}
	/* The containers: calls, or their end. */
	for (unsigned int i = n; i-- > first_held;) {
		guint j = i - first_held;
		struct held *h = j < k->held->len ? &g_array_index(k->held, struct held, j) : NULL;

		if (!h || h->fd != pfd[i].fd || !pfd[i].revents)
			continue;
		if (pfd[i].revents & (POLLHUP | POLLERR | POLLNVAL)) {
			struct sysinfo_msg m = { .kind = SYSINFO_DROP, .key = h->key };

			to_all(k, &m);
			free_row(k, h);
			store_listener(k, h, false);
			close(h->fd);
			g_array_remove_index(k->held, j);
		} else if (pfd[i].revents & POLLIN) {
			receive(k, h);
		}
	}
	if (n > 0 && (pfd[0].revents & POLLIN))
		accept_one(k);
	assign(k);
}

void sysinfo_keeper_add_channel(struct sysinfo_keeper *k, int chan)
{
	g_array_append_val(k->chans, chan);
	assign(k);
}

unsigned int sysinfo_keeper_pending(struct sysinfo_keeper *k)
{
	return k->pending->len;
}

char *sysinfo_keeper_handed(struct sysinfo_keeper *k, bool on)
{
	GString *s = g_string_new(NULL);

	g_string_printf(s, "%d;", k->sock);
	fcntl(k->sock, F_SETFD, on ? 0 : FD_CLOEXEC);
	for (guint i = 0; i < k->held->len; i++) {
		const struct held *h = &g_array_index(k->held, struct held, i);

		g_string_append_printf(s, "%s%d/%d/%" PRIu64, i ? "," : "", h->fd, (int)h->pid,
				       h->start);
		fcntl(h->fd, F_SETFD, on ? 0 : FD_CLOEXEC);
	}
	/* The calls no worker has: the successor's. (A worker's go on with
	 * it: it answers what its channel holds before it sees the end.) */
	g_string_append_c(s, ';');
	for (guint j = 0, n = 0; j < k->pending->len; j++) {
		const struct pending *p = g_ptr_array_index(k->pending, j);
		guint index = 0;

		if (p->chan >= 0)
			continue;
		while (index < k->held->len &&
		       g_array_index(k->held, struct held, index).key != p->key)
			index++;
		if (index < k->held->len)
			g_string_append_printf(s, "%s%u/%" PRIu64 "/%d/%" PRIu64 "/%u",
					       n++ ? "," : "", index, p->call.id, (int)p->call.pid,
					       p->call.addr, p->call.answerable ? 1u : 0u);
	}
	return g_string_free(s, FALSE);
}

unsigned int sysinfo_keeper_size(struct sysinfo_keeper *k)
{
	return k->held->len;
}
