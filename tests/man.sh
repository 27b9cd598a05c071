#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The manual pages against the programs, no root needed:
#  - every option a program's --help prints (long and short) is in its page,
#    and every key of lensfs-relay's settings in lensfs-relay.conf(5);
#  - each page renders with man(1) without a warning;
#  - the check itself fails on a page with a planted missing option.
. "$(dirname "$0")/tap.sh"

if [ ! -f "$BUILDDIR/man/lensfs.8" ]; then
	echo "1..0 # SKIP the manual pages are not built (configure --disable-man)"
	exit 77
fi

# render PAGE: the page as text, as man(1) shows it.
render() {
	MANWIDTH=200 man -P cat -l "$1" 2>/dev/null | col -bx
}

# options BINARY: one option a line (--long and -s) from its --help.
options() {
	"$1" --help | grep -E '^ +-' | grep -oE '(^|[ ,])--?[a-zA-Z0-9][a-zA-Z0-9-]*' |
		sed 's/^[ ,]*//' | sort -u
}

# missing TEXT WORD...: the words not in TEXT as an option or key would be
# written there (followed by a space, comma, '=' or the line's end).
missing() {
	local text=$1 word
	shift
	for word in "$@"; do
		grep -qE -- "(^|[^a-zA-Z0-9-])${word}([ ,=]|\$)" <<<"$text" || echo "$word"
	done
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for pair in lensfs:lensfs.8 lensfs-hook:lensfs-hook.8 lensfs-show:lensfs-show.1 \
	lensfs-relay:lensfs-relay.8; do
	bin=$BUILDDIR/${pair%%:*}
	page=$BUILDDIR/man/${pair#*:}
	mapfile -t opts < <(options "$bin")
	text=$(render "$page")
	gone=$(missing "$text" "${opts[@]}" | tr '\n' ' ')
	check "${pair#*:}: every one of the ${#opts[@]} options of ${pair%%:*} --help is there" \
		"$gone" ""
done

# lensfs-relay.conf(5): every key of the installed settings file (it lists
# each at its default), which lensfs-relay accepts, and every option that is
# also a key.
conf=$SRCDIR/config/lensfs-relay.conf
mapfile -t keys < <(sed -n 's/^#\{0,1\}\([a-z][a-z-]*\)=.*/\1/p' "$conf" | sort -u)
sed 's/^#\([a-z][a-z-]*=\)/\1/' "$conf" |
	sed -e 's|^address=.*|address=127.0.0.1:514|' -e 's|^to=.*|to=udp|' >"$tmp/all-keys.conf"
# With a run directory that cannot be made, the relay stops with status 1
# after reading its settings; a bad key stops it before, with status 2.
touch "$tmp/not-a-dir"
relay_start() {
	"$BUILDDIR/lensfs-relay" --config "$1" --run-dir "$tmp/not-a-dir/run" >/dev/null 2>&1
	echo $?
}
check "the settings file's ${#keys[@]} keys, each set, are read without complaint" \
	"$(relay_start "$tmp/all-keys.conf")" 1
echo "no-such-key=1" >>"$tmp/all-keys.conf"
check "a settings file with an unknown key is refused" "$(relay_start "$tmp/all-keys.conf")" 2
mapfile -t relay_opts < <(options "$BUILDDIR/lensfs-relay" | sed -n 's/^--//p' |
	grep -vxE 'config|debug|help|version')
text=$(render "$BUILDDIR/man/lensfs-relay.conf.5")
gone=$(missing "$text" "${keys[@]}" "${relay_opts[@]}" | sort -u | tr '\n' ' ')
check "lensfs-relay.conf.5: every key of the settings file and every option that is a key" \
	"$gone" ""

for page in "$BUILDDIR"/man/*.[158]; do
	warnings=$(MANWIDTH=80 man --warnings -P cat -l "$page" 2>&1 >/dev/null)
	check "$(basename "$page") renders without warnings" "$warnings" ""
done

# The check fails where it should: a page that lost --threads.
if [ -n "${SCDOC:-}" ]; then
	sed '/^\*--threads\* _N_$/,/^$/d' "$SRCDIR/man/lensfs.8.scd" | "$SCDOC" >"$tmp/lensfs.8"
	check "a planted missing option is found (--threads)" \
		"$(missing "$(render "$tmp/lensfs.8")" $(options "$BUILDDIR/lensfs"))" "--threads"
else
	not_ok "a planted missing option is found: SCDOC is not set (run from make check)"
fi

tap_end
