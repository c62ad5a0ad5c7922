"""The ``report.html`` sections of a ``vulnbench classify`` folder, read from its results.json:
headline, per-class figures, the confusion matrix (table and heatmap), SecuCoGen's Table 7 and
the answers themselves. Figures carry ``data-metric`` (and ``data-class``) attributes holding
the JSON value, so a reader or test can check them against the file."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from html import escape
from typing import Any

from vulnbench.report.html.folder import describers
from vulnbench.report.html.page import PageInput, Section, sections
from vulnbench.report.html.sections import table

CLASSIFY = frozenset({"classify"})
TITLES = {"detect": "vulnerability detection", "cwe": "CWE-type prediction"}
FIGURES = ("precision", "recall", "f1")
ANSWER_CAP = 1000  # answers listed on the page; results.json holds them all
COMPACT = 12  # above this many labels, all-zero confusion rows and columns are left out


def _results(page: PageInput) -> dict[str, Any]:
    results = page.documents.get("results.json")
    return results if isinstance(results, dict) else {}


def _fig(value: Any, name: str, cls: str | None = None) -> str:
    """A figure with the JSON value in data-value (absent: undefined, shown n/a)."""
    attrs = f'data-metric="{escape(name)}"'
    if cls is not None:
        attrs += f' data-class="{escape(cls)}"'
    if value is None:
        return f'<span {attrs} title="undefined">n/a</span>'
    text = f"{value:.3f}" if isinstance(value, float) else escape(str(value))
    return f'<span {attrs} data-value="{escape(repr(value))}">{text}</span>'


def describe(documents: Mapping[str, Any]) -> tuple[str, str]:
    """Title and meta line of a classify folder's page."""
    r = documents.get("results.json") or {}
    task = str(r.get("task", "?"))
    meta = (f"Task {task} ({TITLES.get(task, task)}), model {r.get('model')} "
            f"({r.get('rendering')} prompts), dataset {r.get('dataset')}: "
            f"{r.get('n_items')} questions x n = {r.get('n')} at temperature "
            f"{r.get('temperature')}, {r.get('summary', {}).get('n')} answers.")
    return f"vulnbench classify report: {r.get('dataset')}", meta


def headline(page: PageInput) -> str:
    r = _results(page)
    s = r["summary"]
    unread = s["predicted"].get("unparseable", 0)
    cells = [_fig(s["accuracy"], "accuracy"),
             *(_fig(s[avg][f], f"{avg}_{f}") for avg in ("macro", "weighted") for f in FIGURES),
             _fig(s["n"], "n"), _fig(unread, "unparseable")]
    header = ["accuracy", *(f"{a} {f}" for a in ("macro", "weighted") for f in FIGURES),
              "answers", "unparseable"]
    skipped = "; ".join(f"{n} task(s): {why}" for why, n in r.get("skipped", {}).items())
    return (f"<p>SecuCoGen experiment 6, {escape(TITLES.get(r['task'], r['task']))}: "
            f"{r['n_items']} questions, {r['new_answers']} new and {r['reused_answers']} "
            "reused answers. An answer the parser could not read counts as wrong.</p>"
            + table(header, [cells])
            + (f'<p class="note">Skipped: {escape(skipped)}.</p>' if skipped else ""))


def per_class(page: PageInput) -> str:
    classes: dict[str, Any] = _results(page)["summary"]["classes"]
    rows = [[escape(c)] + [_fig(v[f], f, c) for f in FIGURES] + [_fig(v["support"], "support", c)]
            for c, v in classes.items()]
    return ('<div class="scroll">' + table(["class", *FIGURES, "support"], rows) + "</div>")


def confusion(page: PageInput) -> str:
    matrix_doc = _results(page)["summary"]["confusion"]
    labels: list[str] = matrix_doc["labels"]
    matrix: list[list[int]] = matrix_doc["matrix"]
    # rows: the true classes (the labels' head); columns: every label, answer-only ones last
    rows_i = list(range(len(matrix)))
    cols_j = list(range(len(labels)))
    note = ""
    if len(labels) > COMPACT:
        rows_i = [i for i in rows_i if any(matrix[i])]
        cols_j = [j for j in cols_j if any(row[j] for row in matrix)]
        note = (f'<p class="note">{len(labels)} labels: rows (truth) and columns (answer) '
                f"that are all zero are left out ({len(matrix) - len(rows_i)} rows, "
                f"{len(labels) - len(cols_j)} columns); results.json has the whole matrix.</p>")
    body = []
    for i in rows_i:
        cells = [f'<span data-truth="{escape(labels[i])}" data-answer="{escape(labels[j])}">'
                 f"{matrix[i][j]}</span>" for j in cols_j]
        body.append([escape(labels[i]), *cells, str(sum(matrix[i]))])
    header = ["truth \\ answer", *(labels[j] for j in cols_j), "total"]
    chart = heatmap([labels[i] for i in rows_i], [labels[j] for j in cols_j],
                    [[matrix[i][j] for j in cols_j] for i in rows_i],
                    "confusion matrix, shaded by share of the truth row")
    return ("<p>Rows: the true class; columns: the answer. Counts of answers.</p>" + note
            + '<div class="scroll">' + table(header, body) + "</div>"
            + '<div class="scroll">' + chart + "</div>")


