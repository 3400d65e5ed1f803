/// Keeps long runs' charts small: at most `maxPoints` per line, so an hour-long
/// run's page stays the size of a ten-minute one.
enum Downsample {
    enum Mode {
        /// Peaks survive (latency, errors): a one-second spike must not average away.
        case max
        /// Levels (connections, throughput).
        case mean
    }

    static func reduce(_ points: [(x: Double, y: Double)], maxPoints: Int, mode: Mode) -> [(x: Double, y: Double)] {
        guard points.count > maxPoints, maxPoints > 0 else { return points }
        let per = (points.count + maxPoints - 1) / maxPoints
        var out: [(x: Double, y: Double)] = []
        out.reserveCapacity(maxPoints)
        var i = 0
        while i < points.count {
            let chunk = points[i..<Swift.min(i + per, points.count)]
            let y: Double
            switch mode {
            case .max: y = chunk.map(\.y).max() ?? 0
            case .mean: y = chunk.map(\.y).reduce(0, +) / Double(chunk.count)
            }
            out.append((chunk.first!.x, y))
            i += per
        }
        return out
    }
}
