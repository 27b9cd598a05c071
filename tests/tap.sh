# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by the structure tests (parts.sh, man.sh, kubernetes.sh: no root,
# no mount): where the tree and the build are, TAP lines numbered as they
# go (ok, not_ok, check NAME GOT WANT), and tap_end: the plan, and the exit
# status.
set -u
SRCDIR=${LENSFS_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
BUILDDIR=${LENSFS_BUILDDIR:-$SRCDIR}
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: got '$2', want '$3'"; fi; }
tap_end() {
	echo "1..$n"
	[ "$failed" = 0 ]
}
