"""``llm:MODEL`` as an analyzer, with scripted FAKE models only (no real model): a "yes" with a
CWE is one finding with that CWE, a "no" none, an unreadable answer or a model error leaves
that program unjudged (never clean) without failing the batch, version() follows the spec,
the registry's errors, the findings cache (two identical programs ask once, a second run not at
all) and ``vulnbench scan --analyzer llm:mock:FILE`` end to end."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import ClassVar

import pytest

from vulnbench.analyzers import AnalysisInput, analyzers, create_analyzer
from vulnbench.analyzers.llm import PROMPT_VERSION, RULE_ID, LLMAnalyzer
from vulnbench.analyzers.runner import code_hash, run_analyzers
from vulnbench.errors import ModelError, UnknownNameError, VulnbenchError
from vulnbench.models import BackendOptions, ModelBackend, backends
from vulnbench.records import Completion, Finding, GenerationConfig, Prompt

EVAL = "def calc(expr):\n    return eval(expr)\n"
SAFE = "def add(a, b):\n    return a + b\n"


def _mock(tmp_path: Path, script: dict[str, str]) -> LLMAnalyzer:
    """An analyzer over the mock backend (a FAKE model): task id -> canned answer."""
    path = tmp_path / "fake_answers.json"
    path.write_text(json.dumps(script), encoding="utf-8")
    analyzer = create_analyzer(f"llm:mock:{path}")
    assert isinstance(analyzer, LLMAnalyzer)
    return analyzer


class FakeCounting(ModelBackend):
    """A FAKE model: "Yes" to code with eval, "No" otherwise, CWE-95 as the type; raises a
    ModelError on the detection question for code containing "detect-boom" and on the type
    question for "type-boom"; records every call's question style and prompt kind."""

    backend = "fake-counting"
    calls: ClassVar[list[str]] = []
    chat = True
    kinds: ClassVar[list[str]] = []

    @property
    def chat_template(self) -> bool:
        return self.chat

    async def complete(self, prompt: Prompt, config: GenerationConfig, sample_index: int
                       ) -> Completion:
        FakeCounting.calls.append(prompt.style)
        FakeCounting.kinds.append(prompt.kind)
        if f"{prompt.style.split('-')[-1]}-boom" in prompt.text:  # "detect", "type"
            raise ModelError("fake endpoint down")
        if prompt.style == "cwe-type":
            return Completion(text="CWE-95: the input is evaluated.")
        return Completion(text="Yes. eval runs the input." if "eval(" in prompt.text
                          else "No, it only adds numbers.")


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> type[FakeCounting]:
    monkeypatch.setitem(backends._entries, "fake-counting", FakeCounting)
    monkeypatch.setattr(FakeCounting, "calls", [])
    monkeypatch.setattr(FakeCounting, "kinds", [])
    monkeypatch.setattr(FakeCounting, "chat", True)
    return FakeCounting


def test_yes_with_a_cwe_is_one_finding_with_that_cwe(tmp_path: Path) -> None:
    analyzer = _mock(tmp_path, {"p1": "Yes, the query is built from input.\nMore text.",
                                "p1:cwe": "**CWE-89** because of the f-string."})
    [res] = analyzer.analyze([AnalysisInput("p1", EVAL)])
    assert res.error == ""
    assert res.findings == [Finding(
        tool=f"llm:mock:{tmp_path / 'fake_answers.json'}", rule_id=RULE_ID, cwe=["CWE-89"],
        severity="medium", confidence="low", message="Yes, the query is built from input.")]


def test_yes_with_an_unlisted_or_no_cwe_is_a_finding_without_cwe(tmp_path: Path) -> None:
    analyzer = _mock(tmp_path, {"a": "Yes.", "a:cwe": "CWE-99999", "b": "Yes.",
                                "b:cwe": "I am not sure."})
    got = analyzer.analyze([AnalysisInput("a", EVAL), AnalysisInput("b", EVAL)])
    assert [(r.id, [f.cwe for f in r.findings], r.error) for r in got] == [
        ("a", [[]], ""), ("b", [[]], "")]


def test_no_is_no_finding(tmp_path: Path) -> None:
    analyzer = _mock(tmp_path, {"p1": "No. The function only adds two numbers."})
    [res] = analyzer.analyze([AnalysisInput("p1", SAFE)])
    assert (res.findings, res.error) == ([], "")


def test_garbage_is_an_error_never_clean(tmp_path: Path) -> None:
    analyzer = _mock(tmp_path, {"p1": "banana banana", "p2": ""})
    got = analyzer.analyze([AnalysisInput("p1", SAFE), AnalysisInput("p2", SAFE)])
    assert [r.findings for r in got] == [[], []]
    assert got[0].error == "model answer could not be parsed: 'banana banana'"
    assert got[1].error == "model answer could not be parsed: '(empty)'"


def test_a_model_error_is_an_error_for_that_program_only(fake: type[FakeCounting]) -> None:
    analyzer = LLMAnalyzer("fake-counting")
    got = analyzer.analyze([AnalysisInput("bad", "detect-boom\n"), AnalysisInput("ok", SAFE),
                            AnalysisInput("hit", EVAL)])
    assert got[0].findings == []
    assert got[0].error == "model fake-counting failed: fake endpoint down"
    assert (got[1].findings, got[1].error) == ([], "")
    assert [f.cwe for f in got[2].findings] == [["CWE-95"]]
    assert got[2].error == ""


