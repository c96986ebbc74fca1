# SPDX-License-Identifier: GPL-2.0
#
# make            module (kmod/ipsec.ko) and tools/pfkeyctl/pfkeyctl
# make check      every test in QEMU guests; ends with "N passed, N failed"
# make check-debug  the same on a debug kernel (KASAN, lockdep, kmemleak, ...)
# make stress     long fuzzing and teardown runs on the debug kernel (hours)
# make demo       two hosts with an ESP tunnel in a guest
# make bench      PF_KEY and ESP figures, ours against stock (BENCH_QUICK=1: short)
# make lint       checkpatch and sparse
# make install    module, pfkeyctl, man page, modprobe.d file

KDIR ?= $(shell ls -d /lib/modules/*/build 2>/dev/null | sort -V | tail -n 1)
# the running kernel's module directory name, e.g. 6.1.0-56-amd64
KVER ?= $(notdir $(patsubst %/,%,$(dir $(KDIR))))
DESTDIR ?=
PREFIX ?= /usr/local
TOP := $(CURDIR)

.PHONY: all module tools deps check check-debug stress bench demo lint install uninstall clean

all: module tools

deps:
	@scripts/install-deps

module:
	@test -n "$(KDIR)" || { echo "no kernel headers: run 'make deps'" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(TOP) modules

tools:
	$(MAKE) -C tools/pfkeyctl

check: deps
	@$(MAKE) --no-print-directory all >/dev/null
	@tests/check $(TESTS)

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
		$(DESTDIR)$(PREFIX)/share/man/man8/pfkeyctl.8
	test -n "$(DESTDIR)" || depmod -a $(KVER)

clean:
	$(MAKE) -C $(KDIR) M=$(TOP) clean
	$(MAKE) -C tools/pfkeyctl clean
