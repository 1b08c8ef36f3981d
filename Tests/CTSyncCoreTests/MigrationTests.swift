import CTSyncFakeRegistry
import Foundation
import GRDB
import Testing

@testable import CTSyncCore

/// Databases made by earlier schema versions upgrade to today's: the search index and its postings, which
/// `Store.indexLatest` writes since v7 and triggers wrote before.
@Suite struct MigrationTests {
    static let studies = Array(RealStudies.all.prefix(40))

    static func triggers(_ store: Store) throws -> [String] {
        try store.read { db in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger'") }
    }

    /// The postings stay right after the upgrade: equal to the view, and following a new version and a rebuild.
    static func checkAfterUpgrade(_ store: Store) throws {
        #expect(try Self.triggers(store).isEmpty)
        #expect(try SearchScaleTests.checkPostingsEqualTheView(store) > 100)
        let changed = RecordRecipes.status(studies[0], to: "COMPLETED", posted: "2031-02-03")
            .setting(path: "protocolSection.conditionsModule.conditions", to: .array([.string("Zorbelitis")]))
        #expect(try store.record([try StudyRecord(json: changed)], source: .sync).count == 1)
        _ = try SearchScaleTests.checkPostingsEqualTheView(store)
        #expect(try store.reindexSearch() == studies.count)
        _ = try SearchScaleTests.checkPostingsEqualTheView(store)
        #expect(try store.search(SearchQuery("zorbelitis")).map(\.nctId) == [RecordRecipes.nctId(studies[0])])
    }

    /// A database file migrated up to `version` and filled by `fill`, then opened by today's `Store` (which runs
    /// the later migrations) and handed to `check`; removed afterwards.
    static func upgrade(from version: String, fill: (Database) throws -> Void, check: (Store) throws -> Void) throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("\(version).sqlite").path
        do {
            let queue = try DatabaseQueue(path: path)
            try Migrations.migrator.migrate(queue, upTo: version)
            try queue.write(fill)
        }
        try check(try Store(path: path))
    }

    /// A database from before the search index (v3: versions only): v4 rebuilds the index with no postings table
    /// yet, v5 fills the postings from the view, v6 adds the filter index, v7 drops the triggers.
    @Test func aDatabaseWithoutTheIndexUpgrades() throws {
        try Self.upgrade(from: "v3-changes", fill: { db in
            for json in Self.studies {
                let record = try StudyRecord(json: json)
                let canonical = json.canonicalData()
                try db.execute(sql: """
                    INSERT INTO studies (nct_id, latest_version, latest_hash, first_seen_at, last_fetched_at)
                    VALUES (?, 1, ?, 'then', 'then')
                    """, arguments: [record.nctId.rawValue, record.contentHash])
                try db.execute(sql: """
                    INSERT INTO versions (nct_id, version, fetched_at, content_hash, source, raw_size, raw)
                    VALUES (?, 1, 'then', ?, 'sync', ?, ?)
                    """, arguments: [record.nctId.rawValue, record.contentHash, canonical.count,
                                     Zlib.compress(canonical, level: 1)])
            }
        }, check: Self.checkAfterUpgrade)
    }

    /// A database whose postings the v5 triggers wrote keeps them through v7, which drops the triggers.
    @Test func aDatabaseWithTriggerPostingsUpgrades() throws {
        try Self.upgrade(from: "v5-search-terms", fill: { db in
            #expect(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger'").count == 4)
            for json in Self.studies {
                let record = try StudyRecord(json: json)
                // Postings left to the triggers, as before v7.
                try Store.indexLatest(SearchDocument(json: json, summary: StudySummary(record: record)),
                                      postings: false, in: db)
            }
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM search_terms")! > 100)
        }, check: { store in
            // Studies and versions were not written here: give the index's studies their rows for the checks.
            _ = try store.record(Self.studies.map { try StudyRecord(json: $0) }, source: .sync)
            try Self.checkAfterUpgrade(store)
        })
    }
}
