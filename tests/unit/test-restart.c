/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What survives a restart without FUSE: the hand-over record's worker
 * numbers, the hidden options that hand descriptors over, and the systemd
 * notify and fd-store protocols (tests/integration/restart.sh runs the
 * rest on a real mount). */
#include "config.h"

#include "daemon.h"
#include "handover.h"
#include "node_log.h"
#include "ptree.h"
#include "sdnotify.h"
#include "vtree.h"

#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <glib.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

static void test_generations(void **state)
{
	int fd = handover_create();
	uint32_t gen = 0;

	assert_true(fd >= 0);
	for (uint32_t want = 1; want <= 3; want++) {
		assert_int_equal(handover_next_generation(fd, &gen), 0);
		assert_int_equal(gen, want);
	}
	/* A record that is not one (a wrong descriptor handed over). */
	assert_int_equal(ftruncate(fd, 10), 0);
	assert_int_equal(handover_next_generation(fd, &gen), -EBADMSG);
	close(fd);
}

/* The node log: what one worker gives out, the next finds. */
static void test_node_log(void **state)
{
	int fd = handover_create();
	const struct vnode *cpu = vnode_by_ino(INO_SYS_CPU);
	struct ptree *first = ptree_new(), *next = ptree_new();
	g_autofree char *vpath = NULL, *hpath = NULL;
	uint64_t ino, ino2, root = 0, forged;
	struct pnode p;

	assert_true(fd >= 0);
	assert_int_equal(node_log_find(fd, 42, &root, &vpath, &hpath), -ENOENT);
	ptree_set_log(first, fd, vnode_by_ino);
	ptree_set_log(next, fd, vnode_by_ino);
	assert_int_equal(ptree_add(first, "sys/devices/system/cpu/cpu0", "devices/system/cpu/cpu2",
				   cpu, &ino),
			 0);
	assert_int_equal(ptree_add(first, "sys/devices/system/cpu/cpu0/topology",
				   "devices/system/cpu/cpu2/topology", cpu, &ino2),
			 0);
	/* Again: one entry only per worker. */
	assert_int_equal(ptree_add(first, "sys/devices/system/cpu/cpu0", "devices/system/cpu/cpu2",
				   cpu, &ino),
			 0);
	assert_int_equal(node_log_find(fd, ino2, &root, &vpath, &hpath), 0);
	assert_int_equal(root, INO_SYS_CPU);
	assert_string_equal(vpath, "sys/devices/system/cpu/cpu0/topology");
	assert_string_equal(hpath, "devices/system/cpu/cpu2/topology");
	/* The successor, which never looked it up, knows it. */
	assert_int_equal(ptree_size(next), 0);
	assert_int_equal(ptree_get(next, ino, &p), 0);
	assert_string_equal(p.hpath, "devices/system/cpu/cpu2");
	assert_ptr_equal(p.root, cpu);
	pnode_clear(&p);
	assert_int_equal(ptree_size(next), 1);
	/* An entry whose number is not its paths' is not believed. */
	forged = ptree_ino("sys/devices/system/cpu/cpu9", "devices/system/cpu/cpu9") ^ 1;
	assert_int_equal(node_log_put(fd, forged, INO_SYS_CPU, "sys/devices/system/cpu/cpu9",
				      "devices/system/cpu/cpu9"),
			 0);
	assert_int_equal(ptree_get(next, forged, &p), -ESTALE);
	/* Nor one under a directory that is not reader-dependent. */
	forged = ptree_ino("proc/x", "x");
	assert_int_equal(node_log_put(fd, forged, INO_PROC, "proc/x", "x"), 0);
	assert_int_equal(ptree_get(next, forged, &p), -ESTALE);
	ptree_free(first);
	ptree_free(next);
	close(fd);
}

/* Finding by the index: every entry of a long log, entries put after the
 * index was built (its tail), none of another record that got the same
 * descriptor number. */
