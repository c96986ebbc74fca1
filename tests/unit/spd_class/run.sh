#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Build and run the spd_class unit test: the differential cases under
# ASan/UBSan, then the timing case without sanitizers. KTAP on stdout (one
# document each); exit 0 only if every case passed and no sanitizer fired.
set -u
DIR=$(cd "$(dirname "$0")" && pwd)
if ! make -s -C "$DIR" >&2; then
	echo "TAP version 13"
	echo "1..1"
	echo "not ok 1 spd_class: build"
	exit 1
fi
ASAN_OPTIONS=abort_on_error=0:detect_leaks=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	"$DIR/test_spd_class" "$@" || exit 1
"$DIR/perf_spd_class" timing
