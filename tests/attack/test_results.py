"""build_results on a hand-made run whose every figure is counted by hand below: exact and
fuzzy duplicates, an unjudged code, a found CWE in an attacked CWE's family, an Other CWE, a
code counted in two columns, a shot and a temperature sweep, reconstruction of targets."""

from __future__ import annotations

from typing import Any

import pytest

from vulnbench.attack.records import (
    Condition,
    FewShotPrompt,
    InversionExample,
    NonSecurePrompt,
    ScoredCode,
)
from vulnbench.attack.results import (
    MAX_POINTS,
    InversionResults,
    build_results,
    column_of,
    vulnerable_columns,
)

ATTACKED = {"python": ["CWE-22", "CWE-79", "CWE-89"]}
MAIN = Condition(method="fs-code", shots=3, prompt_temperature=0.6, code_temperature=0.6)
CVE = Condition(method="cve-prompt", shots=0, prompt_temperature=0.6, code_temperature=0.6)
SHOTS1 = MAIN.model_copy(update={"shots": 1})
COLD = MAIN.model_copy(update={"prompt_temperature": 0.2})
INFO: dict[str, object] = {"model": "tiny-model", "config": {"k": 5, "k_prime": 5},
                           "timing": {"wall_s": 12.5}}


def _example(id: str, cwe: str, prompt: str, vulnerable: str) -> InversionExample:
    return InversionExample(id=id, cwe=cwe, language="python", prompt=prompt,
                            vulnerable=vulnerable)


def _fewshot(id: str, cwe: str, target: str, shots: int = 3) -> FewShotPrompt:
    return FewShotPrompt(id=id, method="fs-code", cwe=cwe, language="python", shots=shots,
                         permutation=0, example_ids=[target], target_id=target,
                         primer="import os\n", text="...")


def _prompt(id: str, cond: Condition, cwe: str, fewshot: str, text: str = "import os\n",
            ) -> NonSecurePrompt:
    return NonSecurePrompt(id=id, condition=cond, fewshot_id=fewshot, cwe=cwe,
                           language="python", permutation=0, index=0, text=text)


def _code(id: str, cond: Condition, cwe: str, order: int, prompt: str, *, status: str = "ok",
          found: tuple[str, ...] = (), vulnerable: bool | None = False, text: str = "pass",
          dup: str | None = None, dup_kind: str | None = None, errors: tuple[str, ...] = (),
          ) -> ScoredCode:
    data: dict[str, Any] = dict(
        id=id, prompt_id=prompt, condition=cond, cwe=cwe, language="python", permutation=0,
        prompt_index=0, index=order, order=order, code=text, status=status, found=list(found),
        vulnerable=vulnerable, duplicate_of=dup, duplicate_kind=dup_kind,
        analyzer_errors=list(errors))
    return ScoredCode.model_validate(data)


def fixture() -> dict[str, Any]:
    """The run: keyword arguments of build_results."""
    examples = {e.id: e for e in [
        _example("ex-a", "CWE-22", "abcd", "efgh"),    # code "abcdefgh"
        _example("ex-b", "CWE-79", "0123", "4567"),    # code "01234567"
        _example("ex-c", "CWE-89", "wxyz", "WXYZ"),    # targeted, but no code generated
        _example("ex-d", "CWE-89", "ijkl", "mnop"),
    ]}
    fewshots = {f.id: f for f in [
        _fewshot("fs1", "CWE-22", "ex-a"), _fewshot("fs2", "CWE-22", "ex-a"),
        _fewshot("fs3", "CWE-79", "ex-b"), _fewshot("fs4", "CWE-89", "ex-c"),
        _fewshot("fs5", "CWE-79", "ex-b", shots=1),
        _fewshot("fs6", "CWE-89", "ex-d"),  # never sampled from: not a target
    ]}
    prompts = {p.id: p for p in [
        _prompt("p1", MAIN, "CWE-22", "fs1"), _prompt("p2", MAIN, "CWE-22", "fs2"),
        _prompt("p3", MAIN, "CWE-79", "fs3"), _prompt("p4", MAIN, "CWE-79", "fs3", text=""),
        _prompt("p7", MAIN, "CWE-89", "fs4", text=""),
        _prompt("p5", SHOTS1, "CWE-79", "fs5"), _prompt("p6", COLD, "CWE-22", "fs1"),
    ]}
    codes = [
        _code("c1", MAIN, "CWE-22", 0, "p1", found=("CWE-23",), vulnerable=True),  # family
        _code("c2", MAIN, "CWE-22", 1, "p1", found=("CWE-22", "CWE-89"), vulnerable=True),
        _code("c3", MAIN, "CWE-22", 2, "p1", status="duplicate", vulnerable=None,
              dup="c1", dup_kind="exact"),
        _code("c4", MAIN, "CWE-22", 3, "p2", found=("CWE-798",), vulnerable=True,
              dup="c2", dup_kind="fuzzy"),  # Other, and a fuzzy duplicate
        _code("c5", MAIN, "CWE-22", 4, "p2", vulnerable=None, errors=("bandit: timeout",)),
        _code("c6", MAIN, "CWE-22", 5, "p2", status="syntax_error", vulnerable=None,
              text="abcdefgh"),  # a broken code still counts for reconstruction
        _code("c7", MAIN, "CWE-22", 6, "p2"),
        # given out of order: growth reads codes by ``order``
        _code("c8", MAIN, "CWE-79", 8, "p3", found=("CWE-80",), vulnerable=True,
              text="0123abcd"),
        _code("c9", MAIN, "CWE-79", 7, "p3", status="empty", vulnerable=None, text=""),
        _code("c10", CVE, "CWE-89", 0, "cve/ex-c", found=("CWE-89",), vulnerable=True),
        _code("c11", CVE, "CWE-89", 1, "cve/ex-c"),
        _code("c12", SHOTS1, "CWE-79", 0, "p5", found=("CWE-79",), vulnerable=True),
        _code("c13", SHOTS1, "CWE-79", 1, "p5", found=("CWE-89",), vulnerable=True,
              text="01234567"),  # a sweep condition: not a reconstruction attempt
        _code("c14", COLD, "CWE-22", 0, "p6"),
    ]
    return dict(codes=codes, attacked=ATTACKED, main={"fs-code": MAIN, "cve-prompt": CVE},
                prompts=prompts, fewshots=fewshots, examples=examples, info=INFO)


