import Foundation

/// Series colours for report.html. Twelve colours (tab10 without its red and grey, plus navy,
/// moss, deep blue and teal) whose pairwise CIE76 distance is at least 27 on a white page, so two
/// lines of one chart never read as one; twelve because the busiest chart (latency by percentile)
/// has one line per latency metric and the engine records twelve. Red and ink are kept out:
/// red means a check violation and ink a budget line on every chart.
enum ChartPalette {
    static let series = [
        "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2",
        "#17becf", "#bcbd22", "#393b79", "#637939", "#000080", "#006d5b",
    ]
    /// Check violations: the errors chart's series and the bands on every time chart.
    static let violation = "#cf222e"
    /// Budget lines that held; a broken budget's line is `violation` red.
    static let budget = "#1f2328"

    /// The i-th series colour. Past the twelfth, hues step by the golden angle at a darker
    /// lightness, so a chart with more lines still never repeats a colour.
    static func color(_ i: Int) -> String {
        if i < series.count { return series[i] }
        let hue = Double(i - series.count) * 137.508
        return hsl(hue.truncatingRemainder(dividingBy: 360), 0.65, 0.38)
    }

    /// CIE76 ΔE between two `#rrggbb` colours: what tests use to prove lines are told apart.
    static func distance(_ a: String, _ b: String) -> Double {
        let (l1, a1, b1) = lab(a), (l2, a2, b2) = lab(b)
        return ((l1 - l2) * (l1 - l2) + (a1 - a2) * (a1 - a2) + (b1 - b2) * (b1 - b2)).squareRoot()
    }

    static func rgb(_ hex: String) -> (Double, Double, Double) {
        let digits = hex.hasPrefix("#") ? String(hex.dropFirst()) : hex
        let v = UInt32(digits, radix: 16) ?? 0
        return (Double((v >> 16) & 0xFF) / 255, Double((v >> 8) & 0xFF) / 255, Double(v & 0xFF) / 255)
    }

    static func lab(_ hex: String) -> (Double, Double, Double) {
        let (r, g, b) = rgb(hex)
        func linear(_ c: Double) -> Double { c > 0.04045 ? pow((c + 0.055) / 1.055, 2.4) : c / 12.92 }
        let (R, G, B) = (linear(r), linear(g), linear(b))
        let x = (0.4124 * R + 0.3576 * G + 0.1805 * B) / 0.95047
        let y = 0.2126 * R + 0.7152 * G + 0.0722 * B
        let z = (0.0193 * R + 0.1192 * G + 0.9505 * B) / 1.08883
        func f(_ t: Double) -> Double { t > 0.008856 ? cbrt(t) : 7.787 * t + 16.0 / 116 }
        return (116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z)))
    }

    static func hsl(_ h: Double, _ s: Double, _ l: Double) -> String {
        let c = (1 - abs(2 * l - 1)) * s
        let hp = h / 60
        let x = c * (1 - abs(hp.truncatingRemainder(dividingBy: 2) - 1))
        let (r, g, b): (Double, Double, Double) = switch Int(hp) {
        case 0: (c, x, 0)
        case 1: (x, c, 0)
        case 2: (0, c, x)
        case 3: (0, x, c)
        case 4: (x, 0, c)
        default: (c, 0, x)
        }
        let m = l - c / 2
        func byte(_ v: Double) -> Int { Int(((v + m) * 255).rounded()) }
        return String(format: "#%02x%02x%02x", byte(r), byte(g), byte(b))
    }
}
