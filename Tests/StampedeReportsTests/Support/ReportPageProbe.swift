import Foundation
import StampedeJSON

/// What the Chromium render test measures on a rendered report.html, in the page, through
/// DevTools `Runtime.evaluate`: boxes from the browser's own text layout (getBBox in the SVG's
/// user space; client rects for rotated text), so "no label is clipped" is a measurement of
/// the real fonts, not of the renderer's width estimate.
enum ReportPageProbe {
    struct Chart {
        var id: String
        /// Series colours as the browser computed them, `#rrggbb`.
        var colors: [String]
        var budgetLines: Int
        var violationBands: Int
        /// (label, width the browser laid it out at).
        var legendWidths: [(String, Double)]
        var legendRows: Int
    }

    static let script = """
    (() => {
      const problems = [], charts = [];
      const hex = c => { const m = c.match(/\\d+/g); return m ? '#' + m.slice(0, 3).map(v => (+v).toString(16).padStart(2, '0')).join('') : c; };
      const overlap = (a, b) => Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x) > 0.5 && Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y) > 0.5;
      for (const svg of document.querySelectorAll('svg.chart')) {
        const id = svg.getAttribute('data-chart'), vb = svg.viewBox.baseVal, sr = svg.getBoundingClientRect();
        for (const t of svg.querySelectorAll('text')) {
          let b, box;
          if (t.hasAttribute('transform')) { b = t.getBoundingClientRect(); box = { x: sr.left, y: sr.top, width: sr.width, height: sr.height }; b = { x: b.left, y: b.top, width: b.width, height: b.height }; }
          else { b = t.getBBox(); box = vb; }
          if (b.x < box.x - 0.5 || b.y < box.y - 0.5 || b.x + b.width > box.x + box.width + 0.5 || b.y + b.height > box.y + box.height + 0.5)
            problems.push(id + ': "' + t.textContent + '" is outside the chart (' + [b.x, b.y, b.width, b.height].map(v => v.toFixed(1)).join(',') + ')');
        }
        const legend = [...svg.querySelectorAll('text.legend')].map(t => ({ t, b: t.getBBox() }));
        for (let i = 0; i < legend.length; i++) for (let j = i + 1; j < legend.length; j++)
          if (overlap(legend[i].b, legend[j].b)) problems.push(id + ': legend "' + legend[i].t.textContent + '" overlaps "' + legend[j].t.textContent + '"');
        const budgets = [...svg.querySelectorAll('text.budget-label')].map(t => ({ t, b: t.getBBox() }));
        for (let i = 0; i < budgets.length; i++) for (let j = i + 1; j < budgets.length; j++)
          if (overlap(budgets[i].b, budgets[j].b)) problems.push(id + ': budget label "' + budgets[i].t.textContent + '" overlaps "' + budgets[j].t.textContent + '"');
        const swatches = [...svg.querySelectorAll('.swatch')].map(s => s.getBBox());
        for (const l of legend) for (const s of swatches) if (overlap(l.b, s)) problems.push(id + ': legend "' + l.t.textContent + '" runs into a swatch');
        const plot = svg.querySelector('rect.plot').getBBox();
        for (const l of legend) if (l.b.y + l.b.height > plot.y + 0.5) problems.push(id + ': legend "' + l.t.textContent + '" overlaps the plot');
        const colors = [...svg.querySelectorAll('polyline.line')].map(p => hex(getComputedStyle(p).stroke))
          .concat([...svg.querySelectorAll('circle')].map(c => hex(getComputedStyle(c).fill)));
        charts.push({ id, colors, budgetLines: svg.querySelectorAll('line.budget').length,
                      violationBands: svg.querySelectorAll('rect.violation').length,
                      legendRows: new Set(legend.map(l => Math.round(l.b.y))).size,
                      legend: legend.map(l => [l.t.textContent, l.b.width]) });
      }
      return { problems, charts, notStarted: !!document.getElementById('not-started'),
               banner: (document.getElementById('verdict') || {}).textContent || '' };
    })()
    """

    static func charts(_ value: JSONValue) -> [Chart] {
        (value["charts"]?.arrayValue ?? []).map { c in
            Chart(id: c["id"]?.stringValue ?? "?",
                  colors: (c["colors"]?.arrayValue ?? []).compactMap(\.stringValue),
                  budgetLines: Int(c["budgetLines"]?.intValue ?? 0),
                  violationBands: Int(c["violationBands"]?.intValue ?? 0),
                  legendWidths: (c["legend"]?.arrayValue ?? []).map { pair in
                      let label = pair[0]?.stringValue ?? ""
                      return (label, pair[1]?.doubleValue ?? 0)
                  },
                  legendRows: Int(c["legendRows"]?.intValue ?? 0))
        }
    }
}
