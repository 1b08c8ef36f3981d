import ArgumentParser
import CTSyncCore
import Foundation

struct Changes: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Read the change log that every sync appends to.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "Only changes detected on or after this date (yyyy-MM-dd) or time.") var since: String?
    @Option(help: "Only changes of this watch's studies.") var watch: String?
    @Option(help: "major, minor or noise (default minor: everything but noise).") var minSignificance: String = "minor"
    @Option(help: "Only changes of this study.") var study: String?
    @Flag(help: "Print the changes as one JSON array.") var json = false
    @Flag(help: "Print one JSON object per line.") var ndjson = false

    func validate() throws {
        guard Change.Significance(rawValue: minSignificance) != nil else {
            throw ValidationError("--min-significance must be major, minor or noise")
        }
        if let since, !(since.count >= 10 && since.prefix(10).allSatisfy({ $0.isNumber || $0 == "-" })) {
            throw ValidationError("--since takes a date like 2026-11-01 (or a timestamp like 2026-11-01T09:00:00Z)")
        }
        if let study { _ = try parseNCTID(study) }
        if json && ndjson { throw ValidationError("choose --json or --ndjson") }
    }

    func run() async throws {
        try await reportingErrors {
            let store = try global.openStore(mustExist: true)
            let changes = try store.changes(since: since, watch: watch, minimum: Change.Significance(rawValue: minSignificance)!,
                                            nctId: try study.map(parseNCTID)?.rawValue)
            if json { return try printJSON(changes) }
            if ndjson {
                for c in changes { try printJSON(c, pretty: false) }
                return
            }
            for c in changes {
                let versions = c.toVersion.map { " v\(c.fromVersion ?? 0)→v\($0)" } ?? ""
                print("\(c.detectedAt.prefix(19))  \(c.nctId)\(versions)  [\(c.change.significance.rawValue)] \(c.change.text)")
            }
        }
    }
}
