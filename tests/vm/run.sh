#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# tests/vm/run.sh: the integration tests on a pure cgroup v2 kernel.
#
# Boots Debian's own kernel under qemu (software emulation: KVM here hangs a
# stock kernel) with cgroup_no_v1=all, the host's filesystem as its
# read-only root over 9p (so every tool the tests use is there), runs
# tests/vm/guest.sh inside, and returns its status. The kernel is fetched
# with apt-get download and cached in $LENSFS_VM_CACHE (default
# /var/cache/lensfs-vm, or BUILDDIR/.vm-cache where that cannot be written).
# Skips (77) without qemu or a kernel package, unless LENSFS_TEST_STRICT=1.
set -euo pipefail
SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
BUILDDIR=$(cd "${LENSFS_BUILDDIR:-$SRCDIR}" && pwd)
# The kernel is kept across builds and clones (a fresh clone would fetch and
# unpack it again, seconds of the suite's budget): /var/cache/lensfs-vm when
# it can be written, else the build tree.
if [ -n "${LENSFS_VM_CACHE:-}" ]; then CACHE=$LENSFS_VM_CACHE
elif mkdir -p /var/cache/lensfs-vm 2>/dev/null && [ -w /var/cache/lensfs-vm ]; then CACHE=/var/cache/lensfs-vm
else CACHE=$BUILDDIR/.vm-cache; fi
TIMEOUT=${LENSFS_VM_TIMEOUT:-780}
# --capture DIR: instead of the tests, copy real v2 files into DIR
# (tests/fixtures/capture-v2.sh).
CAPTURE=
if [ "${1:-}" = --capture ]; then
	mkdir -p "${2:?--capture DIR}"
	CAPTURE=$(cd "$2" && pwd)
fi

skip() {
	echo "SKIP: $*"
	[ "${LENSFS_TEST_STRICT:-0}" = 1 ] && { echo "LENSFS_TEST_STRICT=1: a skip is a failure"; exit 1; }
	exit 77
}
[ "$(id -u)" = 0 ] || skip "needs root"
command -v qemu-system-x86_64 >/dev/null || skip "needs qemu-system-x86_64 (apt-get install qemu-system-x86)"
BUSYBOX=$(command -v busybox || true)
[ -n "$BUSYBOX" ] && ! ldd "$BUSYBOX" >/dev/null 2>&1 || skip "needs a static busybox (apt-get install busybox-static)"