static void test_node_log_index(void **state)
{
	int fd = handover_create(), other;
	uint64_t root = 0;

	assert_true(fd >= 0);
	for (uint64_t i = 1; i <= 10000; i++) {
		g_autofree char *v = g_strdup_printf("v%" PRIu64, i);

		assert_int_equal(node_log_put(fd, i, i % 7, v, "h"), 0);
	}
	for (uint64_t i = 1; i <= 10000; i += 999) {
		g_autofree char *vpath = NULL, *hpath = NULL,
				*want = g_strdup_printf("v%" PRIu64, i);

		assert_int_equal(node_log_find(fd, i, &root, &vpath, &hpath), 0);
		assert_string_equal(vpath, want);
		assert_int_equal(root, i % 7);
	}
	{
		g_autofree char *vpath = NULL, *hpath = NULL;

		assert_int_equal(node_log_find(fd, 20000, &root, &vpath, &hpath), -ENOENT);
		/* Put after the index was built: found in the tail. */
		assert_int_equal(node_log_put(fd, 20000, 3, "late", "h"), 0);
		assert_int_equal(node_log_find(fd, 20000, &root, &vpath, &hpath), 0);
		assert_string_equal(vpath, "late");
	}
	/* Another record on the same number: its own entries, not the index's. */
	other = handover_create();
	assert_true(other >= 0);
	/* (first a number the first record never had, then as many entries:
	 * an index of the first would look for it past where it is) */
	assert_int_equal(node_log_put(other, 30000, 1, "early", "h"), 0);
	for (uint64_t i = 1; i <= 10001; i++) {
		g_autofree char *v = g_strdup_printf("o%" PRIu64, i);

		assert_int_equal(node_log_put(other, i, 1, v, "h"), 0);
	}
	assert_int_equal(dup2(other, fd), fd);
	close(other);
	{
		g_autofree char *vpath = NULL, *hpath = NULL;

		assert_int_equal(node_log_find(fd, 5, &root, &vpath, &hpath), 0);
		assert_string_equal(vpath, "o5");
		g_clear_pointer(&vpath, g_free);
		g_clear_pointer(&hpath, g_free);
		assert_int_equal(node_log_find(fd, 30000, &root, &vpath, &hpath), 0);
		assert_string_equal(vpath, "early");
		assert_int_equal(node_log_find(fd, 20000, &root, &vpath, &hpath), -ENOENT);
	}
	close(fd);
}

static void test_handed_options(void **state)
{
	struct lensfs_handed h;

	assert_int_equal(lensfs_handed_parse_worker("4,5,7,12", &h), 0);
	assert_int_equal(h.fuse_fd, 4);
	assert_int_equal(h.record_fd, 5);
	assert_int_equal(h.ready_fd, 7);
	assert_int_equal(h.generation, 12);
	assert_int_equal(lensfs_handed_parse_worker("4,5,-1,1", &h), 0);
	assert_int_equal(h.ready_fd, -1);
	assert_int_equal(h.views_fuse_fd, -1); /* no views connection */
	assert_int_equal(h.views_record_fd, -1);
	assert_int_equal(lensfs_handed_parse_takeover("4,5,999", &h), 0);
	assert_int_equal(h.worker, 999);
	assert_int_equal(h.ready_fd, -1);
	/* The views connection's two descriptors after the others. */
	assert_int_equal(lensfs_handed_parse_worker("4,5,7,12,8,9", &h), 0);
	assert_int_equal(h.generation, 12);
	assert_int_equal(h.views_fuse_fd, 8);
	assert_int_equal(h.views_record_fd, 9);
	assert_int_equal(lensfs_handed_parse_takeover("4,5,999,8,9", &h), 0);
	assert_int_equal(h.worker, 999);
	assert_int_equal(h.views_fuse_fd, 8);
	assert_int_equal(h.views_record_fd, 9);

	static const char *const bad_worker[] = { "",
						  "4,5,7",
						  "4,5,7,12,",
						  "4,5,7,12x",
						  "-4,5,7,1",
						  "4,-5,7,1",
						  "a,b,c,d",
						  "4,5,7,12,8",
						  "4,5,7,12,8,-9",
						  "4,5,7,12,8,9,",
						  "4,5,7,12,8,9,10" };
	for (size_t i = 0; i < G_N_ELEMENTS(bad_worker); i++)
		assert_int_equal(lensfs_handed_parse_worker(bad_worker[i], &h), -EINVAL);
	static const char *const bad_takeover[] = { "4,5",    "4,5,0",	 "4,5,-3",
						    "4,5,9 ", "4,5,9,1", "4,5,9,1,x" };
	for (size_t i = 0; i < G_N_ELEMENTS(bad_takeover); i++)
		assert_int_equal(lensfs_handed_parse_takeover(bad_takeover[i], &h), -EINVAL);
}

