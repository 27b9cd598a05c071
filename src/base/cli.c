/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "cli.h"

#include <stdio.h>

int cli_parse(GOptionContext *octx, const char *prog, const gboolean *version, int *argc,
	      char ***argv)
{
	g_autoptr(GError) err = NULL;

	if (!g_option_context_parse(octx, argc, argv, &err)) {
		fprintf(stderr, "%s: %s\n", prog, err->message);
		return 2;
	}
	if (*version) {
		printf("%s %s\n", prog, PACKAGE_VERSION);
		return 0;
	}
	return -1;
}
