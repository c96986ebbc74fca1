#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Prepares a benchmark guest, sourced by guest and profile.sh:
#   bench_setup ours|stock
# loads one IPsec stack and the crypto it needs. ours: kmod/ipsec.ko,
# which takes ESP, AH, IPComp and PF_KEY; stock: esp4, ah4, ipcomp,
# xfrm4_tunnel (the IP-in-IP SA beside an IPComp tunnel SA), af_key and
# xfrm_user. The two cannot share a kernel.

stack_loaded() { [ -d "/sys/module/$1" ]; }

bench_setup()
{
	# Under -icount sleep=off a task waiting for the host (9p) waits no
	# guest time while the clock jumps from timer to timer: the hung task
	# watchdog's 120 s pass in an instant and it reports a healthy task.
	sysctl -qw kernel.hung_task_timeout_secs=0
	case $1 in
	ours)
		insmod "${IPSEC_MODULE:-$TOP/kmod/ipsec.ko}"
		for _m in esp4 af_key; do
			! stack_loaded $_m ||
				{ echo "# $_m is loaded beside ipsec.ko" >&2; return 1; }
		done
		;;
	stock)
		modprobe -a esp4 ah4 ipcomp xfrm4_tunnel af_key xfrm_user
		! stack_loaded ipsec ||
			{ echo "# ipsec.ko is loaded" >&2; return 1; }
		;;
	*)
		echo "unknown stack $1 (ours or stock)" >&2
		return 2
		;;
	esac
	# A real machine's udev loads the CPU's crypto drivers (from the cpu
	# modalias); the guest has no udev, and without them both stacks
	# would get the generic C AES and SHA-256. The rest is what the
	# crypto API would request on first use (IV generators, the DRBG
	# seqiv asks for and what its self-tests need), loaded here because
	# its 60 s wait for a module expires at once in these guests: see
	# crypto_warmup.py. (jitterentropy_rng, which the DRBG would like,
	# refuses TCG's clock; the DRBG does without.)
	modprobe -a aesni_intel sha256_ssse3 sha512_ssse3 ghash_clmulni_intel \
		ctr authenc seqiv echainiv ansi_cprng drbg deflate
	"$HERE/crypto_warmup.py"
}
