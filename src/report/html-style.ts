/* The report's own CSS and JS, inlined into every page: no CDN, no second file. */

export const HTML_STYLE = `
:root{--fg:#1d232b;--muted:#65707d;--line:#d8dde3;--ok:#1f7a3a;--drift:#b3261e;--warn:#9a6700;--bg:#fff;--soft:#f4f6f8}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header{padding:16px 24px;border-bottom:1px solid var(--line);background:var(--soft)}h1{margin:0 0 4px;font-size:20px}
nav a{margin-right:12px;color:#0b57d0}main{padding:8px 24px 32px}section{margin:18px 0}h2{font-size:17px;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{font-size:14px;margin:12px 0 6px}.muted{color:var(--muted)}.ok{color:var(--ok)}
table{border-collapse:collapse;width:100%;margin:6px 0}th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:var(--soft);font-weight:600}td.n{font-variant-numeric:tabular-nums}
.badge{display:inline-block;padding:0 7px;border-radius:9px;font-size:12px;background:#e8eaed}
.s-in-sync,.s-observed{background:#dcf3e3;color:var(--ok)}.s-drift,.s-changes{background:#fbe1df;color:var(--drift)}
.s-unchecked,.s-unreachable{background:#fff1c9;color:var(--warn)}.s-waived{background:#e6e2f8;color:#4b3b9a}
tr.waived td{color:var(--muted)}.filters{display:flex;gap:16px;align-items:center;margin:6px 0}
input,select{font:inherit;padding:2px 6px}.waves{display:flex;gap:12px;flex-wrap:wrap}
.wave{flex:1 1 260px;border:1px solid var(--line);border-radius:6px;padding:4px 10px;background:var(--soft)}
.wave ol{padding-left:18px;margin:4px 0}.wave li{margin:4px 0}.wave li.blocked{opacity:.7}
.cmd{font:12px ui-monospace,monospace;color:var(--muted);overflow-wrap:anywhere}
.graph-wrap{overflow:auto;border:1px solid var(--line);border-radius:6px}
svg .edge{fill:none;stroke:#8a94a0;stroke-width:1.2}svg .node rect{fill:#e8f0fe;stroke:#4a73c9}
svg .node.k-stop rect,svg .node.k-disable rect{fill:#fdecea;stroke:#c5221f}svg .node.blocked rect{fill:#f1f3f4;stroke:#9aa0a6;stroke-dasharray:3 2}
svg text{font:11px ui-monospace,monospace;fill:#1d232b}svg .wave-head{fill:var(--muted)}svg .barrier path{fill:#fbbc04;stroke:#9a6700}
svg .bar.ok{fill:#8fd19e}svg .bar.drift{fill:#e06b61}svg .bar.unchecked{fill:#f2c14e}
.meter{display:inline-block;width:120px;height:10px;background:#e8eaed;border-radius:5px;overflow:hidden}
.meter .fill{display:block;height:100%}.meter .ok{background:var(--ok)}.meter .over{background:var(--drift)}
`;

/* Filters the fleet table by text and status; reads only the DOM, never report data in code. */
export const HTML_SCRIPT = `
(function(){var q=document.getElementById('host-filter'),s=document.getElementById('status-filter'),c=document.getElementById('shown-count');
if(!q||!s)return;function apply(){var t=q.value.toLowerCase(),st=s.value,rows=document.querySelectorAll('#fleet-table tr.host'),n=0;
rows.forEach(function(r){var on=(!st||r.getAttribute('data-status')===st)&&(!t||r.getAttribute('data-text').indexOf(t)>=0);r.hidden=!on;if(on)n++;});
if(c)c.textContent=n+' of '+rows.length+' shown';}q.addEventListener('input',apply);s.addEventListener('change',apply);})();
`;
