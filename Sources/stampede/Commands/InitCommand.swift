import ArgumentParser
import Foundation
import StampedeScenario

/// `stampede init [TEMPLATE]`: writes a commented starter scenario that validates as written.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a commented starter scenario: \(StarterTemplates.names.joined(separator: ", ")).")

    @Argument(help: ArgumentHelp("The template.", valueName: StarterTemplates.names.joined(separator: "|"))) var template = "smoke"
    @Option(name: .shortAndLong, help: "The file to write (default: TEMPLATE.yaml).") var output: String?
    @Flag(help: "Overwrite an existing file.") var force = false

    func validate() throws {
        guard StarterTemplates.text(template) != nil else {
            throw ValidationError("unknown template '\(template)'; choose one of \(StarterTemplates.names.joined(separator: ", "))")
        }
    }

    func run() throws {
        let path = output ?? "\(template).yaml"
        if FileManager.default.fileExists(atPath: path) && !force {
            FileHandle.standardError.write(Data("\(path) exists; pass --force to overwrite it\n".utf8))
            throw ExitCode(3)
        }
        do { try StarterTemplates.text(template)!.write(toFile: path, atomically: true, encoding: .utf8) } catch {
            FileHandle.standardError.write(Data("could not write \(path): \(error.localizedDescription)\n".utf8))
            throw ExitCode(3)
        }
        print("wrote \(path) — run it with: stampede run \(path)")
    }
}
