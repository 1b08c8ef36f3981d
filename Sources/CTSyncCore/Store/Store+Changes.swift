import Foundation
import GRDB

/// A change as the change log keeps it: which study, which versions, when.
public struct LoggedChange: Sendable, Codable, Equatable {
    public var id: Int64
    public var detectedAt: String
    public var nctId: String
    public var fromVersion: Int?
    public var toVersion: Int?
    /// The watch an event belongs to (left, removed, …); nil for content changes, which belong to the study.
    public var watch: String?
    public var change: Change

    enum CodingKeys: String, CodingKey {
        case id, detectedAt, nctId, fromVersion, toVersion, watch
        case path, kind, old, new, significance, category, text
    }

    public init(id: Int64, detectedAt: String, nctId: String, fromVersion: Int?, toVersion: Int?, watch: String?,
                change: Change) {
        self.id = id
        self.detectedAt = detectedAt
        self.nctId = nctId
        self.fromVersion = fromVersion
        self.toVersion = toVersion
        self.watch = watch
        self.change = change
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(Int64.self, forKey: .id)
        detectedAt = try c.decode(String.self, forKey: .detectedAt)
        nctId = try c.decode(String.self, forKey: .nctId)
        fromVersion = try c.decodeIfPresent(Int.self, forKey: .fromVersion)
        toVersion = try c.decodeIfPresent(Int.self, forKey: .toVersion)
        watch = try c.decodeIfPresent(String.self, forKey: .watch)
        change = try Change(from: decoder)
    }

    /// Flat: the change's keys beside the log's.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(detectedAt, forKey: .detectedAt)
        try c.encode(nctId, forKey: .nctId)
        try c.encode(fromVersion, forKey: .fromVersion)
        try c.encode(toVersion, forKey: .toVersion)
        try c.encode(watch, forKey: .watch)
        try change.encode(to: encoder)
    }
}

/// An alert: which watch, which kinds of change, and where they go.
public struct Alert: Sendable, Codable, Equatable {
    public enum Channel: String, Sendable, Codable {
        case webhook, ndjson, atom
    }

    public var name: String
    public var watch: String
    /// Categories to deliver (`Change.Category` raw values), or `["any"]`.
    public var on: [String]
    public var channel: Channel
    /// The webhook URL or the file path.
    public var target: String
    public var createdAt: String

    public init(name: String, watch: String, on: [String], channel: Channel, target: String, createdAt: String) {
        self.name = name
        self.watch = watch
        self.on = on
        self.channel = channel
        self.target = target
        self.createdAt = createdAt
    }
}

/// One pending delivery of one change to one alert.
public struct Delivery: Sendable, Equatable {
    public var outboxID: Int64
    public var alert: Alert
    public var change: LoggedChange
    public var attempts: Int

    /// Stable across retries and resends: receivers drop a delivery they have seen.
    public var idempotencyKey: String { "ctsync-\(alert.name)-\(change.id)" }
}

extension Store {
    // MARK: - Logging changes

    /// Logs the changes between a study's previous version and the one just stored, in the storing transaction.
    static func logChanges(_ id: String, from previous: Int, to version: Int, newCompressed: Data, newSize: Int,
                           detector: ChangeDetector, now: String, in db: Database) throws {
        guard let row = try Row.fetchOne(db, sql: "SELECT raw, raw_size FROM versions WHERE nct_id = ? AND version = ?",
                                         arguments: [id, previous]) else { return }
        let old = try JSONParser.parse(try StoredBody.decompress(row["raw"], originalSize: row["raw_size"]))
        let new = try JSONParser.parse(try StoredBody.decompress(newCompressed, originalSize: newSize))
        for change in detector.detect(old, new) {
            try insertChange(change, id: id, from: previous, to: version, watch: nil, now: now, in: db)
        }
    }

