import Foundation
import GRDB

/// Where a stored version came from.
public enum VersionSource: String, Sendable, Codable {
    case sync, `import`, history
}

/// What storing one fetched record did.
public enum RecordOutcome: Sendable, Equatable {
    /// The study was not stored before: version 1.
    case new(version: Int)
    /// The content changed: a new version after `previous`.
    case changed(version: Int, previous: Int)
    /// Same content as the latest stored version: nothing written but the fetch time.
    case unchanged(version: Int)
}

/// One stored version's metadata.
public struct VersionInfo: Sendable, Equatable, Codable {
    public var nctId: String
    public var version: Int
    public var fetchedAt: String
    public var lastUpdatePosted: String?
    public var overallStatus: String?
    public var contentHash: String
    public var source: String
    public var rawSize: Int
    /// The registry's own number for this version (0-based, from its record history), when known.
    public var registryVersion: Int?
    /// The date the registry gives that version in its record history (`yyyy-MM-dd`), when known.
    public var registryDate: String?
}

/// A saved query that `ctsync sync` keeps in step with the registry.
public struct Watch: Sendable, Equatable, Codable {
    public var name: String
    public var query: StudyQuery
    /// The incremental cursor: the latest `lastUpdatePostDate` seen by a complete run (`yyyy-MM-dd`).
    public var cursor: String?
    public var createdAt: String
    public var lastSyncAt: String?
    /// Studies currently in the watch.
    public var studyCount: Int
    /// When the whole query was last listed and compared with the watch's studies.
    public var lastFullAt: String?
    /// Studies re-checked on every sync (nil: only with `sync --reconcile`).
    public var reconcileBudget: Int?
}

/// The one façade over the SQLite database: versions, current state, aliases, watches, runs.
///
/// Nothing else in ctsync writes SQL. Every method runs in one transaction.
public final class Store: Sendable {
    public let path: String
    let writer: any DatabaseWriter

