/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The parsers of cgroup files, v1 and v2: memory.stat, cpu.max, io.stat,
 * blkio.throttle.*, the "max or a number" files, the limits read up a
 * hierarchy (cg_limits_parse: the levels are the input cut at NUL bytes),
 * the cgroup layout from mountinfo and a /proc/PID/cgroup against it. The
 * first byte chooses the parser. */
#include "config.h"

#include "cg_limits.h"
#include "cgroup.h"
#include "cgroup_files.h"
#include "fuzz.h"

/* A mountinfo with each kind of cgroup mount, for /proc/PID/cgroup texts. */
static const char hybrid[] =
	"30 25 0:26 / /sys/fs/cgroup rw - tmpfs tmpfs ro,mode=755\n"
	"31 30 0:27 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n"
	"32 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
	"33 30 0:29 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
	"34 30 0:30 / /sys/fs/cgroup/cpuset rw - cgroup cgroup rw,cpuset\n"
	"35 30 0:31 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n"
	"36 30 0:32 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,name=systemd\n";

static void limits(uint8_t sel, const uint8_t *data, size_t size)
{
	g_auto(cg_limits) l = { 0 };
	g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func(g_free);
	int version = sel & 1 ? 2 : 1;
	enum cg_limit limit = (enum cg_limit)((sel >> 1) % 7);
	const char *const *files = cg_limit_files(version, limit);
	guint n = 0;
	size_t start = 0;

	while (files && files[n])
		n++;
	if (n == 0)
		return;
	/* texts[i * n + k]: file k of level i; a cut at each NUL byte. */
	for (size_t i = 0; i <= size; i++) {
		if (i == size || data[i] == '\0') {
			g_ptr_array_add(texts, g_strndup((const char *)data + start, i - start));
			start = i + 1;
		}
	}
	while (texts->len % n)
		g_ptr_array_add(texts, NULL);
	(void)cg_limits_parse(version, limit, (const char *const *)texts->pdata, texts->len / n,
			      &l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autofree char *text = NULL;
	uint8_t sel;

	if (size < 1)
		return 0;
	sel = data[0];
	text = fuzz_text(data + 1, size - 1);

	switch (sel % 8) {
	case 0: {
		struct memory_stat ms = { 0 };

		(void)memory_stat_parse(text, sel & 8 ? 2 : 1, &ms);
		break;
	}
	case 1: {
		uint64_t quota, period;

		(void)cpu_max_parse(text, &quota, &period);
		break;
	}
	case 2: {
		g_autoptr(GArray) devs = g_array_new(FALSE, TRUE, sizeof(struct io_dev));

		(void)io_stat_parse(text, devs);
		break;
	}
	case 3: {
		g_autoptr(GArray) devs = g_array_new(FALSE, TRUE, sizeof(struct io_dev));

		(void)blkio_throttle_parse(text, sel & 8, devs);
		break;
	}
	case 4: {
		uint64_t v;

		(void)parse_max_u64(text, &v);
		(void)kv_find_u64(text, "anon", &v);
		break;
	}
	case 5:
		limits(sel >> 3, data + 1, size - 1);
		break;
	case 6: {
		g_autoptr(cgroup_layout) layout = NULL;

		(void)cgroup_layout_parse(text, "/sys", &layout);
		break;
	}
	case 7: {
		g_autoptr(cgroup_layout) layout = NULL;
		g_autoptr(GPtrArray) paths = NULL;
		g_autofree char *own = NULL;
		struct cgroup_membership m = { 0 };

		if (cgroup_layout_parse(hybrid, "/sys", &layout) < 0)
			abort();
		if (cgroup_membership_parse(layout, text, &m) == 0)
			cgroup_membership_strip_init_scope(&m);
		cgroup_membership_clear(&m);
		(void)cgroup_container_path(layout, text, &paths, &own);
		break;
	}
	}
	return 0;
}
