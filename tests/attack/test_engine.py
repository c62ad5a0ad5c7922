"""The attack engine's plan (phase-1 and baseline calls, content-addressed keys that survive a
new plan and a larger k), the order calls reach the model (prefix vs interleaved, observed on
the MOCK backend at concurrency 1: plumbing only) and the example sets with their notes and
errors. No real model runs here."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from vulnbench.attack.config import InversionConfig
from vulnbench.attack.engine import (
    Attack,
    LazyModel,
    baseline_prompts,
    code_calls,
    example_sets,
    prompt_calls,
    sample,
)
from vulnbench.errors import DatasetError
from vulnbench.models import BackendOptions
from vulnbench.store import RunStore


@pytest.fixture
def attacks(tmp_path: Path) -> Iterator[Any]:
    """Factory of attacks on fresh stores (closed at the end), on the scripted fake model."""
    stores: list[RunStore] = []

    def make(**overrides: Any) -> Attack:
        fields: dict[str, Any] = {"model": "mock", "cwes": ["CWE-78", "CWE-89"], "k": 2,
                                  "k2": 2, "permutations": 2, "chat": "completion"}
        cfg = InversionConfig(**{**fields, **overrides})
        store = RunStore(tmp_path / f"run{len(stores)}.sqlite")
        stores.append(store)
        return Attack(cfg, store, example_sets(cfg, lambda _: None), False,
                      LazyModel(cfg.model, BackendOptions(concurrency=1)), echo=lambda _: None)

    yield make
    for store in stores:
        store.close()


def test_prompt_calls_are_methods_x_cwes_x_permutations_x_k(attacks: Any) -> None:
    attack = attacks(methods=["fs-code", "fs-prompt", "os-prompt"], permutations=2, k=3)
    calls = prompt_calls(attack)
    assert len(calls) == 3 * 2 * 2 * 3
    assert len({c.item.key for c in calls}) == len(calls)
    per_fewshot: dict[str, list[int]] = {}
    for call in calls:
        per_fewshot.setdefault(call.item.task_id, []).append(call.item.sample_index)
    assert len(per_fewshot) == 3 * 2 * 2  # one few-shot prompt per method, CWE, permutation
    assert all(sorted(v) == [0, 1, 2] for v in per_fewshot.values())
    assert set(attack.fewshots) == set(per_fewshot)
    assert {fs.method for fs in attack.fewshots.values()} == {"fs-code", "fs-prompt",
                                                              "os-prompt"}


def test_no_baseline_and_no_method_calls_when_turned_off(attacks: Any) -> None:
    attack = attacks(methods=["fs-code"], baseline=False)
    assert len(prompt_calls(attack)) == 1 * 2 * 2 * 2
    assert baseline_prompts(attack) == {}


@pytest.mark.parametrize(("permutations", "k", "k2", "expected"), [
    (2, 2, 2, [2, 2, 2, 2]),  # 8 codes over CWE-78's four examples
    (5, 1, 1, [2, 1, 1, 1]),  # the remainder goes to the first examples
    (1, 1, 3, [1, 1, 1]),  # fewer codes than examples: one each, the last ones unused
])
def test_baseline_spreads_its_codes_over_the_examples(
        attacks: Any, permutations: int, k: int, k2: int, expected: list[int]) -> None:
    attack = attacks(cwes=["CWE-78"], methods=["fs-code"], permutations=permutations, k=k,
                     k2=k2)
    examples = attack.examples[("python", "CWE-78")]
    assert len(examples) == 4
    counts = baseline_prompts(attack)
    assert list(counts.values()) == expected
    assert sum(counts.values()) == permutations * k * k2
    for e, prompt_id in enumerate(counts):
        nsp = attack.prompts[prompt_id]
        assert prompt_id == f"cve-prompt/s0/Tp0.6/Tc0.6/python/CWE-78/p{e}/q0"
        assert nsp.text == examples[e].prompt.strip("\n") + "\n"
        assert nsp.raw == f"example:{examples[e].id}"
    calls = code_calls(attack, counts)
    assert len(calls) == permutations * k * k2
    for prompt_id, n in counts.items():
        assert sorted(c.item.sample_index for c in calls if c.owner == prompt_id) == list(
            range(n))


def test_keys_are_stable_across_plans(attacks: Any) -> None:
    first, second = attacks(), attacks()
    assert [c.item.key for c in prompt_calls(first)] == [c.item.key for c in
                                                         prompt_calls(second)]
    assert [c.item.key for c in code_calls(first, baseline_prompts(first))] == [
        c.item.key for c in code_calls(second, baseline_prompts(second))]
    # a key depends on what is asked: another model or temperature asks something else
    other = attacks(temperature=0.2)
    assert not {c.item.key for c in prompt_calls(other)} & {c.item.key for c in
                                                           prompt_calls(first)}


def test_larger_k_adds_calls_and_keeps_the_old_keys(attacks: Any) -> None:
    small, large = attacks(k=2, k2=2), attacks(k=4, k2=3)
    small_keys = {c.item.key for c in prompt_calls(small)}
    large_keys = {c.item.key for c in prompt_calls(large)}
    assert small_keys < large_keys
    assert len(large_keys) - len(small_keys) == 3 * 2 * 2 * 2  # methods x CWEs x perms x 2
    small_codes = {c.item.key for c in code_calls(small, baseline_prompts(small))}
    large_codes = {c.item.key for c in code_calls(large, baseline_prompts(large))}
    assert small_codes < large_codes
    assert len(large_codes) == 2 * 2 * 4 * 3  # baseline: CWEs x permutations x k x k'


def _calls(path: Path) -> list[tuple[str, int]]:
    rows = [line.split("\t") for line in path.read_text().splitlines()]
    return [(task, int(index)) for task, index in rows]


def _phase(calls: list[tuple[str, int]], phase1: bool) -> list[str]:
    """Task ids of one phase's calls, in call order (phase-1 ids have no condition label)."""
    return [t for t, _ in calls if (t.count("/") == 4) == phase1]


