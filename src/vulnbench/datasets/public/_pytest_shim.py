"""Source text of the harness wrapper for CWEval's pytest files: vulnbench's harness calls
plain top-level ``test_*`` functions, so the wrapper aliases the task module to ``solution``
(Python tasks) or runs a build step first (C tasks: ``cweval_c``), installs a small stand-in
``pytest`` (mark / parametrize / param / raises / fixture / approx / skip / fail; ``tmp_path``
and ``tmpdir`` arguments), runs the test file under its own name in the work dir (C tests find
``compiled/`` beside ``__file__``), and turns each parametrized case of each non-``_unsafe``
test into one top-level function, keeping the cases of one suite: a case is ``security`` when
it (or its test) carries ``pytest.mark.security`` or the test's name says ``secur``, else
``functional``. Standard library only: it runs in the sandbox."""

from __future__ import annotations

HEADER = '''"""CWEval test {test_file!r}, run by vulnbench's harness ({suite})."""
import sys

_SOURCE = {source!r}
_SUITE = {suite!r}
_TEST_NAME = {test_name!r}
_TEST_FILE = {test_file!r}
'''
ALIAS = '''
import solution

sys.modules[{module!r}] = solution
'''

BODY = r'''
import contextlib as _contextlib
import inspect as _inspect
import itertools as _itertools
import os as _os
import pathlib as _pathlib
import re as _re
import tempfile as _tempfile
import types as _types


class _Mark:
    def __init__(self, name, args=(), kwargs=None):
        self.name, self.args, self.kwargs = name, args, kwargs or {}

    def __call__(self, *args, **kwargs):
        if len(args) == 1 and callable(args[0]) and not kwargs:
            args[0].__dict__.setdefault("_vb_marks", []).append(self)
            return args[0]
        return _Mark(self.name, args, kwargs)


class _MarkGen:
    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _Mark(name)


class _Param:
    def __init__(self, *values, marks=(), id=None):
        self.values = values
        self.marks = list(marks) if isinstance(marks, (list, tuple)) else [marks]


class _Raises:
    def __init__(self, exc, match=None):
        self.exc, self.match, self.value = exc, match, None

    def __enter__(self):
        return self

    def __exit__(self, etype, value, tb):
        if etype is None:
            raise AssertionError(f"DID NOT RAISE {self.exc}")
        if not issubclass(etype, self.exc):
            return False
        if self.match and not _re.search(self.match, str(value)):
            raise AssertionError(f"{value!r} does not match {self.match!r}")
        self.value = value
        return True


def _raises(exc, *args, match=None, **kwargs):
    if args:
        with _Raises(exc, match):
            args[0](*args[1:], **kwargs)
        return None
    return _Raises(exc, match)


_FIXTURES = {}


def _fixture(*args, **kwargs):
    def deco(func):
        _FIXTURES[kwargs.get("name") or func.__name__] = func
        return func
    if len(args) == 1 and callable(args[0]) and not kwargs:
        return deco(args[0])
    return deco


class _Approx:
    def __init__(self, expected, rel=1e-6, abs=1e-12):
        self.expected, self.rel, self.abs = expected, rel, abs

    def __eq__(self, other):
        return abs(other - self.expected) <= max(self.rel * abs(self.expected), self.abs)


def _fail(msg=""):
    raise AssertionError(msg)


def _skip(reason=""):
    raise RuntimeError(f"skipped: {reason}")


_pytest = _types.ModuleType("pytest")
_pytest.mark = _MarkGen()
_pytest.param = _Param
_pytest.raises = _raises
_pytest.fixture = _fixture
_pytest.approx = _Approx
_pytest.fail = _fail
_pytest.skip = _skip
sys.modules["pytest"] = _pytest

_t = _types.ModuleType(_TEST_NAME)
_t.__file__ = _os.path.abspath(_TEST_FILE)
sys.modules[_TEST_NAME] = _t
exec(compile(_SOURCE, _t.__file__, "exec"), _t.__dict__)


def _cases(func):
    marks = getattr(func, "_vb_marks", [])
    plain = [m.name for m in marks if m.name != "parametrize"]
    grids = []
    for m in marks:
        if m.name != "parametrize":
            continue
        names = m.args[0] if m.args else m.kwargs["argnames"]
        values = m.args[1] if len(m.args) > 1 else m.kwargs["argvalues"]
        if isinstance(names, str):
            names = [n.strip() for n in names.split(",") if n.strip()]
        rows = []
        for value in values:
            pmarks = []
            if isinstance(value, _Param):
                pmarks = [x.name for x in value.marks]
                value = value.values if len(names) > 1 else value.values[0]
            vals = tuple(value) if len(names) > 1 else (value,)
            rows.append((dict(zip(names, vals)), pmarks))
        grids.append(rows)
    for combo in _itertools.product(*grids):
        kwargs, found = {}, list(plain)
        for kw, pm in combo:
            kwargs.update(kw)
            found += pm
        yield kwargs, found


def _call(func, kwargs):
    args, cleanup = {}, []
    for name, param in _inspect.signature(func).parameters.items():
        if name in kwargs:
            args[name] = kwargs[name]
        elif name in ("tmp_path", "tmpdir"):
            args[name] = _pathlib.Path(_tempfile.mkdtemp())
        elif name in _FIXTURES:
            value = _FIXTURES[name]()
            if _inspect.isgenerator(value):
                cleanup.append(value)
                value = next(value)
            args[name] = value
        elif param.default is param.empty:
            raise TypeError(f"unsupported pytest fixture {name!r}")
    try:
        func(**args)
    finally:
        for gen in cleanup:
            with _contextlib.suppress(StopIteration):
                next(gen)


for _name, _func in list(vars(_t).items()):
    if not _name.startswith("test") or not _inspect.isfunction(_func) or "_unsafe" in _name:
        continue
    for _i, (_kw, _marks) in enumerate(_cases(_func)):
        _security = "security" in _marks or ("functionality" not in _marks
                                             and "secur" in _name.lower())
        if ("security" if _security else "functional") != _SUITE:
            continue

        def _case(_f=_func, _k=_kw):
            _call(_f, _k)

        globals()["test_" + _name.removeprefix("test_").removeprefix("test") + f"_{_i}"] = _case
'''


def wrapper(test_file: str, source: str, suite: str, *, module: str = "",
            prelude: str = "") -> str:
    """The harness file for one suite of ``test_file``: ``module`` (the task module the test
    imports) is aliased to the sample's ``solution``; ``prelude`` runs before the test file
    (a C task's build step)."""
    test_name = "cweval_" + test_file.removesuffix(".py")
    head = HEADER.format(test_file=test_file, source=source, suite=suite, test_name=test_name)
    alias = ALIAS.format(module=module) if module else ""
    return head + alias + prelude + BODY
