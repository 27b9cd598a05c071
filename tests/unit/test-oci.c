/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lensfs-hook's parsers: its JSON reader, OCI states written by real runtimes
 * (tests/fixtures/oci), config.json roots, mountinfo lines, the check
 * that a lensfs is mounted, and which mounts of a container reattach
 * replaces (tests/fixtures/mountinfo: runc containers' whose files came from
 * their own view, 0:40, or from the caller-based mount, 0:39). */
#include "config.h"

#include "fixture.h"

#include "hook.h"
#include "json.h"
#include "mountinfo.h"
#include "oci.h"
#include "reattach.h"
#include "vtree.h"

#include <errno.h>
#include <sys/mount.h>

static void expect_json_error(const char *text, size_t len, const char *why_part)
{
	g_autoptr(json_value) v = NULL;
	g_autofree char *why = NULL;

	assert_int_equal(json_parse(text, len, &v, &why), -EINVAL);
	assert_null(v);
	if (!why || !strstr(why, why_part))
		fail_msg("'%.*s': '%s' does not say '%s'", (int)len, text, why, why_part);
}
#define BAD(text, why) expect_json_error(text, sizeof(text) - 1, why)

static void test_json(void **state)
{
	const char *doc =
		" {\"a\": [1, -2.5e3, true, false, null, {}], \"s\": \"q\\\"\\\\\\/\\b\\f\\n\\r\\t"
		"\\u00e9\\ud83d\\ude00\", \"a\": 7, \"big\": 9223372036854775808}\n";
	g_autoptr(json_value) v = NULL;
	g_autofree char *why = NULL;
	const struct json_value *a;
	int64_t n;

	assert_int_equal(json_parse(doc, strlen(doc), &v, &why), 0);
	assert_int_equal(v->type, JSON_OBJECT);
	assert_int_equal(v->items->len, 4);
	/* A repeated name: the last one counts. */
	assert_int_equal(json_int64(json_member(v, "a"), &n), 0);
	assert_int_equal(n, 7);
	a = ((struct json_member *)g_ptr_array_index(v->items, 0))->value;
	assert_int_equal(a->type, JSON_ARRAY);
	assert_int_equal(a->items->len, 6);
	assert_string_equal(((struct json_value *)g_ptr_array_index(a->items, 1))->text, "-2.5e3");
	assert_int_equal(json_int64(g_ptr_array_index(a->items, 1), &n), -EINVAL);
	assert_int_equal(((struct json_value *)g_ptr_array_index(a->items, 4))->type, JSON_NULL);
	assert_string_equal(json_member(v, "s")->text, "q\"\\/\b\f\n\r\t\xc3\xa9\xf0\x9f\x98\x80");
	assert_int_equal(json_int64(json_member(v, "big"), &n), -ERANGE);
	assert_null(json_member(v, "nope"));
	assert_null(json_member(json_member(v, "s"), "a"));

	BAD("", "unexpected end");
	BAD("{", "expected a member name");
	BAD("{\"a\" 1}", "expected ':'");
	BAD("{\"a\": 1,}", "expected a member name");
	BAD("[1, 2,]", "unexpected character");
	BAD("[1 2]", "expected ',' or ']'");
	BAD("{'a': 1}", "expected a member name");
	BAD("01", "text after the value");
	BAD("-", "bad number");
	BAD("1.", "bad number");
	BAD("1e", "bad number");
	BAD("tru", "unexpected character");
	BAD("\"abc", "unterminated string");
	BAD("\"a\tb\"", "control character");
	BAD("\"\\x\"", "bad escape");
	BAD("\"\\u12\"", "bad \\u escape");
	BAD("\"\\u0000\"", "\\u0000");
	BAD("\"\\ud83d\"", "unpaired surrogate");
	BAD("\"\\ude00\"", "unpaired surrogate");
	BAD("\"\xff\"", "invalid UTF-8");
	BAD("\"a\0b\"", "control character");
	BAD("{} {}", "text after the value");
	/* Nesting: JSON_MAX_DEPTH levels are read, one more is refused. */
	{
		g_autofree char *deep = g_strnfill(JSON_MAX_DEPTH, '[');
		g_autofree char *close = g_strnfill(JSON_MAX_DEPTH, ']');
		g_autofree char *ok = g_strconcat(deep, close, NULL);
		g_autofree char *over = g_strconcat("[", ok, "]", NULL);
		g_autoptr(json_value) d = NULL;
		g_autofree char *dwhy = NULL;

		assert_int_equal(json_parse(ok, strlen(ok), &d, &dwhy), 0);
		expect_json_error(over, strlen(over), "nested too deep");
	}
	{
		g_autofree char *hostile = g_strnfill(1 << 20, '[');

		expect_json_error(hostile, strlen(hostile), "nested too deep");
	}
}

