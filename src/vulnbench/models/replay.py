"""Replay completions produced elsewhere (published model outputs, a colleague's run), so a
published generation is re-assessed exactly as its authors produced it.

Each JSON Lines record names its task (``task_id`` or ``id``) and carries its output(s) in one
of three shapes, detected per record:

- plain: ``sample_index`` (or ``index``) and ``text`` (or ``output``/``completion``); records
  without an index are numbered in file order per task. A CSV with these columns works too.
- SALLM chat (``Generation/Output/dataset_gpt-4_0.0.jsonl``): ``output`` is an OpenAI
  ``chat.completion`` object; sample i is ``choices[i]`` (``choices[i].index`` when present),
  its text ``message.content`` (the function body only). ``content: null`` is what the API
  returns when the model gave no text (a content filter, a refusal): it is replayed as an
  empty output, which scores as "no code", never as an error or a silently dropped sample.
  Any other non-string content is an error naming file:line.
- SALLM completion (codegen, starcoder): ``output`` is a list of ``{"text": ...}`` (the
  prompt followed by the completion); sample i is item i. A null text is an error (no
  completion API writes one).

``finish_reason`` is kept where present ("replay" otherwise). ``usage.prompt_tokens`` is kept
per sample (every choice saw the same prompt); ``usage.completion_tokens`` only when the object
has one choice, since it counts all choices of the request together.

``--model replay:DIR`` is a folder of such files, one condition per file; a file named like
SALLM's ``dataset_{model}_{temperature}.jsonl`` gives the condition's model and temperature
(:func:`replay_sources`)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vulnbench.errors import DatasetError, ModelError
from vulnbench.jsonl import decode, parse_jsonl
from vulnbench.models.base import BackendOptions, ModelBackend
from vulnbench.records import Completion, GenerationConfig, Prompt, Rendering

_TEXT_KEYS = ("text", "output", "completion")
_TASK_KEYS = ("task_id", "id")
_INDEX_KEYS = ("sample_index", "index")
# SALLM's Generation/Output names: the temperature is the last "_" part, the model the rest
_SALLM_NAME = re.compile(r"dataset_(?P<model>.+)_(?P<temperature>\d+(?:\.\d+)?)\.jsonl",
                         re.IGNORECASE)
REPLAY_SUFFIXES = (".jsonl", ".csv")
_SHOWN = 20  # names listed in a coverage note before "... and N more"


@dataclass(frozen=True)
class ReplaySource:
    """One replay file; ``model``/``temperature`` come from a SALLM-style file name."""

    path: Path
    model: str | None = None
    temperature: float | None = None

    @property
    def spec(self) -> str:
        return f"replay:{self.path}"


def parse_sallm_name(name: str) -> tuple[str, float] | None:
    """``dataset_gpt-4_0.0.jsonl`` -> ``("gpt-4", 0.0)``; None for other names."""
    match = _SALLM_NAME.fullmatch(name)
    if not match:
        return None
    return match["model"], float(match["temperature"])


def _source(path: Path) -> ReplaySource:
    parsed = parse_sallm_name(path.name)
    return ReplaySource(path, *parsed) if parsed else ReplaySource(path)


def replay_sources(name: str) -> list[ReplaySource]:
    """The files behind ``replay:NAME``: the file itself, or each ``*.jsonl``/``*.csv`` in the
    folder (not recursive, hidden files skipped), in name order."""
    if not name:
        raise ModelError("the replay backend needs a file or folder: --model replay:PATH")
    path = Path(name)
    if path.is_file():
        return [_source(path)]
    if not path.is_dir():
        raise ModelError(f"replay file or folder not found: {path}")
    files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith(".")
                   and p.suffix.lower() in REPLAY_SUFFIXES)
    if not files:
        raise ModelError(f"replay folder {path} holds no {' or '.join(REPLAY_SUFFIXES)} files")
    return [_source(p) for p in files]


@dataclass(frozen=True)
class _Output:
    text: str
    finish_reason: str = "replay"
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    rendering: Rendering | None = None  # None: as the prompt was rendered (plain records)


def _first(row: dict[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        if key in row and row[key] is not None:
            return row[key]
    return None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _slot(value: Any, where: str) -> int:
    if isinstance(value, bool):
        raise DatasetError(f"{where}: sample_index must be an integer, not {value!r}")
    try:
        slot = int(value)
    except (TypeError, ValueError):
        raise DatasetError(f"{where}: sample_index must be an integer, not {value!r}") from None
    if slot < 0:
        raise DatasetError(f"{where}: sample_index must be >= 0, not {slot}")
    return slot


def _chat_outputs(obj: dict[str, Any], where: str) -> list[tuple[int | None, _Output]]:
    """Samples of an OpenAI ``chat.completion`` (or ``text_completion``) object."""
    choices = obj.get("choices")
    if not isinstance(choices, list):
        raise DatasetError(f"{where}: output.choices must be a list")
    usage = obj.get("usage")
    usage = usage if isinstance(usage, dict) else {}
    prompt_tokens = _int(usage.get("prompt_tokens"))
    completion_tokens = _int(usage.get("completion_tokens")) if len(choices) == 1 else None
    out: list[tuple[int | None, _Output]] = []
    for pos, choice in enumerate(choices):
        at = f"{where}: output.choices[{pos}]"
        if not isinstance(choice, dict):
            raise DatasetError(f"{at} must be an object")
        message = choice.get("message")
        rendering: Rendering = "chat"
        if isinstance(message, dict):
            content, field = message.get("content"), "message.content"
            if content is None:
                content = ""  # the API's "no text" (content filter, refusal): empty output
        elif "text" in choice:  # a text_completion object
            content, field, rendering = choice["text"], "text", "completion"
        else:
            raise DatasetError(f"{at} has no message")
        if not isinstance(content, str):
            raise DatasetError(f"{at}.{field} must be a string or null, got {_shown(content)}")
        index = choice.get("index", pos)
        finish = choice.get("finish_reason")
        out.append((_slot(index, f"{at}.index"), _Output(
            content, finish if isinstance(finish, str) else "replay", prompt_tokens,
            completion_tokens, rendering)))
    return out


def _list_outputs(items: list[Any], where: str) -> list[tuple[int | None, _Output]]:
    """Samples of a completion model's list of ``{"text": ...}`` (prompt + completion)."""
    out: list[tuple[int | None, _Output]] = []
    for pos, item in enumerate(items):
        at = f"{where}: output[{pos}]"
        if isinstance(item, str):
            item = {"text": item}
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise DatasetError(f"{at} must be {{\"text\": string}}, got {_shown(item)}")
        finish = item.get("finish_reason")
        out.append((_slot(item.get("index", pos), f"{at}.index"), _Output(
            item["text"], finish if isinstance(finish, str) else "replay",
            rendering="completion")))
    return out


