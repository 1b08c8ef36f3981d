import CTSyncCore
import CTSyncFakeRegistry
import Foundation
import Testing

/// Legacy records are stored as v2 documents: writing a trial back must lose nothing the model holds.
@Suite struct TrialV2DocumentTests {
    static var xmlFiles: [URL] {
        let fm = FileManager.default
        var out: [URL] = []
        for folder in ["legacy-xml", "history"] {
            let base = RecordsLocation.records.appendingPathComponent(folder)
            for case let path as String in fm.enumerator(atPath: base.path)! where path.hasSuffix(".xml") {
                out.append(base.appendingPathComponent(path))
            }
        }
        return out.sorted { $0.path < $1.path }
    }

    @Test func everyRealLegacyRecordRoundTrips() throws {
        #expect(Self.xmlFiles.count >= 80)
        for file in Self.xmlFiles {
            let trial = try LegacyXML.parse(try Data(contentsOf: file))
            let back = try Trial(v2: trial.v2Document(source: "legacy-xml"))
            let differences = TrialDiffer.diff(trial, back)
            #expect(differences.isEmpty, "\(file.lastPathComponent): \(differences.map { "\($0.path): \($0.text)" })")
        }
    }
}
