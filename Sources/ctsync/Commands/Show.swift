import ArgumentParser
import CTSyncCore
import Foundation

/// `ctsync show NCTID`: a stored version of a study as a readable page, Markdown, the normalized JSON or the raw
/// registry document.
struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a stored version of a study (the latest by default).",
        discussion: """
            Prints the study as a page with the registry's headings. --format markdown writes the same page as
            Markdown; --json prints the normalized trial (keys documented in docs/model.md); --raw prints the
            registry's JSON document as stored. A record that cannot be normalized is an error naming the NCT id
            and the JSON path (exit 1).
            """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The study's NCT id.") var nctId: String
    @Option(help: "Version to show (default: the latest).") var version: Int?
    @Flag(help: "Print the normalized trial as JSON.") var json = false
    @Option(help: "Page format: text or markdown.") var format: PageFormat = .text
    @Flag(help: "Print the registry's JSON document as stored.") var raw = false

    func validate() throws {
        _ = try parseNCTID(nctId)
        if json && raw { throw ValidationError("--json and --raw cannot be used together") }
        if let version, version < 1 { throw ValidationError("--version must be 1 or more") }
    }

    func run() async throws {
        try await reportingErrors {
            let id = try parseNCTID(nctId)
            let store = try global.openStore(mustExist: true)
            let (info, document) = try store.document(of: id, version: version)
            if raw {
                print(document.prettyString())
                return
            }
            let trial: Trial
            do throws(RecordError) {
                trial = try Trial(v2: document)
            } catch {
                var named = error
                if named.nctId == nil { named.nctId = info.nctId }
                throw named
            }
            if json {
                try printJSON(trial)
                return
            }
            let pageFormat: TrialPage.Format = format == .markdown ? .markdown : .text
            let colour = pageFormat == .text && isTTY(STDOUT_FILENO) && global.environment["NO_COLOR"] == nil
            var page = TrialPage.render(trial, format: pageFormat, colour: colour)
            let footer = "version \(info.version) of \(info.nctId), fetched \(info.fetchedAt) (\(info.source))"
            page += pageFormat == .markdown ? "\n---\n\n*\(footer)*\n" : "\n\(footer)\n"
            print(page, terminator: "")
        }
    }
}

/// The page formats of `ctsync show`.
enum PageFormat: String, ExpressibleByArgument, CaseIterable {
    case text, markdown
}
