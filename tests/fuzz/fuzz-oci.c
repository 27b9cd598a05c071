/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The hook's readers of what a runtime hands it: the OCI state on stdin
 * (oci_state_parse) and the bundle's config.json (oci_config_rootfs). The
 * first byte chooses; the rest is the document. */
#include "config.h"

#include "fuzz.h"
#include "oci.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data + 1;
	g_autofree char *why = NULL;

	if (size < 1)
		return 0;
	size--;
	if (data[0] & 1) {
		g_autofree char *rootfs = NULL;

		if (oci_config_rootfs(text, size, "/run/bundle", &rootfs, &why) == 0)
			fuzz_assert(rootfs && rootfs[0] == '/');
	} else {
		g_auto(oci_state) s = { 0 };

		if (oci_state_parse(text, size, &s, &why) == 0) {
			fuzz_assert(s.id && s.id[0] && s.bundle && s.bundle[0] == '/');
			(void)oci_state_annotation(&s, "io.lensfs.relay");
		}
	}
	return 0;
}
