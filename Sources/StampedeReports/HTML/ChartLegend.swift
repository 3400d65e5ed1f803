/// The legend of a chart, laid out in rows that wrap at the plot's width; the chart grows by one
/// row per wrap instead of letting labels run past the SVG's edge, where the browser clips them
/// (issue 15, item 6: "Latency by percentile" and "Server stats" lost labels that way).
struct ChartLegend {
    enum Swatch: Equatable {
        case line, dashed
        /// A translucent band, as the chart's check-violation marks.
        case band
    }

    struct Item: Equatable {
        var label: String
        var color: String
        var swatch: Swatch
    }

    struct Placed: Equatable {
        var item: Item
        var x: Double
        var row: Int
    }

    static let rowHeight = 16.0
    static let swatchWidth = 14.0
    static let gap = 16.0

    let placed: [Placed]
    let rows: Int

    /// Items left to right from `left`, starting a new row when the next would pass `right`.
    init(_ items: [Item], left: Double, right: Double) {
        var placed: [Placed] = []
        var x = left, row = 0
        for item in items {
            let width = Self.swatchWidth + 4 + Self.textWidth(item.label)
            if x > left && x + width > right {
                row += 1
                x = left
            }
            placed.append(Placed(item: item, x: x, row: row))
            x += width + Self.gap
        }
        self.placed = placed
        rows = items.isEmpty ? 0 : row + 1
    }

    /// Height the legend takes above the plot.
    var height: Double { Double(rows) * Self.rowHeight }

    func render(top: Double) -> String {
        var svg = ""
        for p in placed {
            let y = top + Double(p.row) * Self.rowHeight
            switch p.item.swatch {
            case .line, .dashed:
                let dash = p.item.swatch == .dashed ? " stroke-dasharray=\"4 3\"" : ""
                svg += "<line class=\"swatch\" x1=\"\(f(p.x))\" x2=\"\(f(p.x + Self.swatchWidth))\" y1=\"\(f(y + 8))\" y2=\"\(f(y + 8))\" stroke=\"\(p.item.color)\" stroke-width=\"3\"\(dash)/>"
            case .band:
                svg += "<rect class=\"swatch\" x=\"\(f(p.x))\" y=\"\(f(y + 2))\" width=\"\(Self.swatchWidth)\" height=\"12\" fill=\"\(p.item.color)\" fill-opacity=\"0.25\"/>"
            }
            svg += "<text class=\"legend\" x=\"\(f(p.x + Self.swatchWidth + 4))\" y=\"\(f(y + 12))\">\(XMLEscaping.escape(p.item.label))</text>"
        }
        return svg
    }

    /// Width of `text` at the legend's 11 px, erring wide: per-character advances of DejaVu Sans,
    /// the widest of the fonts a headless Linux browser falls back to for system-ui. The
    /// Chromium render test measures the real boxes and fails if this ever falls short.
    static func textWidth(_ text: String, fontSize: Double = 11) -> Double {
        var em = 0.0
        for c in text {
            switch c {
            case "i", "j", "l", ".", ",", ":", ";", "'", "|", "!", "I": em += 0.3
            case " ": em += 0.34
            case "f", "r", "t", "(", ")", "[", "]", "-": em += 0.42
            case "m", "w", "%": em += 0.98
            case "M", "W": em += 1.0
            case "_": em += 0.52
            default:
                if c.isUppercase { em += 0.76 } else if c.isNumber { em += 0.65 } else { em += 0.63 }
            }
        }
        return em * fontSize
    }

    private func f(_ v: Double) -> String { String(format: "%.1f", v) }
}
