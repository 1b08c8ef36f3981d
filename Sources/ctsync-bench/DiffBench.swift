import CTSyncCore
import CTSyncFakeRegistry
import Foundation

// `ctsync-bench diff`: the issue-4 figure. Pairs: every consecutive pair of real snapshots in records/history
// (legacy XML as parsed trials, v2 as documents), and for every real v2 study a pair with a change derived in code
// (status, a criterion, a contact e-mail). Timed per round: TrialDiffer on all pairs, and as a baseline the raw
// JSON path diff of the v2 pairs.

func runDiffBenchmark(records: URL, rounds: Int) throws {
    let studies = try FakeRegistry.loadStudies(from: records)
    var v2Pairs: [(JSONValue, JSONValue)] = studies.map { s in
        let changed = RecordRecipes.contactEmail(
            RecordRecipes.addInclusionCriterion(RecordRecipes.status(s, to: "COMPLETED", posted: "2031-01-01"),
                                                "Able to walk 100 metres unaided", posted: "2031-01-01"),
            to: "bench@example.org", posted: "2031-01-01")
        return (s, changed)
    }
    var xmlPairs: [(Trial, Trial)] = []
    let history = records.appendingPathComponent("history")
    for folder in try FileManager.default.contentsOfDirectory(atPath: history.path).sorted() {
        let dir = history.appendingPathComponent(folder)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        let xml = try names.filter { $0.hasSuffix(".xml") }.map { try LegacyXML.parse(try Data(contentsOf: dir.appendingPathComponent($0))) }
        xmlPairs += zip(xml, xml.dropFirst()).map { ($0, $1) }
        let v2 = try names.filter { $0.contains("_v2_") }.map { try JSONParser.parse(try Data(contentsOf: dir.appendingPathComponent($0))) }
        v2Pairs += zip(v2, v2.dropFirst()).map { ($0, $1) }
    }
    let pairs = v2Pairs.count + xmlPairs.count
    var semantic: [Double] = [], raw: [Double] = []
    var changes = 0
    for _ in 0..<rounds {
        var start = Date()
        changes = 0
        for (a, b) in v2Pairs { changes += TrialDiffer.diff(v2: a, b).count }
        for (a, b) in xmlPairs { changes += TrialDiffer.diff(a, b).count }
        semantic.append(Date().timeIntervalSince(start))
        start = Date()
        var n = 0
        for (a, b) in v2Pairs { n += JSONDiff.diff(a, b).count }
        raw.append(Date().timeIntervalSince(start))
        precondition(n > 0)
    }
    let s = median(of: semantic), r = median(of: raw)
    print("diff: \(pairs) pairs (\(v2Pairs.count) v2, \(xmlPairs.count) legacy XML), \(changes) changes, \(rounds) rounds, medians")
    print(String(format: "  TrialDiffer (normalize both sides + semantic diff + JSON Patch): %.3f s, %.0f diffs/s", s, Double(pairs) / s))
    print(String(format: "  baseline raw JSON path diff of the v2 pairs: %.3f s, %.0f diffs/s; semantic/raw time per v2 pair %.1fx",
                 r, Double(v2Pairs.count) / r, (s / Double(pairs)) / (r / Double(v2Pairs.count))))
}
