"""The sample browser of ``report.html``: every counted sample, filtered by task, CWE,
condition, model and verdict, shown 50 at a time, each with its prompt, raw output, processed
code (finding lines marked), findings, tests and a sentence saying why its verdict is what it
is. A small run carries all of it inline in one JSON element, so the page stays one file. A
large run (above ``inline_max()`` samples) carries only a compact index inline and writes the
detail into ``report_files/samples-NNNN.js`` beside the page, loaded by a ``<script>`` element
when a sample is opened (Chromium blocks fetch() of file:// URLs; script elements load). The
script writes every text with ``textContent``, so model output is never markup; in the JSON,
``</`` and ``<!--`` are escaped so no output can end the script element."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import Any

from vulnbench.records import Prompt, Sample, Task, Verdict
from vulnbench.report.html.page import PageInput
from vulnbench.report.reporters import ReportInput

CODE_CAP = 20_000  # characters of each code text kept in the page
PAGE = 50  # samples listed at a time (read when a page is rendered)
CHUNK = 200  # samples per detail file of a large run (~1 MB; opens a sample in ~0.2 s)
ASSETS = "report_files"
# Above this many samples the detail leaves the page. Measured with benchmarks/html_report.py
# (synthetic samples, ~2 KB code, medians of 3, both modes forced): all inline, 2,000 samples
# make an 11.7 MB page whose first list shows in ~1.0 s (chunked: 0.35 MB, ~0.7 s); 5,000 make
# 29 MB, and 30,000 make 172 MB taking ~4.3 s. 2,000 keeps one file under ~12 MB and ~1 s.
INLINE_MAX = 2_000
INLINE_ENV = "VULNBENCH_HTML_INLINE_MAX"


def inline_max() -> int:
    """The largest run kept in one file (``VULNBENCH_HTML_INLINE_MAX`` overrides it)."""
    value = os.environ.get(INLINE_ENV, "")
    return int(value) if value.strip() else INLINE_MAX


def verdict_label(verdict: Verdict | None) -> str:
    """secure, vulnerable or neither (not assessed, or no check could decide)."""
    if verdict is not None and verdict.secure:
        return "secure"
    if verdict is not None and verdict.vulnerable:
        return "vulnerable"
    return "neither"


def cap(text: str) -> tuple[str, bool]:
    return (text[:CODE_CAP], True) if len(text) > CODE_CAP else (text, False)


def recorded_tasks(data: ReportInput) -> dict[str, Task]:
    """The tasks the run recorded, by id (none for an old store)."""
    from vulnbench.pipeline.rescore import load_scoring  # rescore imports the reporters

    loaded = load_scoring(data.store)
    return {} if loaded is None else {t.id: t for t in loaded[1]}


def sample_prompts(data: ReportInput) -> dict[str, str]:
    """The exact prompt each sample's generation was asked, by sample key, read in two
    queries (the store keeps prompts by hash and each generation names its hash)."""
    db = data.store.db
    texts: dict[str, str] = {}
    try:
        stored = db.execute("SELECT hash, data FROM prompts").fetchall()
    except sqlite3.OperationalError:  # a read-only store of a vulnbench before prompts
        return {}
    for hash_, raw in stored:
        prompt = Prompt.model_validate_json(raw)
        system = f"[system]\n{prompt.system}\n\n" if prompt.system else ""
        texts[hash_] = system + prompt.text
    rows = db.execute("SELECT key, json_extract(data, '$.prompt_hash') FROM generations")
    return {key: texts[h] for key, h in rows if h in texts}


def _evidence_phrase(item: str) -> str:
    """One evidence entry of assess/verdict.py in words."""
    parts = item.split(":")
    if parts[0] == "static" and len(parts) >= 5:
        cwe = "" if parts[3] == "-" else f" ({parts[3].replace(',', ', ')})"
        line = ":".join(parts[4:]).replace("line None", "no line")
        return f"{parts[1]} {parts[2]}{cwe} on {line}"
    if item.startswith("test:security:") and item.endswith(" failed"):
        return f"the security test {item[len('test:security:'):-len(' failed')]} failed"
    if parts[0] == "test" and len(parts) >= 3:
        return f"the {parts[1]} test {':'.join(parts[2:])}"
    if parts[0] == "analyzer-error":
        return f"an analyzer failed ({':'.join(parts[1:])})"
    if parts[0] == "tests" and len(parts) >= 2:
        return f"the tests ended with {parts[1]}" + (f" ({':'.join(parts[2:])})"
                                                     if ''.join(parts[2:]) else "")
    return item


def why(sample: Sample, verdict: Verdict | None) -> str:
    """A plain sentence: the verdict and what decided it."""
    if sample.status != "ok":
        return (f"neither: the sample was not assessed because its status is {sample.status}"
                + (f" ({sample.error})" if sample.error else "") + ".")
    if verdict is None:
        return "neither: the sample has no verdict (not assessed)."
    label = verdict_label(verdict)
    said = [_evidence_phrase(e) for e in verdict.evidence]
    if label == "vulnerable":
        return "vulnerable: " + "; ".join(said or ["the checks found it vulnerable"]) + "."
    func = {True: "functional tests passed", False: "functional tests failed",
            None: "no functional test result"}[verdict.functional]
    if label == "secure":
        security = [t for t in verdict.tests if t.suite == "security"]
        sec = ("its security tests passed" if security else "the task has no security test")
        return f"secure: no counted static finding, {sec}; {func}."
    reason = "; ".join(said) or (
        "no static verdict (an analyzer failed)" if verdict.static_vulnerable is None
        else "no security test result")
    return f"neither ({verdict.status}): {reason}; {func}."


def index_row(sample: Sample, verdict: Verdict | None, cwes: list[str],
              model: str) -> dict[str, Any]:
    """What filtering and the list need: kept inline for every sample."""
    return {"key": sample.key, "task": sample.task_id, "cwe": cwes,
            "condition": sample.condition, "model": model, "index": sample.sample_index,
            "status": sample.status, "verdict": verdict_label(verdict)}


def detail_row(sample: Sample, verdict: Verdict | None, prompt: str | None,
               task: Task | None = None) -> dict[str, Any]:
    """What opening a sample shows: inline for a small run, in a chunk file for a large.
    Without the exact prompt (an old store) it shows the task's code prompt, and says so."""
    raw, raw_cut = cap(sample.raw)
    code, code_cut = cap(sample.code)
    text, prompt_cut = cap(prompt if prompt is not None else task.code_prompt if task else "")
    return {
        "prompt": text, "prompt_cut": prompt_cut, "prompt_stored": prompt is not None,
        "error": sample.error, "repairs": sample.repairs, "raw": raw, "raw_cut": raw_cut,
        "code": code, "code_cut": code_cut, "why": why(sample, verdict),
        "assessment": verdict.status if verdict else "not assessed",
        "evidence": verdict.evidence if verdict else [],
        "findings": [{"tool": f.tool, "rule": f.rule_id, "line": f.line, "cwe": f.cwe,
                      "severity": f.severity, "message": f.message}
                     for f in (verdict.findings if verdict else [])],
        "tests": [{"suite": t.suite, "name": t.name, "status": t.status,
                   "detail": cap(t.detail)[0]} for t in (verdict.tests if verdict else [])]}


