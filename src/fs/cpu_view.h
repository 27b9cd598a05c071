/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "node.h"

/* sys/devices/system/cpu: cpuN of the visible CPUs (cpu_dir.h). */
extern const struct vdir_ops cpu_view_dir;