    /// Appends one change to the log and queues it for every alert that asks for it.
    @discardableResult
    static func insertChange(_ change: Change, id: String, from: Int?, to: Int?, watch: String?, now: String,
                             in db: Database) throws -> Int64 {
        try db.cachedStatement(sql: """
            INSERT INTO changes (detected_at, nct_id, from_version, to_version, watch, path, kind, significance, category,
                old, new, text)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [now, id, from, to, watch, change.path, change.kind.rawValue,
                                     change.significance.rawValue, change.category.rawValue,
                                     change.old?.compactString(), change.new?.compactString(), change.text])
        let changeID = db.lastInsertedRowID
        guard change.significance > .noise else { return changeID }
        // Alerts on a watch the study is in (or, for a watch event, on that watch) that want this category.
        try db.execute(sql: """
            INSERT OR IGNORE INTO outbox (alert, change_id, state, next_attempt_at)
            SELECT a.name, ?, 'pending', ? FROM alerts a
            WHERE (EXISTS (SELECT 1 FROM json_each(a.categories) WHERE value IN (?, 'any')))
              AND (CASE WHEN ? IS NOT NULL THEN a.watch = ?
                        ELSE EXISTS (SELECT 1 FROM watch_studies w WHERE w.watch = a.watch AND w.nct_id = ?
                                     AND w.state = 'member') END)
            """, arguments: [changeID, now, change.category.rawValue, watch, watch, id])
        return changeID
    }

    /// The change log, oldest first: since a date (`yyyy-MM-dd` or a timestamp), for one watch's studies, at or above
    /// a significance.
    public func changes(since: String? = nil, watch: String? = nil, minimum: Change.Significance = .noise,
                        nctId: String? = nil) throws -> [LoggedChange] {
        if let watch { _ = try self.watch(named: watch) }
        let levels = Change.Significance.allCases.filter { $0 >= minimum }.map(\.rawValue)
        return try read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM changes c
                WHERE (? IS NULL OR c.detected_at >= ?)
                  AND (? IS NULL OR c.nct_id = ?)
                  AND c.significance IN (\(levels.map { _ in "?" }.joined(separator: ",")))
                  AND (? IS NULL OR c.watch = ? OR (c.watch IS NULL AND EXISTS
                        (SELECT 1 FROM watch_studies w WHERE w.watch = ? AND w.nct_id = c.nct_id)))
                ORDER BY c.id
                """, arguments: StatementArguments([since, since, nctId, nctId] + levels + [watch, watch, watch])).map(Store.loggedChange)
        }
    }

    static func loggedChange(_ row: Row) throws -> LoggedChange {
        func json(_ text: String?) -> JSONValue? { text.flatMap { try? JSONParser.parse($0) } }
        let change = Change(path: row["path"], kind: Change.Kind(rawValue: row["kind"]) ?? .changed,
                            old: json(row["old"]), new: json(row["new"]),
                            significance: Change.Significance(rawValue: row["significance"]) ?? .minor,
                            category: Change.Category(rawValue: row["category"]) ?? .other, text: row["text"])
        return LoggedChange(id: row["id"], detectedAt: row["detected_at"], nctId: row["nct_id"],
                            fromVersion: row["from_version"], toVersion: row["to_version"], watch: row["watch"],
                            change: change)
    }

    /// The id of the latest logged change (0 when there is none).
    public func lastChangeID() throws -> Int64 {
        try read { db in try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM changes") ?? 0 }
    }

    /// How many changes were logged after change `id`.
    public func changeCount(after id: Int64) throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM changes WHERE id > ?", arguments: [id]) ?? 0 }
    }

    // MARK: - Alerts

    public func addAlert(_ alert: Alert) throws {
        let categories = JSONValue.canonicalString(of: alert.on)
        try write { db in
            _ = try Store.watchExists(alert.watch, in: db)
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM alerts WHERE name = ?", arguments: [alert.name]) == true {
                throw StoreError.alertExists(alert.name)
            }
            try db.execute(sql: "INSERT INTO alerts (name, watch, categories, channel, target, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [alert.name, alert.watch, categories, alert.channel.rawValue, alert.target, alert.createdAt])
        }
    }

    public func alerts() throws -> [Alert] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM alerts ORDER BY name").map { try Store.alert($0) } }
    }

    public func removeAlert(name: String) throws {
        try write { db in
            try db.execute(sql: "DELETE FROM outbox WHERE alert = ?", arguments: [name])
            try db.execute(sql: "DELETE FROM alerts WHERE name = ?", arguments: [name])
            if db.changesCount == 0 { throw StoreError.unknownAlert(name) }
        }
    }

    /// An alert from a row of `alerts`, or from a join whose alert columns carry `prefix`.
    static func alert(_ row: Row, prefix: String = "") throws -> Alert {
        let on = (try JSONParser.parse(row[prefix + "categories"] as String)).arrayValue?.compactMap(\.stringValue) ?? []
        return Alert(name: row[prefix + "name"], watch: row[prefix + "watch"], on: on,
                     channel: Alert.Channel(rawValue: row[prefix + "channel"]) ?? .ndjson,
                     target: row[prefix + "target"], createdAt: row[prefix + "created_at"])
    }

    static func watchExists(_ name: String, in db: Database) throws -> Bool {
        guard try Bool.fetchOne(db, sql: "SELECT 1 FROM watches WHERE name = ?", arguments: [name]) == true else {
            throw StoreError.unknownWatch(name)
        }
        return true
    }

    // MARK: - Outbox

    /// Deliveries waiting, oldest first: only those due at `now` unless `ignoringBackoff`.
    public func pendingDeliveries(now date: Date = Date(), ignoringBackoff: Bool = false, alert: String? = nil) throws -> [Delivery] {
        let now = Store.timestamp(date)
        return try read { db in
            try Row.fetchAll(db, sql: """
                SELECT o.id AS outbox_id, o.attempts, a.name AS alert_name, a.watch AS alert_watch,
                       a.categories AS alert_categories, a.channel AS alert_channel, a.target AS alert_target,
                       a.created_at AS alert_created_at, c.*
                FROM outbox o JOIN alerts a ON a.name = o.alert JOIN changes c ON c.id = o.change_id
                WHERE o.state = 'pending' AND (? OR o.next_attempt_at IS NULL OR o.next_attempt_at <= ?)
                  AND (? IS NULL OR a.name = ?)
                ORDER BY o.id
                """, arguments: [ignoringBackoff, now, alert, alert]).map { row in
                Delivery(outboxID: row["outbox_id"], alert: try Store.alert(row, prefix: "alert_"),
                         change: try Store.loggedChange(row), attempts: row["attempts"])
            }
        }
    }

    /// Records deliveries as done: they are never sent again.
    public func markDelivered(_ outboxIDs: [Int64], at date: Date = Date()) throws {
        let now = Store.timestamp(date)
        try write { db in
            for id in outboxIDs {
                try db.execute(sql: "UPDATE outbox SET state = 'delivered', delivered_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?",
                               arguments: [now, id])
            }
        }
    }

    /// Records a failed attempt: the delivery stays pending until `retryAt`.
    public func markFailed(_ outboxIDs: [Int64], error: String, retryAt: Date) throws {
        try write { db in
            for id in outboxIDs {
                try db.execute(sql: "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?",
                               arguments: [error, Store.timestamp(retryAt), id])
            }
        }
    }

    /// Pending deliveries with their last error, for `ctsync alerts pending`.
    public struct PendingDelivery: Sendable, Codable, Equatable {
        public var alert: String
        public var changeId: Int64
        public var nctId: String
        public var text: String
        public var attempts: Int
        public var nextAttemptAt: String?
        public var lastError: String?
    }

    public func pending() throws -> [PendingDelivery] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT o.alert, o.change_id, c.nct_id, c.text, o.attempts, o.next_attempt_at, o.last_error
                FROM outbox o JOIN changes c ON c.id = o.change_id WHERE o.state = 'pending' ORDER BY o.id
                """).map { row in
                PendingDelivery(alert: row["alert"], changeId: row["change_id"], nctId: row["nct_id"], text: row["text"],
                                attempts: row["attempts"], nextAttemptAt: row["next_attempt_at"], lastError: row["last_error"])
            }
        }
    }

    /// The changes already delivered to an alert, newest first (for rebuilding an Atom feed).
    public func delivered(to alert: String, limit: Int) throws -> [LoggedChange] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT c.* FROM outbox o JOIN changes c ON c.id = o.change_id
                WHERE o.alert = ? AND o.state = 'delivered' ORDER BY c.id DESC LIMIT ?
                """, arguments: [alert, limit]).map(Store.loggedChange)
        }
    }
}
