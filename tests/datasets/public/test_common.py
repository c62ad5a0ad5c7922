"""What all public loaders share: SOURCE:PATH parsing through load_dataset, URL download to
the cache (the network is faked), unknown sources, and the CLI's ``dataset stats``."""

from __future__ import annotations

import io
import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from vulnbench.datasets import load_dataset
from vulnbench.datasets.public import load_public, public_loaders, split_spec
from vulnbench.errors import DatasetError

ROW = {"ID": "CWE-078_author_1.py", "Prompt": "import os\n\n\ndef run(cmd):\n    '''Run cmd.'''\n",
       "Insecure_code": "import os\n\n\ndef run(cmd):\n    '''Run cmd.'''\n    os.system(cmd)\n"}


def test_registry_and_spec_parsing() -> None:
    assert public_loaders.names() == sorted([
        "codelmsec", "cweval", "cyberseceval-autocomplete", "cyberseceval-instruct",
        "humaneval", "llmseceval", "sallm", "securityeval"])
    assert split_spec("sallm:/x/dataset.jsonl") == ("sallm", "/x/dataset.jsonl")
    assert split_spec("sallm:https://h/d.jsonl") == ("sallm", "https://h/d.jsonl")
    assert split_spec("humaneval") == ("humaneval", "")
    assert split_spec("/some/file.jsonl") is None and split_spec("demo") is None


def test_errors_without_path_or_with_unknown_source(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match=r"sallm needs a file: --dataset sallm:PATH"):
        load_dataset("sallm")
    with pytest.raises(DatasetError, match="no such file"):
        load_dataset(f"securityeval:{tmp_path / 'none.jsonl'}")
    with pytest.raises(DatasetError, match=r"public sources .*cweval"):
        load_dataset("nosuch:/x")


class _Resp(io.BytesIO):
    def __enter__(self) -> _Resp:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def test_url_is_downloaded_once_into_the_cache(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VULNBENCH_DATASET_CACHE", str(tmp_path / "cache"))
    calls: list[str] = []

    def fake_urlopen(url: str, timeout: float = 0) -> _Resp:
        calls.append(url)
        return _Resp((json.dumps(ROW) + "\n").encode())

    monkeypatch.setattr(urllib.request, "urlopen", fake_urlopen)
    url = "https://raw.githubusercontent.com/s2e-lab/SecurityEval/main/dataset.jsonl"
    first = load_public(f"securityeval:{url}")
    second = load_public(f"securityeval:{url}")
    assert [t.id for t in first.tasks] == [t.id for t in second.tasks] == [ROW["ID"]]
    assert calls == [url]
    assert [p.name.split("-", 1)[1] for p in (tmp_path / "cache").iterdir()] == ["dataset.jsonl"]


def test_url_without_network_is_a_clear_error(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VULNBENCH_DATASET_CACHE", str(tmp_path / "cache"))

    def offline(url: str, timeout: float = 0) -> Any:
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(DatasetError, match=r"cannot download https://h/x.jsonl: .*name "
                                           r"resolution.*network available"):
        load_public("sallm:https://h/x.jsonl")


def test_cli_stats_reports_the_source(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from vulnbench.cli.dataset import app

    path = tmp_path / "dataset.jsonl"
    path.write_text(json.dumps(ROW) + "\n")
    result = CliRunner().invoke(app, ["stats", f"securityeval:{path}", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout[result.stdout.index("{"):])
    assert data["tasks"] == 1 and data["tasks_per_cwe"] == {"CWE-78": 1}