def sample_row(sample: Sample, verdict: Verdict | None, cwes: list[str], model: str = "",
               prompt: str | None = None) -> dict[str, Any]:
    """A sample with everything the browser shows (the inline form)."""
    return index_row(sample, verdict, cwes, model) | detail_row(sample, verdict, prompt)


def sample_pairs(data: ReportInput) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(index, detail) per sample the results count, conditions in name order."""
    tasks = recorded_tasks(data)
    cwes = {t.id: list(t.cwe) for t in tasks.values()}
    prompts = sample_prompts(data)
    models = {c.condition: c.model for c in data.results.conditions}
    return [(index_row(sample, verdict, cwes.get(sample.task_id, []),
                       models.get(sample.condition, "")),
             detail_row(sample, verdict, prompts.get(sample.key), tasks.get(sample.task_id)))
            for sample, verdict in data.counted()]


def sample_rows(data: ReportInput) -> list[dict[str, Any]]:
    """Every counted sample with its detail (the inline form)."""
    return [index | detail for index, detail in sample_pairs(data)]


def embed_json(value: object) -> str:
    """JSON safe inside a ``<script>`` element: nothing in it can close or comment it."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("</", "<\\/").replace("<!--", "\\u003c!--")


def clear_chunks(folder: Path) -> None:
    """Remove the chunk files of an earlier report (a rewrite never leaves stale ones)."""
    assets = folder / ASSETS
    if not assets.is_dir():
        return
    for old in assets.glob("samples-*.js"):
        old.unlink()
    if not any(assets.iterdir()):
        assets.rmdir()