def test_prefix_order_runs_each_request_back_to_back(
        attacks: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls_file = tmp_path / "calls.txt"
    monkeypatch.setenv("VULNBENCH_MOCK_CALLS", str(calls_file))
    # the fake model answers every phase-1 call alike, so the k non-secure prompts of one
    # few-shot prompt have one text: their calls must still not mix
    attack = attacks(cwes=["CWE-89"], methods=["fs-code"], k=3, k2=2, order="prefix")
    sample(attack)
    calls = _calls(calls_file)
    assert len(calls) == 2 * 3 + (2 * 3 * 2 + 2 * 3 * 2)
    assert len(set(calls)) == len(calls)
    assert len({attack.prompts[p].text for p in attack.prompts
                if p.startswith("fs-code/") and "/p0/" in p}) == 1
    for phase1 in (True, False):
        order = _phase(calls, phase1)
        runs = [t for i, t in enumerate(order) if i == 0 or order[i - 1] != t]
        assert len(runs) == len(set(runs)), f"a request's calls are split: {order}"
    attack.get_model.close()


def test_interleaved_order_never_repeats_a_request_back_to_back(
        attacks: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls_file = tmp_path / "calls.txt"
    monkeypatch.setenv("VULNBENCH_MOCK_CALLS", str(calls_file))
    attack = attacks(cwes=["CWE-89"], methods=["fs-code"], k=3, k2=2, order="interleaved")
    sample(attack)
    calls = _calls(calls_file)
    assert len(calls) == 2 * 3 + (2 * 3 * 2 + 2 * 3 * 2)
    for phase1 in (True, False):
        order = _phase(calls, phase1)
        assert len(set(order)) > 1
        assert all(a != b for a, b in itertools.pairwise(order)), order
    attack.get_model.close()


def test_a_cwe_without_examples_names_the_available_ones() -> None:
    with pytest.raises(DatasetError) as err:
        example_sets(InversionConfig(cwes=["CWE-89"], languages=["c"]), lambda _: None)
    text = str(err.value)
    assert "no example of CWE-89 in c" in text and "--examples" in text
    assert "CWE-787" in text and "CWE-416" in text  # built-in C examples
    assert "CWE-502" not in text  # Python-only: not available in C
    with pytest.raises(DatasetError, match="CWE-502"):
        example_sets(InversionConfig(cwes=["CWE-89", "CWE-4242"]), lambda _: None)


def test_example_sets_note_few_examples_and_a_missing_language() -> None:
    notes: list[str] = []
    sets = example_sets(InversionConfig(cwes=["CWE-78", "CWE-89"], languages=["python", "c"]),
                        notes.append)
    assert set(sets) == {("python", "CWE-78"), ("c", "CWE-78"), ("python", "CWE-89")}
    assert len(sets[("c", "CWE-78")]) == 2
    assert len(sets[("python", "CWE-78")]) == 4  # shots + 1, no note
    assert notes == [
        "note: CWE-78 (c) has 2 example(s); few-shot prompts use 1 demonstration(s) "
        "instead of 3",
        "note: CWE-89 has no c example; attacked in the other language only"]
