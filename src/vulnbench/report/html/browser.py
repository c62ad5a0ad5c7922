"""The sample browser of ``report.html``: the counted samples as JSON inside the page, shown
by a small inline script 50 at a time (a 30,000-sample run must not build 30,000 DOM nodes at
load). The script writes every text with ``textContent``, so model output is never markup;
in the JSON, ``</`` and ``<!--`` are escaped so no output can end the script element."""

from __future__ import annotations

import json
from typing import Any

from vulnbench.records import Sample, Verdict
from vulnbench.report.reporters import ReportInput

CODE_CAP = 20_000  # characters of each code text kept in the page
PAGE = 50


def verdict_label(verdict: Verdict | None) -> str:
    """secure, vulnerable or neither (not assessed, or no check could decide)."""
    if verdict is not None and verdict.secure:
        return "secure"
    if verdict is not None and verdict.vulnerable:
        return "vulnerable"
    return "neither"


def cap(text: str) -> tuple[str, bool]:
    return (text[:CODE_CAP], True) if len(text) > CODE_CAP else (text, False)


def task_cwes(data: ReportInput) -> dict[str, list[str]]:
    """Each task's CWEs, from the tasks the run recorded (none for an old store)."""
    from vulnbench.pipeline.rescore import load_scoring  # rescore imports the reporters

    loaded = load_scoring(data.store)
    return {} if loaded is None else {t.id: list(t.cwe) for t in loaded[1]}


def sample_row(sample: Sample, verdict: Verdict | None, cwes: list[str]) -> dict[str, Any]:
    raw, raw_cut = cap(sample.raw)
    code, code_cut = cap(sample.code)
    row: dict[str, Any] = {
        "key": sample.key, "task": sample.task_id, "cwe": cwes, "condition": sample.condition,
        "index": sample.sample_index, "status": sample.status, "error": sample.error,
        "repairs": sample.repairs, "verdict": verdict_label(verdict), "raw": raw,
        "raw_cut": raw_cut, "code": code, "code_cut": code_cut,
        "assessment": verdict.status if verdict else "not assessed",
        "evidence": verdict.evidence if verdict else [],
        "findings": [{"tool": f.tool, "rule": f.rule_id, "line": f.line, "cwe": f.cwe,
                      "severity": f.severity, "message": f.message}
                     for f in (verdict.findings if verdict else [])],
        "tests": [{"suite": t.suite, "name": t.name, "status": t.status,
                   "detail": cap(t.detail)[0]} for t in (verdict.tests if verdict else [])]}
    return row


def sample_rows(data: ReportInput) -> list[dict[str, Any]]:
    """One row per sample the results count, conditions in name order."""
    cwes = task_cwes(data)
    rows = []
    for condition in sorted(data.conditions):
        for sample in data.store.iter_samples(condition):
            if sample.key in data.keys:
                rows.append(sample_row(sample, data.store.get_verdict(sample.key),
                                       cwes.get(sample.task_id, [])))
    return rows


def embed_json(value: object) -> str:
    """JSON safe inside a ``<script>`` element: nothing in it can close or comment it."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("</", "<\\/").replace("<!--", "\\u003c!--")


def render_browser(data: ReportInput) -> str:
    rows = sample_rows(data)
    return (f"<p>{len(rows)} samples. Filter, then open a sample for its raw output, processed "
            f"code (lines with findings highlighted), findings, tests and evidence. Code texts "
            f"are cut at {CODE_CAP:,} characters.</p>"
            '<div class="filters" id="vb-filters"></div><p id="vb-count"></p>'
            '<div id="vb-list"></div><p id="vb-pager"></p>'
            f'<script type="application/json" id="vb-sample-data">{embed_json(rows)}</script>'
            f"<script>{SCRIPT}</script>")


SCRIPT = """
(function(){
const rows=JSON.parse(document.getElementById('vb-sample-data').textContent);
const PAGE=__PAGE__, fields=['task','cwe','condition','verdict'], chosen={};
let page=0, shown=rows;
function el(tag,text,cls){const e=document.createElement(tag);
 if(text!==undefined)e.textContent=text; if(cls)e.className=cls; return e;}
function values(f){const s=new Set();
 rows.forEach(r=>[].concat(r[f]).forEach(v=>s.add(v))); return Array.from(s).sort();}
const bar=document.getElementById('vb-filters');
fields.forEach(f=>{const sel=el('select');sel.setAttribute('aria-label',f);
 sel.appendChild(el('option','all '+f));sel.options[0].value='';
 values(f).forEach(v=>{const o=el('option',v);o.value=v;sel.appendChild(o);});
 sel.onchange=()=>{chosen[f]=sel.value;apply();};bar.appendChild(sel);});
function keep(r){return fields.every(f=>!chosen[f]||[].concat(r[f]).includes(chosen[f]));}
function apply(){shown=rows.filter(keep);page=0;draw();}
function block(title,text,cut){const d=el('div');d.appendChild(el('h3',title));
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
 box.appendChild(el('p','assessment: '+r.assessment+'; sample status: '+r.status+
  (r.repairs.length?'; repairs: '+r.repairs.join(', '):'')+(r.error?'; error: '+r.error:'')));
 box.appendChild(block('raw output',r.raw,r.raw_cut));box.appendChild(code(r));
 box.appendChild(list('findings',r.findings.map(f=>f.tool+' '+f.rule+' line '+f.line+
  ' ['+f.cwe.join(', ')+'] '+f.severity+': '+f.message)));
 box.appendChild(list('tests',r.tests.map(t=>t.suite+' '+t.name+': '+t.status+
  (t.detail?' ('+t.detail+')':''))));
 box.appendChild(list('verdict evidence',r.evidence));}
function item(r){const d=el('details',undefined,'sample'),s=el('summary');
 s.appendChild(el('span',r.verdict,'v-'+r.verdict));
 s.appendChild(document.createTextNode(' '+r.condition+' / '+r.task+' #'+r.index+
  (r.cwe.length?' ('+r.cwe.join(', ')+')':'')));
 d.appendChild(s);d.addEventListener('toggle',()=>{if(d.open&&d.children.length<2){
  const box=el('div');detail(r,box);d.appendChild(box);}});return d;}
function draw(){const box=document.getElementById('vb-list');box.textContent='';
 const pages=Math.max(1,Math.ceil(shown.length/PAGE));
 shown.slice(page*PAGE,(page+1)*PAGE).forEach(r=>box.appendChild(item(r)));
 document.getElementById('vb-count').textContent=shown.length+' of '+rows.length+' samples';
 const pager=document.getElementById('vb-pager');pager.textContent='';
 const prev=el('button','previous'),next=el('button','next');
 prev.disabled=page===0;next.disabled=page>=pages-1;
 prev.onclick=()=>{page--;draw();};next.onclick=()=>{page++;draw();};
 pager.appendChild(prev);pager.appendChild(el('span',' page '+(page+1)+' of '+pages+' '));
 pager.appendChild(next);}
draw();
})();
""".replace("__PAGE__", str(PAGE)).replace("__CAP__", str(CODE_CAP))