class ReplayBackend(ModelBackend):
    backend = "replay"

    def __init__(self, name: str, options: BackendOptions) -> None:
        super().__init__(name, options)
        if not name:
            raise ModelError("the replay backend needs a file: --model replay:PATH.jsonl")
        self.path = Path(name)
        if self.path.is_dir():
            raise ModelError(f"{self.path} is a folder; vulnbench run expands replay:DIR into "
                             "one condition per file")
        if not self.path.is_file():
            raise ModelError(f"replay file not found: {self.path}")
        self.source = _source(self.path)
        self._samples: dict[str, dict[int, _Output]] = defaultdict(dict)
        for where, row in self._rows():
            task_id, outputs = self._parse(where, row)
            per_task = self._samples[task_id]
            for slot, output in outputs:
                if slot is None:  # numbered in file order: the next index not yet taken
                    slot = max(per_task) + 1 if per_task else 0
                if slot in per_task:
                    raise DatasetError(f"{where}: task {task_id!r} has sample {slot} more "
                                       "than once")
                per_task[slot] = output

    @staticmethod
    def _parse(where: str, row: Any) -> tuple[str, list[tuple[int | None, _Output]]]:
        """The task id and the samples of one record, in whichever shape it has."""
        if not isinstance(row, dict):
            raise DatasetError(f"{where}: a replay record must be a JSON object")
        task_id = _first(row, _TASK_KEYS)
        if task_id is None or str(task_id).strip() == "":
            raise DatasetError(f"{where}: a replay record needs 'task_id' and 'text'")
        output = row.get("output")
        if isinstance(output, dict) and "choices" in output:
            return str(task_id), _chat_outputs(output, where)
        if isinstance(output, list):
            return str(task_id), _list_outputs(output, where)
        text = _first(row, _TEXT_KEYS)
        if text is None:
            raise DatasetError(f"{where}: a replay record needs 'task_id' and 'text'")
        if isinstance(text, dict | list):
            raise DatasetError(f"{where}: the output is neither text, a chat.completion object "
                               "nor a list of {\"text\": ...}")
        index = _first(row, _INDEX_KEYS)
        slot = None if index is None or index == "" else _slot(index, where)
        return str(task_id), [(slot, _Output(str(text)))]

    def _rows(self) -> list[tuple[str, Any]]:
        try:
            data = self.path.read_bytes()
        except OSError as err:
            raise DatasetError(f"{self.path}: cannot read replay file: {err}") from None
        self.sha256 = hashlib.sha256(data).hexdigest()  # pins the exact file in the run spec
        text = decode(data, self.path)
        rows: list[tuple[str, Any]] = []
        if self.path.suffix.lower() == ".csv":
            # newline="" keeps newlines inside quoted fields (multi-line code) intact
            reader = csv.DictReader(io.StringIO(text, newline=""))
            start = 2
            try:
                for row in reader:
                    rows.append((f"{self.path}:{start}", row))
                    start = reader.line_num + 1
            except csv.Error as err:
                raise DatasetError(f"{self.path}:{start}: cannot read CSV: {err}") from None
            return rows
        return list(parse_jsonl(text, self.path))  # the reader the task loaders use

    @property
    def outputs(self) -> dict[str, dict[int, str]]:
        """Task id -> sample index -> text."""
        return {tid: {i: o.text for i, o in per.items()} for tid, per in self._samples.items()}

    def has(self, task_id: str, sample_index: int) -> bool:
        return sample_index in self._samples.get(task_id, {})

    def coverage(self, wanted: Iterable[str], n: int, known: Iterable[str]) -> list[str]:
        """Notes on what this file lacks for the run (tasks without outputs, tasks with fewer
        than ``n`` samples) and what it has that the dataset does not (``known`` task ids)."""
        wanted = list(wanted)
        missing = [t for t in wanted if not self._samples.get(t)]
        short = [f"{t} ({sum(1 for i in range(n) if self.has(t, i))})" for t in wanted
                 if self._samples.get(t) and not all(self.has(t, i) for i in range(n))]
        unknown = sorted(set(self._samples) - set(known))
        notes = []
        if missing:
            notes.append(f"no outputs for {len(missing)} of {len(wanted)} task(s), not scored "
                         f"in this condition: {_names(missing)}")
        if short:
            notes.append(f"fewer than {n} samples for {len(short)} task(s) (samples there): "
                         f"{_names(short)}")
        if unknown:
            notes.append(f"outputs for {len(unknown)} task(s) the dataset does not have, "
                         f"ignored: {_names(unknown)}")
        return [f"replay {self.path}: {note}" for note in notes]

    @property
    def chat_template(self) -> bool:
        return True

    def params(self) -> dict[str, str]:
        out = {"file": str(self.path), "sha256": self.sha256}
        if self.source.model is not None and self.source.temperature is not None:
            out["model"], out["temperature"] = self.source.model, f"{self.source.temperature:g}"
        return out

    async def complete(
        self, prompt: Prompt, config: GenerationConfig, sample_index: int
    ) -> Completion:
        per_task = self._samples.get(prompt.task_id)
        if per_task is None:
            raise ModelError(f"replay file {self.path} has no outputs for task {prompt.task_id!r}")
        if sample_index not in per_task:
            raise ModelError(
                f"replay file {self.path} has no sample {sample_index} for task {prompt.task_id!r}"
            )
        out = per_task[sample_index]
        return Completion(text=out.text, finish_reason=out.finish_reason,
                          prompt_tokens=out.prompt_tokens,
                          completion_tokens=out.completion_tokens,
                          rendering=out.rendering or self.rendering(prompt))


def _shown(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _names(names: list[str]) -> str:
    more = len(names) - _SHOWN
    return ", ".join(names[:_SHOWN]) + (f", ... and {more} more" if more > 0 else "")