@pytest.fixture(scope="module")
def res() -> InversionResults:
    kw = fixture()
    return build_results(iter(kw.pop("codes")), **kw)  # a one-shot iterator is enough


def test_column_mapping() -> None:
    attacked = ATTACKED["python"]
    assert column_of("CWE-23", attacked) == "CWE-22"
    assert column_of("CWE-80", attacked) == "CWE-79"
    assert column_of("CWE-798", attacked) == "Other"
    code = fixture()["codes"][1]
    assert vulnerable_columns(code, attacked) == {"CWE-22", "CWE-89"}
    assert vulnerable_columns(code, []) == {"Other"}


def test_run_conditions_and_attacked(res: InversionResults) -> None:
    assert res.run == INFO
    assert res.attacked == ATTACKED
    assert {k: v.main for k, v in res.conditions.items()} == {
        MAIN.label: True, CVE.label: True, SHOTS1.label: False, COLD.label: False}


def test_counts(res: InversionResults) -> None:
    cwe22 = res.counts[MAIN.label]["python"]["CWE-22"]
    assert cwe22.model_dump() == dict(
        generated=7, empty=0, syntax_error=1, duplicate_exact=1, duplicate_fuzzy=1, scored=5,
        vulnerable=3, unjudged=1, vulnerable_fuzzy_dedup=2, prompts=2, empty_prompts=0)
    cwe79 = res.counts[MAIN.label]["python"]["CWE-79"]
    assert (cwe79.generated, cwe79.empty, cwe79.scored, cwe79.vulnerable) == (2, 1, 1, 1)
    assert (cwe79.prompts, cwe79.empty_prompts) == (1, 1)
    cwe89 = res.counts[MAIN.label]["python"]["CWE-89"]
    assert (cwe89.generated, cwe89.prompts, cwe89.empty_prompts) == (0, 0, 1)
    cve = res.counts[CVE.label]["python"]["CWE-89"]
    assert (cve.generated, cve.scored, cve.vulnerable, cve.unjudged) == (2, 2, 1, 0)


def test_matrix(res: InversionResults) -> None:
    m = res.matrix["fs-code"]["python"]
    # CWE-89 was targeted, but its only non-secure prompt came out empty: no code to score
    assert m.rows == ["CWE-22", "CWE-79", "CWE-89"]
    assert m.columns == ["CWE-22", "CWE-79", "CWE-89", "Other"]
    assert m.scored == [5, 1, 0]
    assert m.vulnerable == [3, 1, 0]
    assert m.percent == [[40.0, 0.0, 20.0, 20.0], [0.0, 100.0, 0.0, 0.0], [None] * 4]
    base = res.matrix["cve-prompt"]["python"]
    assert base.rows == ["CWE-89"]
    assert base.percent == [[0.0, 0.0, 50.0, 0.0]]
    assert set(res.matrix) == {"fs-code", "cve-prompt"}  # sweeps are not matrices


