import Foundation

/// What a webhook receives (one HTTP POST per change) and what an NDJSON line holds (documented in the README).
public struct AlertPayload: Sendable, Codable, Equatable {
    /// The same for every resend of this change to this alert: receivers drop one they have seen.
    public var idempotencyKey: String
    public var alert: String
    public var watch: String
    public var nctId: String
    /// The study's page on the registry.
    public var url: String
    public var detectedAt: String
    public var fromVersion: Int?
    public var toVersion: Int?
    public var path: String
    public var kind: String
    public var significance: String
    public var category: String
    public var old: JSONValue?
    public var new: JSONValue?
    /// One line a chat tool can show as it is: "NCT04467047 — Overall status: Recruiting → Completed".
    public var text: String

    public init(_ d: Delivery) {
        idempotencyKey = d.idempotencyKey
        alert = d.alert.name
        watch = d.alert.watch
        nctId = d.change.nctId
        url = "https://clinicaltrials.gov/study/\(d.change.nctId)"
        detectedAt = d.change.detectedAt
        fromVersion = d.change.fromVersion
        toVersion = d.change.toVersion
        path = d.change.change.path
        kind = d.change.change.kind.rawValue
        significance = d.change.change.significance.rawValue
        category = d.change.change.category.rawValue
        old = d.change.change.old
        new = d.change.change.new
        text = "\(d.change.nctId) — \(d.change.change.text)"
    }

    enum CodingKeys: String, CodingKey {
        case idempotencyKey, alert, watch, nctId, url, detectedAt, fromVersion, toVersion, path, kind, significance
        case category, old, new, text
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        idempotencyKey = try c.decode(String.self, forKey: .idempotencyKey)
        alert = try c.decode(String.self, forKey: .alert)
        watch = try c.decode(String.self, forKey: .watch)
        nctId = try c.decode(String.self, forKey: .nctId)
        url = try c.decode(String.self, forKey: .url)
        detectedAt = try c.decode(String.self, forKey: .detectedAt)
        fromVersion = try c.decodeIfPresent(Int.self, forKey: .fromVersion)
        toVersion = try c.decodeIfPresent(Int.self, forKey: .toVersion)
        path = try c.decode(String.self, forKey: .path)
        kind = try c.decode(String.self, forKey: .kind)
        significance = try c.decode(String.self, forKey: .significance)
        category = try c.decode(String.self, forKey: .category)
        text = try c.decode(String.self, forKey: .text)
    }

    /// Compact JSON with sorted keys, every key present.
    public func jsonData() -> Data {
        var members: JSONObject = [
            "idempotencyKey": .string(idempotencyKey), "alert": .string(alert), "watch": .string(watch),
            "nctId": .string(nctId), "url": .string(url), "detectedAt": .string(detectedAt),
            "fromVersion": fromVersion.map { .int(Int64($0)) } ?? .null, "toVersion": toVersion.map { .int(Int64($0)) } ?? .null,
            "path": .string(path), "kind": .string(kind), "significance": .string(significance),
            "category": .string(category), "text": .string(text),
        ]
        members["old"] = old ?? .null
        members["new"] = new ?? .null
        return JSONValue.object(members).canonicalData()
    }
}
