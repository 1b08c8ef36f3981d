import Foundation

/// A study as the registry sent it, with its identity and content hash worked out.
public struct StudyRecord: Sendable {
    /// Fields that change without the record changing: left out of the content hash.
    public static let volatilePaths = ["derivedSection.miscInfoModule.versionHolder"]

    public let nctId: NCTID
    /// The whole study document.
    public let json: JSONValue
    /// SHA-256 (hex) of the canonical JSON without the volatile fields: equal hashes mean equal content.
    public let contentHash: String

    /// Builds a record from a v2 study object; fails when it has no usable NCT id.
    public init(json: JSONValue) throws {
        self.nctId = try StudyRecord.identify(json)
        self.json = json
        var stable = json
        for path in StudyRecord.volatilePaths { stable = stable.removing(path: path) }
        self.contentHash = SHA256.hex(stable.canonicalData())
    }

    init(nctId: NCTID, json: JSONValue, contentHash: String) {
        self.nctId = nctId
        self.json = json
        self.contentHash = contentHash
    }

    /// The NCT id of a v2 study object; throws `RecordError` naming the path when it has none.
    static func identify(_ json: JSONValue) throws -> NCTID {
        guard case .object = json else {
            throw RecordError(nctId: nil, path: "", reason: "a study must be a JSON object, not \(json.typeName)")
        }
        guard let protocolSection = json["protocolSection"] else {
            throw RecordError(nctId: nil, path: "protocolSection", reason: "missing")
        }
        guard let idValue = protocolSection[path: "identificationModule.nctId"] else {
            throw RecordError(nctId: nil, path: "protocolSection.identificationModule.nctId", reason: "missing")
        }
        guard let idText = idValue.stringValue, let id = NCTID(idText) else {
            throw RecordError(nctId: nil, path: "protocolSection.identificationModule.nctId",
                              reason: "not an NCT id: \(idValue.compactString())")
        }
        return id
    }

    /// The `lastUpdatePostDateStruct.date` of the record, the registry's incremental-sync key.
    public var lastUpdatePosted: String? {
        json[path: "protocolSection.statusModule.lastUpdatePostDateStruct.date"]?.stringValue
    }

    /// The overall status as the registry spells it (`RECRUITING`, …).
    public var overallStatus: String? {
        json[path: "protocolSection.statusModule.overallStatus"]?.stringValue
    }
}

/// A record that cannot be read: names the study (when known), the JSON path and what is wrong.
public struct RecordError: Error, LocalizedError, Equatable {
    public var nctId: String?
    public var path: String
    public var reason: String

    public init(nctId: String?, path: String, reason: String) {
        self.nctId = nctId
        self.path = path
        self.reason = reason
    }

    public var errorDescription: String? {
        let who = nctId.map { "\($0): " } ?? ""
        return path.isEmpty ? "\(who)\(reason)" : "\(who)\(path): \(reason)"
    }
}
