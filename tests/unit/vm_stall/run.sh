#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tests/vm/run's host_stall: which kernel reports of a guest are a stopped
# host's (tests/check then runs the file again) and which stay a failure.
# The first case is what CI's run of 2026-12-07 printed for the stock peer
# of esp_interop.pair.sh. KTAP on stdout.
set -u
TOP=$(cd "$(dirname "$0")/../../.." && pwd)
RUN=$(mktemp -d) || exit 1
trap 'rm -rf "$RUN"' EXIT
say() { echo "# vm: $*"; }
eval "$(sed -n '/^host_stall()/,/^}/p' "$TOP/tests/vm/run")"

n=0
fail=0
# case NAME WANT GAPS LINE...: WANT "stall" or "bug"; GAPS what host-gaps holds
case_()
{
	local name=$1 want=$2 gaps=$3 got
	shift 3
	printf '%s\n' "$@" >"$RUN/report"
	rm -f "$RUN/host-gaps"
	[ -z "$gaps" ] || echo "$gaps" >"$RUN/host-gaps"
	if host_stall "$RUN/report" main | grep -q 'host stall:'; then
		got=stall
	else
		got=bug
	fi
	n=$((n + 1))
	if [ "$got" = "$want" ]; then
		echo "ok $n $name"
	else
		echo "not ok $n $name (classified $got, want $want)"
		fail=1
	fi
}

echo "TAP version 13"
echo "1..9"
case_ "idle CPU soft lockup and the RCU stall it causes: host stall" stall "" \
	'# peer dmesg: [  396.771218] watchdog: BUG: soft lockup - CPU#1 stuck for 201s! [swapper/1:0]' \
	'# peer dmesg: [  406.738706] rcu: INFO: rcu_preempt self-detected stall on CPU'
case_ "soft lockup of a task, host clock steady: a bug" bug "" \
	'# dmesg: [  99.1] watchdog: BUG: soft lockup - CPU#0 stuck for 23s! [ping:311]'
case_ "soft lockup of a task while the host's clock jumped: host stall" stall "212 s at host uptime 2410 s" \
	'# dmesg: [  99.1] watchdog: BUG: soft lockup - CPU#0 stuck for 23s! [ping:311]'
case_ "RCU stall alone, host clock steady: a bug" bug "" \
	'# dmesg: [ 406.7] rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:'
case_ "RCU stall and hung task while the host's clock jumped: host stall" stall "64 s at host uptime 900 s" \
	'# dmesg: [ 406.7] rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:' \
	'# dmesg: [ 530.2] INFO: task kworker/0:1:12 blocked for more than 120 seconds.'
case_ "an oops beside an idle soft lockup: a bug" bug "" \
	'# dmesg: [  99.1] BUG: kernel NULL pointer dereference, address: 0000000000000008' \
	'# dmesg: [ 396.7] watchdog: BUG: soft lockup - CPU#1 stuck for 201s! [swapper/1:0]'
case_ "a WARNING while the host's clock jumped: a bug" bug "30 s at host uptime 100 s" \
	'# dmesg: [  99.1] WARNING: CPU: 0 PID: 1 at net/core/dev.c:1 x+0x1/0x2'
case_ "kmemleak while the host's clock jumped: a bug" bug "30 s at host uptime 100 s" \
	'# dmesg: kmemleak: unreferenced object 0xffff888003a1c000 (size 64):'
case_ "unregister_netdevice beside an idle soft lockup: a bug" bug "" \
	'# dmesg: [ 396.7] watchdog: BUG: soft lockup - CPU#1 stuck for 201s! [swapper/1:0]' \
	'# dmesg: [ 500.1] unregister_netdevice: waiting for eth1 to become free. Usage count = 2'
exit $fail
