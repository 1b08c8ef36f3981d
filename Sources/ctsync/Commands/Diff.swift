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
            let changes = JSONDiff.diff(old, new)
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
            for c in changes {
                switch c.kind {
                case .changed:
                    print(paint("~ \(c.path): \(short(c.old)) → \(short(c.new))", "33", colour))
                case .added:
                    print(paint("+ \(c.path): \(short(c.new))", "32", colour))
                case .removed:
                    print(paint("- \(c.path): \(short(c.old))", "31", colour))
                }
            }
        }
    }

    private func short(_ v: JSONValue?) -> String {
        guard let v else { return "∅" }
        let text = v.compactString()
        return text.count > 160 ? String(text.prefix(157)) + "…" : text
    }

    private func paint(_ s: String, _ code: String, _ on: Bool) -> String {
        on ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s
    }
}

struct DiffOutput: Encodable {
    var nctId: String
    var from: Int
    var to: Int
    var changes: [JSONChange]
}
