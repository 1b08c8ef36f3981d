import Foundation
import GRDB

/// Something that happened to a study's place in a watch or in the registry, kept in the change log.
public struct ChangeEvent: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable {
        /// The study no longer matches the watch's query (kept, with all its versions).
        case leftWatch
        /// A study that had left the watch matches it again.
        case returned
        /// The registry answers 404 for the study (kept, with all its versions).
        case removedFromRegistry
        /// The id became an alias of another study (301): its history continues under the canonical id.
        case aliased
    }

    public var recordedAt: String
    public var nctId: String
    public var watch: String?
    public var kind: Kind
    public var detail: String?
}

/// The state of one watch, for `ctsync watch status`.
public struct WatchStatus: Sendable, Codable, Equatable {
    public var name: String
    public var query: String
    public var studies: Int
    public var lastSync: String?
    public var lastFullListing: String?
    public var oldestLastChecked: String?
    public var reconcileBudget: Int?
    public var left: [String]
    public var removed: [String]
}

extension Store {
    // MARK: - Membership

    /// Adds `id` to a watch, or brings it back (with a `returned` event) if it had left.
    static func join(watch: String, id: String, now: String, in db: Database) throws {
        let state = try String.fetchOne(db, sql: "SELECT state FROM watch_studies WHERE watch = ? AND nct_id = ?",
                                        arguments: [watch, id])
        switch state {
        case nil:
            try db.execute(sql: "INSERT INTO watch_studies (watch, nct_id, state, state_since) VALUES (?, ?, 'member', ?)",
                           arguments: [watch, id, now])
        case "member":
            break
        default:
            try db.execute(sql: "UPDATE watch_studies SET state = 'member', state_since = ? WHERE watch = ? AND nct_id = ?",
                           arguments: [now, watch, id])
            try event(.returned, id: id, watch: watch, detail: "was \(state!)", now: now, in: db)
        }
    }

    static func event(_ kind: ChangeEvent.Kind, id: String, watch: String?, detail: String?, now: String,
                      in db: Database) throws {
        let json = detail.map { JSONValue.object(["note": .string($0)]).compactString() }
        try db.execute(sql: "INSERT INTO change_events (recorded_at, nct_id, watch, kind, detail) VALUES (?, ?, ?, ?, ?)",
                       arguments: [now, id, watch, kind.rawValue, json])
        // The same event in the change log, where alerts that ask for `membership` pick it up.
        let text: String
        switch kind {
        case .leftWatch: text = "Left the watch \(watch ?? "")"
        case .returned: text = "Returned to the watch \(watch ?? "")"
        case .removedFromRegistry: text = "No longer served by the registry (404)"
        case .aliased: text = "Became an alias: \(detail ?? "")"
        }
        try insertChange(Change(path: "membership", kind: .changed, old: nil, new: .string(kind.rawValue),
                                significance: .major, category: .membership, text: text),
                         id: id, from: nil, to: nil, watch: watch, now: now, in: db)
    }

    /// The ids currently in a watch (not those that left or were removed).
    public func members(of watch: String) throws -> Set<String> {
        try read { db in
            Set(try String.fetchAll(db, sql: "SELECT nct_id FROM watch_studies WHERE watch = ? AND state = 'member'",
                                    arguments: [watch]))
        }
    }

    /// Marks a study as having left a watch's results (kept, with its versions); records `leftWatch`.
    public func markLeft(_ id: NCTID, watch: String, at date: Date = Date()) throws {
        let now = Store.timestamp(date)
        try write { db in
            try db.execute(sql: """
                UPDATE watch_studies SET state = 'left', state_since = ? WHERE watch = ? AND nct_id = ? AND state <> 'left'
                """, arguments: [now, watch, id.rawValue])
            if db.changesCount > 0 {
                try Store.event(.leftWatch, id: id.rawValue, watch: watch, detail: nil, now: now, in: db)
            }
        }
    }

    /// Marks a study the registry no longer serves (404): kept, with the date, and a `removedFromRegistry` event.
    public func markRemoved(_ id: NCTID, at date: Date = Date()) throws {
        let now = Store.timestamp(date)
        try write { db in
            try db.execute(sql: "UPDATE studies SET removed_at = ?, last_checked_at = ? WHERE nct_id = ? AND removed_at IS NULL",
                           arguments: [now, now, id.rawValue])
            guard db.changesCount > 0 else { return }
            let watches = try String.fetchAll(db, sql: "SELECT watch FROM watch_studies WHERE nct_id = ?", arguments: [id.rawValue])
            try db.execute(sql: "UPDATE watch_studies SET state = 'removed', state_since = ? WHERE nct_id = ?",
                           arguments: [now, id.rawValue])
            if watches.isEmpty {
                try Store.event(.removedFromRegistry, id: id.rawValue, watch: nil, detail: "404", now: now, in: db)
            }
            for w in watches {
                try Store.event(.removedFromRegistry, id: id.rawValue, watch: w, detail: "404", now: now, in: db)
            }
        }
    }

