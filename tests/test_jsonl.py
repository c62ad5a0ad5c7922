"""The shared JSON Lines reader (vulnbench.jsonl) and the readers built on it: a raw line
separator inside a JSON string is text, never a record break."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from vulnbench.errors import DatasetError
from vulnbench.jsonl import lines, read_jsonl
from vulnbench.scan import collect_inputs

BREAKS = ["\u2028", "\u2029", "\x85"]


@pytest.mark.parametrize("char", BREAKS, ids=lambda c: f"U+{ord(c):04X}")
def test_lines_split_on_newline_only(char: str) -> None:
    text = f'{{"a": "x{char}y"}}\r\n \t\r\n{{"b": 1}}'
    assert list(lines(text)) == [(1, f'{{"a": "x{char}y"}}'), (3, '{"b": 1}')]


def test_gzip_bom_and_errors(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl.gz"
    body = '\ufeff{"code": "a\u2028b"}\r\n\r\n{"code": "c"}\r\n'
    path.write_bytes(gzip.compress(body.encode("utf-8")))
    assert list(read_jsonl(path)) == [(f"{path}:1", {"code": "a\u2028b"}),
                                      (f"{path}:3", {"code": "c"})]
    path.write_bytes(gzip.compress(b"{}\n[1]\n"))
    with pytest.raises(DatasetError, match=r"\.gz:2: expected a JSON object, got list"):
        list(read_jsonl(path))


@pytest.mark.parametrize("char", BREAKS, ids=lambda c: f"U+{ord(c):04X}")
def test_scan_jsonl_keeps_programs_whole(tmp_path: Path, char: str) -> None:
    """``vulnbench scan x.jsonl`` reads the same records the loaders do."""
    rows = [{"id": "a", "code": f"s = '{char}'\n"}, {"id": "b", "code": "x = 1\n"}]
    path = tmp_path / "in.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(
        json.dumps(r, ensure_ascii=False) for r in rows).encode("utf-8"))
    items = collect_inputs([path])
    assert [(i.id, i.code, i.error) for i in items] == [
        ("a", rows[0]["code"], ""), ("b", "x = 1\n", "")]
