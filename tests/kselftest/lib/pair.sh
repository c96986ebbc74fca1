#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A command channel between the two guests of a pair test (tests/vm/run
# --pair): main writes a shell command line to $PAIR_DIR/cmd.N, the peer
# runs it and leaves its output in out.N and its status in rc.N. Source
# it after lib.sh; the peer calls pair_serve, main calls peer and, last,
# pair_done.

# pair_serve: (peer) run main's commands until main is done
pair_serve()
{
	touch "$PAIR_DIR/peer-up"
	_sn=0
	while :; do
		while [ ! -e "$PAIR_DIR/cmd.$_sn" ]; do
			[ -e "$PAIR_DIR/main-done" ] && return 0
			sleep 0.1
		done
		sh -c ". \"$TOP/tests/kselftest/lib/lib.sh\"
$(cat "$PAIR_DIR/cmd.$_sn")" >"$PAIR_DIR/out.$_sn" 2>&1 </dev/null
		echo $? >"$PAIR_DIR/rc.$_sn.tmp"
		mv "$PAIR_DIR/rc.$_sn.tmp" "$PAIR_DIR/rc.$_sn"
		_sn=$((_sn + 1))
	done
}

# peer CMD...: (main) run a shell command line on the peer, show its
# output, return its status (works inside check's subshell: the sequence
# number lives in a file)
peer()
{
	[ -e /tmp/peer.seq ] || echo 0 >/tmp/peer.seq
	_pn=$(cat /tmp/peer.seq)
	echo $((_pn + 1)) >/tmp/peer.seq
	printf '%s\n' "$*" >"$PAIR_DIR/cmd.tmp"
	mv "$PAIR_DIR/cmd.tmp" "$PAIR_DIR/cmd.$_pn"
	if ! wait_until 300 test -e "$PAIR_DIR/rc.$_pn"; then
		echo "the peer did not answer: $*"
		return 1
	fi
	cat "$PAIR_DIR/out.$_pn"
	return "$(cat "$PAIR_DIR/rc.$_pn")"
}

# pair_done: (main) let the peer's pair_serve return
pair_done()
{
	touch "$PAIR_DIR/main-done"
}
