import CTSyncFakeRegistry
import Foundation
import Testing

@testable import CTSyncCore

@Suite struct StoreTests {
    let study = RealStudies.study("NCT04523987")

    @Test func sameContentAddsNoVersion() throws {
        let store = try Store()
        let r = try StudyRecord(json: study)
        #expect(try store.record([r], source: .sync) == [.new(version: 1)])
        #expect(try store.record([r], source: .sync) == [.unchanged(version: 1)])
        #expect(try store.totals().versions == 1)
    }

    @Test func versionHolderAloneIsNotAChange() throws {
        let store = try Store()
        _ = try store.record([try StudyRecord(json: study)], source: .sync)
        let moved = RecordRecipes.versionHolder(study, to: "2031-01-01")
        #expect(try store.record([try StudyRecord(json: moved)], source: .sync) == [.unchanged(version: 1)])
    }

    @Test func changedContentAddsTheNextVersionAndUpdatesCurrentState() throws {
        let store = try Store()
        _ = try store.record([try StudyRecord(json: study)], source: .sync)
        let changed = RecordRecipes.status(study, to: "COMPLETED", posted: "2031-02-03")
        #expect(try store.record([try StudyRecord(json: changed)], source: .sync) == [.changed(version: 2, previous: 1)])
        let id = NCTID("NCT04523987")!
        let versions = try store.versions(of: id)
        #expect(versions.map(\.version) == [1, 2])
        #expect(versions.last?.overallStatus == "COMPLETED")
        #expect(versions.last?.lastUpdatePosted == "2031-02-03")
        #expect(try store.studies().first?.overallStatus == "COMPLETED")
        let (_, stored) = try store.document(of: id, version: 2)
        #expect(stored == changed)
        let (_, first) = try store.document(of: id, version: 1)
        #expect(first == study)
    }

    @Test func keepsRawJSONCompressed() throws {
        let store = try Store()
        _ = try store.record(RealStudies.all.prefix(50).map { try StudyRecord(json: $0) }, source: .sync)
        let totals = try store.totals()
        #expect(totals.versions == 50)
        #expect(totals.storedBytes * 2 < totals.rawBytes)
    }

    @Test func unknownVersionAndStudyAreClearErrors() throws {
        let store = try Store()
        _ = try store.record([try StudyRecord(json: study)], source: .sync)
        #expect(throws: StoreError.self) { try store.document(of: NCTID("NCT04523987")!, version: 7) }
        do {
            _ = try store.document(of: NCTID("NCT04523987")!, version: 7)
        } catch {
            #expect(error.localizedDescription == "NCT04523987 has no version 7 (versions 1 to 1 are stored)")
        }
        #expect(throws: StoreError.self) { try store.versions(of: NCTID("NCT99999999")!) }
    }

    @Test func aliasesResolveToTheCanonicalStudy() throws {
        let store = try Store()
        _ = try store.record([try StudyRecord(json: study)], source: .sync)
        try store.mergeAlias(NCTID("NCT00000001")!, into: NCTID("NCT04523987")!)
        #expect(try store.versions(of: NCTID("NCT00000001")!).first?.nctId == "NCT04523987")
    }

    @Test func watchesAreSavedListedAndRemoved() throws {
        let store = try Store()
        try store.addWatch(name: "msc-covid", query: StudyQuery(cond: "COVID-19", intr: "mesenchymal stem cells"))
        #expect(throws: StoreError.self) { try store.addWatch(name: "msc-covid", query: StudyQuery(cond: "x")) }
        #expect(try store.watches().map(\.name) == ["msc-covid"])
        try store.completeWatchSync(name: "msc-covid", cursor: "2024-05-01")
        try store.completeWatchSync(name: "msc-covid", cursor: "2023-01-01")  // never backwards
        #expect(try store.watch(named: "msc-covid").cursor == "2024-05-01")
        try store.removeWatch(name: "msc-covid")
        #expect(throws: StoreError.self) { try store.removeWatch(name: "msc-covid") }
        #expect(throws: StoreError.self) { try store.watch(named: "nope") }
    }

    @Test func schemaRejectsBadRows() throws {
        // The schema, not only the code, enforces the invariants.
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("db.sqlite").path
        let store = try Store(path: path)
        _ = try store.record([try StudyRecord(json: study)], source: .sync)
        #expect(try store.integrityCheck() == "ok")
    }

