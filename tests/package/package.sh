#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The Debian packages, installed in a guest as a user would (make
# check-package; not part of make check: it compiles the module twice
# under TCG). scripts/build-package builds them on the host first with
# dpkg-buildpackage and checks them with lintian. Here:
#  - a writable root: overlayfs, the host's root (read-only 9p) as the
#    lower layer, a tmpfs upper layer; the test chroots into it;
#  - apt-get install ./ipsec-dkms_*.deb ./pfkeyctl_*.deb: DKMS builds
#    ipsec.ko for the running 6.1 kernel (its postinst, dkms's own
#    common.postinst); modprobe ipsec (in the chroot) loads that module;
#  - the packaged example /etc/pfkeyctl.conf, applied by the packaged
#    unit's ExecStart line in one namespace and its mirror image in the
#    other, keys an ESP tunnel that carries a ping: ESP on the wire,
#    decrypted by Wireshark with the file's keys (RFC 4106), no cleartext;
#  - a second kernel's headers arriving: they are hidden during the
#    install, then shown, and linux-headers' postinst hook
#    (/etc/kernel/header_postinst.d/dkms) builds ipsec.ko for 6.12;
#  - apt-get purge ipsec-dkms pfkeyctl: everything the packages (and DKMS
#    for them) put in the upper layer is gone again, apart from the
#    package manager's own records (dpkg status, logs, caches).
# Under TCG each DKMS build of ipsec.ko takes several minutes (README).
# check-setup: scripts/build-package
# check-timeout: 10800
. "$(dirname "$0")/../kselftest/lib/lib.sh"

PKG=$TOP/.cache/package
K61=$(uname -r)
# the other kernel line, when its headers are on the host
K612=$(ls -d /lib/modules/6.12.*/build 2>/dev/null | sort -V | tail -n 1)
K612=${K612%/build}
K612=${K612##*/}
H612=/usr/src/linux-headers-$K612

now() { date +%s; }
T0=$(now)
took() { echo "# ... $1 took $(($(now) - $2)) s (under TCG)"; }

# the end of the file when a step everything else needs has failed
bail()
{
	ktap_info "cannot go on: $*"
	ktap_end
}

ktap_begin

# --- the host's part: dpkg-buildpackage and lintian (scripts/build-package)
for d in ipsec-dkms pfkeyctl; do
	set -- "$PKG"/${d}_*.deb
	[ -f "$1" ] || bail "no $PKG/${d}_*.deb (scripts/build-package)"
done
if check_eq "lintian: every tag down to pedantic fixed or overridden" 0 \
	"$(cat "$PKG/lintian.rc" 2>/dev/null)"; then
	:
else
	sed 's/^/# lintian: /' "$PKG/lintian.log"
fi

# --- a writable root --------------------------------------------------------
# overlayfs accepts the 9p root as a lower layer (9p is only refused as
# an upper layer); the upper layer is what the packages changed.
W=$(mktemp -d)
# the logs of apt and DKMS, where the host can follow them
LOGS=$PKG/guest
rm -rf "$LOGS"
mkdir -p "$LOGS"
mkdir "$W/upper" "$W/work" "$W/root" "$W/lower"
R=$W/root
U=$W/upper
# the 9p root alone, without the guest's mounts over it (/tmp, /run, the
# checkout): what overlayfs sees as its lower layer
mount --bind / "$W/lower"
L=$W/lower
if mount -t overlay overlay -o "lowerdir=$L,upperdir=$U,workdir=$W/work" \
	"$R" 2>"$W/mount.err"; then
	ktap_ok "overlayfs: the 9p root under a tmpfs upper layer"
else
	ktap_fail "overlayfs: the 9p root under a tmpfs upper layer"
	sed 's/^/# /' "$W/mount.err"
	dmesg | tail -n 5 | sed 's/^/# /'
	bail "no writable root"
fi
mount --bind /proc "$R/proc"
mount --rbind /sys "$R/sys"
mount --rbind /dev "$R/dev"
# volatile on a real machine too: not the packages' doing
for d in tmp run var/tmp; do
	mount -t tmpfs -o mode=1777 tmpfs "$R/$d"
done
# The other kernel's headers are "not installed yet": DKMS's postinst
# builds for the running and the newest kernel, skipping a kernel
# without headers (no build/include).
if [ -n "$K612" ]; then
	mount -t tmpfs -o ro,mode=755 tmpfs "$R$H612"
fi

inroot() { chroot "$R" "$@"; }
# ko_of KVER: where DKMS puts ipsec.ko for KVER: compressed as the
# kernel's own modules are (dkms follows CONFIG_MODULE_COMPRESS_*:
# 6.12's are .ko.xz, 6.1's plain .ko)
ko_of()
{
	case $(grep -x 'CONFIG_MODULE_COMPRESS_[A-Z]*=y' "$R/boot/config-$1") in
	*_XZ=y*) echo "/lib/modules/$1/updates/dkms/ipsec.ko.xz" ;;
	*_ZSTD=y*) echo "/lib/modules/$1/updates/dkms/ipsec.ko.zst" ;;
	*_GZIP=y*) echo "/lib/modules/$1/updates/dkms/ipsec.ko.gz" ;;
	*) echo "/lib/modules/$1/updates/dkms/ipsec.ko" ;;
	esac
}
# the upper layer's entries
upper_list() { (cd "$U" && find . -mindepth 1 | sort); }
upper_list >"$W/before"