static void parse_fixture(const char *name, struct oci_state *st)
{
	g_autofree char *text = fixture_text("oci", name);
	g_autofree char *why = NULL;

	assert_int_equal(oci_state_parse(text, strlen(text), st, &why), 0);
	assert_null(why);
}

static void test_real_states(void **state)
{
	g_auto(oci_state) runc = { 0 };
	g_auto(oci_state) inside = { 0 };
	g_auto(oci_state) stopped = { 0 };
	g_auto(oci_state) podman = { 0 };
	g_auto(oci_state) crun = { 0 };

	parse_fixture("runc-createRuntime.json", &runc);
	assert_string_equal(runc.id, "hb2");
	assert_string_equal(runc.status, "creating");
	assert_int_equal(runc.pid, 6679);
	assert_string_equal(runc.bundle, "/tmp/hb");
	assert_null(runc.root);
	/* createContainer runs inside: runc gives the container's own pid. */
	parse_fixture("runc-createContainer.json", &inside);
	assert_int_equal(inside.pid, 1);
	parse_fixture("runc-poststop.json", &stopped);
	assert_string_equal(stopped.status, "stopped");
	assert_int_equal(stopped.pid, 0);
	parse_fixture("podman-createRuntime.json", &podman);
	assert_int_equal(podman.pid, 6731);
	assert_true(g_str_has_suffix(podman.bundle, "/userdata"));
	parse_fixture("crun-createRuntime.json", &crun);
	assert_string_equal(crun.root, "/var/lib/containers/storage/overlay/abc/merged");
}

/* Annotations: the string ones, for lensfs-hook --relay. */
static void test_state_annotations(void **state)
{
	const char *text = "{\"ociVersion\":\"1.0.2\",\"id\":\"c\",\"status\":\"creating\","
			   "\"bundle\":\"/b\",\"annotations\":{\"a\":\"1\",\"n\":2,\"o\":{}}}";
	g_auto(oci_state) st = { 0 }, pod = { 0 }, none = { 0 };
	g_autofree char *why = NULL;

	assert_int_equal(oci_state_parse(text, strlen(text), &st, &why), 0);
	assert_string_equal(oci_state_annotation(&st, "a"), "1");
	assert_null(oci_state_annotation(&st, "n"));
	assert_null(oci_state_annotation(&st, "o"));
	assert_null(oci_state_annotation(&st, "b"));
	/* A real one (podman's), and one without (runc's). */
	parse_fixture("podman-createRuntime.json", &pod);
	assert_string_equal(oci_state_annotation(&pod, "io.container.manager"), "libpod");
	parse_fixture("runc-createRuntime.json", &none);
	assert_null(none.annotations);
	assert_null(oci_state_annotation(&none, "io.container.manager"));
}

static void expect_bad_state(const char *text, const char *why_part)
{
	g_auto(oci_state) st = { 0 };
	g_autofree char *why = NULL;

	assert_int_equal(oci_state_parse(text, strlen(text), &st, &why), -EINVAL);
	assert_non_null(why);
	if (!strstr(why, why_part))
		fail_msg("'%s': '%s' does not say '%s'", text, why, why_part);
	assert_null(st.id);
}

