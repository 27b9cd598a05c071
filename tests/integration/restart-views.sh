#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# restart.sh for a container that reads a view of its own (lensfs --views):
# 10 worker kills and 5 upgrades under its tight read loop, no read failed
# nor showed the host's values, right values after each.
LENSFS_TEST_VIEWS=1 exec "$(dirname "$0")/restart.sh"
