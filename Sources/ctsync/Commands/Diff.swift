import ArgumentParser
import CTSyncCore
import Foundation

struct Diff: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what changed between two stored versions of a study (the latest two by default).")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The study's NCT id.") var nctId: String
    @Option(help: "The older version.") var from: Int?
    @Option(help: "The newer version.") var to: Int?
    @Flag(help: "Print the changes as JSON.") var json = false

    func validate() throws {
        _ = try parseNCTID(nctId)
        if let from, from < 1 { throw ValidationError("--from must be 1 or more") }
        if let to, to < 1 { throw ValidationError("--to must be 1 or more") }
    }

    func run() async throws {
        try await reportingErrors {
            let store = try global.openStore(mustExist: true)
            let id = try parseNCTID(nctId)
            let versions = try store.versions(of: id)
            let newer = to ?? versions.last!.version
            let older = from ?? max(newer - 1, 1)
            let (a, old) = try store.document(of: id, version: older)
            let (b, new) = try store.document(of: id, version: newer)
            let changes = TrialDiffer.diff(v2: old, new)
            if json {
                try printJSON(DiffOutput(nctId: a.nctId, from: a.version, to: b.version, changes: changes))
                return
            }
            if versions.count == 1 && from == nil && to == nil {
                print("\(a.nctId) has one stored version: nothing to compare yet")
                return
            }
            print("\(a.nctId): version \(a.version) (\(a.fetchedAt)) → version \(b.version) (\(b.fetchedAt))")
            if changes.isEmpty { print("no changes") }
            let colour = isTTY(1)
            for c in changes.sorted(by: { $0.significance > $1.significance }) {
                let code = c.significance == .major ? "1;31" : c.significance == .minor ? "33" : "2"
                let line = "\(c.significance.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0)) \(c.text)"
                print(colour ? "\u{1B}[\(code)m\(line)\u{1B}[0m  \u{1B}[2m\(c.path)\u{1B}[0m" : "\(line)  (\(c.path))")
            }
        }
    }

}

struct DiffOutput: Encodable {
    var nctId: String
    var from: Int
    var to: Int
    var changes: [Change]
}
