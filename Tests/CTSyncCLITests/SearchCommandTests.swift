import CTSyncCore
import CTSyncFakeRegistry
import Foundation
import Testing

/// `ctsync search`, `similar` and `export` through the built binary, on a store synced from the fake registry.
@Suite struct SearchCommandTests {
    let fast = ["--rate", "0", "--backoff", "0.01"]

    /// A setup whose store holds every real record (one watch over all of them, one sync).
    func synced() throws -> Setup {
        let s = try Setup()
        #expect(try s.cli.run(["watch", "add", "all", "--term", "randomized"]).status == 0)
        let r = try s.cli.run(["sync", "--quiet"] + fast)
        #expect(r.status == 0, "\(r.stderr)")
        return s
    }

    @Test func searchFiltersSimilarAndExport() throws {
        let s = try synced()
        var r = try s.cli.run(["search", "melanoma", "--json", "--limit", "100"])
        #expect(r.status == 0, "\(r.stderr)")
        let hits = try #require(try s.json(r.stdout).arrayValue)
        #expect(!hits.isEmpty)
        for key in ["nctId", "overallStatus", "phases", "title", "conditions", "snippet", "score"] {
            #expect(hits[0][key] != nil, "missing key \(key)")
        }
        #expect(hits.allSatisfy { ($0["snippet"]?.stringValue ?? "").contains("[") })

        // Filters narrow the same query.
        r = try s.cli.run(["search", "melanoma", "--status", "completed,terminated", "--phase", "2,PHASE3",
                           "--type", "interventional", "--started-after", "2000", "--json", "--limit", "100"])
        #expect(r.status == 0, "\(r.stderr)")
        let narrowed = try #require(try s.json(r.stdout).arrayValue)
        #expect(narrowed.count <= hits.count)
        for h in narrowed {
            #expect(["COMPLETED", "TERMINATED"].contains(h["overallStatus"]?.stringValue ?? ""))
            let phases = h["phases"]?.arrayValue?.compactMap(\.stringValue) ?? []
            #expect(!Set(phases).isDisjoint(with: ["PHASE2", "PHASE3"]))
        }

        // Text and CSV.
        r = try s.cli.run(["search", "melanoma", "--limit", "3"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("conditions:"))
        r = try s.cli.run(["search", "melanoma", "--csv", "--has-results", "--country", "united states"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("nctId,overallStatus,phases,title,conditions,score,snippet"))

        // Similar, with reasons.
        let target = try #require(hits[0]["nctId"]?.stringValue)
        r = try s.cli.run(["similar", target, "--json", "--limit", "5"])
        #expect(r.status == 0, "\(r.stderr)")
        let similar = try #require(try s.json(r.stdout).arrayValue)
        #expect(!similar.isEmpty && similar.count <= 5)
        #expect(similar.allSatisfy { ($0["reasons"]?.arrayValue?.count ?? 0) > 0 && $0["score"] != nil })
        r = try s.cli.run(["similar", target])
        #expect(r.status == 0)
        #expect(r.stdout.contains("shares") || r.stdout.contains("same"))
        r = try s.cli.run(["similar", "NCT09999999"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("NCT09999999"))

        // Export: JSON lists, CSV joined and quoted, NDJSON one per line, to a file.
        r = try s.cli.run(["export", "--query", "melanoma", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = try #require(try s.json(r.stdout).arrayValue)
        #expect(Set(rows.compactMap { $0["nctId"]?.stringValue }) == Set(hits.compactMap { $0["nctId"]?.stringValue }))
        #expect(rows.allSatisfy { $0["inclusionCriteria"]?.arrayValue != nil && $0["conditions"]?.arrayValue != nil })
        r = try s.cli.run(["export", "--query", "melanoma", "--format", "ndjson"])
        #expect(r.stdout.split(separator: "\n").count == rows.count)
        let file = s.dir.appendingPathComponent("out.csv").path
        r = try s.cli.run(["export", "--query", "melanoma", "--format", "csv", "--output", file])
        #expect(r.status == 0, "\(r.stderr)")
        let csv = try String(contentsOfFile: file, encoding: .utf8)
        #expect(csv.hasPrefix(CSV.line(ExportRow.csvHeader) + "\r\n"))
        #expect(csv.contains(" | "))
        r = try s.cli.run(["export", "--status", "COMPLETED", "--format", "ndjson"])
        #expect(r.status == 0)
        #expect(r.stdout.split(separator: "\n").allSatisfy { $0.contains("\"overallStatus\":\"COMPLETED\"") })

        // --reindex rebuilds and answers the same.
        r = try s.cli.run(["search", "melanoma", "--json", "--limit", "100", "--reindex"])
        #expect(r.status == 0)
        #expect(try s.json(r.stdout).arrayValue?.count == hits.count)
    }

    @Test func badQueriesAndFlagsAreUsageErrors() throws {
        let s = try synced()
        let cases: [([String], String)] = [
            (["search", "\"stem cells"], "unbalanced"),
            (["search", "covid OR"], "OR"),
            (["search", "NOT children"], "NOT"),
            (["search", "*"], "*"),
            (["search", ""], "empty"),
            (["search", "melanoma", "--type", "RANDOM"], "--type"),
            (["search", "melanoma", "--started-after", "last year"], "--started-after"),
            (["search", "melanoma", "--json", "--csv"], "exclude"),
            (["export", "--format", "xml"], "format"),
            (["similar", "NCT123"], "NCT id"),
        ]
        for (args, needle) in cases {
            let r = try s.cli.run(args)
            #expect(r.status == 64, "\(args): \(r.status) \(r.stderr)")
            #expect(r.stderr.contains(needle), "\(args): \(r.stderr)")
            #expect(!r.stderr.lowercased().contains("sqlite") && !r.stderr.contains("fts5"), "\(args): \(r.stderr)")
        }
        for hostile in ["'; DROP TABLE studies; --", "NEAR(melanoma", "title:melanoma", "^melanoma", "(melanoma)", ";"] {
            let r = try s.cli.run(["search", hostile, "--json"])
            #expect(r.status == 0 || r.status == 64, "\(hostile): \(r.stderr)")
            #expect(!r.stderr.lowercased().contains("sqlite") && !r.stderr.contains("fts5"), "\(hostile): \(r.stderr)")
        }
        #expect(try s.cli.run(["search", "melanoma", "--json"]).status == 0)
    }
}
