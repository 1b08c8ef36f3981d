import CTSyncCore
import CTSyncFakeRegistry
import Foundation
import Testing
import ZIPFoundation

/// `ctsync import`, `history --backfill` and `watch backfill` end to end.
@Suite struct ImportCommandTests {
    static func zip(_ entries: [(String, Data)], to url: URL) throws {
        let archive = try Archive(url: url, accessMode: .create)
        for (name, data) in entries {
            try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { p, n in
                data.subdata(in: Int(p)..<Int(p) + n)
            }
        }
    }

    static func bulk(_ n: Int) -> [(String, Data)] {
        RealStudies.prepared.filter { $0.json["derivedSection"] != nil }.prefix(n).map { p in
            ("\(p.id.suffix(2))/\(p.id).json", p.json.canonicalData())
        }
    }

    /// The executable allocates with mimalloc (linked in place of the C library's malloc for the import's speed),
    /// and works with it.
    @Test func theExecutableAllocatesWithMimalloc() throws {
        let s = try Setup()
        let zip = s.dir.appendingPathComponent("ctg-studies.json.zip")
        try Self.zip(Self.bulk(5), to: zip)
        let r = try s.cli.run(["import", zip.path], environment: ["MIMALLOC_VERBOSE": "1"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("mimalloc: process init"), "\(r.stderr.prefix(300))")
        #expect(r.stdout.hasPrefix("imported 5, new 5,"))
    }

    @Test func importsABulkZipAndTwiceAddsNothing() throws {
        let s = try Setup()
        let zip = s.dir.appendingPathComponent("ctg-studies.json.zip")
        try Self.zip(Self.bulk(40), to: zip)
        var r = try s.cli.run(["import", zip.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("imported 40, new 40, changed 0, unchanged 0, failed 0 (40 entries,"))
        #expect(r.stderr.isEmpty, "no progress bar without a terminal")
        r = try s.cli.run(["import", zip.path, "--json"])
        #expect(r.status == 0)
        let json = try s.json(r.stdout)
        for key in ["imported", "new", "changed", "unchanged", "failed", "entries", "seconds", "errors"] {
            #expect(json[key] != nil, "\(key)")
        }
        #expect(json["new"]?.intValue == 0 && json["unchanged"]?.intValue == 40 && json["imported"]?.intValue == 40)
        r = try s.cli.run(["list"])
        #expect(r.stdout.split(separator: "\n").count == 40)
    }

    @Test func badEntriesAreNamedTheOthersImportedExitFour() throws {
        let s = try Setup()
        var entries = Self.bulk(10)
        entries.insert(("../../evil.json", entries[0].1), at: 2)
        entries.append(("07/NCT99999907.json", Data("garbage".utf8)))
        let zip = s.dir.appendingPathComponent("bad.zip")
        try Self.zip(entries, to: zip)
        let cut = s.dir.appendingPathComponent("cut.zip")
        let data = try Data(contentsOf: zip)
        try data.prefix(data.count - 200).write(to: cut)
        let r = try s.cli.run(["import", zip.path, cut.path, s.dir.appendingPathComponent("missing.json").path])
        #expect(r.status == 4)
        #expect(r.stdout.hasPrefix("imported 10, new 10, changed 0, unchanged 0, failed 4"))
        let lines = r.stderr.split(separator: "\n").map(String.init)
        #expect(lines.contains("error: \(zip.path):../../evil.json: refused: an entry path with '..' (it would point outside the extraction directory); nothing was extracted or written"))
        #expect(lines.contains { $0.hasPrefix("error: \(zip.path):07/NCT99999907.json: not a JSON study nor legacy XML") })
        #expect(lines.contains { $0.hasPrefix("error: \(cut.path): not a readable zip archive") })
        #expect(lines.contains("error: \(s.dir.appendingPathComponent("missing.json").path): no such file or directory"))
        #expect(!FileManager.default.fileExists(atPath: s.dir.deletingLastPathComponent().appendingPathComponent("evil.json").path))
        #expect(!FileManager.default.fileExists(atPath: s.dir.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("evil.json").path))
    }

    @Test func legacyXMLIsImportedAndItsHistoryDiffs() throws {
        let s = try Setup()
        var r = try s.cli.run(["import", RecordsLocation.records.appendingPathComponent("legacy-xml").path, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        var json = try s.json(r.stdout)
        // 57 files; the alias file is the same study as NCT00081588.xml.
        #expect(json["imported"]?.intValue == 57 && json["new"]?.intValue == 56 && json["unchanged"]?.intValue == 1)
        #expect(json["failed"]?.intValue == 0 && json["unsupported"]?.intValue == 0)
        r = try s.cli.run(["show", "NCT00081588", "--json"])
        #expect(try s.json(r.stdout)["nctId"] == .string("NCT00081588"))

        // Five real re-downloads of one record, 2016 to 2018, imported in file order into a new database:
        // five versions, and a diff across the years.
        let cli = CLI(database: s.dir.appendingPathComponent("history.sqlite").path, registry: s.cli.registry)
        r = try cli.run(["import", RecordsLocation.records.appendingPathComponent("history/NCT00482794").path, "--json"])
        json = try s.json(r.stdout)
        #expect(json["failed"]?.intValue == 0 && json["new"]?.intValue == 1 && json["changed"]?.intValue == 4)
        r = try cli.run(["diff", "NCT00482794", "--from", "1", "--to", "5"])
        #expect(r.stdout.contains("Primary completion date: July 2016 (estimated) → July 2018 (estimated)"), "\(r.stdout)")

        // An entity bomb among them is refused by name; the rest is imported.
        r = try s.cli.run(["import", RecordsLocation.packageRoot.appendingPathComponent("Fixtures/hostile/entity-bomb.xml").path])
        #expect(r.status == 4)
        #expect(r.stderr.contains("entity-bomb.xml: refused: "))
    }

    @Test func historyBackfillThenDiffAcrossTheRegistryHistory() throws {
        let s = try Setup()
        for (id, versions) in try RegistryHistories.real(records: RecordsLocation.records) {
            s.registry.histories.set(id, versions: versions)
        }
        var r = try s.cli.run(["sync", "NCT00763412", "--rate", "0"])
        #expect(r.status == 0)
        r = try s.cli.run(["history", "NCT00763412", "--backfill", "--rate", "0"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("backfill: 1 studies, 4 registry versions, fetched 4, added 3, matched 1"))
        let rows = r.stdout.split(separator: "\n").dropFirst().map(String.init)
        #expect(rows.count == 4)
        #expect(rows[0].hasPrefix("1 ") && rows[0].contains("RECRUITING") && rows[0].hasSuffix("v0 2008-10-01"))
        #expect(rows[3].contains("sync") && rows[3].hasSuffix("v3 2017-06-05"))
        r = try s.cli.run(["diff", "NCT00763412", "--from", "1", "--to", "2"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("major  Overall status: Recruiting → Active, not recruiting  (overallStatus)"))
        r = try s.cli.run(["history", "NCT00763412", "--backfill", "--rate", "0", "--json"])
        let json = try s.json(r.stdout)
        #expect(json[path: "backfill.fetched"]?.intValue == 0)
        #expect(json["versions"]?.arrayValue?.count == 4)
    }

    @Test func watchBackfill() throws {
        let s = try Setup()
        _ = try s.cli.run(["watch", "add", "covid", "--cond", "COVID-19"])
        _ = try s.cli.run(["sync", "--rate", "0"])
        var r = try s.cli.run(["watch", "backfill", "covid", "--rate", "0", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try s.json(r.stdout)
        let studies = json["studies"]?.intValue ?? 0
        #expect(studies > 0 && json["matched"]?.intValue == studies && json["failed"]?.intValue == 0)
        r = try s.cli.run(["watch", "backfill", "nope"])
        #expect(r.status == 1 && r.stderr.contains("no watch named 'nope'"))
        s.registry.stop()
        r = try s.cli.run(["watch", "backfill", "covid", "--rate", "0", "--backoff", "0.01", "--max-attempts", "2"])
        #expect(r.status == 3)
        #expect(r.stderr.contains("PARTIAL"))
    }
}