# The kernel: the version linux-image-amd64 depends on, unpacked once.
mkdir -p "$CACHE"
if [ ! -f "$CACHE/kernel/ok" ]; then
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
	[ -n "$pkg" ] || skip "apt-cache knows no linux-image-amd64 (run apt-get update)"
	rm -rf "$CACHE/kernel" "$CACHE"/*.deb
	(cd "$CACHE" && apt-get download "$pkg" >/dev/null 2>&1) || skip "cannot download $pkg"
	dpkg-deb -x "$CACHE"/"$pkg"_*.deb "$CACHE/kernel"
	rm -f "$CACHE"/*.deb
	# The uncompressed kernel boots directly (PVH), seconds sooner under
	# emulation: take the xz payload out of the bzImage, once.
	python3 - "$CACHE"/kernel/boot/vmlinuz-* "$CACHE/kernel/vmlinux" <<'PY' || true
import lzma, sys
data = open(sys.argv[1], "rb").read()
start = data.find(b"\xfd7zXZ\x00")
if start >= 0:
    elf = lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(data[start:])
    if elf[:4] == b"\x7fELF":
        open(sys.argv[2], "wb").write(elf)
PY
	touch "$CACHE/kernel/ok"
fi
KVER=$(ls "$CACHE/kernel/lib/modules" | head -1)
KERNEL=$CACHE/kernel/boot/vmlinuz-$KVER
[ -f "$CACHE/kernel/vmlinux" ] && KERNEL=$CACHE/kernel/vmlinux
MODDIR=$CACHE/kernel/lib/modules/$KVER/kernel

# Modules, in an order that satisfies each one's depends= (read from the
# .ko: there is no modules.dep in the package).
modpath() { find "$MODDIR" -name "$1.ko" | head -1; }
declare -A seen=()
ORDER=()
add_module() {
	local m=$1 dep f
	[ -n "${seen[$m]:-}" ] && return
	seen[$m]=1
	f=$(modpath "$m")
	[ -n "$f" ] || { echo "no module $m in $KVER"; exit 1; }
	for dep in $(strings -a "$f" | sed -n 's/^depends=//p' | tr ',' ' '); do add_module "$dep"; done
	ORDER+=("$m")
}
for m in 9p 9pnet_virtio virtio_pci; do add_module "$m"; done
BOOT_MODULES=("${ORDER[@]}")
ORDER=()
for m in fuse zram; do add_module "$m"; done
GUEST_MODULES=("${ORDER[@]}")

# The initramfs: busybox, the modules for a 9p root, and /init.
# The initramfs is this run's own (another build may be booting too).
INITRD=$(mktemp -d /tmp/lensfs-vm-initrd-XXXXXX)
trap 'rm -rf "$INITRD" "$INITRD.cpio" "${LOG:-}"' EXIT
mkdir -p "$INITRD/bin" "$INITRD/mods" "$INITRD/proc" "$INITRD/sys" "$INITRD/dev" "$INITRD/newroot"
cp "$BUSYBOX" "$INITRD/bin/busybox"
for m in "${BOOT_MODULES[@]}"; do cp "$(modpath "$m")" "$INITRD/mods/"; done
cat >"$INITRD/init" <<INIT
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in ${BOOT_MODULES[*]}; do insmod /mods/\$m.ko || echo "insmod \$m failed"; done
# cache=loose: the root does not change while the VM runs, and without a
# page cache every exec reads its binary and libraries again over 9p.
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=524288,cache=loose hostroot /newroot || { echo "LENSFS-VM-EXIT=98"; poweroff -f; }
# /tmp stays the host's (the sources may live there): scratch space is on /run.
mount -t tmpfs tmpfs /newroot/run
mount --move /proc /newroot/proc
mount --move /sys /newroot/sys
mount --move /dev /newroot/dev
exec switch_root /newroot /bin/bash "$SRCDIR/tests/vm/guest.sh" "$BUILDDIR" "${CAPTURE:+/run/capture}" $(for m in "${GUEST_MODULES[@]}"; do modpath "$m"; done | tr '\n' ' ')
INIT
chmod +x "$INITRD/init"
(cd "$INITRD" && find . | "$BUSYBOX" cpio -o -H newc 2>/dev/null) >"$INITRD.cpio"

LOG=$(mktemp /tmp/lensfs-vm-XXXXXX.log)
echo "# booting $KVER with cgroup v2 only (qemu, software emulation)"
start=$SECONDS
timeout "$TIMEOUT" qemu-system-x86_64 -M pc -accel tcg,thread=multi -cpu max -m 1024 -smp 2 \
	-nodefaults -no-user-config -display none -no-reboot -serial "file:$LOG" \
	-kernel "$KERNEL" -initrd "$INITRD.cpio" \
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
	${CAPTURE:+-virtfs local,path=$CAPTURE,mount_tag=capture,security_model=none} \
	-append "console=ttyS0 quiet panic=-1 cgroup_no_v1=all systemd.unified_cgroup_hierarchy=1" ||
	echo "# qemu: exit $? after $((SECONDS - start)) s"
# What the tests printed, without the kernel's own lines.
sed -n '/^LENSFS-VM-BEGIN/,/^LENSFS-VM-EXIT/p' "$LOG" | tr -d '\r' | grep -v '^LENSFS-VM-' || true
status=$(sed -n 's/^LENSFS-VM-EXIT=\([0-9]*\).*/\1/p' "$LOG" | tr -d '\r' | tail -1)
echo "# the VM ran for $((SECONDS - start)) s"
if [ -z "$status" ]; then
	echo "not ok - the VM did not finish; its console:"
	tail -40 "$LOG"
	exit 1
fi
exit "$status"