    /// A bulk load checkpoints the write-ahead log rarely, and only while it runs: after it (even a failed one)
    /// the writer is back to SQLite's default, and what the load stored is there.
    @Test func aBulkLoadWidensTheCheckpointIntervalOnlyWhileItRuns() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try Store(path: dir.appendingPathComponent("db.sqlite").path)
        func interval() throws -> Int { try store.write { db in try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint")! } }
        func hashSize() throws -> Int? {
            try store.read { db in try Int.fetchOne(db, sql: "SELECT v FROM search_fts_config WHERE k = 'hashsize'") }
        }
        #expect(try interval() == 1_000)
        let inside = try store.withBulkLoad(walPages: 4_096, ftsHashBytes: 8 << 20) {
            _ = try store.record([try StudyRecord(json: study)], source: .import)
            return (try interval(), try hashSize())
        }
        #expect(inside.0 == 4_096 && inside.1 == 8 << 20)
        #expect(try interval() == 1_000)
        #expect(try hashSize() == 1 << 20)
        struct Stop: Error {}
        #expect(throws: Stop.self) { try store.withBulkLoad { throw Stop() } }
        #expect(try interval() == 1_000)
        #expect(try hashSize() == 1 << 20)
        #expect(try store.totals().studies == 1)
    }

    /// Records pulled one at a time are stored like a batch, in one transaction: all of them, or, when `next` fails
    /// midway, none.
    @Test func recordsPulledOneAtATimeAreOneTransaction() throws {
        let store = try Store()
        let changed = RecordRecipes.status(study, to: "COMPLETED", posted: "2031-02-03")
        var queue = [try PreparedRecord(try StudyRecord(json: study)), try PreparedRecord(try StudyRecord(json: changed))]
        let outcomes = try store.record(pulling: { queue.isEmpty ? nil : queue.removeFirst() }, source: .import)
        #expect(outcomes == [.new(version: 1), .changed(version: 2, previous: 1)])
        #expect(try store.totals().versions == 2)

        struct Stop: Error {}
        let other = RecordRecipes.status(study, to: "WITHDRAWN", posted: "2032-01-01")
        var pulled = 0
        #expect(throws: Stop.self) {
            try store.record(pulling: {
                pulled += 1
                if pulled == 2 { throw Stop() }
                return try PreparedRecord(try StudyRecord(json: other))
            }, source: .import)
        }
        #expect(try store.totals().versions == 2)
        #expect(try store.studies().first?.overallStatus == "COMPLETED")
    }

    /// A first load into an empty store writes through a rollback journal (each new page written once), and the
    /// store is in WAL mode again afterwards. A store that holds versions, or that another connection has open,
    /// stays in WAL mode throughout, without waiting.
    @Test func onlyAFirstBulkLoadIntoAnEmptyStoreUsesARollbackJournal() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        func mode(_ store: Store) throws -> String {
            try store.write { db in try String.fetchOne(db, sql: "PRAGMA journal_mode")! }
        }
        let store = try Store(path: dir.appendingPathComponent("db.sqlite").path)
        #expect(try mode(store) == "wal")
        let first = try store.withBulkLoad {
            _ = try store.record([try StudyRecord(json: study)], source: .import)
            return try mode(store)
        }
        #expect(first == "delete")
        #expect(try mode(store) == "wal")
        #expect(try store.integrityCheck() == "ok")
        #expect(try store.totals().versions == 1)
        let changed = RecordRecipes.status(study, to: "COMPLETED", posted: "2031-02-03")
        let second = try store.withBulkLoad {
            _ = try store.record([try StudyRecord(json: changed)], source: .import)
            return try mode(store)
        }
        #expect(second == "wal")
        #expect(try store.totals().versions == 2)

