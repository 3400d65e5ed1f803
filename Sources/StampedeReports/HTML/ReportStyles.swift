/// The page's only stylesheet, inlined: the report must read offline and print.
enum ReportStyles {
    static let css = """
    :root { --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; }
    * { box-sizing: border-box; }
    body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); margin: 0 auto; max-width: 1100px; padding: 16px 24px 48px; }
    h1 { font-size: 22px; margin: 0; }
    h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
    h3 { font-size: 14px; margin: 16px 0 4px; }
    .verdict { display: flex; align-items: center; gap: 16px; padding: 14px 18px; border-radius: 8px; color: #fff; }
    .verdict.passed { background: var(--ok); } .verdict.failed, .verdict.error { background: var(--bad); } .verdict.aborted, .verdict.interrupted { background: var(--warn); }
    .verdict .badge { font-size: 26px; font-weight: 700; letter-spacing: .04em; text-transform: uppercase; }
    .verdict .sub { opacity: .92; }
    .verdict .why { margin-top: 4px; font-weight: 600; }
    dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 12px 0; }
    dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; font-family: ui-monospace, Menlo, monospace; }
    table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; }
    th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
    th { background: #f6f8fa; font-weight: 600; }
    td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
    tr.fail td { background: #ffebe9; } .pass { color: var(--ok); font-weight: 600; } .fail-label { color: var(--bad); font-weight: 700; }
    ul.evidence { margin: 4px 0 0; padding-left: 18px; font-family: ui-monospace, Menlo, monospace; font-size: 12px; }
    .chart-box { break-inside: avoid; page-break-inside: avoid; margin: 8px 0 18px; }
    svg.chart { width: 100%; height: auto; display: block; }
    svg.chart .plot { fill: #fff; stroke: var(--line); }
    svg.chart .grid { stroke: #eef1f4; stroke-width: 1; }
    svg.chart .tick, svg.chart .legend { font-size: 11px; fill: var(--muted); }
    svg.chart .axis { font-size: 12px; fill: var(--ink); }
    svg.chart .empty { font-size: 14px; fill: var(--muted); }
    svg.chart .line { fill: none; stroke-width: 1.6; stroke-linejoin: round; }
    svg.chart .budget-label { font-size: 11px; font-weight: 600; paint-order: stroke; stroke: #fff; stroke-width: 3px; }
    .muted { color: var(--muted); }
    footer { margin-top: 32px; color: var(--muted); font-size: 12px; }
    @media print {
      body { max-width: none; padding: 0; font-size: 11px; }
      .verdict { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
      h2 { break-after: avoid; page-break-after: avoid; }
      tr { break-inside: avoid; page-break-inside: avoid; }
    }
    """
}