    /// Records that `alias` now answers with `canonical` (a 301), and continues the alias's stored history under the
    /// canonical id: its versions are merged into the canonical study's, in the order they were fetched, and its
    /// watch memberships move over. No removal or addition is reported, only an `aliased` event.
    public func mergeAlias(_ alias: NCTID, into canonical: NCTID, at date: Date = Date()) throws {
        guard alias != canonical else { return }
        let now = Store.timestamp(date)
        try write { db in
            // Versions move to the canonical id before its study row may exist: check keys at commit.
            try db.execute(sql: "PRAGMA defer_foreign_keys = ON")
            try db.execute(sql: """
                INSERT INTO aliases (alias, canonical, recorded_at) VALUES (?, ?, ?)
                ON CONFLICT (alias) DO UPDATE SET canonical = excluded.canonical
                """, arguments: [alias.rawValue, canonical.rawValue, now])
            let had = try Int.fetchOne(db, sql: "SELECT count(*) FROM versions WHERE nct_id = ?", arguments: [alias.rawValue]) ?? 0
            guard had > 0 else { return }
            let watches = try String.fetchAll(db, sql: "SELECT watch FROM watch_studies WHERE nct_id = ?", arguments: [alias.rawValue])
            // The registry's own version numbers belong to the alias's old record: they would collide with the
            // canonical study's (UNIQUE(nct_id, registry_version)), so the merged rows drop them.
            try db.execute(sql: "UPDATE versions SET registry_version = NULL, registry_date = NULL WHERE nct_id = ?",
                           arguments: [alias.rawValue])
            // Renumber both histories together: first out of the way of UNIQUE(nct_id, version), then 1…n.
            try db.execute(sql: "UPDATE versions SET version = version + 1000000000 WHERE nct_id IN (?, ?)",
                           arguments: [alias.rawValue, canonical.rawValue])
            let ids = try Int64.fetchAll(db, sql: """
                SELECT id FROM versions WHERE nct_id IN (?, ?) ORDER BY fetched_at, (nct_id = ?) DESC, version
                """, arguments: [alias.rawValue, canonical.rawValue, alias.rawValue])
            for (n, rowID) in ids.enumerated() {
                try db.execute(sql: "UPDATE versions SET nct_id = ?, version = ? WHERE id = ?",
                               arguments: [canonical.rawValue, n + 1, rowID])
            }
            let canonicalExists = try Bool.fetchOne(db, sql: "SELECT 1 FROM studies WHERE nct_id = ?",
                                                    arguments: [canonical.rawValue]) ?? false
            if !canonicalExists {
                // The canonical study was not fetched yet: the alias's row becomes it.
                try db.execute(sql: "UPDATE studies SET nct_id = ? WHERE nct_id = ?",
                               arguments: [canonical.rawValue, alias.rawValue])
            }
            // The current state follows whichever version is now the latest (hash and key fields).
            if let last = try Row.fetchOne(db, sql: "SELECT raw, raw_size, content_hash FROM versions WHERE nct_id = ? AND version = ?",
                                           arguments: [canonical.rawValue, ids.count]) {
                // That version may be the alias's document, which names the alias: read its fields under the
                // canonical id, and keep its own content hash as the latest.
                let json = try JSONParser.parse(try StoredBody.decompress(last["raw"], originalSize: last["raw_size"]))
                    .setting(path: "protocolSection.identificationModule.nctId", to: .string(canonical.rawValue))
                try Store.upsertState(try PreparedRecord(try StudyRecord(json: json)), version: ids.count, now: now, in: db)
                try db.execute(sql: "UPDATE studies SET latest_hash = ? WHERE nct_id = ?",
                               arguments: [last["content_hash"] as String, canonical.rawValue])
            }
            for w in watches {
                try db.execute(sql: "DELETE FROM watch_studies WHERE watch = ? AND nct_id = ?", arguments: [w, alias.rawValue])
                try Store.join(watch: w, id: canonical.rawValue, now: now, in: db)
                try Store.event(.aliased, id: alias.rawValue, watch: w, detail: "now \(canonical.rawValue)", now: now, in: db)
            }
            if watches.isEmpty {
                try Store.event(.aliased, id: alias.rawValue, watch: nil, detail: "now \(canonical.rawValue)", now: now, in: db)
            }
            try db.execute(sql: "DELETE FROM studies WHERE nct_id = ?", arguments: [alias.rawValue])
        }
    }

