//! The self-contained HTML page the dashboard and the HTML trends share: escaping,
//! number formats, the style sheet (light, dark, print) and the table-sorting script.
//! Nothing on the page loads from anywhere: no CDN, no web font, no image.

use std::fmt::Write;

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// `1234` → `1,234`.
pub fn count(value: f64) -> String {
    let digits = format!("{:.0}", value.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if value < 0.0 { format!("-{out}") } else { out }
}

/// A 0–1 fraction as `97.5%`.
pub fn percent(value: f64) -> String {
    format!("{:.1}%", value * 100.0)
}

/// Milliseconds as `850 ms`, `12.3 s` or `4.1 min`.
pub fn millis(value: f64) -> String {
    if value < 1000.0 {
        format!("{value:.0} ms")
    } else if value < 60_000.0 {
        format!("{:.1} s", value / 1000.0)
    } else {
        format!("{:.1} min", value / 60_000.0)
    }
}

/// A value in a unit (`count`, `percent`, `ms`, `stars`), or `–` when unknown.
pub fn value_in(unit: &str, value: Option<f64>) -> String {
    match (unit, value) {
        (_, None) => "–".into(),
        ("percent", Some(v)) => percent(v),
        ("ms", Some(v)) => millis(v),
        ("stars", Some(v)) => format!("{v:.2} ★"),
        (_, Some(v)) => count(v),
    }
}

/// A table cell with a sort key: numbers sort by value, unknowns last.
pub fn cell(shown: &str, sort_key: Option<f64>) -> String {
    match sort_key {
        Some(key) => format!("<td class=\"num\" data-v=\"{key}\">{}</td>", escape(shown)),
        None => format!("<td class=\"num\" data-v=\"\">{}</td>", escape(shown)),
    }
}

/// A whole page around `body` (already escaped HTML).
pub fn page(title: &str, body: &str) -> String {
    let mut out = String::with_capacity(body.len() + STYLE.len() + SCRIPT.len() + 512);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n\
         <meta name=\"color-scheme\" content=\"light dark\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}\n\
         <script>{SCRIPT}</script>\n</body>\n</html>\n",
        escape(title)
    );
    out
}

const STYLE: &str = r##"
:root{--bg:#f8fafc;--card:#fff;--fg:#0f172a;--muted:#64748b;--line:#e2e8f0;--good:#15803d;--bad:#b91c1c;--accent:#2563eb}
@media (prefers-color-scheme:dark){:root{--bg:#0b1120;--card:#111827;--fg:#e5e7eb;--muted:#94a3b8;--line:#1f2937;--good:#4ade80;--bad:#f87171;--accent:#60a5fa}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:1200px;margin:0 auto;padding:24px}
header h1{font-size:22px;margin:0 0 4px}
header p{margin:0;color:var(--muted)}
h2{font-size:16px;margin:0 0 12px}
h2.gap{margin-top:20px}
h3{font-size:14px;margin:8px 0}
details summary{cursor:pointer;color:var(--muted);margin:4px 0 8px}
section{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:16px 18px;margin:16px 0;break-inside:avoid}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(360px,1fr));gap:16px}
.grid section{margin:0}
.grid.wide{grid-template-columns:repeat(auto-fit,minmax(520px,1fr))}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(170px,1fr));gap:12px;margin:16px 0}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:14px 16px}
.card .label{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.card .value{font-size:26px;font-weight:650;margin:4px 0 2px;font-variant-numeric:tabular-nums}
.change{font-size:12px;color:var(--muted)}
.good{color:var(--good)}.bad{color:var(--bad)}
.muted{color:var(--muted)}
.legend{display:flex;flex-wrap:wrap;gap:6px 14px;margin:6px 0 0;padding:0;list-style:none;font-size:12px;color:var(--muted)}
.legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:5px;vertical-align:-1px}
svg.chart{width:100%;height:auto;display:block}
section:has(> svg.chart){overflow-x:auto}
svg.chart text{fill:var(--muted)}
svg.chart [stroke="#6B7280"]{stroke:var(--muted)}
svg.chart [stroke="#E5E7EB"]{stroke:var(--line)}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{padding:6px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
td.num,th.num{text-align:right;white-space:nowrap}
th{font-size:12px;color:var(--muted);font-weight:600}
table.sortable th{cursor:pointer;user-select:none}
table.sortable th[aria-sort=ascending]::after{content:" ▲"}
table.sortable th[aria-sort=descending]::after{content:" ▼"}
.scroll{overflow-x:auto}
.name{word-break:break-word}
.empty{text-align:center;padding:48px 24px}
.empty code,pre{background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:2px 6px}
pre{padding:10px 12px;overflow-x:auto;text-align:left;display:inline-block}
.flag{color:var(--bad);font-weight:600}
footer{color:var(--muted);font-size:12px;margin:24px 0}
@media print{:root{--bg:#fff;--card:#fff;--fg:#000;--muted:#444;--line:#ccc}body{font-size:11px}main{max-width:none;padding:0}section,.card{break-inside:avoid;border-color:#ccc}table.sortable th::after{content:""}}
"##;

const SCRIPT: &str = r##"
document.querySelectorAll('table.sortable').forEach(function(table){
  table.querySelectorAll('th').forEach(function(th, column){
    th.addEventListener('click', function(){
      var body = table.tBodies[0];
      var descending = th.getAttribute('aria-sort') !== 'descending';
      table.querySelectorAll('th').forEach(function(other){ other.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', descending ? 'descending' : 'ascending');
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function(a, b){
        var x = a.cells[column], y = b.cells[column];
        var vx = x.getAttribute('data-v'), vy = y.getAttribute('data-v');
        var order;
        if (vx !== null && vy !== null) {
          if (vx === '' || vy === '') { return (vx === '') - (vy === ''); }
          order = parseFloat(vx) - parseFloat(vy);
        } else {
          order = x.textContent.localeCompare(y.textContent);
        }
        return descending ? -order : order;
      });
      rows.forEach(function(row){ body.appendChild(row); });
    });
  });
});
"##;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape(r#""><img src=x onerror='alert(1)'>&"#),
            "&quot;&gt;&lt;img src=x onerror=&#39;alert(1)&#39;&gt;&amp;"
        );
    }

    #[test]
    fn formats_numbers_for_people() {
        assert_eq!(count(1234567.0), "1,234,567");
        assert_eq!(count(12.0), "12");
        assert_eq!(millis(850.2), "850 ms");
        assert_eq!(millis(12_345.0), "12.3 s");
        assert_eq!(value_in("percent", Some(0.975)), "97.5%");
        assert_eq!(value_in("stars", None), "–");
    }
}
