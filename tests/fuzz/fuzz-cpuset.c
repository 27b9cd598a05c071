/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* CPU lists as cpuset.cpus and /sys/devices/system/cpu/online write them
 * (cpuset_parse), and their round trip: what cpuset_format writes reads
 * back as the same set. */
#include "config.h"

#include "cpuset.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autofree char *text = fuzz_text(data, size);
	g_autoptr(cpuset) set = NULL;
	g_autoptr(cpuset) again = NULL;
	g_autoptr(GString) first = g_string_new(NULL);
	g_autoptr(GString) second = g_string_new(NULL);

	if (cpuset_parse(text, &set) < 0)
		return 0;
	cpuset_format(set, first);
	fuzz_assert(cpuset_parse(first->str, &again) == 0);
	fuzz_assert(cpuset_count(set) == cpuset_count(again));
	cpuset_format(again, second);
	fuzz_assert(g_string_equal(first, second));
	return 0;
}