cp "$PKG"/ipsec-dkms_*.deb "$PKG"/pfkeyctl_*.deb "$R/tmp/"
DEBS=$(cd "$R/tmp" && ls ./ipsec-dkms_*.deb ./pfkeyctl_*.deb | sed 's|^\./|/tmp/|')

# --- install: DKMS builds for the running kernel ---------------------------
t=$(now)
# shellcheck disable=SC2086
if inroot env DEBIAN_FRONTEND=noninteractive \
	apt-get install -y -q $DEBS >"$LOGS/install.log" 2>&1; then
	ktap_ok "apt-get install ./ipsec-dkms_*.deb ./pfkeyctl_*.deb"
else
	ktap_fail "apt-get install ./ipsec-dkms_*.deb ./pfkeyctl_*.deb"
	sed 's/^/# apt: /' "$LOGS/install.log"
	bail "not installed"
fi
took "apt-get install (with the DKMS build for $K61)" "$t"
grep -E '^(Building for|Building initial|Module build|Done\.)' "$LOGS/install.log" |
	sed 's/^/# postinst: /'
check_eq "dpkg: both packages installed" "install ok installed
install ok installed" "$(inroot dpkg-query -W -f '${Status}\n' ipsec-dkms pfkeyctl)"
check "dkms status: ipsec installed for $K61" sh -c \
	"chroot '$R' dkms status -m ipsec -k '$K61' | grep -q ': installed'"
KO61=$(ko_of "$K61")
check "DKMS put $KO61 in place" test -f "$R$KO61"
check_eq "... built for $K61 (vermagic)" "$K61" \
	"$(inroot modinfo -F vermagic "$KO61" | cut -d' ' -f1)"
check "the package's /etc/modprobe.d/ipsec.conf blacklists esp4 and af_key" \
	sh -c "grep -qx 'blacklist esp4' '$R/etc/modprobe.d/ipsec.conf' &&
	       grep -qx 'blacklist af_key' '$R/etc/modprobe.d/ipsec.conf'"
check "pfkeyctl in /usr/sbin, its man page, the unit and the bash completion" \
	test -x "$R/usr/sbin/pfkeyctl" \
	-a -f "$R/usr/share/man/man8/pfkeyctl.8.gz" \
	-a -f "$R/lib/systemd/system/pfkeyctl.service" \
	-a -f "$R/usr/share/bash-completion/completions/pfkeyctl"

# --- modprobe ipsec: the DKMS module ----------------------------------------
check_fails "outside the chroot modprobe knows no ipsec module" modprobe -n ipsec
check "modprobe ipsec (in the chroot)" inroot modprobe ipsec
check "... ipsec is loaded" ipsec_loaded
check_eq "... and it is DKMS's ipsec.ko (srcversion)" \
	"$(inroot modinfo -F srcversion "$KO61")" \
	"$(cat /sys/module/ipsec/srcversion 2>/dev/null)"
check_eq "... modinfo in the chroot resolves ipsec to it" "$KO61" \
	"$(inroot modinfo -n ipsec)"

