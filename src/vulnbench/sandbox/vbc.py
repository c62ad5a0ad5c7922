"""Runs INSIDE the sandbox (standard library only), imported by C tasks' tests as ``vbc``:
build ``solution.c`` with a test driver under AddressSanitizer + UndefinedBehaviorSanitizer,
run it, and map a sanitizer report to a CWE.

    prog = vbc.build(DRIVER_C)          # compiled once per driver, cached in the work dir
    r = prog.run(["arg"], stdin=b"...")
    assert r.sanitizer is None, r.report
"""

import hashlib
import os
import re
import subprocess
from collections.abc import Sequence

FLAGS = ["-std=gnu11", "-g", "-O0", "-fno-omit-frame-pointer", "-fsanitize=address,undefined",
         "-fno-sanitize-recover=undefined", "-w"]
ENV = {
    "PATH": "/usr/bin:/bin",
    "ASAN_OPTIONS": "detect_leaks=0:abort_on_error=0:exitcode=86:allocator_may_return_null=1",
    "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1:exitcode=87",
}

# (pattern in the report, CWE); the first match wins.
SANITIZER_CWES = [
    (r"attempting double-free", "CWE-415"),
    (r"heap-use-after-free", "CWE-416"),
    (r"use-after-poison|stack-use-after-(return|scope)", "CWE-416"),
    (r"(heap|stack|global)-buffer-overflow[\s\S]*?\bWRITE of size", "CWE-787"),
    (r"(heap|stack|global)-buffer-overflow[\s\S]*?\bREAD of size", "CWE-125"),
    (r"(heap|stack|global)-buffer-overflow", "CWE-119"),
    (r"dynamic-stack-buffer-overflow", "CWE-787"),
    (r"null pointer|SEGV on unknown address 0x0{6,}\b|address points to the zero page",
     "CWE-476"),
    (r"signed integer overflow|negation of .* cannot be represented", "CWE-190"),
    (r"(left|right) shift|shift exponent", "CWE-190"),
    (r"out of bounds for type|index -?\d+ out of bounds", "CWE-787"),
    (r"SEGV on unknown address", "CWE-119"),
    (r"format string", "CWE-134"),
]


class CompileError(Exception):
    pass


class Result:
    def __init__(self, returncode: int, stdout: str, stderr: str) -> None:
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.report = stderr if ("Sanitizer" in stderr or "runtime error" in stderr) else ""
        self.sanitizer: str | None = None
        self.cwe: str | None = None
        if self.report:
            kind = re.search(r"(AddressSanitizer|UndefinedBehaviorSanitizer|runtime error)"
                             r"[: ]*([\w-]*)", stderr)
            self.sanitizer = kind.group(0) if kind else "sanitizer"
            for pattern, cwe in SANITIZER_CWES:
                if re.search(pattern, stderr):
                    self.cwe = cwe
                    break

    @property
    def crashed(self) -> bool:
        return self.sanitizer is not None or self.returncode < 0


class Program:
    def __init__(self, path: str) -> None:
        self.path = path

    def run(self, args: Sequence[str] = (), stdin: bytes | str = b"",
            timeout: float = 5) -> Result:
        if isinstance(stdin, str):
            stdin = stdin.encode()
        proc = subprocess.run([self.path, *args], input=stdin, capture_output=True,
                              timeout=timeout, env=ENV, check=False)
        return Result(proc.returncode, proc.stdout.decode("utf-8", "replace"),
                      proc.stderr.decode("utf-8", "replace"))


def build(driver: str = "", solution: str = "solution.c",
          extra_flags: Sequence[str] = ()) -> Program:
    """Compile ``solution`` plus the driver source; raise CompileError with gcc's message."""
    with open(solution, "rb") as src:
        code = src.read()
    digest = hashlib.sha256(code + driver.encode() + " ".join(extra_flags).encode()).hexdigest()
    exe = os.path.abspath(f"_vbc_{digest[:16]}")
    if os.path.exists(exe):
        return Program(exe)
    sources = [solution]
    if driver:
        driver_path = f"_vbc_driver_{digest[:16]}.c"
        with open(driver_path, "w") as out:
            out.write(driver)
        sources.append(driver_path)
    proc = subprocess.run(["gcc", *FLAGS, *extra_flags, *sources, "-o", exe + ".tmp", "-lm"],
                          capture_output=True, text=True, env=ENV, timeout=120, check=False)
    if proc.returncode != 0:
        raise CompileError(proc.stderr[-2000:])
    os.replace(exe + ".tmp", exe)
    return Program(exe)