static void test_listen_fds(void **state)
{
	g_autofree char *pid = g_strdup_printf("%d", (int)getpid());

	unsetenv("LISTEN_PID");
	assert_int_equal(sdnotify_listen_fd("lensfs-fuse"), -ENOENT);
	setenv("LISTEN_PID", pid, 1);
	setenv("LISTEN_FDS", "2", 1);
	setenv("LISTEN_FDNAMES", "lensfs-fuse:lensfs-record", 1);
	assert_int_equal(sdnotify_listen_fd("lensfs-fuse"), 3);
	assert_int_equal(sdnotify_listen_fd("lensfs-record"), 4);
	assert_int_equal(sdnotify_listen_fd("other"), -ENOENT);
	/* Names beyond the count do not count. */
	setenv("LISTEN_FDS", "1", 1);
	assert_int_equal(sdnotify_listen_fd("lensfs-record"), -ENOENT);
	/* Meant for another process (the one that execs us, say). */
	setenv("LISTEN_FDS", "2", 1);
	setenv("LISTEN_PID", "1", 1);
	assert_int_equal(sdnotify_listen_fd("lensfs-fuse"), -ENOENT);
	setenv("LISTEN_PID", "junk", 1);
	assert_int_equal(sdnotify_listen_fd("lensfs-fuse"), -ENOENT);
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
}

static void test_notify(void **state)
{
	g_autofree char *dir = g_dir_make_tmp("lensfs-notify-XXXXXX", NULL);
	g_autofree char *path = g_build_filename(dir, "notify", NULL);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char text[128] = { 0 };
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} control;
	struct iovec iov = { .iov_base = text, .iov_len = sizeof(text) - 1 };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = control.buf,
			      .msg_controllen = sizeof(control.buf) };
	int sock = socket(AF_UNIX, SOCK_DGRAM, 0), passed = open("/dev/null", O_RDONLY), got;
	struct stat a, b;

	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(sdnotify_send("READY=1", NULL, 0), 0); /* no manager: nothing */
	strcpy(sa.sun_path, path);
	assert_int_equal(bind(sock, (struct sockaddr *)&sa, sizeof(sa)), 0);
	setenv("NOTIFY_SOCKET", path, 1);
	assert_int_equal(sdnotify_send("FDSTORE=1\nFDNAME=lensfs-fuse", &passed, 1), 1);
	assert_true(recvmsg(sock, &msg, 0) > 0);
	assert_string_equal(text, "FDSTORE=1\nFDNAME=lensfs-fuse");
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	if (!c)
		fail_msg("no descriptor came with the message");
	else
		assert_int_equal(c->cmsg_type, SCM_RIGHTS);
	memcpy(&got, c ? CMSG_DATA(c) : (unsigned char *)&passed, sizeof(int));
	assert_int_equal(fstat(got, &a), 0);
	assert_int_equal(fstat(passed, &b), 0);
	assert_true(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	setenv("NOTIFY_SOCKET", "relative/path", 1);
	assert_int_equal(sdnotify_send("READY=1", NULL, 0), -EINVAL);
	unsetenv("NOTIFY_SOCKET");
	close(got);
	close(passed);
	close(sock);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generations),    cmocka_unit_test(test_node_log),
		cmocka_unit_test(test_node_log_index), cmocka_unit_test(test_handed_options),
		cmocka_unit_test(test_listen_fds),     cmocka_unit_test(test_notify),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
