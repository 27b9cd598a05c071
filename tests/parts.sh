#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The shape of src/ (docs/design.md, "Parts"), no root needed:
#  - every #include follows the directions between the parts, and no
#    modules include each other (tests/parts.py); the checker itself fails
#    on a planted wrong direction and a planted circle;
#  - lensfs-hook links no renderer, sampler, node table or FUSE code: none
#    of the symbols the render, view, fs and daemon parts define is in it.
. "$(dirname "$0")/tap.sh"

out=$(python3 "$SRCDIR/tests/parts.py" "$SRCDIR/src")
check "src/: every include in its direction, no circle ($(tail -n1 <<<"$out"))" "$?" 0
[ "$(wc -l <<<"$out")" -gt 1 ] && sed 's/^/# /' <<<"$out"

# The checker catches what it is for: a base file that uses the node
# table, and two render headers that include each other.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -r "$SRCDIR/src" "$tmp/src"
sed -i '0,/^#include "util.h"/s//#include "util.h"\n#include "vtree.h"/' "$tmp/src/base/util.c"
check "a planted include of fs/ in base/ is found" \
	"$(python3 "$SRCDIR/tests/parts.py" "$tmp/src" | grep -c 'base/util.c: base/ must not use fs/ (vtree.h)')" 1
cp "$SRCDIR/src/base/util.c" "$tmp/src/base/util.c"
printf '#include "cpu_dir.h"\n' >>"$tmp/src/render/render.h"
printf '#include "render.h"\n' >>"$tmp/src/render/cpu_dir.h"
check "a planted circle is found" \
	"$(python3 "$SRCDIR/tests/parts.py" "$tmp/src" | grep -c '^a circle of modules: render/cpu_dir render/render$')" 1

hook=$BUILDDIR/lensfs-hook
if [ -x "$hook" ] && command -v nm >/dev/null; then
	in_hook=$(nm --defined-only "$hook" | awk '{ print $3 }' | sort -u)
	for part in render view fs daemon; do
		lib=$BUILDDIR/src/$part/liblensfs-$part.a
		theirs=$(nm -g --defined-only "$lib" 2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u)
		[ -n "$theirs" ] || { not_ok "$part/: no symbols in $lib"; continue; }
		both=$(comm -12 <(echo "$in_hook") <(echo "$theirs") | xargs)
		check "lensfs-hook holds nothing of $part/ ($(wc -l <<<"$theirs") symbols)" "$both" ""
	done
	echo "# lensfs-hook: $(stat -c %s "$hook") bytes"
else
	not_ok "lensfs-hook and nm (binutils) to look into it"
fi
echo "# $((n - failed)) passed, $failed failed"
tap_end
