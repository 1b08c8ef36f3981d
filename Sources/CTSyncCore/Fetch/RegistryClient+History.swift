import Foundation

/// One entry of a study's record history on the registry.
public struct RegistryVersion: Sendable, Equatable, Codable {
    /// The registry's version number, 0 for the first version.
    public var version: Int
    /// The date the registry gives the version (`yyyy-MM-dd`), when it gives one.
    public var date: String?
    /// The overall status at that version, when given.
    public var status: String?

    public init(version: Int, date: String?, status: String?) {
        self.version = version
        self.date = date
        self.status = status
    }
}

extension RegistryClient {
    /// The base of the website's internal API, derived from the data API base: the last path component (`v2`)
    /// replaced by `int`, so `https://clinicaltrials.gov/api/v2` gives `https://clinicaltrials.gov/api/int`
    /// (and a loopback `http://127.0.0.1:PORT/api/v2` gives `…/api/int`). A base that does not end in `/v2`
    /// gets `/int` beside its last component all the same.
    public nonisolated var internalBaseURL: String {
        guard let slash = baseURL.lastIndex(of: "/") else { return baseURL + "/int" }
        let parent = baseURL[..<slash]
        return parent.hasSuffix(":/") || parent.hasSuffix(":") ? baseURL + "/int" : parent + "/int"
    }

    /// The registry's list of a study's versions: `GET /api/int/studies/{NCT}?history=true`, read tolerantly.
    ///
    /// The internal API is undocumented (see NOTES §4), so this accepts `history.changes[]` (what the website
    /// and cthist/ctrdata read), a top-level `changes[]`, or a bare array; `version` as a number or numeric text
    /// (`versionNumber` too); `date` or `versionDate`. Anything else is `FetchError.invalidResponse` saying what
    /// was expected. Versions come back sorted by number.
    public func historyVersions(of id: NCTID) async throws -> [RegistryVersion] {
        let url = "\(internalBaseURL)/studies/\(id.rawValue)?history=true"
        let response = try await withRetries(url, acceptRedirect: true) { $0 }
        if response.status == 404 { throw FetchError.notFound(nctId: id.rawValue, url: url) }
        if (300...399).contains(response.status) {
            throw FetchError.invalidResponse(url: url, reason: "HTTP \(response.status): the record history is not served for this id (an alias? sync it first and backfill its canonical id)")
        }
        let document = try Self.document(response, url: url, what: "the record history")
        let changes: [JSONValue]
        if let list = document[path: "history.changes"]?.arrayValue ?? document["changes"]?.arrayValue ?? document.arrayValue {
            changes = list
        } else {
            let keys = document.objectValue.map { $0.keys.sorted().joined(separator: ", ") } ?? document.typeName
            throw FetchError.invalidResponse(url: url, reason: "no history.changes[] in the record history (found: \(keys)); the internal API's shape may have changed")
        }
        var versions: [RegistryVersion] = []
        for (n, change) in changes.enumerated() {
            guard let number = Self.int(change["version"] ?? change["versionNumber"] ?? change["version_number"]), number >= 0 else {
                throw FetchError.invalidResponse(url: url, reason: "history change #\(n + 1) has no version number (\(change.compactString().prefix(120)))")
            }
            let date = (change["date"] ?? change["versionDate"] ?? change["version_date"])?.stringValue
            let status = (change["status"] ?? change["overallStatus"])?.stringValue
            versions.append(RegistryVersion(version: number, date: date, status: status))
        }
        versions.sort { $0.version < $1.version }
        if let dup = zip(versions, versions.dropFirst()).first(where: { $0.0.version == $0.1.version }) {
            throw FetchError.invalidResponse(url: url, reason: "the record history lists version \(dup.0.version) twice")
        }
        return versions
    }

    /// One version of a study from its record history: `GET /api/int/studies/{NCT}/history/{v}`, whose answer is
    /// `{studyVersion, study}` (a bare study object is accepted too).
    public func historyVersion(_ version: Int, of id: NCTID) async throws -> StudyRecord {
        let url = "\(internalBaseURL)/studies/\(id.rawValue)/history/\(version)"
        let response = try await withRetries(url, acceptRedirect: true) { $0 }
        if response.status == 404 { throw FetchError.notFound(nctId: id.rawValue, url: url) }
        if (300...399).contains(response.status) {
            throw FetchError.invalidResponse(url: url, reason: "HTTP \(response.status) for a history version")
        }
        let document = try Self.document(response, url: url, what: "the history version")
        let study: JSONValue
        if let s = document["study"] {
            if let v = Self.int(document["studyVersion"]), v != version {
                throw FetchError.invalidResponse(url: url, reason: "asked for version \(version), got studyVersion \(v)")
            }
            study = s
        } else if document["protocolSection"] != nil {
            study = document
        } else {
            let keys = document.objectValue.map { $0.keys.sorted().joined(separator: ", ") } ?? document.typeName
            throw FetchError.invalidResponse(url: url, reason: "no study in the history version (found: \(keys)); the internal API's shape may have changed")
        }
        let record: StudyRecord
        do {
            record = try StudyRecord(json: study)
        } catch let error as RecordError {
            throw FetchError.invalidResponse(url: url, reason: error.localizedDescription)
        }
        guard record.nctId == id else {
            throw FetchError.invalidResponse(url: url, reason: "asked for \(id.rawValue), got \(record.nctId.rawValue)")
        }
        return record
    }

    private static func int(_ v: JSONValue?) -> Int? {
        if let i = v?.intValue { return i }
        if let s = v?.stringValue { return Int(s.trimmingCharacters(in: .whitespaces)) }
        return nil
    }
}
