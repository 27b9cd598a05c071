/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

enum log_level { LOG_LVL_ERROR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

/* Where messages go: stderr (foreground) or syslog (daemonized). */
void log_init(const char *ident, bool to_syslog, bool debug);
extern bool log_debug_enabled;

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_LVL_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_LVL_INFO, __VA_ARGS__)
/* Debug output costs one branch when it is off. */
#define log_debug(...)                                       \
	do {                                                 \
		if (log_debug_enabled)                       \
			log_msg(LOG_LVL_DEBUG, __VA_ARGS__); \
	} while (0)