static void test_bad_states(void **state)
{
	g_autofree char *real = fixture_text("oci", "runc-createRuntime.json");
	g_autofree char *cut = g_strndup(real, 40);

	expect_bad_state("", "not JSON");
	expect_bad_state("garbage", "not JSON");
	expect_bad_state(cut, "not JSON");
	expect_bad_state("[1, 2]", "not a JSON object");
	expect_bad_state("{\"id\":\"a\",\"status\":\"creating\",\"bundle\":\"/b\"}", "ociVersion");
	expect_bad_state(
		"{\"ociVersion\":\"1\",\"id\":\"\",\"status\":\"creating\",\"bundle\":\"/b\"}",
		"no \"id\"");
	expect_bad_state(
		"{\"ociVersion\":\"1\",\"id\":7,\"status\":\"creating\",\"bundle\":\"/b\"}",
		"\"id\" is not a string");
	expect_bad_state("{\"ociVersion\":\"1\",\"id\":\"a\",\"bundle\":\"/b\"}", "status");
	expect_bad_state(
		"{\"ociVersion\":\"1\",\"id\":\"a\",\"status\":\"creating\",\"bundle\":\"b\"}",
		"\"bundle\" is not an absolute path");
	expect_bad_state(
		"{\"ociVersion\":\"1\",\"id\":\"a\",\"status\":\"creating\",\"bundle\":\"/b\","
		"\"pid\":\"12\"}",
		"\"pid\" is not an integer");
	expect_bad_state(
		"{\"ociVersion\":\"1\",\"id\":\"a\",\"status\":\"creating\",\"bundle\":\"/b\","
		"\"pid\":1.5}",
		"\"pid\" is not an integer");
	expect_bad_state(
		"{\"ociVersion\":\"1\",\"id\":\"a\",\"status\":\"creating\",\"bundle\":\"/b\","
		"\"pid\":0}",
		"out of range");
	expect_bad_state(
		"{\"ociVersion\":\"1\",\"id\":\"a\",\"status\":\"creating\",\"bundle\":\"/b\","
		"\"pid\":4294967297}",
		"out of range");
	expect_bad_state(
		"{\"ociVersion\":\"1\",\"id\":\"a\",\"status\":\"creating\",\"bundle\":\"/b\","
		"\"root\":\"rootfs\"}",
		"\"root\" is not an absolute path");
}

static void expect_rootfs(const char *config, const char *want)
{
	g_autofree char *rootfs = NULL, *why = NULL;
	int r = oci_config_rootfs(config, strlen(config), "/run/bundle", &rootfs, &why);

	if (want) {
		assert_int_equal(r, 0);
		assert_string_equal(rootfs, want);
	} else {
		assert_int_equal(r, -EINVAL);
		assert_null(rootfs);
		assert_non_null(why);
	}
}

static void test_config_rootfs(void **state)
{
	expect_rootfs("{\"root\": {\"path\": \"rootfs\", \"readonly\": true}}",
		      "/run/bundle/rootfs");
	expect_rootfs("{\"root\": {\"path\": \"../shared/rootfs\"}}",
		      "/run/bundle/../shared/rootfs");
	expect_rootfs("{\"root\": {\"path\": \"/var/lib/c/merged\"}}", "/var/lib/c/merged");
	expect_rootfs("{\"root\": {}}", NULL);
	expect_rootfs("{\"root\": {\"path\": \"\"}}", NULL);
	expect_rootfs("{\"root\": {\"path\": 3}}", NULL);
	expect_rootfs("{\"root\": \"rootfs\"}", NULL);
	expect_rootfs("{}", NULL);
	expect_rootfs("{\"root\": {\"path\": \"rootfs\"", NULL);
}

/* The bindings reattach_find returns, as "TARGET FILE VIEW ATTR" lines. */
static char *found_lines(const char *mountinfo, const char *const *live)
{
	g_autoptr(GPtrArray) found = reattach_find(mountinfo, live);
	GString *out = g_string_new(NULL);

	for (guint i = 0; i < found->len; i++) {
		const struct reattach_mount *m = g_ptr_array_index(found, i);

		g_string_append_printf(out, "%s %s %d %#llx\n", m->target, m->file, (int)m->view,
				       (unsigned long long)m->attr);
	}
	return g_string_free(out, FALSE);
}

#define LOCKED_DOWN (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC)

/* found_lines' text for files each bound at its own path, locked down, from
 * the view of pid view (0: the caller-based mount). */
static char *every_file(const char *const *files, size_t n, int view)
{
	GString *want = g_string_new(NULL);

	for (size_t i = 0; i < n; i++)
		g_string_append_printf(want, "/%s %s %d %#llx\n", files[i], files[i], view,
				       (unsigned long long)LOCKED_DOWN);
	return g_string_free(want, FALSE);
}

static void test_reattach_runc(void **state)
{
	static const char *const files[] = {
		"proc/cpuinfo",	     "proc/diskstats",	 "proc/loadavg",	  "proc/meminfo",
		"proc/pressure/cpu", "proc/pressure/io", "proc/pressure/memory",  "proc/stat",
		"proc/swaps",	     "proc/uptime",	 "sys/devices/system/cpu"
	};
	static const char *const both[] = { "0:39", "0:40", NULL };
	static const char *const views_dead[] = { "0:39", NULL };
	static const char *const caller_dead[] = { "0:40", NULL };
	g_autofree char *views = NULL, *caller = NULL, *got = NULL, *want = NULL;

	views = fixture_text("mountinfo", "runc-views");
	caller = fixture_text("mountinfo", "runc-caller");
	/* Both daemons' mounts alive: nothing to do. */
	got = found_lines(views, both);
	assert_string_equal(got, "");
	g_free(got);
	got = found_lines(caller, both);
	assert_string_equal(got, "");
	g_free(got);
	/* The views' filesystem is gone: each file from the view of 15488,
	 * read-only and the rest, as they were; /proc and the cgroups left. */
	want = every_file(files, G_N_ELEMENTS(files), 15488);
	got = found_lines(views, views_dead);
	assert_string_equal(got, want);
	g_free(got);
	g_free(want);
	want = every_file(files, G_N_ELEMENTS(files), 0);
	got = found_lines(caller, caller_dead);
	assert_string_equal(got, want);
	/* The other daemon's filesystem dead: not these containers'. */
	g_free(got);
	got = found_lines(views, caller_dead);
	assert_string_equal(got, "");
}

