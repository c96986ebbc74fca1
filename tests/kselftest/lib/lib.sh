#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the test files: KTAP output (as kselftest's
# ktap_helpers.sh prints it), assertions, module loading, namespaces.
# Source it; TOP is the checkout (set by tests/vm/run inside a guest).

: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
# IPSEC_MODULE: an ipsec.ko built elsewhere (make check-debug builds one
# for the debug kernel)
MODULE="${IPSEC_MODULE:-$TOP/kmod/ipsec.ko}"
# SCALE: what tests/check multiplies guest times by (TEST_TIMEOUT_SCALE;
# the debug kernel under TCG is several times slower); scale waits by it
SCALE="${TEST_TIMEOUT_SCALE:-1}"
KSFT_PASS=0
KSFT_FAIL=1
KSFT_SKIP=4

_ktap_n=0
_ktap_pass=0
_ktap_fail=0
_ktap_skip=0
_ktap_plan=""

ktap_begin()
{
	echo "TAP version 13"
	if [ -n "${1:-}" ]; then
		_ktap_plan=$1
		echo "1..$1"
	fi
}

ktap_info()
{
	echo "# $*"
}

ktap_ok()
{
	_ktap_n=$((_ktap_n + 1))
	_ktap_pass=$((_ktap_pass + 1))
	echo "ok $_ktap_n $*"
}

ktap_fail()
{
	_ktap_n=$((_ktap_n + 1))
	_ktap_fail=$((_ktap_fail + 1))
	echo "not ok $_ktap_n $*"
}

ktap_skip()
{
	_ktap_n=$((_ktap_n + 1))
	_ktap_skip=$((_ktap_skip + 1))
	echo "ok $_ktap_n $1 # SKIP ${2:-}"
}

ktap_end()
{
	[ -n "$_ktap_plan" ] || echo "1..$_ktap_n"
	echo "# Totals: pass:$_ktap_pass fail:$_ktap_fail xfail:0 xpass:0 skip:$_ktap_skip error:0"
	[ "$_ktap_fail" -eq 0 ] || exit $KSFT_FAIL
	[ "$_ktap_pass" -gt 0 ] || exit $KSFT_SKIP
	exit $KSFT_PASS
}

# check DESC CMD...: ok when CMD succeeds; its output is shown on failure
check()
{
	_d=$1
	shift
	if _out=$("$@" 2>&1); then
		ktap_ok "$_d"
	else
		ktap_fail "$_d"
		printf '%s\n' "$_out" | sed 's/^/# /'
	fi
}

# check_fails DESC CMD...: ok when CMD fails
check_fails()
{
	_d=$1
	shift
	if _out=$("$@" 2>&1); then
		ktap_fail "$_d"
		printf '%s\n' "$_out" | sed 's/^/# /'
	else
		ktap_ok "$_d"
	fi
}

# check_eq DESC EXPECTED ACTUAL
check_eq()
{
	if [ "$2" = "$3" ]; then
		ktap_ok "$1"
	else
		ktap_fail "$1"
		echo "# expected: '$2'"
		echo "# got:      '$3'"
		return 1
	fi
}

# check_errno DESC ERRNO-NAME CMD...: CMD must fail and say strerror(ERRNO)
check_errno()
{
	_d=$1
	_e=$2
	shift 2
	_msg=$(python3 -c "import errno,os; print(os.strerror(errno.$_e))")
	if _out=$("$@" 2>&1); then
		ktap_fail "$_d"
		echo "# succeeded, expected $_e"
	elif printf '%s' "$_out" | grep -qF "$_msg"; then
		ktap_ok "$_d"
	else
		ktap_fail "$_d"
		printf '%s\n' "$_out" | sed 's/^/# /'
		echo "# expected $_e ($_msg)"
	fi
}

ipsec_loaded()
{
	[ -d /sys/module/ipsec ]
}

# ipsec_load: insmod the module under test. If it does not load, what
# follows would test the stock stack instead (a pair test would compare
# stock with stock): the file fails and stops here.
ipsec_load()
{
	ipsec_loaded && return 0
	insmod "$MODULE" && return 0
	ktap_fail "insmod $MODULE"
	[ -z "${PAIR_DIR:-}" ] || touch "$PAIR_DIR/main-done"
	ktap_end
}

ipsec_unload()
{
	! ipsec_loaded || rmmod ipsec
}

# require_module: skip the whole file when the module is not built
require_module()
{
	if [ ! -f "$MODULE" ]; then
		ktap_begin 1
		ktap_skip "module" "$MODULE not built"
		ktap_end
	fi
}

# ns_run NS CMD...: run in a namespace
ns_run()
{
	_ns=$1
	shift
	ip netns exec "$_ns" "$@"
}

# link_ns A B ADDR_A ADDR_B [PREFIXLEN]: veth between two namespaces, up
link_ns()
{
	_len=${5:-24}
	_nodad=
	case $3 in *:*) _nodad=nodad ;; esac
	ip link add veth_"$1" netns "$1" type veth peer name veth_"$2" netns "$2"
	ip -n "$1" addr add "$3/$_len" dev veth_"$1" $_nodad
	ip -n "$2" addr add "$4/$_len" dev veth_"$2" $_nodad
	ip -n "$1" link set lo up
	ip -n "$2" link set lo up
	ip -n "$1" link set veth_"$1" up
	ip -n "$2" link set veth_"$2" up
}

# neigh_static NS1 NS2 ADDR1 ADDR2: on link_ns's veth pair, permanent
# neighbour entries for ADDR2 in NS1 and ADDR1 in NS2 (no neighbour
# discovery, which policies may cover and the stacks treat differently)
neigh_static()
{
	ip -n "$1" neigh replace "$4" dev veth_"$1" nud permanent lladdr \
		"$(ip netns exec "$2" cat /sys/class/net/veth_"$2"/address)"
	ip -n "$2" neigh replace "$3" dev veth_"$2" nud permanent lladdr \
		"$(ip netns exec "$1" cat /sys/class/net/veth_"$1"/address)"
}

# ipsec_counter [NS] PROTO NAME: a value from /proc/net/ipsec/PROTO
ipsec_counter()
{
	if [ $# -eq 3 ]; then
		ip netns exec "$1" awk -v n="$3" '$1 == n { print $2 }' \
			"/proc/net/ipsec/$2"
	else
		awk -v n="$2" '$1 == n { print $2 }' "/proc/net/ipsec/$1"
	fi
}

# kernel_has CONFIG_X: is the option =y or =m in the running kernel's
# config (Debian's in /boot, a debug kernel's next to its modules)?
# Status 2 when no config is found.
kernel_has()
{
	for _c in "${VM_MODROOT:+$VM_MODROOT/boot/config-$(uname -r)}" \
		"/boot/config-$(uname -r)"; do
		[ -n "$_c" ] && [ -r "$_c" ] || continue
		grep -qE "^$1=(y|m)\$" "$_c"
		return
	done
	return 2
}

# wait_until SECONDS CMD...: poll CMD every 0.1 s, for SECONDS times
# SCALE (an upper bound: a slow kernel only makes a failure slower)
wait_until()
{
	_t=$(($1 * 10 * SCALE))
	shift
	while [ "$_t" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		_t=$((_t - 1))
	done
	return 1
}
