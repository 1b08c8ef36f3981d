import Foundation
import GRDB

/// What storing one version of the registry's record history did.
public enum BackfillOutcome: Sendable, Equatable {
    /// A version not stored before: added to the study's timeline.
    case added(registryVersion: Int)
    /// Its content was already stored (synced or imported): that version now carries the registry's number and date.
    case matched(registryVersion: Int)
    /// Its content equals another registry version already stored (the registry changed nothing that the API
    /// shows): not stored twice.
    case sameContent(registryVersion: Int)
}

extension Store {
    // MARK: - Record history

    /// The registry version numbers already stored for a study (backfilled or matched).
    public func registryVersions(of id: NCTID) throws -> Set<Int> {
        let canonical = try resolve(id)
        return try read { db in
            Set(try Int.fetchAll(db, sql: "SELECT registry_version FROM versions WHERE nct_id = ? AND registry_version IS NOT NULL",
                                 arguments: [canonical.rawValue]))
        }
    }

    /// Stores versions from the registry's record history of one study in one transaction, then puts the study's
    /// versions in timeline order.
    ///
    /// A version whose content hash equals a stored version is not stored again: the stored one gets the registry's
    /// number and date. The others are added with `source: history`. Then local version numbers are reassigned
    /// 1…n in timeline order — by the registry's date (else the version's `lastUpdatePostDate`, else its fetch day),
    /// registry versions before unnumbered ones on the same day, by registry number, then by the old local number —
    /// so that a backfilled older version never comes after a synced newer one and `diff --from/--to` span the
    /// whole history. `UNIQUE(nct_id, version)` holds throughout. The current-state row follows the latest version.
    @discardableResult
    public func recordHistory(_ id: NCTID, versions: [(RegistryVersion, PreparedRecord)],
                              fetchedAt: Date = Date()) throws -> [BackfillOutcome] {
        let now = Store.timestamp(fetchedAt)
        let nct = id.rawValue
        return try write { db in
            var outcomes: [BackfillOutcome] = []
            var byHash: [String: PreparedRecord] = [:]
            for (registry, record) in versions {
                guard record.nctId == id else {
                    throw StoreError.sqlite(path: path, detail: "history version of \(record.nctId) given for \(nct)")
                }
                byHash[record.contentHash] = record
                if try Bool.fetchOne(db, sql: "SELECT 1 FROM versions WHERE nct_id = ? AND registry_version = ?",
                                     arguments: [nct, registry.version]) == true {
                    outcomes.append(.sameContent(registryVersion: registry.version))
                    continue
                }
                let same = try Row.fetchOne(db, sql: """
                    SELECT id, registry_version FROM versions WHERE nct_id = ? AND content_hash = ?
                    ORDER BY registry_version IS NOT NULL, version LIMIT 1
                    """, arguments: [nct, record.contentHash])
                if let same {
                    if (same["registry_version"] as Int?) == nil {
                        try db.execute(sql: "UPDATE versions SET registry_version = ?, registry_date = ? WHERE id = ?",
                                       arguments: [registry.version, registry.date, same["id"] as Int64])
                        outcomes.append(.matched(registryVersion: registry.version))
                    } else {
                        outcomes.append(.sameContent(registryVersion: registry.version))
                    }
                    continue
                }
                let top = try Int.fetchOne(db, sql: "SELECT max(version) FROM versions WHERE nct_id = ?", arguments: [nct])
                if top == nil {
                    // The study's first stored version: the current-state row must exist first (foreign key).
                    try Store.upsertState(record, version: 1, now: now, in: db)
                }
                try db.execute(sql: """
                    INSERT INTO versions (nct_id, version, fetched_at, last_update_posted, overall_status, content_hash,
                        source, raw_size, raw, registry_version, registry_date)
                    VALUES (?, ?, ?, ?, ?, ?, 'history', ?, ?, ?, ?)
                    """, arguments: [nct, (top ?? 0) + 1, now, record.lastUpdatePosted, record.overallStatus,
                                     record.contentHash, record.rawSize, record.compressed, registry.version, registry.date])
                outcomes.append(.added(registryVersion: registry.version))
            }
            try Store.renumber(nct, byHash: byHash, now: now, in: db)
            return outcomes
        }
    }

    /// Reassigns a study's version numbers 1…n in timeline order and points the current-state row at the last.
    private static func renumber(_ nct: String, byHash: [String: PreparedRecord], now: String, in db: Database) throws {
        struct Item {
            var id: Int64
            var version: Int
            var key: String
            var registryVersion: Int?
            var hash: String
        }
        let rows = try Row.fetchAll(db, sql: """
            SELECT id, version, registry_version, registry_date, last_update_posted, fetched_at, content_hash
            FROM versions WHERE nct_id = ?
            """, arguments: [nct])
        guard !rows.isEmpty else { return }
        var items = rows.map { row -> Item in
            let fetched: String = row["fetched_at"]
            let key: String = row["registry_date"] ?? row["last_update_posted"] ?? String(fetched.prefix(10))
            return Item(id: row["id"], version: row["version"], key: key, registryVersion: row["registry_version"],
                        hash: row["content_hash"])
        }
        items.sort { a, b in
            if a.key != b.key { return a.key < b.key }
            switch (a.registryVersion, b.registryVersion) {
            case let (x?, y?) where x != y: return x < y
            case (_?, nil): return true
            case (nil, _?): return false
            default: return a.version < b.version
            }
        }
        if items.enumerated().contains(where: { $0.offset + 1 != $0.element.version }) {
            // Out of the way first (CHECK version >= 1 rules out negatives), then into place: no UNIQUE clash.
            try db.execute(sql: "UPDATE versions SET version = version + 1000000 WHERE nct_id = ?", arguments: [nct])
            for (n, item) in items.enumerated() {
                try db.execute(sql: "UPDATE versions SET version = ? WHERE id = ?", arguments: [n + 1, item.id])
            }
        }
        let latest = items.last!
        let current = try String.fetchOne(db, sql: "SELECT latest_hash FROM studies WHERE nct_id = ?", arguments: [nct])
        if current == latest.hash {
            try db.execute(sql: "UPDATE studies SET latest_version = ? WHERE nct_id = ?", arguments: [items.count, nct])
            return
        }
        // The latest version changed: rebuild the current-state row from it.
        let record: PreparedRecord
        if let known = byHash[latest.hash] {
            record = known
        } else {
            let row = try Row.fetchOne(db, sql: "SELECT raw, raw_size FROM versions WHERE id = ?", arguments: [latest.id])!
            let data = try StoredBody.decompress(row["raw"], originalSize: row["raw_size"])
            record = try PreparedRecord(try StudyRecord(json: try JSONParser.parse(data)))
        }
        try upsertState(record, version: items.count, now: now, in: db)
    }
}
