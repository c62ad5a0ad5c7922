"""Inversion examples: built-in tasks split at their code prompt, user files and their errors,
the CWE-then-family choice, and the import primers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vulnbench.attack.examples import (
    DEFAULT_PRIMER,
    builtin_examples,
    examples_for,
    load_examples,
    primer,
    primer_or_default,
    split_task,
)
from vulnbench.attack.records import InversionExample
from vulnbench.datasets import load_dataset
from vulnbench.errors import DatasetError
from vulnbench.records import Task


@pytest.fixture(scope="module")
def builtin_tasks() -> dict[str, Task]:
    return {t.id: t for t in load_dataset("builtin").tasks}


def ex(ident: str, cwe: str, language: str = "python") -> InversionExample:
    return InversionExample(id=ident, cwe=cwe, language=language,  # type: ignore[arg-type]
                            prompt="import os\n", vulnerable="os.system(x)\n")


# -- split_task / builtin_examples --------------------------------------------------------

@pytest.mark.parametrize("task_id", ["demo-cwe022-read-upload", "c-cwe022-open-upload",
                                     "py-cwe532-request-body-logging"])
def test_split_task_real_tasks(builtin_tasks: dict[str, Task], task_id: str) -> None:
    task = builtin_tasks[task_id]
    example = split_task(task)
    assert example is not None
    assert example.id == task.id and example.cwe == task.cwe[0]
    assert example.language == task.language and example.source == "builtin"
    assert example.prompt == task.code_prompt.lstrip("\n")
    assert example.code == task.insecure_reference.lstrip("\n")
    assert example.vulnerable.strip()


def test_split_task_rejects(builtin_tasks: dict[str, Task]) -> None:
    task = builtin_tasks["demo-cwe022-read-upload"]
    assert split_task(task.model_copy(update={"insecure_reference": ""})) is None
    other = task.model_copy(update={"insecure_reference": "import sys\n" + task.code_prompt})
    assert split_task(other) is None
    assert split_task(task.model_copy(update={"insecure_reference":
                                              task.code_prompt + "\n  \n"})) is None


def test_split_task_leading_blank_lines() -> None:
    task = Task(id="t", cwe=["cwe089"], code_prompt="\n\nimport sqlite3\n",
                insecure_reference="\nimport sqlite3\ncur.execute(q % x)\n", source="mine")
    example = split_task(task)
    assert example is not None
    assert (example.prompt, example.vulnerable) == ("import sqlite3\n", "cur.execute(q % x)\n")
    assert (example.cwe, example.source) == ("CWE-89", "mine")


def test_builtin_examples_all_split(builtin_tasks: dict[str, Task]) -> None:
    examples = builtin_examples()
    assert [e.id for e in examples] == sorted(e.id for e in examples)
    with_ref = [t for t in builtin_tasks.values() if t.insecure_reference]
    assert len(examples) == len(with_ref)  # every built-in reference starts with its prompt
    assert {e.language for e in examples} == {"python", "c"}


# -- load_examples ------------------------------------------------------------------------

GOOD_JSONL = [
    {"cwe": "cwe089", "prompt": "import sqlite3\n", "vulnerable": "cur.execute(q % x)\n"},
    {"id": "split", "cwe": 78, "code": "import os\n\ndef f(x):\n    os.system(x)\n",
     "split_line": 4},
    {"id": "pre", "cwe": "CWE-22", "language": "c", "code": "#include <stdio.h>\nfopen(p);\n",
     "prompt": "#include <stdio.h>\n"},
]


def write_jsonl(path: Path, records: list[object]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def test_load_jsonl_three_shapes(tmp_path: Path) -> None:
    examples = load_examples(write_jsonl(tmp_path / "examples.jsonl", list(GOOD_JSONL)))
    assert [e.id for e in examples] == ["examples-1", "split", "pre"]
    assert [e.cwe for e in examples] == ["CWE-89", "CWE-78", "CWE-22"]
    assert examples[1].prompt == "import os\n\ndef f(x):\n"
    assert examples[1].vulnerable == "    os.system(x)\n"
    assert (examples[2].language, examples[2].vulnerable) == ("c", "fopen(p);\n")
    assert examples[0].source == "examples.jsonl"


def test_load_json_and_toml(tmp_path: Path) -> None:
    path = tmp_path / "ex.json"
    path.write_text(json.dumps(GOOD_JSONL))
    assert [e.id for e in load_examples(path)] == ["ex-1", "split", "pre"]
    toml = tmp_path / "mine.toml"
    toml.write_text('[[example]]\ncwe = "CWE-79"\nprompt = """from flask import request\n"""\n'
                    'vulnerable = "return request.args[\'q\']\\n"\n\n'
                    '[[example]]\nid = "b"\ncwe = "CWE-79"\n'
                    'code = "import html\\nx = 1\\n"\nsplit_line = 2\n')
    loaded = load_examples(toml)
    assert [(e.id, e.prompt) for e in loaded] == [("mine-1", "from flask import request\n"),
                                                  ("b", "import html\n")]


def test_prompt_without_newline_is_joined_as_lines(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "e.jsonl",
                       [{"cwe": "CWE-78", "prompt": "import os", "vulnerable": "os.system(x)"}])
    assert load_examples(path)[0].code == "import os\nos.system(x)"


@pytest.mark.parametrize(("record", "message"), [
    ({"cwe": "CWE-89", "prompt": "import x\n"},
     "needs `vulnerable`, or `code` with `prompt` or `split_line`"),
    ({"cwe": "CWE-89", "code": "import x\ny\n"},
     "needs `vulnerable`, or `code` with `prompt` or `split_line`"),
    ({"prompt": "a\n", "vulnerable": "b\n"}, "needs `cwe`"),
    ({"cwe": "SQLi", "prompt": "a\n", "vulnerable": "b\n"}, "not a CWE id"),
    ({"cwe": "CWE-89", "language": "java", "prompt": "a\n", "vulnerable": "b\n"},
     "`language` must be python or c"),
    ({"cwe": "CWE-89", "code": "a\nb\n", "prompt": "z\n"}, "does not start with `prompt`"),
    ({"cwe": "CWE-89", "code": "a\nb\n", "split_line": 1}, "`split_line` must be"),
    ({"cwe": "CWE-89", "code": "a\nb\n", "split_line": 3}, "`split_line` must be"),
    ({"cwe": "CWE-89", "code": "a\nb\n", "split_line": "2"}, "`split_line` must be"),
    ({"cwe": "CWE-89", "code": "a\nb\n", "prompt": "a\n", "split_line": 2}, "not both"),
    ({"cwe": "CWE-89", "prompt": "a\n", "vulnerable": "b\n", "code": "a\nb\n"}, "not both"),
    ({"cwe": "CWE-89", "prompt": "a\n", "vulnerable": "  \n"}, "vulnerable part is blank"),
    ({"cwe": "CWE-89", "code": "a\n", "prompt": "a\n"}, "vulnerable part is blank"),
    ({"cwe": "CWE-89", "prompt": "a\n", "vulnerable": 3}, "`vulnerable` must be a string"),
    ({"cwe": "CWE-89", "prompt": "a\n", "vulnerable": "b\n", "vulnerble": "x"},
     "unknown field(s) vulnerble"),
    ({"cwe": "CWE-89", "id": "", "prompt": "a\n", "vulnerable": "b\n"}, "`id` must be"),
    ([1, 2], "expected a JSON object"),
])
def test_load_errors_name_line(tmp_path: Path, record: object, message: str) -> None:
    good = {"cwe": "CWE-89", "prompt": "a\n", "vulnerable": "b\n"}
    path = write_jsonl(tmp_path / "examples.jsonl", [good, good | {"id": "two"}, record])
    with pytest.raises(DatasetError) as err:
        load_examples(path)
    assert str(err.value).startswith(f"{path}:3: ")
    assert message in str(err.value)


def test_load_errors_files(tmp_path: Path) -> None:
    dup = write_jsonl(tmp_path / "d.jsonl", [
        {"id": "x", "cwe": "CWE-89", "prompt": "a\n", "vulnerable": "b\n"},
        {"id": "x", "cwe": "CWE-89", "prompt": "a\n", "vulnerable": "b\n"}])
    with pytest.raises(DatasetError, match=r"d\.jsonl:2: duplicate example id 'x' \(first at "):
        load_examples(dup)
    latin = tmp_path / "l.jsonl"
    latin.write_bytes(b'{"cwe": "CWE-89", "prompt": "caf\xe9\\n", "vulnerable": "b"}\n')
    with pytest.raises(DatasetError, match="not UTF-8"):
        load_examples(latin)
    obj = tmp_path / "o.json"
    obj.write_text('{"cwe": "CWE-89"}')
    with pytest.raises(DatasetError, match="expected a JSON list"):
        load_examples(obj)
    obj.write_text('[{"cwe": "CWE-89", "prompt": "a", "vulnerable": "b"}, "x"]')
    with pytest.raises(DatasetError, match=r"o\.json: record 2: expected an object"):
        load_examples(obj)
    toml = tmp_path / "t.toml"
    toml.write_text('[[example]]\ncwe = "CWE-89"\nprompt = "a"\n')
    with pytest.raises(DatasetError, match=r"t\.toml: record 1: needs `vulnerable`"):
        load_examples(toml)
    toml.write_text('[[task]]\ncwe = "CWE-89"\n')
    with pytest.raises(DatasetError, match=r"expected \[\[example\]\] tables"):
        load_examples(toml)
    for name, text in [("e.jsonl", "  \n"), ("x.yaml", "a: 1")]:
        (tmp_path / name).write_text(text)
        with pytest.raises(DatasetError):
            load_examples(tmp_path / name)


# -- examples_for -------------------------------------------------------------------------

def test_examples_for_same_cwe_then_family() -> None:
    pool = [ex("z22", "CWE-22"), ex("a23", "CWE-23"), ex("b22", "CWE-22"),
            ex("c36", "CWE-36"), ex("c22", "CWE-22", "c"), ex("m89", "CWE-89")]
    assert [e.id for e in examples_for(pool, "CWE-22", "python", 2)] == ["b22", "z22"]
    assert [e.id for e in examples_for(pool, "cwe022", "python", 10)] == \
        ["b22", "z22", "a23", "c36"]
    assert [e.id for e in examples_for(pool, "CWE-22", "c", 5)] == ["c22"]
    assert examples_for(pool, "CWE-352", "python", 5) == []
    assert examples_for(pool, "CWE-22", "python", 0) == []


def test_examples_for_builtin() -> None:
    chosen = examples_for(builtin_examples(), "CWE-89", "python", 5)
    assert len(chosen) == 5 and all(e.language == "python" for e in chosen)
    assert chosen[0].cwe == "CWE-89"


# -- primer -------------------------------------------------------------------------------

def test_primer_python() -> None:
    prompt = ("#!/usr/bin/env python\nimport os\n\n# web\nfrom flask import (Flask,\n"
              "    request)  # the app\nimport a.b as c\n\napp = Flask(__name__)\nimport late\n")
    assert primer(prompt, "python") == ("import os\n\n# web\nfrom flask import (Flask,\n"
                                        "    request)  # the app\nimport a.b as c\n")
    assert primer("from x import \\\n    y\ndef f(): pass\n", "python") == \
        "from x import \\\n    y\n"
    assert primer("import logging", "python") == "import logging\n"
    assert primer('"""doc"""\nimport os\n', "python") == ""
    assert primer("def important():\n    pass\n", "python") == ""


def test_primer_c() -> None:
    prompt = ("/* header\n * of the file */\n#include <stdio.h>\n// io\n\n/* more\n"
              "   lines */\n#include \"x.h\"\n#define N 4\n#include <late.h>\n")
    assert primer(prompt, "c") == ("#include <stdio.h>\n// io\n\n/* more\n   lines */\n"
                                   "#include \"x.h\"\n")
    assert primer("int main(void) {}\n", "c") == ""


def test_primer_or_default() -> None:
    assert primer_or_default("def f():\n    pass\n", "python") == DEFAULT_PRIMER["python"]
    assert primer_or_default("int f(void);\n", "c") == "#include <stdio.h>\n"
    assert primer_or_default("import sys\nx = 1\n", "python") == "import sys\n"


def test_builtin_primers_are_prompt_prefixes() -> None:
    for example in builtin_examples():
        lead = primer(example.prompt, example.language)
        assert example.prompt.startswith(lead.rstrip("\n")), example.id
