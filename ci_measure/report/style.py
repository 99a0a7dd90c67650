"""The page's inline CSS and its one small script (the language switch).

Everything is inlined so the file opens offline. Danish is the default in CSS alone, so the
page reads correctly with scripts off; the script only adds the English switch.
"""

CSS = """
:root{--ink:#1d2330;--muted:#5b6473;--line:#d9dee7;--bg:#f5f7fa;--card:#fff;--main:#1f5fa8;
--nat:#7a808c;--good:#0f7b3e;--bad:#b42318;--flat:#6b7280;--target:#0f7b3e;--base:#9a6700;
--m:#1f5fa8;--f:#c2410c;--dk:#1f5fa8;--imm:#c2410c;--desc:#7c3aed}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--ink);background:var(--bg)}
.l-en{display:none!important}
html.en .l-en{display:revert!important}
html.en .l-da{display:none!important}
header.top{background:#12324f;color:#fff;padding:18px 28px 14px}
header.top h1{margin:0;font-size:24px}
header.top p{margin:4px 0 0;color:#cfe0f1}
header.top .bar{display:flex;justify-content:space-between;align-items:flex-start;gap:16px}
#lang-toggle{background:#fff;color:#12324f;border:0;border-radius:6px;padding:6px 12px;font-weight:600;cursor:pointer}
nav.toc{background:#fff;border-bottom:1px solid var(--line);padding:8px 28px;font-size:14px;position:sticky;top:0;z-index:2}
nav.toc a{margin-right:16px;color:var(--main);text-decoration:none}
main{max-width:1240px;margin:0 auto;padding:18px 20px 40px}
section.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:18px 22px;margin:18px 0}
h2{margin:0 0 6px;font-size:20px}h3{margin:18px 0 6px;font-size:16px}
.meta{color:var(--muted);margin:0 0 10px;font-size:14px}
table{border-collapse:collapse;width:100%;font-size:14px}
.overview{font-size:13.5px}.overview th,.overview td{padding:6px 6px}
th,td{padding:6px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:middle}
thead th{background:#eef2f7;font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.n{white-space:nowrap}
.scroll{overflow-x:auto}
.overview small{color:var(--muted)}
.overview td a{color:var(--ink);font-weight:600;text-decoration:none}
.overview td a:hover{text-decoration:underline}
.trend{font-size:20px;font-weight:700}
.trend.better{color:var(--good)}.trend.worse{color:var(--bad)}.trend.flat{color:var(--flat)}
.trend small{font-size:12px;font-weight:400;display:block}
.reached{color:var(--good);font-weight:600}
.status{color:var(--muted);font-style:italic;white-space:nowrap}
.kpis{display:flex;flex-wrap:wrap;gap:12px;margin:8px 0 4px}
.kpi{border:1px solid var(--line);border-radius:8px;padding:8px 12px;min-width:150px}
.kpi b{display:block;font-size:22px}.kpi span.k{color:var(--muted);font-size:13px}
.kpi small{font-size:13px;font-weight:400}
svg.chart{max-width:860px;height:auto;display:block}
svg text{font:12px system-ui,"DejaVu Sans",sans-serif;fill:#404756}
svg .grid{stroke:#e6e9ef}svg .axis{stroke:#9aa3b2}
svg .line{fill:none;stroke-width:2.5;stroke-linejoin:round}
svg .dot{stroke:#fff;stroke-width:1.5}
svg .main{stroke:var(--main);fill:var(--main)}svg .line.main{fill:none}
svg .nat{stroke:var(--nat);fill:var(--nat)}svg .line.nat{fill:none;stroke-width:2;stroke-dasharray:2 3}
svg .sex-M,svg .sex-_T,svg .origin-_T{stroke:var(--m);fill:var(--m)}
svg .sex-F{stroke:var(--f);fill:var(--f)}
svg .origin-DK{stroke:var(--dk);fill:var(--dk)}svg .origin-IMM{stroke:var(--imm);fill:var(--imm)}svg .origin-DESC{stroke:var(--desc);fill:var(--desc)}
svg .line[class*="sex-"],svg .line[class*="origin-"]{fill:none}
svg .forecast{fill:none;stroke:var(--main);stroke-width:2;stroke-dasharray:6 5;opacity:.8}
svg .forecast-dot{fill:#fff;stroke:var(--main);stroke-width:1.5}
svg .baseline{stroke:var(--base);stroke-width:1.2;stroke-dasharray:1 4}
svg .baseline-dot{fill:#fff;stroke:var(--base);stroke-width:2.5}
svg .target{fill:var(--target);stroke:#fff;stroke-width:1.5}
svg text.note{font-size:11px}svg text.target-label{fill:var(--target)}svg text.baseline-label{fill:var(--base)}
svg text.mark{font-size:16px;font-weight:700;stroke:none;fill:#6b7280}
svg text.st-suppressed{fill:#7c3aed}svg text.st-missing_at_source{fill:#b45309}svg text.st-incomplete{fill:#0e7490}
svg text.xlabel.future{fill:#8a93a3;font-style:italic}
.legend{display:flex;flex-wrap:wrap;gap:6px 18px;font-size:13px;color:var(--muted);margin:6px 0 0;padding:0;list-style:none}
.legend i{display:inline-block;width:22px;height:0;border-top:3px solid;vertical-align:middle;margin-right:6px}
.legend i.main{border-color:var(--main)}.legend i.nat{border-color:var(--nat);border-top-style:dotted}
.legend i.forecast{border-color:var(--main);border-top-style:dashed}.legend i.baseline{border-color:var(--base);border-top-style:dotted}
.legend i.sex-M,.legend i.origin-DK{border-color:var(--m)}.legend i.sex-F,.legend i.origin-IMM{border-color:var(--f)}.legend i.origin-DESC{border-color:var(--desc)}
.legend b.mk{display:inline-block;min-width:18px;text-align:center;margin-right:4px}
.legend .target-mk{color:var(--target)}
.bars td.bar{width:45%}
.bars span.bar{display:inline-block;height:14px;background:var(--main);border-radius:3px;vertical-align:middle}
.bars tr.nat span.bar{background:var(--nat)}.bars tr.here th{font-weight:700}
.bars tr.here span.bar{background:#0b3d75}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:18px}
@media (max-width:800px){.grid2{grid-template-columns:1fr}}
details summary{cursor:pointer;color:var(--main);margin:8px 0}
.cells td{text-align:center;font-variant-numeric:tabular-nums}
.cells td.full{background:#dcfce7}.cells td.part{background:#fef3c7}.cells td.none{background:#fee2e2}.cells td.na{color:#b0b6c0}
.check.pass b{color:var(--good)}.check.fail b{color:var(--bad)}.check.warn b{color:#b45309}
footer{color:var(--muted);font-size:13px;text-align:center;padding:20px}
@media print{nav.toc,#lang-toggle{display:none}section.card{break-inside:avoid}}
"""

SCRIPT = """
(function(){
  var root=document.documentElement, button=document.getElementById('lang-toggle');
  function set(lang){
    root.lang=lang; root.classList.toggle('en', lang==='en');
    try{localStorage.setItem('ci-measure-lang', lang)}catch(e){}
  }
  var saved=null; try{saved=localStorage.getItem('ci-measure-lang')}catch(e){}
  if(location.hash==='#en'){saved='en'} else if(location.hash==='#da'){saved='da'}
  if(saved){set(saved)}
  button.hidden=false;
  button.addEventListener('click', function(){ set(root.lang==='en' ? 'da' : 'en') });
})();
"""
