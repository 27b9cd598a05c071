/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The handover record a new worker reads from the descriptor its
 * predecessor shared (handover_next_generation reads and checks it): the
 * input is the record's bytes, in a memfd as in the daemon. */
#include "config.h"

#include "fuzz.h"
#include "handover.h"

#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz-handover", MFD_CLOEXEC);
	uint32_t generation = 0;

	if (fd < 0 || (size > 0 && write(fd, data, size) != (ssize_t)size))
		abort();
	(void)handover_next_generation(fd, &generation);
	close(fd);
	return 0;
}