static void test_reattach_which(void **state)
{
	static const char *const live[] = { "0:50", NULL };
	const char *mountinfo =
		"1 1 0:1 / / rw - ext4 /dev/x rw\n"
		"2 1 0:2 / /proc rw - proc proc rw\n"
		/* dead, but a live lensfs is mounted on it (a reattach on an
		 * old kernel) */
		"3 2 0:39 /proc/meminfo /proc/meminfo ro,nosuid - fuse.lensfs lensfs ro\n"
		"4 3 0:50 /proc/meminfo /proc/meminfo ro - fuse.lensfs lensfs ro\n"
		/* dead, under a file of the container's own */
		"5 2 0:39 /proc/stat /proc/stat ro - fuse.lensfs lensfs ro\n"
		"6 5 0:60 / /proc/stat rw - tmpfs x rw\n"
		/* dead and on top, read-write as it was */
		"7 2 0:39 /proc/uptime /proc/uptime rw - fuse.lensfs lensfs ro\n"
		/* another FUSE filesystem's */
		"8 2 0:70 /proc/cpuinfo /proc/cpuinfo ro - fuse.lxcfs lxcfs ro\n"
		/* the mount point itself; a file lensfs does not serve */
		"9 1 0:39 / /var/lib/lensfs ro - fuse.lensfs lensfs ro\n"
		"10 2 0:39 /proc/version /proc/version ro - fuse.lensfs lensfs ro\n"
		/* views: a name that is no pid, pid 0, and a good one at an
		 * escaped mount point */
		"11 2 0:40 /x/proc/loadavg /proc/loadavg ro - fuse.lensfs-views lensfs rw\n"
		"12 2 0:40 /0/proc/swaps /proc/swaps ro - fuse.lensfs-views lensfs rw\n"
		"13 2 0:40 /77/proc/swaps /mnt/my\\040swaps ro,noexec - fuse.lensfs-views lensfs "
		"rw\n"
		"14 2 0:40 /77 /mnt/view ro - fuse.lensfs-views lensfs rw\n"
		/* an empty root (the 10-minute fuzz-proc run's crash: read
		 * past its end) */
		"15 2 0:40  /proc/loadavg ro - fuse.lensfs-views lensfs rw\n"
		"16 2 0:39  /proc/loadavg ro - fuse.lensfs lensfs rw\n"
		"not a mountinfo line\n";
	g_autofree char *got = found_lines(mountinfo, live);
	g_autofree char *want =
		g_strdup_printf("/proc/uptime proc/uptime 0 0\n"
				"/mnt/my swaps proc/swaps 77 %#llx\n",
				(unsigned long long)(MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOEXEC));

	assert_string_equal(got, want);
}

static void test_mountinfo_line(void **state)
{
	struct mountinfo_entry e;

	/* Optional fields before " - ", and an escaped blank in the path. */
	assert_int_equal(
		mountinfo_entry_parse("64 44 0:39 / /var/lib/lens\\040fs ro,nosuid shared:1 "
				      "master:2 - fuse.lensfs lensfs ro,allow_other",
				      &e),
		0);
	assert_int_equal(e.id, 64);
	assert_int_equal(e.parent, 44);
	assert_string_equal(e.dev, "0:39");
	assert_string_equal(e.root, "/");
	assert_string_equal(e.mountpoint, "/var/lib/lens fs");
	assert_string_equal(e.mount_opts, "ro,nosuid");
	assert_string_equal(e.fstype, "fuse.lensfs");
	assert_string_equal(e.super_opts, "ro,allow_other");
	mountinfo_entry_clear(&e);
	assert_int_equal(mountinfo_entry_parse("64 44 0:39 / /x rw", &e), -EINVAL);
	assert_int_equal(mountinfo_entry_parse("", &e), -EINVAL);
	assert_int_equal(mountinfo_entry_parse("x 44 0:39 / /x rw - t s o", &e), -EINVAL);
}

