import Yams

/// A problem in a scenario file, located to the character so an editor can jump to it.
/// The run never starts when one is raised (exit code 3).
public struct ScenarioFileError: Error, Sendable, CustomStringConvertible, Equatable {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String

    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `file:line:column: error: …` — or `file: error: …` for a problem with the file itself.
    public var description: String { line > 0 ? "\(file):\(line):\(column): error: \(message)" : "\(file): error: \(message)" }

    /// Yams reports syntax errors with their own marks; keep the position, drop the noise.
    static func from(yamlError error: Error, file: String) -> ScenarioFileError {
        if let e = error as? YamlError {
            switch e {
            case .scanner(let context, let problem, let mark, _),
                 .parser(let context, let problem, let mark, _),
                 .composer(let context, let problem, let mark, _):
                let ctx = context.map { " (\($0.text))" } ?? ""
                return ScenarioFileError(file: file, line: mark.line, column: mark.column, message: "YAML syntax: \(problem)\(ctx)")
            case .duplicatedKeysInMapping(let duplicates, let context):
                return ScenarioFileError(file: file, line: context.mark.line, column: context.mark.column,
                                         message: "duplicate key(s): \(duplicates.joined(separator: ", "))")
            default:
                break
            }
        }
        return ScenarioFileError(file: file, line: 1, column: 1, message: "YAML: \(error)")
    }
}
