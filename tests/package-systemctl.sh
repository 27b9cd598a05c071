#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A stand-in for systemctl, for tests/package.sh on a machine where systemd
# does not run: it does with the installed units what systemd would, for
# what the package's maintainer scripts ask (through deb-systemd-invoke and
# deb-systemd-helper), and records every call in $LENSFS_FAKE_SYSTEMD/calls.
#   start UNIT...   runs ExecStart in the background (Type=notify: until
#                   lensfs serves its mount point)
#   reload UNIT     runs ExecReload with $MAINPID
#   stop UNIT...    SIGTERM to the main process, until it has gone
#   restart UNIT... stop, then start
#   preset, enable  the [Install] WantedBy= links in /etc/systemd/system
#                   (deb-systemd-helper enables units so)
#   disable         those links removed
#   is-active, is-enabled, daemon-reload, --version: what systemd answers
set -u
state=${LENSFS_FAKE_SYSTEMD:?}
echo "$*" >>"$state/calls"
args=()
for a in "$@"; do
	case $a in
	--version) args+=("$a") ;;
	-*) ;; # --system, --quiet, --root=/, --preset-mode=...
	*) args+=("$a") ;;
	esac
done
action=${args[0]:-}
units=("${args[@]:1}")

unit_file() { echo "/lib/systemd/system/$1"; }
key() { sed -n "s/^$2=//p" "$(unit_file "$1")" | tail -n 1; }
main_pid() { cat "$state/$1.pid" 2>/dev/null; }
running() { local p; p=$(main_pid "$1") && [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }

start() {
	running "$1" && return 0
	# shellcheck disable=SC2046
	setsid $(key "$1" ExecStart) >>"$state/$1.log" 2>&1 </dev/null &
	echo $! >"$state/$1.pid"
	if [ "$(key "$1" Type)" = notify ]; then
		for _ in $(seq 200); do
			mountpoint -q /var/lib/lensfs && [ -e /var/lib/lensfs/proc/meminfo ] && return 0
			running "$1" || return 1
			sleep 0.05
		done
		return 1
	fi
}
stop() {
	local p
	running "$1" || return 0
	p=$(main_pid "$1")
	kill -TERM "$p"
	for _ in $(seq 200); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
	rm -f "$state/$1.pid"
}

# wants UNIT: the links [Install] WantedBy= asks for.
wants() {
	local t
	for t in $(key "$1" WantedBy); do echo "/etc/systemd/system/$t.wants/$1"; done
}

case $action in
preset | enable)
	for u in "${units[@]}"; do
		for l in $(wants "$u"); do mkdir -p "${l%/*}" && ln -sfn "$(unit_file "$u")" "$l"; done
	done
	;;
disable) for u in "${units[@]}"; do for l in $(wants "$u"); do rm -f "$l"; done; done ;;
--version) echo "systemd 252 (252.0)" ;;
daemon-reload) ;;
is-enabled)
	for u in "${units[@]}"; do
		if [ -e "/etc/systemd/system/multi-user.target.wants/$u" ]; then echo enabled; else
			echo disabled
			exit 1
		fi
	done
	;;
is-active) for u in "${units[@]}"; do running "$u" || exit 3; done ;;
start) for u in "${units[@]}"; do start "$u" || exit 1; done ;;
stop) for u in "${units[@]}"; do stop "$u"; done ;;
restart) for u in "${units[@]}"; do stop "$u" && start "$u" || exit 1; done ;;
reload)
	for u in "${units[@]}"; do
		running "$u" || exit 1
		cmd=$(key "$u" ExecReload)
		MAINPID=$(main_pid "$u")
		eval "${cmd//\$MAINPID/$MAINPID}" || exit 1
	done
	;;
esac
exit 0
