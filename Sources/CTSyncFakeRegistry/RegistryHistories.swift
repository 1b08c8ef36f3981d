import CTSyncCore
import Foundation

/// The fake registry's record histories, served as the website's internal API does (NOTES §4):
/// `GET /api/int/studies/{NCT}?history=true` → `{"study": …, "history": {"changes": [{version, date, status,
/// moduleLabels}]}}` and `GET /api/int/studies/{NCT}/history/{v}` → `{"studyVersion": v, "study": …}`.
///
/// Every history is built in code from real records, never invented:
/// - a study given one with `set(_:versions:)` serves those versions (0 = the earliest), each dated by its own
///   `lastUpdatePostDateStruct.date`; `RegistryHistories.real(…)` builds the two that have real snapshots;
/// - any other study the registry serves has a two-version history derived from its current record: version 0 is
///   `RecordRecipes.status` to NOT_YET_RECRUITING (RECRUITING when it already is NOT_YET_RECRUITING), posted on
///   its `studyFirstPostDateStruct.date`; version 1 is the current record.
/// The last version of every history is the record `GET /api/v2/studies/{id}` serves, so a synced copy and the
/// registry's latest version have the same content hash.
public final class RegistryHistories: @unchecked Sendable {
    private let lock = NSLock()
    private var explicit: [String: [JSONValue]] = [:]
    private var indexBodies: [String: Data] = [:]

    public init() {}

    /// Serves `versions` (oldest first) as the history of `id`.
    public func set(_ id: String, versions: [JSONValue]) {
        lock.withLock { explicit[id] = versions }
    }

    /// Answers the version list of `id` with this body instead (to test odd or broken shapes).
    public func overrideIndex(_ id: String, body: Data) {
        lock.withLock { indexBodies[id] = body }
    }

    /// The versions of `id`, oldest first, given its current record.
    public func versions(of id: String, current: JSONValue?) -> [JSONValue] {
        if let list = lock.withLock({ explicit[id] }) { return list }
        guard let current else { return [] }
        return RegistryHistories.derived(from: current)
    }

    /// The default history of a study: its first posting with an earlier status, then the current record.
    public static func derived(from current: JSONValue) -> [JSONValue] {
        let status = current[path: "protocolSection.statusModule.overallStatus"]?.stringValue
        let first = current[path: "protocolSection.statusModule.studyFirstPostDateStruct.date"]?.stringValue
            ?? current[path: "protocolSection.statusModule.lastUpdatePostDateStruct.date"]?.stringValue ?? "2000-01-01"
        let earlier = RecordRecipes.status(current, to: status == "NOT_YET_RECRUITING" ? "RECRUITING" : "NOT_YET_RECRUITING",
                                           posted: first)
        return [earlier, current]
    }

    /// Histories from the real snapshots in `records/history`:
    /// - NCT00763412: v0 = the 2023-11-28 snapshot with status RECRUITING and enrollment ESTIMATED, posted
    ///   2008-10-01 (its first posting); v1 = the same with status ACTIVE_NOT_RECRUITING and enrollment ACTUAL,
    ///   posted 2011-03-01; v2 = the real 2023-11-28 snapshot; v3 = the real 2024-01-03 snapshot (what
    ///   `/api/v2` serves; only derived MeSH data and `versionHolder` differ from v2).
    /// - NCT02552212: v0 = the 2023-12-12 snapshot with status RECRUITING, posted 2015-09-17 (its first posting);
    ///   v1 = the same with one more inclusion criterion ("Able to attend follow-up visits"), posted 2018-04-02;
    ///   v2 = the real 2023-12-12 snapshot (what `/api/v2` serves).
    public static func real(records: URL) throws -> [String: [JSONValue]] {
        func load(_ path: String) throws -> JSONValue {
            try JSONParser.parse(try Data(contentsOf: records.appendingPathComponent("history/" + path)))
        }
        let a1 = try load("NCT00763412/NCT00763412_v2_versionHolder-2023-11-28.json")
        let a2 = try load("NCT00763412/NCT00763412_v2_versionHolder-2024-01-03.json")
        let count = a1[path: "protocolSection.designModule.enrollmentInfo.count"]?.intValue ?? 0
        let a0 = RecordRecipes.enrollment(RecordRecipes.status(a1, to: "RECRUITING", posted: "2008-10-01"),
                                          count: count, type: "ESTIMATED", posted: "2008-10-01")
        let a0b = RecordRecipes.enrollment(RecordRecipes.status(a1, to: "ACTIVE_NOT_RECRUITING", posted: "2011-03-01"),
                                           count: count, type: "ACTUAL", posted: "2011-03-01")
        let b2 = try load("NCT02552212/NCT02552212_v2_versionHolder-2023-12-12.json")
        let b0 = RecordRecipes.status(b2, to: "RECRUITING", posted: "2015-09-17")
        let b1 = RecordRecipes.addInclusionCriterion(b2, "Able to attend follow-up visits", posted: "2018-04-02")
        return ["NCT00763412": [a0, a0b, a1, a2], "NCT02552212": [b0, b1, b2]]
    }

    // MARK: - Serving

    func respond(path: String, parameters: [String: String], current: (String) -> JSONValue?) -> Response {
        // /studies/{NCT} or /studies/{NCT}/history/{v}
        let parts = path.split(separator: "/").map(String.init)
        guard parts.count >= 2, parts[0] == "studies" else { return Response(status: 404, text: "Not Found") }
        let id = parts[1].uppercased()
        let study = current(id)
        let list = versions(of: id, current: study)
        if parts.count == 2 {
            if let body = lock.withLock({ indexBodies[id] }) {
                return Response(status: 200, body: body, type: "application/json")
            }
            guard parameters["history"] == "true" else {
                return Response(status: 200, body: (study ?? .null).canonicalData(), type: "application/json")
            }
            guard !list.isEmpty else { return Response(status: 404, text: "Study not found: \(id)") }
            let changes = list.enumerated().map { n, v -> JSONValue in
                .object([
                    "version": .int(Int64(n)),
                    "date": v[path: "protocolSection.statusModule.lastUpdatePostDateStruct.date"] ?? .null,
                    "status": v[path: "protocolSection.statusModule.overallStatus"] ?? .null,
                    "moduleLabels": .array([.string("Study Status")]),
                ])
            }
            let body = JSONValue.object(["study": list.last!, "history": .object(["changes": .array(changes)])])
            return Response(status: 200, body: body.canonicalData(), type: "application/json")
        }
        guard parts.count == 4, parts[2] == "history", let v = Int(parts[3]) else {
            return Response(status: 404, text: "Not Found")
        }
        guard list.indices.contains(v) else { return Response(status: 404, text: "Version not found: \(id) v\(v)") }
        let body = JSONValue.object(["studyVersion": .int(Int64(v)), "study": list[v]])
        return Response(status: 200, body: body.canonicalData(), type: "application/json")
    }
}
