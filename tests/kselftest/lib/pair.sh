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

# res CMD...: "ok" or "fail", for a line of a transcript both stacks write
res()
{
	if "$@" >/dev/null 2>&1; then echo ok; else echo fail; fi
}

# pair_done: (main) let the peer's pair_serve return
pair_done()
{
	touch "$PAIR_DIR/main-done"
}

# pair_peer_loop: on the peer (ROLE=peer), serve main's commands and exit
# when main is done; on main, return at once
pair_peer_loop()
{
	[ "${ROLE:-}" = peer ] || return 0
	pair_serve
	exit 0
}

# The same cases on both stacks: the peer runs FN on stock XFRM, main on
# ipsec.ko, and main compares the two transcripts.
# pair_peer_run FN: (peer) run FN into $PAIR_DIR/stock.out and .err, say
# so in stock.done, and exit; on main, return at once
pair_peer_run()
{
	[ "${ROLE:-}" = peer ] || return 0
	"$1" >"$PAIR_DIR/stock.out" 2>"$PAIR_DIR/stock.err"
	touch "$PAIR_DIR/stock.done"
	exit 0
}

# pair_main_run FN: (main) run FN into /tmp/ours.out and .err, then wait
# for the peer's transcript; false if it did not come
pair_main_run()
{
	"$1" >/tmp/ours.out 2>/tmp/ours.err
	wait_until 400 test -e "$PAIR_DIR/stock.done"
}

# pair_udp_log NS PORT: a receiver in NS that writes each UDP datagram to
# PORT as a line of /tmp/rx.log, up before this returns; its pid in rx
pair_udp_log()
{
	rm -f /tmp/rx.ready
	ip netns exec "$1" python3 -u -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", int(sys.argv[1])))
open(sys.argv[2], "w").close()
while True:
    print(s.recv(100).decode(), flush=True)' "$2" /tmp/rx.ready >/tmp/rx.log 2>&1 &
	rx=$!
	wait_until 30 test -e /tmp/rx.ready
}

# pair_compare FN: (main) pair_main_run FN, then one check per line of
# stock XFRM's transcript ("name: result"): ours says the same for the
# case of that name. Both must have run every case.
pair_compare()
{
	if ! pair_main_run "$1" ||
		[ "$(grep -c . "$PAIR_DIR/stock.out")" -ne "$(grep -c . /tmp/ours.out)" ]; then
		ktap_fail "stock XFRM ran every case"
		sed 's/^/# peer: /' "$PAIR_DIR/stock.out" "$PAIR_DIR/stock.err"
	fi
	[ -s /tmp/ours.err ] && sed 's/^/# ipsec.ko: /' /tmp/ours.err
	sed 's/^/# stock XFRM stderr: /' "$PAIR_DIR/stock.err"
	while IFS= read -r _want; do
		echo "# stock XFRM: $_want"
		_got=$(grep -F "${_want%%: *}: " /tmp/ours.out | head -1)
		check_eq "${_want%%: *}, as stock XFRM" "$_want" "$_got"
	done <"$PAIR_DIR/stock.out"
}

# hexkey BYTES SEED: a key (up to 64 bytes) that differs per case and
# direction
hexkey()
{
	printf '%s' "$2" | sha512sum | cut -c1-$(($1 * 2))
}

# pcount FILTER: packets of /tmp/cap.pcap matching FILTER (BPF only, no
# printing: TCG is slow)
pcount()
{
	tcpdump -r /tmp/cap.pcap --count "$1" 2>&1 |
		sed -n 's/^\([0-9]*\) packets\{0,1\}.*/\1/p'
}

# ge NAME VALUE MIN...: every VALUE is at least its MIN; says which
ge()
{
	_r=0
	while [ $# -ge 3 ]; do
		echo "$1: $2 (at least $3)"
		[ "${2:-0}" -ge "$3" ] || _r=1
		shift 3
	done
	return $_r
}

# xfrm_sa STATE-TEXT: "packets bytes failed" of one SA from ip -s xfrm state
xfrm_sa()
{
	printf '%s\n' "$1" | awk '
		/lifetime current:/ { getline; gsub(/[(),a-z]+/, " ")
				      b = $1; p = $2 }
		/replay-window .* failed/ { f = $NF }
		END { print p + 0, b + 0, f + 0 }'
}

# xfer_check EXPECTED CMD...: CMD prints the receiver's "sha256 length"
xfer_check()
{
	_want=$1
	shift
	_got=$("$@" 2>&1)
	echo "sent $_want, receiver says: $_got"
	[ "$_got" = "$_want" ]
}

# pair_xfer_both NAME: $SIZE bytes of $DATA (sha256 $SUM) over TCP from
# $m_in to $p_in and back, with $XFER (pair_xfer_script) on two new ports
# after $PORT; two checks, each named after NAME
pair_xfer_both()
{
	PORT=$((PORT + 1))
	check "$1: the peer listens on TCP $PORT" peer "
		rm -f /tmp/ready
		python3 $XFER recv $p_in $PORT /tmp/ready >/tmp/recv.log 2>&1 &
		wait_until 30 test -e /tmp/ready"
	check "$1: main sends $SIZE bytes over TCP, the peer gets them" \
		xfer_check "$SUM $SIZE" python3 "$XFER" send "$m_in" "$p_in" \
		"$PORT" "$DATA"
	PORT=$((PORT + 1))
	rm -f /tmp/ready
	python3 "$XFER" recv "$m_in" "$PORT" /tmp/ready >/tmp/recv.log 2>&1 &
	_rpid=$!
	wait_until 30 test -e /tmp/ready
	check "$1: the peer sends $SIZE bytes over TCP, main gets them" \
		xfer_check "$SUM $SIZE" peer python3 "$XFER" send "$p_in" \
		"$m_in" "$PORT" "$DATA"
	kill "$_rpid" 2>/dev/null
	wait "$_rpid" 2>/dev/null
}

# pair_xfer_script PATH: write the TCP transfer helper
#   recv ADDR PORT READY: take one connection, read to EOF, answer and
#     print "sha256 length"
#   send SRC DST PORT FILE: send FILE, print the receiver's answer
pair_xfer_script()
{
	cat >"$1" <<'EOF'
import hashlib, socket, sys

def sock(addr):
    fam = socket.AF_INET6 if ':' in addr else socket.AF_INET
    return socket.socket(fam, socket.SOCK_STREAM)

if sys.argv[1] == 'recv':
    addr, port, ready = sys.argv[2], int(sys.argv[3]), sys.argv[4]
    s = sock(addr)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(1)
    s.settimeout(90)
    open(ready, 'w').close()
    c, who = s.accept()
    c.settimeout(40)
    h, n = hashlib.sha256(), 0
    while True:
        d = c.recv(1 << 16)
        if not d:
            break
        h.update(d)
        n += len(d)
    c.sendall(('%s %d\n' % (h.hexdigest(), n)).encode())
    c.close()
    print(h.hexdigest(), n, 'from', who[0])
else:
    src, dst, port, path = sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
    s = sock(dst)
    s.settimeout(40)
    s.bind((src, 0))
    s.connect((dst, port))
    with open(path, 'rb') as f:
        s.sendall(f.read())
    s.shutdown(socket.SHUT_WR)
    r = b''
    while True:
        d = s.recv(4096)
        if not d:
            break
        r += d
    print(r.decode().strip())
EOF
}
