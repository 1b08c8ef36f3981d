import ArgumentParser
import CTSyncCore
import Foundation

struct Similar: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the stored studies most comparable to one, with a score and the reasons.",
        discussion: """
            The score adds points for shared conditions (MeSH terms and ancestors, then condition text), shared
            interventions (MeSH terms, a normalized name: MSC = mesenchymal stem cells = mesenchymal stromal cells,
            and the intervention type), design (phase, study type, allocation, primary purpose) and the words shared
            by title and summary. The weights are in SimilarityWeights and README-search.md.
            """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The study's NCT id.") var nctId: String
    @Option(help: "At most this many results (default 10).") var limit = 10
    @Flag(help: "Print the results as JSON.") var json = false

    func validate() throws {
        _ = try parseNCTID(nctId)
        if limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    func run() async throws {
        try await reportingErrors {
            let store = try global.openStore(mustExist: true)
            let results = try store.similar(to: try parseNCTID(nctId), limit: limit)
            if json {
                try printJSON(results)
                return
            }
            if results.isEmpty, !global.quiet { printError("no comparable study in the store") }
            for r in results {
                print(String(format: "%6.2f  ", r.score) + "\(r.nctId)  \(r.overallStatus ?? "-")  \(r.title ?? "(no title)")")
                print("        " + r.reasons.joined(separator: "; "))
            }
        }
    }
}