def heatmap(rows: Sequence[str], cols: Sequence[str], counts: Sequence[Sequence[int]],
            title: str) -> str:
    """Counts shaded by their share of the row (so a small class reads as clearly as a big
    one); cells shrink when there are many labels, counts then show in tooltips."""
    cell = 40 if len(cols) <= 12 else 18
    label_w, top = 150, 100
    body = []
    for j, col in enumerate(cols):
        x = label_w + j * cell + cell / 2
        body.append(f'<text transform="translate({x:.0f},{top - 6}) rotate(-45)">'
                    f"{escape(col)}</text>")
    for i, row in enumerate(rows):
        y = top + i * cell
        total = sum(counts[i]) or 1
        body.append(f'<text x="{label_w - 6}" y="{y + cell / 2 + 4:.0f}" text-anchor="end">'
                    f"{escape(row)}</text>")
        for j, count in enumerate(counts[i]):
            share = count / total
            fill = "#f4f4f4" if count == 0 else f"rgba(40,80,160,{0.15 + 0.85 * share:.3f})"
            x = label_w + j * cell
            body.append(f'<rect x="{x}" y="{y}" width="{cell - 2}" height="{cell - 2}" '
                        f'fill="{fill}"><title>truth {escape(row)}, answer {escape(cols[j])}: '
                        f"{count} ({share:.2f} of the row)</title></rect>")
            if cell >= 40 and count:
                ink = "#fff" if share > 0.5 else "#000"
                body.append(f'<text x="{x + cell / 2 - 1:.0f}" y="{y + cell / 2 + 3:.0f}" '
                            f'style="fill:{ink}" text-anchor="middle" class="small">{count}</text>')
    width = label_w + max(1, len(cols)) * cell + 60
    height = top + len(rows) * cell + 10
    return (f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
            f"{''.join(body)}</svg>")


def table7(page: PageInput) -> str:
    t = _results(page)["table7"]
    cols = ("detect_accuracy", "detect_n", "precision", "recall", "f1", "support")
    rows = [[escape(r["cwe"])] + [_fig(r[c], c, r["cwe"]) for c in cols] for r in t["rows"]]
    for name, key in (("Macro avg", "macro"), ("Weighted avg", "weighted")):
        rows.append([name, "", "", *(_fig(t[key][f], f"table7_{key}_{f}") for f in FIGURES), ""])
    unread = t["unparseable"]
    answers = _results(page).get("table7_answers", {})
    return (table(["CWE", "detection acc.", "n", "precision", "recall", "F1", "support"], rows)
            + f"<p>Detection accuracy {_fig(t['detect_accuracy'], 'table7_detect_accuracy')} "
            f"(n={escape(str(t.get('detect_n', '-')))}); type accuracy "
            f"{_fig(t['type_accuracy'], 'table7_type_accuracy')} "
            f"(n={escape(str(t.get('type_n', '-')))}); unparseable answers: detection "
            f"{unread['detect']}, type {unread['type']}; other CWE named: {t['other']}. "
            f"Answers in the table: detection {escape(str(answers.get('detect', '-')))}, "
            f"type {escape(str(answers.get('cwe', '-')))} (both tasks' answers stored in "
            "this folder).</p>")


ANSWERS_CSS = ("#vb-answers td,#vb-answers th{text-align:left}"
               "#vb-answers pre{margin:0;padding:4px;max-height:9em;font-size:12px}")
ANSWERS_JS = """
(function(){var box=document.getElementById('vb-answers-wrong');if(!box)return;
box.addEventListener('change',function(){var rows=document.querySelectorAll(
'#vb-answers tbody tr');for(var i=0;i<rows.length;i++){rows[i].style.display=
box.checked&&rows[i].getAttribute('data-correct')==='1'?'none':'';}});})();
"""


def answers(page: PageInput) -> str:
    items: list[dict[str, Any]] = _results(page).get("items", [])
    shown = items[:ANSWER_CAP]
    rows = []
    for it in shown:
        correct = it["truth"] == it["predicted"]
        mark = "" if correct else ' class="v-vulnerable"'
        rows.append(f'<tr data-correct="{int(correct)}"><td>{escape(it["task_id"])}</td>'
                    f'<td>{escape(it["cwe"])}</td><td>{escape(it["truth"])}</td>'
                    f'<td{mark}>{escape(it["predicted"])}</td>'
                    f'<td>{it.get("sample_index", 0)}</td>'
                    f'<td><pre>{escape(it["answer"].strip())}</pre></td></tr>')
    cap = (f'<p class="note">The first {len(shown)} of {len(items)} answers; results.json '
           "lists them all.</p>" if len(items) > len(shown) else "")
    head = "".join(f"<th>{h}</th>" for h in ("task", "CWE", "truth", "answer class", "sample",
                                            "answer (first 300 characters)"))
    return (f"<style>{ANSWERS_CSS}</style><p>{len(items)} answers.</p>" + cap
            + '<p class="filters"><label><input type="checkbox" id="vb-answers-wrong"> '
            "only wrong answers</label></p>"
            + f'<table id="vb-answers"><thead><tr>{head}</tr></thead><tbody>'
            + "".join(rows) + f"</tbody></table><script>{ANSWERS_JS}</script>")


def _guard(render: Callable[[PageInput], str]) -> Callable[[PageInput], str]:
    """A section that renders "" when results.json lacks what it reads (an older schema)."""
    def run(page: PageInput) -> str:
        try:
            return render(page)
        except (KeyError, TypeError, AttributeError):
            return ""
    return run


describers.register("classify")(describe)
sections.register("classify-headline")(Section("Classification", CLASSIFY, _guard(headline)))
sections.register("classify-classes")(Section("Per class", CLASSIFY, _guard(per_class)))
sections.register("classify-confusion")(Section("Confusion matrix", CLASSIFY,
                                                _guard(confusion)))
sections.register("classify-cwe")(Section("Per CWE (SecuCoGen Table 7)", CLASSIFY,
                                          _guard(table7)))
sections.register("classify-answers")(Section("Answers", CLASSIFY, _guard(answers)))
