"""Task requirements as they come from the wild (requirements.txt lines: comments, blank lines,
continuations, hashes, options, duplicates) normalized to a canonical, sorted list of
specifiers: the same set always hashes to the same environment (envs.py). What cannot be taken
(another file, an editable checkout, an index of its own) is refused with the line that says it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from vulnbench.errors import VulnbenchError

# options that do not change what gets installed: dropped
_HARMLESS = frozenset({"--prefer-binary", "--require-hashes", "--no-cache-dir", "--trusted-host",
                       "--use-feature", "--progress-bar", "--disable-pip-version-check"})
_OTHER_FILE = frozenset({"-r", "--requirement", "-c", "--constraint"})
_EDITABLE = frozenset({"-e", "--editable"})
_COMMENT = re.compile(r"(^|\s)#.*$")
_HASH = re.compile(r"\s--hash[=\s]\S+")


class RequirementError(VulnbenchError):
    """A task requirement that cannot be used to build an environment."""


@dataclass(frozen=True)
class Pin:
    """One normalized requirement."""

    name: str  # canonical: lower case, runs of -_. as -
    extras: tuple[str, ...] = ()
    specifier: str = ""  # packaging's canonical text, specifiers sorted
    url: str = ""
    marker: str = ""

    def __str__(self) -> str:
        text = self.name + (f"[{','.join(self.extras)}]" if self.extras else "")
        text += f" @ {self.url}" if self.url else self.specifier
        return text + (f" ; {self.marker}" if self.marker else "")

    @property
    def version(self) -> str:
        """The pinned version (``==V``), else empty."""
        return self.specifier.lstrip("=") if pinned(self) else ""

    def release(self, parts: int) -> tuple[int, ...]:
        numbers = Version(self.version).release
        return tuple(numbers[i] if i < len(numbers) else 0 for i in range(parts))

    def with_version(self, version: str) -> Pin:
        return replace(self, specifier=f"=={version}", url="")

    def with_spec(self, spec: str) -> str:
        """This distribution (and its extras) under another specifier, without the marker."""
        return str(Pin(self.name, self.extras, str(SpecifierSet(spec)) if spec else ""))


def pinned(pin: Pin) -> bool:
    """An exact version pin (``==2.3.3``), the kind a substitution may replace."""
    if pin.url or not pin.specifier:
        return False
    specs = list(SpecifierSet(pin.specifier))
    if len(specs) != 1 or specs[0].operator not in ("==", "===") or "*" in specs[0].version:
        return False
    try:
        Version(specs[0].version)
    except InvalidVersion:
        return False
    return True


def parse(line: str) -> Pin:
    try:
        req = Requirement(line)
    except InvalidRequirement as err:
        raise RequirementError(f"{line!r} is not a requirement specifier: {err}") from err
    return Pin(canonicalize_name(req.name), tuple(sorted(canonicalize_name(e) for e in req.extras)),
               str(req.specifier), req.url or "", str(req.marker) if req.marker else "")


def _merge(a: Pin, b: Pin) -> Pin:
    if a.url != b.url:
        raise RequirementError(f"{a.name} is required from two sources: {a} and {b}")
    spec = str(SpecifierSet(a.specifier) & SpecifierSet(b.specifier))
    return replace(a, extras=tuple(sorted({*a.extras, *b.extras})), specifier=spec)


def _lines(items: Iterable[str]) -> list[str]:
    """Logical lines: entries may hold several lines; a trailing backslash continues one."""
    out: list[str] = []
    pending = ""
    for item in items:
        for raw in item.splitlines() or [""]:
            line = pending + raw
            if line.rstrip().endswith("\\"):
                pending = line.rstrip()[:-1] + " "
                continue
            pending = ""
            line = _COMMENT.sub("", line).strip()
            if line:
                out.append(line)
    if pending.strip():
        out.append(_COMMENT.sub("", pending).strip())
    return out


def normalize_requirements(items: Iterable[str]) -> list[str]:
    """Canonical, sorted, de-duplicated requirement specifiers. Comments, blank lines, per-line
    ``--hash`` and options that do not change what gets installed are dropped; the same
    distribution twice (under the same marker) is merged (extras united, specifiers
    intersected). A reference to another file (``-r``, ``-c``), an editable checkout or an
    option that changes the source (``--index-url``, ``--find-links``, ...) is an error."""
    merged: dict[tuple[str, str], Pin] = {}
    for line in _lines(items):
        if line.startswith("-"):
            option = line.split()[0].split("=", 1)[0]
            if option in _HARMLESS:
                continue
            if option in _OTHER_FILE:
                raise RequirementError(f"{line!r} refers to another file: list that file's "
                                       "requirements instead")
            if option in _EDITABLE:
                raise RequirementError(f"{line!r}: an editable checkout cannot be installed "
                                       "in a task environment")
            raise RequirementError(f"{line!r}: the option {option} is not supported in task "
                                   "requirements (only requirement specifiers)")
        pin = parse(_HASH.sub("", " " + line).strip())
        key = (pin.name, pin.marker)
        merged[key] = _merge(merged[key], pin) if key in merged else pin
    return sorted(str(pin) for pin in merged.values())
