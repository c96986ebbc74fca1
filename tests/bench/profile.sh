#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Where the instructions go: a perf profile (cpu-clock samples, which under
# -icount tick in instructions) of one iperf3 run through the benchmark
# tunnel. Not part of make bench; run it in a guest like the benchmarks:
#   tests/vm/run --smp 1 --qemu-arg -icount --qemu-arg shift=4,sleep=off \
#     -- tests/bench/profile.sh ours|stock plain|gcm|cbc [IPERF3-ARGS...]
# e.g. "... profile.sh ours gcm -u -l 64 -b 0" for small packets.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=${TOP:-$(cd "$HERE/../.." && pwd)}
STACK=${1:?ours or stock}
ALG=${2:?plain, gcm or cbc}
shift 2
# shellcheck source=SCRIPTDIR/setup.sh
. "$HERE/setup.sh"
# shellcheck source=SCRIPTDIR/tunnel.sh
. "$HERE/tunnel.sh"

bench_setup "$STACK" >/dev/null
tunnel_up
[ "$ALG" = plain ] || "$HERE/key-$STACK.sh" "$ALG"
ip netns exec b iperf3 -s -D -B "$B_HOST"
ip netns exec a ping -q -c 3 -i 0.2 -W 5 -I "$A_HOST" "$B_HOST" >/dev/null
# PROFILE_FREQ: samples per guest second; PROFILE_CALLERS: symbols
# (comma-separated) whose callers are shown too, from call graphs
perf record -q -a -e cpu-clock -F "${PROFILE_FREQ:-1000}" \
	${PROFILE_CALLERS:+-g} -m 1024 -o /tmp/perf.data -- \
	ip netns exec a iperf3 -c "$B_HOST" -B "$A_HOST" -t "${SECONDS_:-3}" \
	"$@" | tail -n 4
perf report -i /tmp/perf.data --stdio --sort comm,dso,sym \
	--percent-limit "${PROFILE_LIMIT:-0.5}" 2>/dev/null | grep -v -e '^#' -e '^$'
if [ -n "${PROFILE_CALLERS:-}" ]; then
	perf report -i /tmp/perf.data --stdio --no-children -G \
		--symbols "$PROFILE_CALLERS" --percent-limit 0.01 2>/dev/null |
		grep -v -e '^#' -e '^$'
fi