def test_a_model_error_on_the_type_question_keeps_the_flag_unjudged_type(
        fake: type[FakeCounting]) -> None:
    [res] = LLMAnalyzer("fake-counting").analyze([AnalysisInput("x", "eval(x)  # type-boom\n")])
    assert res.findings == [Finding(tool="llm:fake-counting", rule_id=RULE_ID, cwe=[],
                                    severity="medium", confidence="low",
                                    message="Yes. eval runs the input.")]
    assert res.error == ("model fake-counting failed on the CWE question: fake endpoint down")


def test_no_chat_template_asks_the_completion_form(fake: type[FakeCounting]) -> None:
    fake.chat = False
    [res] = LLMAnalyzer("fake-counting").analyze([AnalysisInput("hit", EVAL)])
    assert fake.kinds == ["completion", "completion"]
    assert [f.cwe for f in res.findings] == [["CWE-95"]]


def test_version_follows_the_spec_without_loading_the_model(tmp_path: Path) -> None:
    # neither file exists: version() must not create the model
    one = LLMAnalyzer(f"mock:{tmp_path / 'one.json'}").version()
    two = LLMAnalyzer(f"mock:{tmp_path / 'two.json'}").version()
    assert one != two
    assert "one.json" in one and PROMPT_VERSION in one and "prompts:" in one
    assert one == LLMAnalyzer(f"mock:{tmp_path / 'one.json'}").version()


def test_registry_builds_llm_analyzers_and_names_unknown_backends() -> None:
    analyzer = create_analyzer("llm:mock")
    assert isinstance(analyzer, LLMAnalyzer)
    assert analyzer.name == "llm:mock" and analyzer.unavailable() == ""
    assert analyzer.languages == frozenset({"python", "c"})
    with pytest.raises(UnknownNameError, match="unknown model backend 'nosuch'; choose one of"):
        create_analyzer("llm:nosuch:model")
    with pytest.raises(VulnbenchError, match="replay"):
        create_analyzer("llm:replay:out.jsonl")
    # `vulnbench list analyzers` shows the pattern; the pattern itself names no model
    assert "llm:MODEL" in analyzers.names()
    with pytest.raises(UnknownNameError, match="unknown model backend 'MODEL'"):
        create_analyzer("llm:MODEL")
    with pytest.raises(VulnbenchError, match="name a model"):
        analyzers.get("llm:MODEL")()


def test_unavailable_says_why_the_backend_cannot_start(tmp_path: Path) -> None:
    missing = tmp_path / "absent.json"
    assert str(missing) in LLMAnalyzer(f"mock:{missing}").unavailable()
    assert "no GGUF model file" in LLMAnalyzer(f"local:{missing}").unavailable() or \
        "llama-cpp-python" in LLMAnalyzer(f"local:{missing}").unavailable()


class DictCache:
    """An in-memory findings cache with the run store's interface."""

    def __init__(self) -> None:
        self.kept: dict[tuple[str, str, str], list[Finding]] = {}

    def cached_findings(self, code_hash: str, tool: str, tool_key: str
                        ) -> list[Finding] | None:
        return self.kept.get((code_hash, tool, tool_key))

    def cache_findings(self, code_hash: str, tool: str, tool_key: str,
                       findings: list[Finding]) -> None:
        self.kept[(code_hash, tool, tool_key)] = findings


def test_cache_asks_once_for_identical_code_and_not_at_all_the_second_time(
        fake: type[FakeCounting]) -> None:
    analyzer = LLMAnalyzer("fake-counting")
    inputs = [AnalysisInput("a", EVAL), AnalysisInput("b", EVAL), AnalysisInput("c", SAFE)]
    cache = DictCache()
    first = run_analyzers(inputs, [analyzer], cache=cache)
    # EVAL: detection + type once for both copies; SAFE: detection only
    assert sorted(fake.calls) == ["cwe-type", "detect", "detect"]
    fake.calls.clear()
    second = run_analyzers(inputs, [LLMAnalyzer("fake-counting")], cache=cache)
    assert fake.calls == []
    for got in (first, second):
        assert [f.cwe for f in got["a"].findings] == [["CWE-95"]]
        assert got["a"].findings == got["b"].findings
        assert got["c"].findings == [] and got["c"].errors == []


def test_scan_cli_runs_an_llm_analyzer(tmp_path: Path) -> None:
    program = tmp_path / "calc.py"
    program.write_text(EVAL, encoding="utf-8")
    key = code_hash(EVAL)  # the runner asks under the code's hash
    script = tmp_path / "fake_answers.json"
    script.write_text(json.dumps({key: "Yes, eval of input.", f"{key}:cwe": "CWE-95"}))
    proc = subprocess.run(
        [sys.executable, "-c", "from vulnbench.cli.main import main; main()", "scan",
         str(program), "--analyzer", f"llm:mock:{script}", "--format", "json"],
        capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    findings = [f for r in report["results"].values() for f in r["findings"]]
    assert [(f["rule_id"], f["cwe"]) for f in findings] == [(RULE_ID, ["CWE-95"])]


def test_backend_options_reach_the_model() -> None:
    analyzer = LLMAnalyzer("mock", BackendOptions(n_ctx=123))
    assert analyzer.model().options.n_ctx == 123


def test_llm_coverage_is_its_list_of_choices() -> None:
    """Under the target policy a model detector covers the CWEs it may answer, in either
    language (a task of another CWE stays blind to it)."""
    from vulnbench.analyzers.coverage import analyzer_cwes
    from vulnbench.analyzers.llm import choices

    listed = {cwe for cwe, _ in choices()}
    assert analyzer_cwes("llm:local", "python") == listed == analyzer_cwes("llm:mock", "c")
    assert "CWE-89" in listed
