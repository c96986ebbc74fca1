# SPDX-License-Identifier: GPL-2.0
"""KTAP output for Python test files, as kselftest prints it."""
import os
import subprocess
import sys
import traceback


class Ktap:
    def __init__(self):
        self.n = self.passed = self.failed = self.skipped = 0
        print("TAP version 13", flush=True)

    def ok(self, cond, desc, detail=None):
        self.n += 1
        if cond:
            self.passed += 1
            print(f"ok {self.n} {desc}", flush=True)
        else:
            self.failed += 1
            print(f"not ok {self.n} {desc}", flush=True)
            if detail is not None:
                for line in str(detail).splitlines():
                    print(f"# {line}")
        return cond

    def eq(self, expected, got, desc):
        return self.ok(expected == got, desc,
                       f"expected: {expected!r}\ngot:      {got!r}")

    def skip(self, desc, why):
        self.n += 1
        self.skipped += 1
        print(f"ok {self.n} {desc} # SKIP {why}", flush=True)

    def run(self, desc, fn):
        """Run fn(); an exception is a failure with its traceback."""
        try:
            fn()
        except Exception:  # noqa: BLE001 - report anything as a failure
            self.ok(False, desc, traceback.format_exc())

    def end(self):
        print(f"1..{self.n}")
        print(f"# Totals: pass:{self.passed} fail:{self.failed} xfail:0 "
              f"xpass:0 skip:{self.skipped} error:0", flush=True)
        sys.exit(1 if self.failed else (0 if self.passed else 4))


TOP = os.environ.get("TOP", os.path.abspath(
    os.path.join(os.path.dirname(__file__), "../../..")))


def ensure_module():
    """insmod kmod/ipsec.ko ($IPSEC_MODULE if set) unless it is loaded."""
    if not os.path.isdir("/sys/module/ipsec"):
        module = os.environ.get("IPSEC_MODULE", f"{TOP}/kmod/ipsec.ko")
        subprocess.run(["insmod", module], check=True)
