import ArgumentParser
import CTSyncCore
import Foundation

struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the latest stored version of a study.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The study's NCT id.") var nctId: String
    @Option(help: "Version to show (default: the latest).") var version: Int?
    @Flag(help: "Print the study as JSON.") var json = false
    @Flag(help: "Print the registry's JSON document as stored.") var raw = false

    func validate() throws { _ = try parseNCTID(nctId) }

    func run() async throws {
        try await reportingErrors {
            let store = try global.openStore(mustExist: true)
            let (info, document) = try store.document(of: try parseNCTID(nctId), version: version)
            if raw {
                print(document.prettyString())
                return
            }
            let record = try StudyRecord(json: document)
            let summary = StudySummary(record: record)
            if json {
                try printJSON(summary)
                return
            }
            print(TrialText.page(summary, version: info))
        }
    }
}

/// Text rendering of the stored key fields.
enum TrialText {
    static func page(_ s: StudySummary, version: VersionInfo) -> String {
        var lines: [String] = []
        lines.append("\(s.nctId)  \(s.briefTitle ?? "(no title)")")
        if let o = s.officialTitle, o != s.briefTitle { lines.append(o) }
        lines.append("")
        func field(_ name: String, _ value: String?) {
            if let value, !value.isEmpty { lines.append("\(name.padding(toLength: 22, withPad: " ", startingAt: 0))\(value)") }
        }
        field("Status", s.overallStatus)
        field("Phases", s.phases.joined(separator: ", "))
        field("Study type", s.studyType)
        field("Conditions", s.conditions.joined(separator: "; "))
        field("Interventions", s.interventions.joined(separator: "; "))
        field("Sponsor", s.leadSponsor)
        field("Enrollment", s.enrollment.map { "\($0)" + (s.enrollmentType.map { " (\($0.lowercased()))" } ?? "") })
        field("Start", s.startDate)
        field("Primary completion", s.primaryCompletionDate)
        field("Completion", s.completionDate)
        field("Last update posted", s.lastUpdatePosted)
        lines.append("")
        lines.append("version \(version.version), fetched \(version.fetchedAt) (\(version.source))")
        return lines.joined(separator: "\n")
    }
}
