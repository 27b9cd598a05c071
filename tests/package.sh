#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The Debian package (debian/), as root on Debian 12: built with
# dpkg-buildpackage from this tree, lintian without an error, installed
# (lensfs enabled and started: it serves /var/lib/lensfs), upgraded to a
# second build while a runc container started through the installed hook
# reads /proc/meminfo in a loop (reloaded, never stopped: 0 failed reads),
# and purged (stopped, every file gone).
#
# systemd does not run on the test machines: tests/package-systemctl.sh
# stands in for systemctl (what it did is in WORK/systemd/calls), with
# /run/systemd/system made for the maintainer scripts to see, and the
# image's policy-rc.d (which forbids starting services) set aside meanwhile.
# Run by setup.sh test; not by make check (it builds the whole package and
# installs it on the host).
SRCDIR=$(cd "$(dirname "$0")/.." && pwd)
LENSFS=/usr/bin/lensfs
LENSFS_BUILDDIR=${LENSFS_BUILDDIR:-$SRCDIR/build}
. "$SRCDIR/tests/integration/lib.sh"
LENSFS_TEST_TIMEOUT=${LENSFS_TEST_TIMEOUT:-1200}
watchdog
[ "$(id -u)" = 0 ] || skip "needs root"
for tool in dpkg-buildpackage lintian runc jq; do
	command -v "$tool" >/dev/null || skip "needs $tool"
done
dpkg -s lensfs >/dev/null 2>&1 && skip "a lensfs package is installed already"
mountpoint -q /var/lib/lensfs && skip "something is mounted on /var/lib/lensfs already"
require_machine_cgroups() {
	if [ -f "$CGROOT/cgroup.controllers" ]; then CGVER=2; else CGVER=1; fi
	defer cg_destroy "$TAG"
}
require_machine_cgroups

WORK=$(mktemp -d -t lensfs-package-XXXXXX)
defer "rm -rf $WORK"

# --- build, twice (the second is the upgrade) -------------------------------
mkdir "$WORK/src"
# The tree's files as they are (a git checkout's, or all but the builds).
if git -C "$SRCDIR" rev-parse 2>/dev/null; then
	git -C "$SRCDIR" ls-files -co --exclude-standard -z | (cd "$SRCDIR" && tar --null -T - -c) |
		tar -x -C "$WORK/src"
else
	tar -C "$SRCDIR" --exclude='./build*' -c . | tar -x -C "$WORK/src"
fi
(cd "$WORK/src" && dpkg-buildpackage -us -uc -b >"$WORK/build.log" 2>&1)
check "dpkg-buildpackage -us -uc -b" "$?" 0 || tail -n 30 "$WORK/build.log"
VERSION=$(dpkg-parsechangelog -l "$WORK/src/debian/changelog" -S Version)
DEB=$WORK/lensfs_${VERSION}_$(dpkg --print-architecture).deb
check_true "it made $(basename "$DEB")" test -f "$DEB"
lintian "$WORK"/lensfs_"${VERSION}"_*.changes >"$WORK/lintian.log" 2>&1
sed 's/^/# lintian: /' "$WORK/lintian.log"
check "lintian: no error" "$(grep -c '^E: ' "$WORK/lintian.log")" 0
# The same tree built again, under a higher version, as a new release is.
mkdir "$WORK/v2"
mv "$WORK"/lensfs*_"$VERSION"_* "$WORK/v2/" 2>/dev/null
mv "$WORK/v2/$(basename "$DEB")" "$DEB"
NEXT=$VERSION+rebuild1
{
	printf 'lensfs (%s) unstable; urgency=medium\n\n  * Rebuilt, for the upgrade test.\n\n' "$NEXT"
	printf ' -- lensfs developers <devel@lensfs.invalid>  %s\n\n' "$(date -R)"
	cat "$WORK/src/debian/changelog"
} >"$WORK/changelog" && mv "$WORK/changelog" "$WORK/src/debian/changelog"
(cd "$WORK/src" && DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -us -uc -b -nc >"$WORK/build2.log" 2>&1)
check "the second build ($NEXT)" "$?" 0 || tail -n 30 "$WORK/build2.log"
DEB2=$WORK/lensfs_${NEXT}_$(dpkg --print-architecture).deb

# --- systemd, as the maintainer scripts see it --------------------------------
export LENSFS_FAKE_SYSTEMD=$WORK/systemd
mkdir -p "$LENSFS_FAKE_SYSTEMD" "$WORK/bin"
cp "$SRCDIR/tests/package-systemctl.sh" "$WORK/bin/systemctl"
export PATH=$WORK/bin:$PATH
if [ ! -d /run/systemd/system ]; then
	mkdir -p /run/systemd/system
	defer "rmdir /run/systemd/system"
fi
if [ -e /usr/sbin/policy-rc.d ]; then
	mv /usr/sbin/policy-rc.d "$WORK/policy-rc.d"
	defer "mv $WORK/policy-rc.d /usr/sbin/policy-rc.d"
fi
# A failed test leaves nothing installed or mounted.
defer "dpkg --purge lensfs; umount -l /var/lib/lensfs; umount -l /run/lensfs/views"
calls() { grep -c -- "$1" "$LENSFS_FAKE_SYSTEMD/calls" 2>/dev/null || true; }

