import Foundation

/// One named line on a chart.
struct ChartSeries {
    var name: String
    var color: String
    var points: [(x: Double, y: Double)]
    var dashed = false
}

/// A budget's limit drawn across a chart: a dashed horizontal line at `value`, labelled with
/// the budget as written ("budget p99 < 250 ms"), red when the budget failed.
struct ChartThreshold: Equatable {
    var value: Double
    var label: String
    var failed: Bool
}

/// A stretch of x (seconds) shaded on a time chart: where check violations happened.
struct ChartBand: Equatable {
    var from: Double
    var to: Double
    /// The tooltip: which checks, how many.
    var title: String
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
    var thresholds: [ChartThreshold] = []
    var bands: [ChartBand] = []

    static let width = 820.0
    static let plotHeight = 204.0
    static let left = 64.0, right = 30.0, bottom = 42.0
    /// Above the legend, and between the legend and the plot.
    static let legendTop = 8.0, legendGap = 10.0
    /// A limit further than this many times the data's top is drawn at the top edge, labelled
    /// as off the scale, rather than squashing the lines the reader came to see.
    static let thresholdHeadroom = 4.0

    var legend: ChartLegend {
        var items = series.map { ChartLegend.Item(label: $0.name, color: $0.color, swatch: $0.dashed ? .dashed : .line) }
        if !bands.isEmpty { items.append(.init(label: "seconds with check violations", color: ChartPalette.violation, swatch: .band)) }
        return ChartLegend(items, left: Self.left, right: Self.width - Self.right)
    }

    func render() -> String {
        let legend = self.legend
        let W = Self.width
        let plotLeft = Self.left, plotRight = W - Self.right
        let plotTop = Self.legendTop + Swift.max(legend.height, ChartLegend.rowHeight) + Self.legendGap
        let plotBottom = plotTop + Self.plotHeight
        let H = plotBottom + Self.bottom
        let xs = series.flatMap { $0.points.map(\.x) }
        let ys = series.flatMap { $0.points.map(\.y) }
        var svg = "<svg class=\"chart\" data-chart=\"\(esc(id))\" viewBox=\"0 0 \(Int(W)) \(Int(H.rounded(.up)))\" role=\"img\" aria-label=\"\(esc(title))\" xmlns=\"http://www.w3.org/2000/svg\">"
        svg += "<title>\(esc(title))</title>"
        svg += "<rect class=\"plot\" x=\"\(plotLeft)\" y=\"\(f(plotTop))\" width=\"\(plotRight - plotLeft)\" height=\"\(Self.plotHeight)\"/>"

        guard !xs.isEmpty else {
            svg += "<text class=\"empty\" x=\"\(W / 2)\" y=\"\(f((plotTop + plotBottom) / 2))\" text-anchor=\"middle\">no data recorded</text></svg>"
            return svg
        }
        let dataTop = ys.filter(\.isFinite).max() ?? 0
        let onScale = thresholds.filter { $0.value <= Swift.max(dataTop, 1) * Self.thresholdHeadroom }
        let xScale = ChartScale(kind: xKind, values: xs + xExtent, pixelStart: plotLeft, pixelEnd: plotRight, includeZero: true, tight: true)
        let yScale = ChartScale(kind: yKind, values: ys + onScale.map(\.value), pixelStart: plotBottom, pixelEnd: plotTop, includeZero: true)

        for band in bands {
            let x0 = xScale.pixel(band.from), x1 = Swift.max(xScale.pixel(band.to), x0 + 2)
            svg += "<rect class=\"violation\" x=\"\(f(x0))\" y=\"\(f(plotTop))\" width=\"\(f(x1 - x0))\" height=\"\(Self.plotHeight)\" fill=\"\(ChartPalette.violation)\" fill-opacity=\"0.18\"><title>\(esc(band.title))</title></rect>"
        }
        for (py, label) in yScale.ticks(format: yFormat) {
            svg += "<line class=\"grid\" x1=\"\(plotLeft)\" x2=\"\(plotRight)\" y1=\"\(f(py))\" y2=\"\(f(py))\"/>"
            svg += "<text class=\"tick\" x=\"\(plotLeft - 6)\" y=\"\(f(py + 4))\" text-anchor=\"end\">\(esc(label))</text>"
        }
        for (px, label) in xScale.ticks(format: BudgetText.number) {
            svg += "<line class=\"grid\" x1=\"\(f(px))\" x2=\"\(f(px))\" y1=\"\(f(plotTop))\" y2=\"\(f(plotBottom))\"/>"
            svg += "<text class=\"tick\" x=\"\(f(px))\" y=\"\(f(plotBottom + 16))\" text-anchor=\"middle\">\(esc(label))</text>"
        }
        svg += "<text class=\"axis\" x=\"\((plotLeft + plotRight) / 2)\" y=\"\(f(H - 6))\" text-anchor=\"middle\">\(esc(xLabel))</text>"
        svg += "<text class=\"axis\" transform=\"translate(14 \(f((plotTop + plotBottom) / 2))) rotate(-90)\" text-anchor=\"middle\">\(esc(yLabel))</text>"

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
        svg += renderThresholds(yScale: yScale, onScale: onScale, plotLeft: plotLeft, plotRight: plotRight, plotTop: plotTop, plotBottom: plotBottom)
        svg += legend.render(top: Self.legendTop)
        svg += "</svg>"
        return svg
    }

    /// Budget lines over the series, labels right-aligned above their line (below it at the top
    /// edge), stacked upwards from the lowest so two close limits never print over each other.
    private func renderThresholds(yScale: ChartScale, onScale: [ChartThreshold], plotLeft: Double, plotRight: Double,
                                  plotTop: Double, plotBottom: Double) -> String {
        var svg = ""
        var above = Double.infinity
        let placed = thresholds.map { t -> (ChartThreshold, Double, Bool) in
            let inRange = onScale.contains(t)
            return (t, inRange ? yScale.pixel(t.value) : plotTop, inRange)
        }.sorted { $0.1 > $1.1 }
        for (t, py, inRange) in placed {
            let color = t.failed ? ChartPalette.violation : ChartPalette.budget
            let text = inRange ? t.label : "\(t.label) (above this scale)"
            svg += "<line class=\"budget\" data-budget=\"\(esc(t.label))\" x1=\"\(plotLeft)\" x2=\"\(plotRight)\" y1=\"\(f(py))\" y2=\"\(f(py))\" stroke=\"\(color)\" stroke-width=\"1.5\" stroke-dasharray=\"8 4\"/>"
            let preferred = py - 4 < plotTop + 12 ? py + 13 : py - 4
            let labelY = Swift.max(Swift.min(preferred, plotBottom - 3, above - 13), plotTop + 11)
            above = labelY
            svg += "<text class=\"budget-label\" x=\"\(f(plotRight - 4))\" y=\"\(f(labelY))\" text-anchor=\"end\" fill=\"\(color)\">\(esc(text))</text>"
        }
        return svg
    }

    private func f(_ v: Double) -> String { String(format: "%.1f", v) }
    private func esc(_ s: String) -> String { XMLEscaping.escape(s) }
}
