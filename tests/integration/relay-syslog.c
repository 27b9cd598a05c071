/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Runs inside relay.sh's containers, linked statically: one message through
 * glibc's syslog(3) to /dev/log. relay-syslog NAME */
#include <stdio.h>
#include <syslog.h>

int main(int argc, char **argv)
{
	char tag[64];

	if (argc != 2)
		return 2;
	snprintf(tag, sizeof(tag), "sc-%s", argv[1]);
	openlog(tag, LOG_PID, LOG_LOCAL4);
	syslog(LOG_WARNING, "syslog(3) from %s", argv[1]);
	closelog();
	return 0;
}