# --- a tunnel keyed from the packaged example file ---------------------------
# /etc/pfkeyctl.conf as README says: the example, 192.0.2.1 <-> 192.0.2.2
EX=$R/usr/share/doc/pfkeyctl/examples/pfkeyctl.conf.example
[ -f "$EX" ] || EX=$EX.gz
zcat -f "$EX" >"$R/etc/pfkeyctl.conf"
# the peer's file: the mirror image (in and out swapped)
sed -e 's/-P out /-P IN /' -e 's/-P in /-P out /' -e 's/-P IN /-P in /' \
	"$R/etc/pfkeyctl.conf" >"$R/tmp/peer.conf"
START=$(sed -n 's/^ExecStart=//p' "$R/lib/systemd/system/pfkeyctl.service")
ip netns add a
ip netns add b
link_ns a b 192.0.2.1 192.0.2.2
# shellcheck disable=SC2086
check "the unit's ExecStart ($START) in namespace a" \
	ip netns exec a chroot "$R" $START
check "pfkeyctl -f of the mirror image in namespace b" \
	ip netns exec b chroot "$R" /usr/sbin/pfkeyctl -f /tmp/peer.conf
ip netns exec b tcpdump --immediate-mode -U -ni veth_b -w "$W/wire.pcap" \
	>/dev/null 2>&1 &
CAP=$!
wait_until 10 test -s "$W/wire.pcap"
sleep 0.5
check "ping 192.0.2.1 -> 192.0.2.2 through the tunnel" \
	ip netns exec a ping -c 3 -i 0.3 -W 2 192.0.2.2
sleep 0.5
kill "$CAP"
wait "$CAP" 2>/dev/null
check_eq "the wire carries 6 ESP packets" 6 \
	"$(tcpdump -nr "$W/wire.pcap" esp 2>/dev/null | wc -l)"
check_eq "... and no cleartext ICMP" 0 \
	"$(tcpdump -nr "$W/wire.pcap" icmp 2>/dev/null | wc -l)"
# the keys of the file, as Wireshark's ESP dissector takes them (RFC 4106:
# 16 octets of AES key, then the 4-octet salt)
key_of() # SPI: the key of the file's SA with that SPI
{
	sed -n "/^add .* esp $1 /{n;s/.*aes-gcm-16 \\(0x[0-9a-f]*\\);.*/\\1/p}" \
		"$R/etc/pfkeyctl.conf"
}
k1=$(key_of 0x1001)
k2=$(key_of 0x1002)
GCM="AES-GCM with 16 octet ICV [RFC4106]"
check_eq "Wireshark decrypts the 6 with the file's keys, every ICV good" \
	"0x00001001 1 3
0x00001002 1 3" "$(tshark -r "$W/wire.pcap" \
	-o esp.enable_encryption_decode:TRUE \
	-o esp.enable_authentication_check:TRUE \
	-o "uat:esp_sa:\"IPv4\",\"192.0.2.1\",\"192.0.2.2\",\"0x00001001\",\"$GCM\",\"$k1\",\"NULL\",\"\"" \
	-o "uat:esp_sa:\"IPv4\",\"192.0.2.2\",\"192.0.2.1\",\"0x00001002\",\"$GCM\",\"$k2\",\"NULL\",\"\"" \
	-T fields -e esp.spi -e esp.icv_good -Y esp 2>/dev/null |
	sed 's/True/1/' | sort | uniq -c | awk '{ print $2, $3, $1 }')"
ip netns del a
ip netns del b
# not the packages' files: the user's
rm -f "$R/etc/pfkeyctl.conf" "$R/tmp/peer.conf"
check "rmmod ipsec" rmmod ipsec

# --- another kernel's headers arrive -----------------------------------------
if [ -z "$K612" ]; then
	ktap_skip "DKMS builds for 6.12 when its headers arrive" "no 6.12 headers on the host"
