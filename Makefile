# SPDX-License-Identifier: GPL-2.0
#
# make            module (kmod/ipsec.ko) and tools/pfkeyctl/pfkeyctl
# make check      every test in QEMU guests; ends with "N passed, N failed"
# make check KVER=6.12  the same on another Debian kernel, installed from apt
#                 when missing (a full release such as 6.12.118+deb12-amd64,
#                 or a prefix for the newest); the module is built for it
#                 in .cache/module-KVER/ (also: make check-6.12)
# make check-package  the Debian packages: dpkg-buildpackage and lintian on
#                 the host, then installed, used and purged in a guest, DKMS
#                 building for 6.1 and 6.12 (slow: not part of make check)
# make check-debug  the same on a debug kernel (KASAN, lockdep, kmemleak, ...)
# make stress     long fuzzing and teardown runs on the debug kernel (hours)
# make demo       two hosts with an ESP tunnel in a guest
# make bench      PF_KEY and ESP figures, ours against stock (BENCH_QUICK=1: short)
# make lint       checkpatch and sparse
# make install    module, pfkeyctl, man page, modprobe.d file

# KDIR: the headers to build against. Default: those of KVER when it is
# given, else of the newest Debian 6.1 (the kernel the guests boot).
# make check KVER=...: the suite on that kernel (scripts/check-kernel).
ifeq ($(origin KDIR),undefined)
ifneq ($(KVER),)
KDIR := $(firstword $(wildcard /lib/modules/$(KVER)/build \
	/usr/src/linux-headers-$(KVER)))
else
KDIR := $(shell ls -d /lib/modules/6.1.*/build 2>/dev/null | sort -V | tail -n 1)
endif
endif
# the kernel release KDIR is for, e.g. 6.1.0-57-amd64
KVER ?= $(shell cat $(KDIR)/include/config/kernel.release 2>/dev/null)
DESTDIR ?=
PREFIX ?= /usr/local
TOP := $(CURDIR)

.PHONY: all module tools deps check check-6.12 check-package check-debug stress bench demo lint install uninstall clean

all: module tools

deps:
	@scripts/install-deps

module:
	@test -n "$(KDIR)" || { echo "no kernel headers: run 'make deps'" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(TOP) modules

tools:
	$(MAKE) -C tools/pfkeyctl

ifeq ($(origin KVER),command line)
check: deps
	@$(MAKE) --no-print-directory tools >/dev/null
	@scripts/check-kernel $(KVER) $(TESTS)
else
check: deps
	@$(MAKE) --no-print-directory all >/dev/null
	@tests/check $(TESTS)
endif

check-6.12: deps
	@$(MAKE) --no-print-directory tools >/dev/null
	@scripts/check-kernel 6.12 $(TESTS)

# the 6.12 headers too: the guest builds the module for them as for a
# kernel installed after the package
check-package: deps
	@scripts/install-deps --kernel 6.12 >/dev/null
	@tests/check tests/package/package.sh

check-debug: deps
	@$(MAKE) --no-print-directory all >/dev/null
	@scripts/check-debug $(TESTS)

stress: deps
	@$(MAKE) --no-print-directory all >/dev/null
	@scripts/stress $(TESTS)

bench: deps
	@$(MAKE) --no-print-directory all >/dev/null
	@tests/bench/run

demo: deps
	@$(MAKE) --no-print-directory all >/dev/null
	@tests/vm/run -- $(TOP)/scripts/demo

lint: deps
	@scripts/lint

install: all
	$(MAKE) -C $(KDIR) M=$(TOP) INSTALL_MOD_DIR=extra \
		INSTALL_MOD_PATH=$(DESTDIR) modules_install
	install -D -m 0644 scripts/modprobe-ipsec.conf \
		$(DESTDIR)/etc/modprobe.d/ipsec.conf
	$(MAKE) -C tools/pfkeyctl install DESTDIR=$(DESTDIR) PREFIX=$(PREFIX)
	test -n "$(DESTDIR)" || depmod -a $(KVER)

uninstall:
	rm -f $(DESTDIR)/lib/modules/$(KVER)/extra/kmod/ipsec.ko
	rm -f $(DESTDIR)/etc/modprobe.d/ipsec.conf
	rm -f $(DESTDIR)$(PREFIX)/sbin/pfkeyctl \
		$(DESTDIR)$(PREFIX)/share/man/man8/pfkeyctl.8 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/pfkeyctl
	test -n "$(DESTDIR)" || depmod -a $(KVER)

clean:
	$(MAKE) -C $(KDIR) M=$(TOP) clean
	$(MAKE) -C tools/pfkeyctl clean
