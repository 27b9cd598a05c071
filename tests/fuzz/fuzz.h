/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef LENSFS_FUZZ_H
#define LENSFS_FUZZ_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as the C string a parser of file text gets: a copy with a NUL
 * after it, exactly size + 1 bytes, so that AddressSanitizer sees a read past
 * the end. An embedded NUL ends the text early, as it would for a file read
 * into a string. */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* An invariant broken: say which, then abort so libFuzzer keeps the input. */
#define fuzz_assert(cond)                                                                        \
	do {                                                                                     \
		if (!(cond)) {                                                                   \
			fprintf(stderr, "%s:%d: %s does not hold\n", __FILE__, __LINE__, #cond); \
			abort();                                                                 \
		}                                                                                \
	} while (0)

#endif