else
	KO612=$(ko_of "$K612")
	check_fails "no ipsec.ko for $K612 while its headers are missing" \
		sh -c "ls '$R/lib/modules/$K612/updates/dkms/'ipsec.ko* 2>/dev/null | grep -q ."
	umount "$R$H612"
	# what linux-headers-$K612's postinst runs
	# (run-parts --arg=$K612 /etc/kernel/header_postinst.d)
	t=$(now)
	if inroot /etc/kernel/header_postinst.d/dkms "$K612" \
		>"$LOGS/headers.log" 2>&1; then
		ktap_ok "/etc/kernel/header_postinst.d/dkms $K612"
	else
		ktap_fail "/etc/kernel/header_postinst.d/dkms $K612"
		sed 's/^/# /' "$LOGS/headers.log"
	fi
	took "the DKMS build for $K612" "$t"
	check "DKMS put $KO612 in place" test -f "$R$KO612"
	check_eq "... built for $K612 (vermagic)" "$K612" \
		"$(inroot modinfo -F vermagic "$KO612" | cut -d' ' -f1)"
	check "dkms status: ipsec installed for $K612" sh -c \
		"chroot '$R' dkms status -m ipsec -k '$K612' | grep -q ': installed'"
fi

# --- purge: nothing left behind ----------------------------------------------
t=$(now)
if inroot env DEBIAN_FRONTEND=noninteractive \
	apt-get purge -y -q ipsec-dkms pfkeyctl >"$LOGS/purge.log" 2>&1; then
	ktap_ok "apt-get purge ipsec-dkms pfkeyctl"
else
	ktap_fail "apt-get purge ipsec-dkms pfkeyctl"
	sed 's/^/# apt: /' "$LOGS/purge.log"
fi
took "apt-get purge" "$t"
check_eq "dpkg: both packages gone" "" \
	"$(inroot dpkg-query -W -f '${db:Status-Abbrev}\n' ipsec-dkms pfkeyctl 2>/dev/null | grep -v '^un')"
check_eq "dkms status knows no ipsec" "" "$(inroot dkms status -m ipsec 2>&1)"

# leftovers: what the upper layer has now and did not have before,
# apart from
#  - directories of the lower layer (copied up for a new entry; the
#    entries themselves are listed on their own),
#  - files and links equal to the lower layer's (copied up, not changed:
#    depmod's modules.* written again with the same modules),
#  - the package manager's own records: dpkg's status and triggers, apt's
#    and dpkg's logs and caches, debconf's cache, man-db's index (a
#    trigger of the man page) and ldconfig's cache,
#  - DKMS's own module-signing key, /var/lib/dkms/mok.{key,pub}: made by
#    the first DKMS build of any package on a machine that has none, for
#    every DKMS module after it (and for the user to enroll as a Machine
#    Owner Key), so dkms keeps it when a module is removed.
# A whiteout (a file of the base system deleted) or a lower entry missing
# from a copied-up directory (made opaque) counts too.
leftovers()
{
	upper_list | comm -13 "$W/before" - | while read -r p; do
		p=${p#.}
		u=$U$p
		l=$L$p
		case $p in
		/var/lib/dpkg/status|/var/lib/dpkg/status-old|\
		/var/lib/dpkg/lock*|/var/lib/dpkg/triggers/*|\
		/var/lib/dpkg/updates/*|/var/lib/apt/extended_states|\
		/var/log/apt/*|/var/log/dpkg.log|/var/log/alternatives.log|\
		/var/cache/apt/*|/var/cache/debconf/*|/var/cache/man/*|\
		/var/cache/ldconfig/aux-cache|\
		/var/lib/dkms/mok.key|/var/lib/dkms/mok.pub)
			continue ;;
		esac
		if [ -c "$u" ] && [ "$(stat -c %t:%T "$u")" = 0:0 ]; then
			echo "deleted from the base system: $p"
		elif [ -d "$u" ] && [ ! -L "$u" ] && [ -d "$l" ] && [ ! -L "$l" ]; then
			ls -A "$l" | while read -r n; do
				[ -e "$R$p/$n" ] || [ -L "$R$p/$n" ] ||
					echo "deleted from the base system: $p/$n"
			done
		elif [ -L "$u" ] && [ -L "$l" ] &&
		     [ "$(readlink "$u")" = "$(readlink "$l")" ]; then
			:
		elif [ -f "$u" ] && [ ! -L "$u" ] && [ -f "$l" ] && cmp -s "$u" "$l"; then
			:
		else
			echo "left: $p ($(stat -c %F "$u"))"
		fi
	done
}
check_eq "the upper layer: nothing the packages installed is left" "" \
	"$(leftovers)"

ktap_info "the whole file took $(($(now) - T0)) s"
ktap_end
