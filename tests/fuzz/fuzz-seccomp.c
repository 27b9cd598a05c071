/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The seccomp profile transform: a profile read from a file the
 * administrator names (json_parse_object), given the sysinfo listener
 * (seccomp_profile_apply), written out and read back as JSON. */
#include "config.h"

#include "fuzz.h"
#include "json.h"
#include "seccomp_profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autoptr(json_value) profile = NULL;
	g_autoptr(json_value) again = NULL;
	g_autoptr(GString) out = g_string_new(NULL);
	g_autofree char *why = NULL;
	g_autofree char *why_apply = NULL;
	g_autofree char *why_again = NULL;

	if (json_parse_object((const char *)data, size, &profile, &why) < 0)
		return 0;
	if (seccomp_profile_apply(profile, "/run/lensfs/sysinfo.sock", &why_apply) < 0)
		return 0;
	json_write(profile, out);
	fuzz_assert(json_parse(out->str, out->len, &again, &why_again) == 0);
	return 0;
}
