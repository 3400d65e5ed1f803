import Foundation

/// One named line on a chart.
struct ChartSeries {
    var name: String
    var color: String
    var points: [(x: Double, y: Double)]
    var dashed = false
}

/// An inline SVG line chart. Pure string building: no script is needed to draw
/// it, so the page reads offline, prints, and cannot fail to render for lack of JS.
struct LineChart {
    var id: String
    var title: String
    var xLabel: String
    var yLabel: String
    var series: [ChartSeries]
    var xKind: ChartScale.Kind = .linear
    var yKind: ChartScale.Kind = .linear
    var yFormat: (Double) -> String = BudgetText.number
    /// Extra x values the axis must include: time charts span the whole run, so they line up.
    var xExtent: [Double] = []

    static let width = 820.0
    static let height = 280.0
    static let left = 64.0, right = 30.0, top = 34.0, bottom = 42.0

    func render() -> String {
        let W = Self.width, H = Self.height
        let plotLeft = Self.left, plotRight = W - Self.right, plotTop = Self.top, plotBottom = H - Self.bottom
        let xs = series.flatMap { $0.points.map(\.x) }
        let ys = series.flatMap { $0.points.map(\.y) }
        var svg = "<svg class=\"chart\" data-chart=\"\(esc(id))\" viewBox=\"0 0 \(Int(W)) \(Int(H))\" role=\"img\" aria-label=\"\(esc(title))\" xmlns=\"http://www.w3.org/2000/svg\">"
        svg += "<title>\(esc(title))</title>"
        svg += "<rect class=\"plot\" x=\"\(plotLeft)\" y=\"\(plotTop)\" width=\"\(plotRight - plotLeft)\" height=\"\(plotBottom - plotTop)\"/>"

        guard !xs.isEmpty else {
            svg += "<text class=\"empty\" x=\"\(W / 2)\" y=\"\(H / 2)\" text-anchor=\"middle\">no data recorded</text></svg>"
            return svg
        }
        let xScale = ChartScale(kind: xKind, values: xs + xExtent, pixelStart: plotLeft, pixelEnd: plotRight, includeZero: true, tight: true)
        let yScale = ChartScale(kind: yKind, values: ys, pixelStart: plotBottom, pixelEnd: plotTop, includeZero: true)

        for (py, label) in yScale.ticks(format: yFormat) {
            svg += "<line class=\"grid\" x1=\"\(plotLeft)\" x2=\"\(plotRight)\" y1=\"\(f(py))\" y2=\"\(f(py))\"/>"
            svg += "<text class=\"tick\" x=\"\(plotLeft - 6)\" y=\"\(f(py + 4))\" text-anchor=\"end\">\(esc(label))</text>"
        }
        for (px, label) in xScale.ticks(format: BudgetText.number) {
            svg += "<line class=\"grid\" x1=\"\(f(px))\" x2=\"\(f(px))\" y1=\"\(plotTop)\" y2=\"\(plotBottom)\"/>"
            svg += "<text class=\"tick\" x=\"\(f(px))\" y=\"\(plotBottom + 16)\" text-anchor=\"middle\">\(esc(label))</text>"
        }
        svg += "<text class=\"axis\" x=\"\((plotLeft + plotRight) / 2)\" y=\"\(H - 6)\" text-anchor=\"middle\">\(esc(xLabel))</text>"
        svg += "<text class=\"axis\" transform=\"translate(14 \((plotTop + plotBottom) / 2)) rotate(-90)\" text-anchor=\"middle\">\(esc(yLabel))</text>"

        for s in series where !s.points.isEmpty {
            let dash = s.dashed ? " stroke-dasharray=\"6 4\"" : ""
            if s.points.count == 1 {
                let p = s.points[0]
                svg += "<circle cx=\"\(f(xScale.pixel(p.x)))\" cy=\"\(f(yScale.pixel(p.y)))\" r=\"3\" fill=\"\(s.color)\"><title>\(esc(s.name))</title></circle>"
                continue
            }
            svg += "<polyline class=\"line\" stroke=\"\(s.color)\"\(dash) points=\""
            for (i, p) in s.points.enumerated() {
                if i > 0 { svg += " " }
                svg += "\(f(xScale.pixel(p.x))),\(f(yScale.pixel(p.y)))"
            }
            svg += "\"><title>\(esc(s.name))</title></polyline>"
        }

        // Legend along the top edge.
        var lx = plotLeft
        for s in series {
            svg += "<rect x=\"\(f(lx))\" y=\"10\" width=\"14\" height=\"4\" fill=\"\(s.color)\"/>"
            svg += "<text class=\"legend\" x=\"\(f(lx + 18))\" y=\"16\">\(esc(s.name))</text>"
            lx += 28 + Double(s.name.count) * 6.5
        }
        svg += "</svg>"
        return svg
    }

    private func f(_ v: Double) -> String { String(format: "%.1f", v) }
    private func esc(_ s: String) -> String { XMLEscaping.escape(s) }
}
