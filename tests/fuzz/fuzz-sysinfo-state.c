/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The runtime's process state that comes with a seccomp listener
 * (sysinfo_state_parse): the first byte is how many descriptors came with
 * it, the rest the JSON. */
#include "config.h"

#include "fuzz.h"
#include "sysinfo_keeper.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned int nfds, index = 0;
	pid_t pid = 0;

	if (size < 1)
		return 0;
	nfds = data[0] % 8;
	if (sysinfo_state_parse((const char *)data + 1, size - 1, nfds, &index, &pid) == 0)
		fuzz_assert(index < nfds && pid > 0);
	return 0;
}
