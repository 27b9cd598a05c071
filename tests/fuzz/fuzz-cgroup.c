/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The parsers of cgroup files, v1 and v2: memory.stat (and what vmstat,
 * slabinfo and a node's meminfo are made of), cpu.max, io.stat,
 * blkio.throttle.*, the "max or a number" files, the limits read up a
 * hierarchy (cg_limits_parse: the levels are the input cut at NUL bytes),
 * the cgroup layout from mountinfo and a /proc/PID/cgroup against it. The
 * first byte chooses the parser. */
#include "config.h"

#include "cg_limits.h"
#include "cgroup.h"
#include "cgroup_files.h"
#include "fuzz.h"
#include "render.h"

/* A mountinfo with each kind of cgroup mount, for /proc/PID/cgroup texts. */
static const char hybrid[] =
	"30 25 0:26 / /sys/fs/cgroup rw - tmpfs tmpfs ro,mode=755\n"
	"31 30 0:27 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n"
	"32 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
	"33 30 0:29 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
	"34 30 0:30 / /sys/fs/cgroup/cpuset rw - cgroup cgroup rw,cpuset\n"
	"35 30 0:31 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n"
	"36 30 0:32 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,name=systemd\n";

/* The files vmstat, slabinfo and a node's meminfo and distance are made
 * of, one of them the input (sel's bits 4-6 choose which), the others
 * real ones. */
static void monitor_files(uint8_t sel, const char *text)
{
	static const char host_vmstat[] = "nr_free_pages 100\nnr_inactive_anon 5\n"
					  "nr_kernel_stack 64\npgpgin 9\npgfault 77\n"
					  "pgalloc_normal 3\n";
	static const char memory_stat[] = "anon 8192\ninactive_anon 4096\nkernel_stack 2048\n"
					  "pgfault 12\n";
	static const char node_meminfo[] = "Node 0 MemTotal:       24683744 kB\n"
					   "Node 0 MemFree:        23982240 kB\n"
					   "Node 0 AnonPages:          1096 kB\n"
					   "Node 0 HugePages_Total:     0\n";
	static const char numa_stat[] = "anon N0=299008 N1=4096\nfile N0=176128\n";
	static const char slabinfo[] = "slabinfo - version: 2.1\n# name <active_objs>\n";
	bool cgroup_side = sel & 16;
	g_autoptr(GString) out = g_string_new(NULL);
	struct vmstat_input vin = { .version = sel & 8 ? 2 : 1,
				    .memory_stat = cgroup_side ? text : memory_stat,
				    .io = true,
				    .page_size = 4096,
				    .hpage_size = 2 << 20 };
	struct node_meminfo_input nin = { .version = sel & 8 ? 2 : 1,
					  .numa_stat = cgroup_side ? text : numa_stat,
					  .host_node = sel >> 7,
					  .total_kb = 262144,
					  .free_kb = 1024,
					  .page_size = 4096 };
	struct slab_size sizes[] = { { "slab_reclaimable", 8191 } };
	g_autoptr(cpuset) online = NULL, shown = NULL;

	switch ((sel >> 5) & 3) {
	case 0:
		(void)vmstat_render(cgroup_side ? host_vmstat : text, &vin, out);
		break;
	case 1:
		(void)node_meminfo_render(cgroup_side ? node_meminfo : text, &nin, out);
		break;
	case 2:
		(void)slabinfo_render(cgroup_side ? slabinfo : text, cgroup_side ? text : NULL,
				      sizes, 1, 4096, out);
		break;
	case 3:
		if (cpuset_parse("0-2,5", &online) == 0 && cpuset_parse("1,5", &shown) == 0)
			(void)node_distance_render(text, online, shown, out);
		break;
	}
}

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
		monitor_files(sel, text);
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