def write_chunks(folder: Path, details: list[dict[str, Any]]) -> int:
    """``report_files/samples-0001.js`` ... each calling ``vbSampleChunk(n, rows)``."""
    assets = folder / ASSETS
    assets.mkdir(exist_ok=True)
    count = 0
    for start in range(0, len(details), CHUNK):
        count += 1
        body = embed_json(details[start:start + CHUNK])
        (assets / f"samples-{count:04d}.js").write_text(
            f"vbSampleChunk({count},{body});\n", encoding="utf-8")
    return count


def compact_index(index: list[dict[str, Any]]) -> dict[str, Any]:
    """The index of a large run as columns of small integers plus the value lists."""
    names: dict[str, list[Any]] = {"task": [], "condition": [], "status": [], "verdict": []}
    where: dict[str, dict[Any, int]] = {f: {} for f in names}
    cwe: dict[str, list[str]] = {}
    model: dict[str, str] = {}
    rows = []
    for row in index:
        ids = []
        for f in names:
            if row[f] not in where[f]:
                where[f][row[f]] = len(names[f])
                names[f].append(row[f])
            ids.append(where[f][row[f]])
        cwe[row["task"]] = row["cwe"]
        model[row["condition"]] = row["model"]
        rows.append([*ids, row["index"], row["key"]])
    return {"names": names, "cwe": cwe, "model": model, "rows": rows, "chunk": CHUNK,
            "assets": ASSETS}


def render_browser(page: PageInput, inline: int | None = None) -> str:
    """The browser section; writes chunk files into ``page.folder`` for a run of more than
    ``inline`` samples (default ``inline_max()``); a page without a folder stays inline."""
    data = page.need_run()
    pairs = sample_pairs(data)
    limit = inline_max() if inline is None else inline
    if page.folder is not None:
        clear_chunks(page.folder)
    if page.folder is None or len(pairs) <= limit:
        payload: object = [index | detail for index, detail in pairs]
        where = "All of it is in this page."
    else:
        chunks = write_chunks(page.folder, [detail for _, detail in pairs])
        payload = compact_index([index for index, _ in pairs])
        where = (f"The detail of each sample is read from {ASSETS}/ beside this page "
                 f"({chunks} files) when it is opened: keep that folder with the page.")
    return (f"<p>{len(pairs)} samples. Filter, then open a sample for its prompt, raw output, "
            f"processed code (lines with findings highlighted), findings, tests and why its "
            f"verdict is what it is. Texts are cut at {CODE_CAP:,} characters. {where}</p>"
            '<div class="filters" id="vb-filters"></div><p id="vb-count"></p>'
            f'<div id="vb-list" data-page="{PAGE}"></div><p id="vb-pager"></p>'
            f'<script type="application/json" id="vb-sample-data">{embed_json(payload)}</script>'
            f"<script>{SCRIPT}</script>")


