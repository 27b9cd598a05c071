/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What the programs share on their command lines. */

#include <glib.h>

/* The --version entry; version is set when it is given. */
#define CLI_VERSION_ENTRY(version)                                                                \
	{                                                                                         \
		"version", 0, 0, G_OPTION_ARG_NONE, (version), "Print the version and exit", NULL \
	}

/* Parses the options. Returns -1 to go on, or the status to exit with: 2
 * after a message for a bad option, 0 after printing the version. */
int cli_parse(GOptionContext *octx, const char *prog, const gboolean *version, int *argc,
	      char ***argv);