def test_matrix_row_without_scored_code_is_none() -> None:
    kw = fixture()
    codes = [c for c in kw.pop("codes") if c.id != "c8"]
    m = build_results(codes, **kw).matrix["fs-code"]["python"]
    assert m.rows == ["CWE-22", "CWE-79", "CWE-89"]
    assert m.scored == [5, 0, 0]
    assert m.percent[1] == [None, None, None, None]


def test_totals(res: InversionResults) -> None:
    t = res.totals["python"]
    assert t.columns == ["CWE-22", "CWE-79", "CWE-89", "Other", "Total"]
    assert [r.label for r in t.rows] == ["FS-Code", "CVE-Prompt"]  # the baseline last
    fs, cve = t.rows
    # c2 counts under CWE-22 and CWE-89 but once in Total
    assert fs.counts == [2, 1, 1, 1, 4]
    assert (fs.total_fuzzy, fs.scored) == (3, 6)
    assert fs.targeted == {"CWE-22": 2, "CWE-79": 1}
    assert cve.counts == [0, 0, 1, 0, 1]
    assert cve.targeted == {"CWE-89": 1}


def test_growth(res: InversionResults) -> None:
    g = res.growth["fs-code"]["python"]
    assert g["CWE-22"] == [[1, 1, 1], [2, 2, 2], [3, 2, 2], [4, 3, 2], [5, 3, 2], [6, 3, 2],
                           [7, 3, 2]]
    assert g["CWE-79"] == [[1, 0, 0], [2, 1, 1]]
    assert g["CWE-89"] == []
    assert res.growth["cve-prompt"]["python"]["CWE-89"] == [[1, 1, 1], [2, 1, 1]]


def test_growth_is_thinned_and_keeps_the_last_point() -> None:
    kw = fixture()
    del kw["codes"]
    codes = [_code(f"g{i}", MAIN, "CWE-22", i, "p1", found=("CWE-22",) * (i % 2 == 0),
                   vulnerable=i % 2 == 0) for i in range(173)]
    curve = build_results(codes, **kw).growth["fs-code"]["python"]["CWE-22"]
    assert len(curve) == MAX_POINTS
    assert curve[-1] == [173, 87, 87]
    assert [p[0] for p in curve] == sorted({p[0] for p in curve})


def test_sweeps(res: InversionResults) -> None:
    shots = [(r.method, r.shots, r.main, r.scored, r.vulnerable, r.targeted_hits)
             for r in res.sweeps.shots]
    # the main row counts only the cells the sweep ran on (CWE-79 for shots, CWE-22 for
    # temperature), so a sweep over a subset of CWEs compares like with like
    assert shots == [("fs-code", 1, False, 2, 2, 1), ("fs-code", 3, True, 1, 1, 1)]
    temps = [(r.prompt_temperature, r.code_temperature, r.main, r.scored, r.vulnerable)
             for r in res.sweeps.temperature]
    assert temps == [(0.2, 0.6, False, 1, 0), (0.6, 0.6, True, 5, 3)]


def test_no_sweep_gives_empty_lists() -> None:
    kw = fixture()
    codes = [c for c in kw.pop("codes") if c.condition in (MAIN, CVE)]
    kw["prompts"] = {k: p for k, p in kw["prompts"].items() if p.condition == MAIN}
    res = build_results(codes, **kw)
    assert res.sweeps.shots == [] and res.sweeps.temperature == []


def test_reconstruction(res: InversionResults) -> None:
    r = res.reconstruction["python"]
    assert r.targets == 3
    # ex-a: c6 equals it (100); ex-b: "0123abcd" vs "01234567" = 2*4/16 (50); ex-c: no code
    assert [(b.target, b.fewshot, b.score, b.code_id) for b in r.best] == [
        ("ex-a", "fs2", 100.0, "c6"), ("ex-b", "fs3", 50.0, "c8"), ("ex-c", "fs4", 0.0, None)]
    rates = {s.threshold: (s.successes, s.rate) for s in r.success}
    assert rates[50] == (2, 0.6667)
    assert rates[55] == (1, 0.3333)
    assert rates[95] == (1, 0.3333)
    assert sorted(rates) == [50, 55, 60, 65, 70, 75, 80, 85, 90, 95]


def test_promising(res: InversionResults) -> None:
    assert res.promising[MAIN.label]["python"] == {"CWE-22": 2, "CWE-79": 1, "CWE-89": 0}
    assert res.promising[CVE.label]["python"] == {"CWE-89": 1}
    assert res.promising[SHOTS1.label]["python"] == {"CWE-79": 1}
    assert res.promising[COLD.label]["python"] == {"CWE-22": 0}


def test_json_round_trip(res: InversionResults) -> None:
    again = InversionResults.model_validate_json(res.model_dump_json(indent=2))
    assert again == res