# --- install ----------------------------------------------------------------
dpkg -i "$DEB" >"$WORK/install.log" 2>&1
check "dpkg -i $(basename "$DEB")" "$?" 0 || cat "$WORK/install.log"
check "lensfs.service: enabled" "$(readlink /etc/systemd/system/multi-user.target.wants/lensfs.service)" \
	/lib/systemd/system/lensfs.service
check "lensfs.service and lensfs-relay.service: started" \
	"$(calls 'start lensfs.service'):$(calls 'start lensfs-relay.service')" "1:1"
check_true "lensfs serves /var/lib/lensfs" grep -q '^MemTotal:' /var/lib/lensfs/proc/meminfo
check "... and its views on /run/lensfs/views" \
	"$(awk '$5 == "/run/lensfs/views" && / - fuse\.lensfs-views /' /proc/self/mountinfo | wc -l)" 1
PID=$(cat "$LENSFS_FAKE_SYSTEMD/lensfs.service.pid")
check "man lensfs" "$(man -w lensfs 2>&1)" /usr/share/man/man8/lensfs.8.gz
check "man lensfs-relay.conf" "$(man -w lensfs-relay.conf 2>&1)" /usr/share/man/man5/lensfs-relay.conf.5.gz
check_true "podman's hooks.d names the installed hook" \
	grep -q '"/usr/bin/lensfs-hook"' /usr/share/containers/oci/hooks.d/lensfs-hook.json

# --- a container that reads in a loop, through the upgrade ----------------------
HOOK=/usr/bin/lensfs-hook MNT=/var/lib/lensfs VDIR=/run/lensfs/views
LIMITS='{"memory":{"limit":268435456}}'
make_rootfs "$WORK/rootfs"
mkdir "$WORK/out"
cat >"$WORK/rootfs/loop.sh" <<'LOOP'
ok=0 bad=0
while [ ! -e /out/stop ]; do
	if [ "$(/busybox awk '/^MemTotal:/ { print $2 }' /proc/meminfo 2>/dev/null)" = 262144 ]; then
		ok=$((ok + 1))
	else
		bad=$((bad + 1))
	fi
	echo "$ok $bad" >/out/count.new && /busybox mv /out/count.new /out/count
done
LOOP
bundle reader "$(hook_json createRuntime)" '.process.args = ["/busybox", "sh", "/loop.sh"] |
	.mounts += [{"destination": "/out", "type": "bind", "source": "'"$WORK/out"'", "options": ["rbind"]}]'
RUNC="runc --root $WORK/runc-state"
(cd "$WORK/reader" && $RUNC run -d "lensfs-reader-$$" </dev/null >"$WORK/reader.out" 2>&1)
defer "$RUNC delete -f lensfs-reader-$$"
sleep 1
before=$(cat "$WORK/out/count" 2>/dev/null)
check_true "the container reads its 256M through the installed hook ($before)" \
	awk -v c="$before" 'BEGIN { split(c, n, " "); exit !(n[1] > 0 && n[2] == 0) }'

dpkg -i "$DEB2" >"$WORK/upgrade.log" 2>&1
check "dpkg -i $(basename "$DEB2") (the upgrade)" "$?" 0 || cat "$WORK/upgrade.log"
check "the upgrade reloads lensfs.service, never stops or restarts it" \
	"$(calls 'reload lensfs.service'):$(calls 'stop lensfs.service'):$(calls 'restart lensfs.service')" \
	"1:0:0"
sleep 1.5
touch "$WORK/out/stop"
sleep 0.3
after=$(cat "$WORK/out/count")
echo "# reads before the upgrade: $before; at the end: $after"
check_true "reads went on through the upgrade ($before, then $after)" \
	awk -v a="$before" -v b="$after" 'BEGIN { split(a, x, " "); split(b, y, " "); exit !(y[1] > x[1]) }'
check "0 failed reads" "${after#* }" 0
check_true "the supervisor installed first still runs" kill -0 "$PID"
check_true "... and said it upgraded itself in place" \
	grep -q 'supervisor upgraded' "$LENSFS_FAKE_SYSTEMD/lensfs.service.log"
check "... running the upgraded file, not the deleted one" "$(readlink "/proc/$PID/exe")" /usr/bin/lensfs
check "the package's version" "$(dpkg-query -W -f '${Version}' lensfs)" "$NEXT"
$RUNC delete -f "lensfs-reader-$$" >/dev/null 2>&1

# --- remove -----------------------------------------------------------------
dpkg --purge lensfs >"$WORK/purge.log" 2>&1
check "dpkg --purge lensfs" "$?" 0 || cat "$WORK/purge.log"
check "purge stops both units" "$(calls 'stop lensfs.service'):$(calls 'stop lensfs-relay.service')" "1:1"
check_true "lensfs has stopped" eval "! kill -0 $PID 2>/dev/null"
check_true "/var/lib/lensfs is no longer mounted" eval "! mountpoint -q /var/lib/lensfs"
check "no file of the package is left" \
	"$(ls /usr/bin/lensfs* /etc/lensfs-relay.conf /lib/systemd/system/lensfs*.service \
		/usr/share/containers/oci/hooks.d/lensfs-hook.json 2>/dev/null | wc -l)" 0
check_true "the unit's enablement is gone" test ! -e /etc/systemd/system/multi-user.target.wants/lensfs.service
finish