SCRIPT = """
(function(){
const data=JSON.parse(document.getElementById('vb-sample-data').textContent);
let rows=data, chunked=!Array.isArray(data);
if(chunked){const n=data.names;
 rows=data.rows.map((r,i)=>({task:n.task[r[0]],condition:n.condition[r[1]],
  status:n.status[r[2]],verdict:n.verdict[r[3]],index:r[4],key:r[5],cwe:data.cwe[n.task[r[0]]],
  model:data.model[n.condition[r[1]]],chunk:Math.floor(i/data.chunk)+1,pos:i%data.chunk}));}
const PAGE=+document.getElementById('vb-list').dataset.page;
const fields=['model','condition','task','cwe','verdict'], chosen={};
const waiting={};
window.vbSampleChunk=function(n,details){(waiting[n]||[]).forEach(f=>f(details));
 delete waiting[n];};
function withDetail(r,done){if(!chunked||r.raw!==undefined){done(r);return;}
 const n=r.chunk,first=!waiting[n];(waiting[n]=waiting[n]||[]).push(details=>{
  rows.forEach(x=>{if(x.chunk===n)Object.assign(x,details[x.pos]);});done(r);});
 if(first){const s=document.createElement('script');
  s.src=data.assets+'/samples-'+String(n).padStart(4,'0')+'.js';
  s.onerror=()=>{delete waiting[n];done(null);};document.head.appendChild(s);}}
let page=0, shown=rows;
function el(tag,text,cls){const e=document.createElement(tag);
 if(text!==undefined)e.textContent=text; if(cls)e.className=cls; return e;}
function values(f){const s=new Set();
 rows.forEach(r=>[].concat(r[f]).forEach(v=>s.add(v))); return Array.from(s).sort();}
const bar=document.getElementById('vb-filters');
fields.forEach(f=>{const sel=el('select');sel.setAttribute('aria-label',f);
 sel.name=f;sel.style.maxWidth='22em';
 sel.appendChild(el('option','all '+f));sel.options[0].value='';
 values(f).forEach(v=>{const o=el('option',v);o.value=v;sel.appendChild(o);});
 sel.onchange=()=>{chosen[f]=sel.value;apply();};bar.appendChild(sel);});
function keep(r){return fields.every(f=>!chosen[f]||[].concat(r[f]).includes(chosen[f]));}
function apply(){shown=rows.filter(keep);page=0;draw();}
function block(title,text,cut,note){const d=el('div');d.appendChild(el('h3',title));
 if(note)d.appendChild(el('p',note,'note'));
 d.appendChild(el('pre',text||'(empty)'));
 if(cut)d.appendChild(el('p','cut at __CAP__ characters','note'));return d;}
function code(r){const d=el('div');d.appendChild(el('h3','processed code'));
 const hits=new Set(r.findings.map(f=>f.line)),pre=el('pre',undefined,'code');
 r.code.split('\\n').forEach((line,i)=>{const s=el('span',(i+1)+'  '+line);
  if(hits.has(i+1)){s.className='hit';} pre.appendChild(s);});
 d.appendChild(pre);if(r.code_cut)d.appendChild(el('p','cut at __CAP__ characters','note'));
 return d;}
function list(title,items){const d=el('div');d.appendChild(el('h3',title));
 const ul=el('ul');if(!items.length)ul.appendChild(el('li','none'));
 items.forEach(t=>ul.appendChild(el('li',t)));d.appendChild(ul);return d;}
function detail(r,box){
 box.appendChild(el('p',r.why,'why v-'+r.verdict));
 box.appendChild(el('p','model: '+r.model+'; assessment: '+r.assessment+'; sample status: '+
  r.status+(r.repairs.length?'; repairs: '+r.repairs.join(', '):'')+
  (r.error?'; error: '+r.error:'')));
 box.appendChild(block('prompt',r.prompt,r.prompt_cut,r.prompt_stored?'':
  'the run store has no exact prompt for this sample: shown is the task code prompt'));
 box.appendChild(block('raw output',r.raw,r.raw_cut));box.appendChild(code(r));
 box.appendChild(list('findings',r.findings.map(f=>f.tool+' '+f.rule+' line '+f.line+
  ' ['+f.cwe.join(', ')+'] '+f.severity+': '+f.message)));
 box.appendChild(list('tests',r.tests.map(t=>t.suite+' '+t.name+': '+t.status+
  (t.detail?' ('+t.detail+')':''))));
 box.appendChild(list('verdict evidence',r.evidence));}
function item(r){const d=el('details',undefined,'sample'),s=el('summary');
 d.dataset.key=r.key;s.appendChild(el('span',r.verdict,'v-'+r.verdict));
 s.appendChild(document.createTextNode(' '+r.condition+' / '+r.task+' #'+r.index+
  (r.cwe.length?' ('+r.cwe.join(', ')+')':'')));
 d.appendChild(s);d.addEventListener('toggle',()=>{if(d.open&&d.children.length<2){
  const box=el('div',undefined,'detail');d.appendChild(box);box.appendChild(el('p','loading'));
  withDetail(r,x=>{box.textContent='';if(x)detail(x,box);
   else box.appendChild(el('p','could not load '+data.assets+'/ beside this page','note'));
   box.dataset.ready='1';});}});return d;}
function draw(){const box=document.getElementById('vb-list');box.textContent='';
 const pages=Math.max(1,Math.ceil(shown.length/PAGE));
 shown.slice(page*PAGE,(page+1)*PAGE).forEach(r=>box.appendChild(item(r)));
 document.getElementById('vb-count').textContent=shown.length+' of '+rows.length+' samples';
 const pager=document.getElementById('vb-pager');pager.textContent='';
 const prev=el('button','previous'),next=el('button','next');
 prev.disabled=page===0;next.disabled=page>=pages-1;
 prev.onclick=()=>{page--;draw();};next.onclick=()=>{page++;draw();};
 pager.appendChild(prev);pager.appendChild(el('span',' page '+(page+1)+' of '+pages+' ',
  'vb-page'));pager.appendChild(next);box.dataset.drawn=String(Date.now());}
draw();
})();
""".replace("__CAP__", str(CODE_CAP))