static void test_lensfs_mounted(void **state)
{
	const char *lensfs = "64 44 0:39 / /tmp rw - fuse.lensfs lensfs rw\n";
	const char *other = "65 44 0:40 / /tmp rw - fuse.lxcfs lxcfs rw\n";
	const char *elsewhere = "66 44 0:41 / /tmp/x rw - fuse.lensfs lensfs rw\n";
	g_autofree char *covered = g_strconcat(lensfs, other, NULL);
	g_autofree char *uncovered = g_strconcat(other, elsewhere, lensfs, NULL);
	g_autofree char *fstype = NULL;

	assert_null(mountinfo_fstype_at("", "/tmp"));
	assert_null(mountinfo_fstype_at(elsewhere, "/tmp"));
	/* The last mount on a path is what a lookup reaches. */
	fstype = mountinfo_fstype_at(covered, "/tmp");
	assert_string_equal(fstype, "fuse.lxcfs");
	g_free(fstype);
	fstype = mountinfo_fstype_at(uncovered, "/tmp");
	assert_string_equal(fstype, "fuse.lensfs");

	assert_int_equal(hook_lensfs_mounted("", "/tmp", LENSFS_FSTYPE), -ENODEV);
	assert_int_equal(hook_lensfs_mounted(covered, "/tmp", LENSFS_FSTYPE), -ENODEV);
	/* mountinfo says lensfs, but the filesystem there is not FUSE (the
	 * integration tests cover a real lensfs). */
	assert_int_equal(hook_lensfs_mounted(uncovered, "/tmp", LENSFS_FSTYPE), -ENODEV);
}

/* The hook's list of what it can bind (it links no part of the daemon) is
 * the node table's: every file or reader-dependent directory, in order, a
 * directory as a directory; bound by default unless the table says opt-in
 * or it lies in a directory bound whole. */
static void test_bindable_is_the_table(void **state)
{
	g_auto(GStrv) defaults = hook_default_files();
	const struct hook_bindable *b;
	const struct vnode *n;
	unsigned int i = 0, d = 0;

	for (unsigned int k = 0; (n = vnode_mounted(k)); k++)
		assert_string_equal(defaults[d++], n->path);
	assert_null(defaults[d]);
	for (unsigned int ino = 1; ino < 1024; ino++) {
		n = vnode_by_ino(ino);
		if (!n || (!n->view && !n->dyn))
			continue;
		b = NULL;
		for (unsigned int k = 0; hook_bindable(k); k++) {
			if (strcmp(hook_bindable(k)->path, n->path) == 0)
				b = hook_bindable(k);
		}
		assert_non_null(b);
		assert_int_equal(b->dir, S_ISDIR(n->mode));
		assert_int_equal(b->opt_in, n->opt_in);
		i++;
	}
	for (unsigned int k = 0; (b = hook_bindable(k)); k++) {
		n = vnode_by_path(b->path);
		assert_non_null(n);
		assert_true(n->view || n->dyn);
		assert_int_equal(b->inside, n->view && vnode_by_ino(n->parent)->dyn != NULL);
	}
	assert_non_null(hook_bindable(i - 1)); /* as many as the table has */
	assert_null(hook_bindable(i));
}

static void test_files_check(void **state)
{
	const char *good[] = { "proc/meminfo", "sys/devices/system/cpu/online",
			       "sys/devices/system/cpu", NULL };
	const char *dir[] = { "proc", NULL };
	const char *climb[] = { "proc/../../etc/passwd", NULL };
	const char *bad = NULL;

	assert_int_equal(hook_files_check(NULL, &bad), 0);
	assert_int_equal(hook_files_check(good, &bad), 0);
	assert_int_equal(hook_files_check(dir, &bad), -EINVAL);
	assert_string_equal(bad, "proc");
	assert_int_equal(hook_files_check(climb, &bad), -EINVAL);
	assert_string_equal(bad, "proc/../../etc/passwd");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_real_states),
		cmocka_unit_test(test_bad_states),
		cmocka_unit_test(test_config_rootfs),
		cmocka_unit_test(test_mountinfo_line),
		cmocka_unit_test(test_reattach_runc),
		cmocka_unit_test(test_reattach_which),
		cmocka_unit_test(test_lensfs_mounted),
		cmocka_unit_test(test_files_check),
		cmocka_unit_test(test_bindable_is_the_table),
		cmocka_unit_test(test_state_annotations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