    // MARK: - Reconciliation

    /// The `limit` studies of a watch checked least recently (never-checked first), still served by the registry.
    public func leastRecentlyChecked(watch: String, limit: Int) throws -> [NCTID] {
        try read { db in
            try String.fetchAll(db, sql: """
                SELECT s.nct_id FROM watch_studies w JOIN studies s ON s.nct_id = w.nct_id
                WHERE w.watch = ? AND w.state = 'member' AND s.removed_at IS NULL
                ORDER BY s.last_checked_at IS NOT NULL, s.last_checked_at, s.nct_id LIMIT ?
                """, arguments: [watch, limit]).compactMap(NCTID.init)
        }
    }

    /// Records that studies were checked now (for ids the registry answered without a new version).
    public func markChecked(_ ids: [NCTID], at date: Date = Date()) throws {
        let now = Store.timestamp(date)
        try write { db in
            for id in ids {
                try db.execute(sql: "UPDATE studies SET last_checked_at = ? WHERE nct_id = ?", arguments: [now, id.rawValue])
            }
        }
    }

    /// Sets how many studies a watch re-checks on every sync (nil: only with `sync --reconcile`).
    public func setReconcileBudget(watch: String, _ budget: Int?) throws {
        try write { db in
            try db.execute(sql: "UPDATE watches SET reconcile_budget = ? WHERE name = ?", arguments: [budget, watch])
            if db.changesCount == 0 { throw StoreError.unknownWatch(watch) }
        }
    }

    /// Records a complete full listing of a watch.
    public func completeFullListing(watch: String, at date: Date = Date()) throws {
        try write { db in
            try db.execute(sql: "UPDATE watches SET last_full_at = ? WHERE name = ?", arguments: [Store.timestamp(date), watch])
        }
    }

    /// The change events recorded since `since` (an ISO date or timestamp), oldest first.
    public func events(since: String? = nil, watch: String? = nil) throws -> [ChangeEvent] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM change_events WHERE (? IS NULL OR recorded_at >= ?) AND (? IS NULL OR watch = ?) ORDER BY id
                """, arguments: [since, since, watch, watch]).map { row in
                let detail: String? = row["detail"]
                return ChangeEvent(recordedAt: row["recorded_at"], nctId: row["nct_id"], watch: row["watch"],
                                   kind: ChangeEvent.Kind(rawValue: row["kind"]) ?? .leftWatch,
                                   detail: detail.flatMap { try? JSONParser.parse($0)["note"]?.stringValue })
            }
        }
    }

    /// The id of the latest change event (0 when there is none): events after it are a run's own.
    public func lastEventID() throws -> Int64 {
        try read { db in try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM change_events") ?? 0 }
    }

    /// How many events of each kind were recorded after event `id`.
    public func eventCounts(after id: Int64) throws -> [ChangeEvent.Kind: Int] {
        try read { db in
            var counts: [ChangeEvent.Kind: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT kind, count(*) AS n FROM change_events WHERE id > ? GROUP BY kind",
                                        arguments: [id]) {
                if let kind = ChangeEvent.Kind(rawValue: row["kind"]) { counts[kind] = row["n"] }
            }
            return counts
        }
    }

    /// What `ctsync watch status` shows.
    public func status(ofWatch name: String) throws -> WatchStatus {
        let w = try watch(named: name)
        return try read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT count(*) AS n, min(coalesce(s.last_checked_at, '')) AS oldest, wa.last_full_at, wa.reconcile_budget
                FROM watches wa LEFT JOIN watch_studies ws ON ws.watch = wa.name AND ws.state = 'member'
                LEFT JOIN studies s ON s.nct_id = ws.nct_id WHERE wa.name = ?
                """, arguments: [name])!
            let left = try String.fetchAll(db, sql: "SELECT nct_id FROM watch_studies WHERE watch = ? AND state = 'left' ORDER BY nct_id",
                                           arguments: [name])
            let removed = try String.fetchAll(db, sql: "SELECT nct_id FROM watch_studies WHERE watch = ? AND state = 'removed' ORDER BY nct_id",
                                              arguments: [name])
            let oldest: String? = row["oldest"]
            return WatchStatus(name: name, query: w.query.summary, studies: row["n"], lastSync: w.lastSyncAt,
                               lastFullListing: row["last_full_at"], oldestLastChecked: oldest?.isEmpty == false ? oldest : nil,
                               reconcileBudget: row["reconcile_budget"], left: left, removed: removed)
        }
    }
}
