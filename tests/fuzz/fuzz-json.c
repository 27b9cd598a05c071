/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The JSON reader (json_parse) on any bytes, and json_write's round trip:
 * what the hook writes back (a runtime's config.json) must read again as
 * the same document, so parse -> write -> parse -> write gives the same
 * text twice. */
#include "config.h"

#include "fuzz.h"
#include "json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autoptr(json_value) v = NULL;
	g_autoptr(json_value) again = NULL;
	g_autoptr(GString) first = g_string_new(NULL);
	g_autoptr(GString) second = g_string_new(NULL);
	g_autofree char *why = NULL;
	g_autofree char *why_again = NULL;

	if (json_parse((const char *)data, size, &v, &why) < 0)
		return 0;
	json_write(v, first);
	fuzz_assert(json_parse(first->str, first->len, &again, &why_again) == 0);
	json_write(again, second);
	fuzz_assert(g_string_equal(first, second));
	return 0;
}