    /// Opens (creating when needed) the database at `path` in WAL mode and migrates it.
    ///
    /// With `mustExist`, a missing file is an error instead of a new database (for read-only commands).
    public init(path: String, mustExist: Bool = false) throws {
        self.path = path
        let fm = FileManager.default
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
                throw StoreError.missingDirectory(path: path)
            }
        }
        let exists = fm.fileExists(atPath: path)
        if !exists {
            if mustExist { throw StoreError.noDatabase(path: path) }
            if !fm.isWritableFile(atPath: dir.isEmpty ? "." : dir) {
                throw StoreError.readOnly(path: path, detail: "cannot create a file in \(dir.isEmpty ? "." : dir)")
            }
        }
        do {
            var config = Configuration()
            config.busyMode = .timeout(15)
            config.foreignKeysEnabled = true
            config.prepareDatabase { db in
                // A 64 MiB page cache (SQLite's default is 2 MiB): storing a version touches the versions, state,
                // facet, postings and full-text B-trees, and with the default cache a large import spent its
                // writer's time re-reading and re-writing the same pages. Pages are allocated only as used.
                try db.execute(sql: "PRAGMA cache_size = -65536")
                try SearchRank.register(db)
            }
            let pool = try DatabasePool(path: path, configuration: config)
            writer = pool
            try Migrations.migrator.migrate(pool)
        } catch {
            throw StoreError.wrap(error, path: path)
        }
    }

    /// An in-memory database with the same schema, for tests and dry runs.
    public init(inMemory: Void = ()) throws {
        path = ":memory:"
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.prepareDatabase { db in try SearchRank.register(db) }
        let queue = try DatabaseQueue(configuration: config)
        writer = queue
        try Migrations.migrator.migrate(queue)
    }

    /// Runs a write transaction, mapping SQLite errors to `StoreError`.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try writer.write(body) } catch { throw StoreError.wrap(error, path: path) }
    }

    /// Runs a read, mapping SQLite errors to `StoreError`.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try writer.read(body) } catch { throw StoreError.wrap(error, path: path) }
    }

    static func timestamp(_ date: Date) -> String {
        // Milliseconds: runs a moment apart must order their checks (reconciliation picks the oldest first).
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    // MARK: - Versions

    /// Stores a batch of fetched records in one transaction: a new version for each record whose content hash
    /// differs from its latest stored version, the current-state row kept in step, and watch membership.
    public func record(_ records: [StudyRecord], source: VersionSource, fetchedAt: Date = Date(),
                       watch: String? = nil, changes detector: ChangeDetector? = nil) throws -> [RecordOutcome] {
        // Compress outside the transaction: it is the costly part and needs no lock.
        let prepared = try records.map { try PreparedRecord($0) }
        return try record(prepared: prepared, source: source, fetchedAt: fetchedAt, watch: watch, changes: detector)
    }

    /// Stores a batch of records prepared ahead (canonical JSON compressed, fields read) in one transaction, with
    /// the same version logic as `record(_:source:fetchedAt:watch:)`.
    ///
    /// An imported record whose content equals any stored version of its study (not only the latest) is
    /// `unchanged`: an archive is a snapshot of unknown age, and importing an older one again must add nothing.
    ///
    /// With a `ChangeDetector`, the changes from the previous version to each new one are appended to the change log
    /// (and queued for the alerts that want them) in the same transaction.
    public func record(prepared: [PreparedRecord], source: VersionSource, fetchedAt: Date = Date(),
                       watch: String? = nil, changes detector: ChangeDetector? = nil) throws -> [RecordOutcome] {
        var records = prepared.makeIterator()
        return try record(pulling: { records.next() }, source: source, fetchedAt: fetchedAt, watch: watch,
                          changes: detector)
    }

    /// Stores the records `next` gives, until it gives nil, in one transaction, as `record(prepared:)` does: each
    /// is written as soon as it is given, so a bulk load writes while its records are still being prepared
    /// instead of after a whole batch is. `next` runs inside the transaction and must not use this store.
    public func record(pulling next: () throws -> PreparedRecord?, source: VersionSource, fetchedAt: Date = Date(),
                       watch: String? = nil, changes detector: ChangeDetector? = nil) throws -> [RecordOutcome] {
        let now = Store.timestamp(fetchedAt)
        return try write { db in
            let postings = PendingPostings()
            var outcomes: [RecordOutcome] = []
            while let record = try next() {
                let outcome = try Store.record(record, source: source, now: now, postings: postings, in: db)
                if let watch {
                    try Store.join(watch: watch, id: record.nctId.rawValue, now: now, in: db)
                }
                if let detector, case .changed(let version, let previous) = outcome {
                    try Store.logChanges(record.nctId.rawValue, from: previous, to: version,
                                         newCompressed: record.compressed, newSize: record.rawSize,
                                         detector: detector, now: now, in: db)
                }
                outcomes.append(outcome)
            }
            try postings.write(in: db)
            return outcomes
        }
    }

    private static func record(_ record: PreparedRecord, source: VersionSource, now: String, postings: PendingPostings,
                               in db: Database) throws -> RecordOutcome {
        let id = record.nctId.rawValue
        let latest = try FastStatement(db, "SELECT latest_version, latest_hash FROM studies WHERE nct_id = ?")
            .first({ $0.text(id) }) { (version: Int($0.int64(0)), hash: $0.text(1)) }
        let previous = latest?.version
        if let latest, latest.hash == record.contentHash {
            try FastStatement(db, """
                UPDATE studies SET last_fetched_at = ?, last_checked_at = ?, removed_at = NULL WHERE nct_id = ?
                """).execute { $0.text(now); $0.text(now); $0.text(id) }
            return .unchanged(version: latest.version)
        }
        if source == .import, previous != nil,
           let same = try FastStatement(db, """
               SELECT version FROM versions WHERE nct_id = ? AND content_hash = ? LIMIT 1
               """).first({ $0.text(id); $0.text(record.contentHash) }, { Int($0.int64(0)) }) {
            return .unchanged(version: same)
        }
        let version = (previous ?? 0) + 1
        try upsertState(record, version: version, now: now, postings: postings, in: db)
        try FastStatement(db, """
            INSERT INTO versions (nct_id, version, fetched_at, last_update_posted, overall_status, content_hash, source,
                raw_size, raw)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute {
                $0.text(id); $0.int(version); $0.text(now); $0.text(record.lastUpdatePosted)
                $0.text(record.overallStatus); $0.text(record.contentHash); $0.text(source.rawValue)
                $0.int(record.rawSize); $0.blob(record.compressed)
            }
        return previous.map { .changed(version: version, previous: $0) } ?? .new(version: version)
    }

    /// Writes the current-state row of a study from `record`, which becomes its latest version `version`.
    /// With `postings`, the study's similarity postings are left there for the caller to write with its batch.
    static func upsertState(_ record: PreparedRecord, version: Int, now: String, postings: PendingPostings? = nil,
                            in db: Database) throws {
        let s = record.summary
        try FastStatement(db, """
            INSERT INTO studies (nct_id, latest_version, latest_hash, brief_title, official_title, overall_status, phases,
                study_type, conditions, interventions, lead_sponsor, start_date, primary_completion_date, completion_date,
                last_update_posted, enrollment, enrollment_type, first_seen_at, last_fetched_at, last_checked_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (nct_id) DO UPDATE SET
                latest_version = excluded.latest_version, latest_hash = excluded.latest_hash,
                brief_title = excluded.brief_title, official_title = excluded.official_title,
                overall_status = excluded.overall_status, phases = excluded.phases, study_type = excluded.study_type,
                conditions = excluded.conditions, interventions = excluded.interventions,
                lead_sponsor = excluded.lead_sponsor, start_date = excluded.start_date,
                primary_completion_date = excluded.primary_completion_date, completion_date = excluded.completion_date,
                last_update_posted = excluded.last_update_posted, enrollment = excluded.enrollment,
                enrollment_type = excluded.enrollment_type, last_fetched_at = excluded.last_fetched_at,
                last_checked_at = excluded.last_checked_at, removed_at = NULL
            """).execute {
                $0.text(record.nctId.rawValue); $0.int(version); $0.text(record.contentHash); $0.text(s.briefTitle)
                $0.text(s.officialTitle); $0.text(s.overallStatus); $0.text(record.phasesJSON); $0.text(s.studyType)
                $0.text(record.conditionsJSON); $0.text(record.interventionsJSON); $0.text(s.leadSponsor)
                $0.text(s.startDate); $0.text(s.primaryCompletionDate); $0.text(s.completionDate)
                $0.text(s.lastUpdatePosted); $0.int(s.enrollment); $0.text(s.enrollmentType); $0.text(now); $0.text(now)
                $0.text(now)
            }
        try indexLatest(record.search, pending: postings, in: db)
    }

    /// The versions stored for a study, oldest first.
    public func versions(of id: NCTID) throws -> [VersionInfo] {
        let canonical = try resolve(id)
        let infos = try read { db in
            try Row.fetchAll(db, sql: """
                SELECT nct_id, version, fetched_at, last_update_posted, overall_status, content_hash, source, raw_size,
                    registry_version, registry_date
                FROM versions WHERE nct_id = ? ORDER BY version
                """, arguments: [canonical.rawValue]).map(Store.versionInfo)
        }
        if infos.isEmpty { throw StoreError.unknownStudy(id.rawValue) }
        return infos
    }

    static func versionInfo(_ row: Row) -> VersionInfo {
        VersionInfo(nctId: row["nct_id"], version: row["version"], fetchedAt: row["fetched_at"],
                    lastUpdatePosted: row["last_update_posted"], overallStatus: row["overall_status"],
                    contentHash: row["content_hash"], source: row["source"], rawSize: row["raw_size"],
                    registryVersion: row["registry_version"], registryDate: row["registry_date"])
    }

    /// The study document of one stored version (the latest when `version` is nil).
    public func document(of id: NCTID, version: Int? = nil) throws -> (VersionInfo, JSONValue) {
        let canonical = try resolve(id)
        let found = try read { db -> (Row?, Int?) in
            let latest = try Int.fetchOne(db, sql: "SELECT max(version) FROM versions WHERE nct_id = ?",
                                          arguments: [canonical.rawValue])
            let row = try Row.fetchOne(db, sql: "SELECT * FROM versions WHERE nct_id = ? AND version = ?",
                                       arguments: [canonical.rawValue, version ?? latest ?? 0])
            return (row, latest)
        }
        guard let latest = found.1 else { throw StoreError.unknownStudy(id.rawValue) }
        guard let row = found.0 else {
            throw StoreError.unknownVersion(nctId: canonical.rawValue, version: version ?? 0, latest: latest)
        }
        let info = Store.versionInfo(row)
        do {
            let data = try StoredBody.decompress(row["raw"], originalSize: info.rawSize)
            return (info, try JSONParser.parse(data))
        } catch {
            throw StoreError.corruptVersion(nctId: info.nctId, version: info.version, detail: error.localizedDescription)
        }
    }

    // MARK: - Current state

    /// One row of the current-state table.
    public struct StudyRow: Sendable, Codable, Equatable {
        public var nctId: String
        public var latestVersion: Int
        public var briefTitle: String?
        public var overallStatus: String?
        public var phases: [String]
        public var studyType: String?
        public var conditions: [String]
        public var leadSponsor: String?
        public var startDate: String?
        public var completionDate: String?
        public var lastUpdatePosted: String?
        public var enrollment: Int?
        public var lastFetchedAt: String
    }

    /// Studies in the store, by NCT id, optionally only those with one of `statuses` or in `watch`.
    public func studies(statuses: [String] = [], watch: String? = nil) throws -> [StudyRow] {
        var sql = "SELECT s.* FROM studies s"
        var args: [DatabaseValueConvertible] = []
        if let watch {
            _ = try self.watch(named: watch)
            sql += " JOIN watch_studies w ON w.nct_id = s.nct_id AND w.watch = ?"
            args.append(watch)
        }
        if !statuses.isEmpty {
            sql += " WHERE s.overall_status IN (\(statuses.map { _ in "?" }.joined(separator: ",")))"
            args += statuses.map { $0 as DatabaseValueConvertible }
        }
        sql += " ORDER BY s.nct_id"
        return try read { db in
            try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)).map { row in
                StudyRow(nctId: row["nct_id"], latestVersion: row["latest_version"], briefTitle: row["brief_title"],
                         overallStatus: row["overall_status"], phases: Store.strings(row["phases"]),
                         studyType: row["study_type"], conditions: Store.strings(row["conditions"]),
                         leadSponsor: row["lead_sponsor"], startDate: row["start_date"],
                         completionDate: row["completion_date"], lastUpdatePosted: row["last_update_posted"],
                         enrollment: row["enrollment"], lastFetchedAt: row["last_fetched_at"])
            }
        }
    }

    private static func strings(_ text: String?) -> [String] {
        guard let text, let v = try? JSONParser.parse(text) else { return [] }
        return v.arrayValue?.compactMap(\.stringValue) ?? []
    }

    /// Counts for reports: studies, versions, and bytes of stored and raw JSON.
    public struct Totals: Sendable, Codable, Equatable {
        public var studies: Int
        public var versions: Int
        public var rawBytes: Int
        public var storedBytes: Int
    }

    public func totals() throws -> Totals {
        try read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT (SELECT count(*) FROM studies) AS s, count(*) AS v,
                       coalesce(sum(raw_size), 0) AS raw, coalesce(sum(length(raw)), 0) AS stored FROM versions
                """)!
            return Totals(studies: row["s"], versions: row["v"], rawBytes: row["raw"], storedBytes: row["stored"])
        }
    }

    /// Runs `body` (a bulk load through this store) with the write-ahead log checkpointed every `walPages` pages
    /// instead of SQLite's 1,000 (4 MiB), then restores the default (the log is checkpointed at the next commit, or
    /// when the store is closed).
    ///
    /// A checkpoint copies every page written since the last one into the database file; during an import the same
    /// pages (B-tree interiors, full-text segments being merged) are rewritten transaction after transaction, so
    /// rarer checkpoints copy each of them once per checkpoint instead of once per transaction.
    ///
    /// A load into a store that holds no version yet (a first import) runs with a rollback journal instead, when no
    /// other connection has the store open: the pages it adds to the file are then written once, where the log
    /// writes every page twice (into the log, then into the file). The journal only keeps the few pages a
    /// transaction changes that an earlier one wrote, so a crash still loses no committed batch. Afterwards the
    /// store is back in WAL mode. 10,000 studies: ~0.4 s less system time and no final checkpoint. While it runs,
    /// other processes cannot open the store (`StoreError.busy` says why), where the log would let them read.
    ///
    /// FTS5 also keeps up to `ftsHashBytes` of new terms in memory (instead of 1 MiB) before it writes them as a
    /// segment: a batch of 4,000 studies then makes one segment rather than dozens for FTS5 to merge again
    /// (inserting the full-text rows of 10,000 real-record clones in batches of 4,000: 1.13 → 0.82 s of CPU).
    public func withBulkLoad<T>(walPages: Int = 65_536, ftsHashBytes: Int = 32 << 20, _ body: () throws -> T) throws -> T {
        func set(walPages: Int, ftsHashBytes: Int) throws {
            do {
                try writer.writeWithoutTransaction { db in
                    try db.execute(sql: "PRAGMA wal_autocheckpoint = \(walPages)")
                    try db.execute(sql: "INSERT INTO search_fts (search_fts, rank) VALUES ('hashsize', \(ftsHashBytes))")
                }
            } catch { throw StoreError.wrap(error, path: path) }
        }
        guard path != ":memory:" else { return try body() }
        try set(walPages: walPages, ftsHashBytes: ftsHashBytes)
        let journaled = (try? writer.writeWithoutTransaction(Store.enterRollbackJournalIfEmpty)) ?? false
        defer {
            if journaled {
                try? writer.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
            }
            try? set(walPages: 1_000, ftsHashBytes: 1 << 20)
        }
        return try body()
    }

    /// Switches an empty store to a rollback journal; true when it did. Never waits: another connection holding
    /// the file (a reader elsewhere) leaves the store in WAL mode.
    private static func enterRollbackJournalIfEmpty(_ db: Database) throws -> Bool {
        guard try Bool.fetchOne(db, sql: "SELECT NOT EXISTS (SELECT 1 FROM versions)") == true else { return false }
        let timeout = try Int.fetchOne(db, sql: "PRAGMA busy_timeout") ?? 0
        try db.execute(sql: "PRAGMA busy_timeout = 0")
        defer { try? db.execute(sql: "PRAGMA busy_timeout = \(timeout)") }
        let mode = try? String.fetchOne(db, sql: "PRAGMA journal_mode = DELETE")
        return mode?.lowercased() == "delete"
    }

    /// Moves the write-ahead log into the database file, so that the file's size tells what the data takes.
    public func checkpoint() throws {
        do {
            try writer.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        } catch { throw StoreError.wrap(error, path: path) }
    }

    /// Runs SQLite's own consistency check; "ok" when the file is sound.
    public func integrityCheck() throws -> String {
        try read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ") }
    }

    // MARK: - Aliases

    /// True when versions of `id` itself are stored (not through an alias).
    public func contains(_ id: NCTID) throws -> Bool {
        try read { db in
            try Bool.fetchOne(db, sql: "SELECT 1 FROM studies WHERE nct_id = ?", arguments: [id.rawValue]) ?? false
        }
    }

    /// The canonical id for `id` (itself unless it is a recorded alias).
    public func resolve(_ id: NCTID) throws -> NCTID {
        let canonical = try read { db in
            try String.fetchOne(db, sql: "SELECT canonical FROM aliases WHERE alias = ?", arguments: [id.rawValue])
        }
        return canonical.flatMap(NCTID.init) ?? id
    }

    // MARK: - Watches

    public func addWatch(name: String, query: StudyQuery, at date: Date = Date()) throws {
        let queryJSON = String(decoding: try JSONEncoder().encode(query), as: UTF8.self)
        try write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM watches WHERE name = ?", arguments: [name]) == true {
                throw StoreError.watchExists(name)
            }
            try db.execute(sql: "INSERT INTO watches (name, query, created_at) VALUES (?, ?, ?)",
                           arguments: [name, queryJSON, Store.timestamp(date)])
        }
    }

    public func removeWatch(name: String) throws {
        try write { db in
            try db.execute(sql: "DELETE FROM watches WHERE name = ?", arguments: [name])
            if db.changesCount == 0 { throw StoreError.unknownWatch(name) }
        }
    }

    public func watches() throws -> [Watch] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT w.*, (SELECT count(*) FROM watch_studies ws WHERE ws.watch = w.name AND ws.state = 'member') AS n
                FROM watches w ORDER BY name
                """).map(Store.watch)
        }
    }

    public func watch(named name: String) throws -> Watch {
        let found = try read { db in
            try Row.fetchOne(db, sql: """
                SELECT w.*, (SELECT count(*) FROM watch_studies ws WHERE ws.watch = w.name AND ws.state = 'member') AS n
                FROM watches w WHERE name = ?
                """, arguments: [name]).map(Store.watch)
        }
        guard let found else { throw StoreError.unknownWatch(name) }
        return found
    }

    private static func watch(_ row: Row) throws -> Watch {
        let query = try JSONDecoder().decode(StudyQuery.self, from: Data((row["query"] as String).utf8))
        return Watch(name: row["name"], query: query, cursor: row["cursor"], createdAt: row["created_at"],
                     lastSyncAt: row["last_sync_at"], studyCount: row["n"], lastFullAt: row["last_full_at"],
                     reconcileBudget: row["reconcile_budget"])
    }

    /// Moves a watch's cursor after a complete run (never backwards).
    public func completeWatchSync(name: String, cursor: String?, at date: Date = Date()) throws {
        try write { db in
            try db.execute(sql: """
                UPDATE watches SET last_sync_at = ?,
                    cursor = CASE WHEN ? IS NULL THEN cursor WHEN cursor IS NULL OR ? > cursor THEN ? ELSE cursor END
                WHERE name = ?
                """, arguments: [Store.timestamp(date), cursor, cursor, cursor, name])
        }
    }

    // MARK: - Runs

    public func beginRun(at date: Date = Date()) throws -> Int64 {
        try write { db in
            try db.execute(sql: "INSERT INTO sync_runs (started_at) VALUES (?)", arguments: [Store.timestamp(date)])
            return db.lastInsertedRowID
        }
    }

    public func finishRun(_ id: Int64, outcome: String, summary: JSONValue, at date: Date = Date()) throws {
        try write { db in
            try db.execute(sql: "UPDATE sync_runs SET finished_at = ?, outcome = ?, summary = ? WHERE id = ?",
                           arguments: [Store.timestamp(date), outcome, summary.compactString(), id])
        }
    }
}