        let shared = dir.appendingPathComponent("shared.sqlite").path
        let loader = try Store(path: shared)
        let other = try Store(path: shared)
        #expect(try other.totals().studies == 0)  // the other connection has read the store: it holds it open
        let started = Date()
        let inside = try loader.withBulkLoad {
            _ = try loader.record([try StudyRecord(json: study)], source: .import)
            return try mode(loader)
        }
        #expect(inside == "wal")
        #expect(Date().timeIntervalSince(started) < 5)  // not the 15 s busy timeout
        #expect(try other.totals().studies == 1)
    }

    /// While a first import holds a new store (in the middle of a transaction), another process opening it is told
    /// so, and opens it once the import is done.
    @Test func aStoreHeldByAFirstImportIsAClearBusyError() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("db.sqlite").path
        let loader = try Store(path: path)
        var opened: Result<Store, Error>?
        var pulled = 0
        try loader.withBulkLoad {
            _ = try loader.record(pulling: {
                pulled += 1
                if pulled == 2 { opened = Result { try Store(path: path) } }
                return pulled <= 2 ? try PreparedRecord(try StudyRecord(json: study)) : nil
            }, source: .import)
        }
        guard case .failure(let error) = opened else {
            Issue.record("the store opened while the import held it")
            return
        }
        #expect(error.localizedDescription.contains("is busy: another process holds it"))
        #expect(error.localizedDescription.contains(path))
        #expect(try Store(path: path).totals().versions == 1)
    }

    // MARK: - Bad databases

    @Test func missingDirectoryIsAClearError() throws {
        #expect {
            try Store(path: "/nonexistent-ctsync-dir/x/ctsync.sqlite")
        } throws: { error in
            error.localizedDescription.contains("its directory does not exist")
        }
    }

    @Test func readOnlyDirectoryIsAClearError() throws {
        let dir = try temporaryDirectory()
        defer {
            try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.path)
            try? FileManager.default.removeItem(at: dir)
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: dir.path)
        // root ignores permission bits; the check is meaningful only for other users.
        guard getuid() != 0 else { return }
        #expect(throws: StoreError.self) { try Store(path: dir.appendingPathComponent("db.sqlite").path) }
    }

    @Test func corruptFileIsReportedAndLeftUntouched() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("db.sqlite").path
        let garbage = Data(String(repeating: "this is not a database ", count: 400).utf8)
        try garbage.write(to: URL(fileURLWithPath: path))
        #expect {
            try Store(path: path)
        } throws: { error in
            error.localizedDescription.contains("is not a ctsync database or is corrupt")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == garbage)
    }

    @Test func readOnlyCommandsDoNotCreateADatabase() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("db.sqlite").path
        #expect(throws: StoreError.self) { try Store(path: path, mustExist: true) }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func secondLockWaitsThenFails() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("db.sqlite").path
        let first = try SyncLock(databasePath: path, timeout: 1)
        let start = Date()
        #expect(throws: SyncLock.Busy.self) { try SyncLock(databasePath: path, timeout: 0.3) }
        #expect(Date().timeIntervalSince(start) >= 0.3)
        withExtendedLifetime(first) {}
    }
}

/// Merging an alias into a stored canonical study keeps the current state on the latest version.
@Suite struct AliasMergeTests {
    @Test func theLatestVersionAfterAMergeIsTheCurrentState() throws {
        let store = try Store()
        let study = RealStudies.study("NCT04523987")
        // Derived in code: the canonical study as first fetched, and later its alias with another status.
        _ = try store.record([try StudyRecord(json: study)], source: .sync, fetchedAt: Date(timeIntervalSince1970: 1_000))
        let alias = RecordRecipes.status(study, to: "WITHDRAWN", posted: "2031-01-01")
            .setting(path: "protocolSection.identificationModule.nctId", to: .string("NCT00000077"))
        _ = try store.record([try StudyRecord(json: alias)], source: .sync, fetchedAt: Date(timeIntervalSince1970: 2_000))
        try store.mergeAlias(NCTID("NCT00000077")!, into: NCTID("NCT04523987")!)
        let versions = try store.versions(of: NCTID("NCT04523987")!)
        #expect(versions.map(\.version) == [1, 2])
        let row = try #require(try store.studies().first { $0.nctId == "NCT04523987" })
        #expect(row.latestVersion == 2)
        #expect(row.overallStatus == "WITHDRAWN")
        #expect(try store.studies().count == 1)
        // The canonical study's own content again is a change from that latest state.
        #expect(try store.record([try StudyRecord(json: study)], source: .sync) == [.changed(version: 3, previous: 2)])
        #expect(try store.integrityCheck() == "ok")
    }
}
