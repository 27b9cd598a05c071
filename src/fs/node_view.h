/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "node.h"

/* sys/devices/system/node: nodeN of the memory nodes the reader's cpuset
 * allows, numbered from 0 (view.h, view_node_map). */
extern const struct vdir_ops node_view_dir;
