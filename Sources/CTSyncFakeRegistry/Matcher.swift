import CTSyncCore
import Foundation

/// The text of one study that the fake registry's query areas look in, lower-cased once.
struct SearchText {
    var nctId: String
    var aliases: Set<String>
    var status: String
    var lastUpdatePosted: String
    var conditions: String
    var interventions: String
    var all: String

    init(_ study: JSONValue, canonical: Data) {
        let p = study["protocolSection"] ?? .null
        nctId = p[path: "identificationModule.nctId"]?.stringValue ?? ""
        aliases = Set((p[path: "identificationModule.nctIdAliases"]?.arrayValue ?? []).compactMap(\.stringValue))
        status = p[path: "statusModule.overallStatus"]?.stringValue ?? ""
        lastUpdatePosted = p[path: "statusModule.lastUpdatePostDateStruct.date"]?.stringValue ?? ""
        func strings(_ v: JSONValue?) -> [String] { v?.arrayValue?.compactMap(\.stringValue) ?? [] }
        func meshTerms(_ v: JSONValue?) -> [String] { (v?.arrayValue ?? []).compactMap { $0["term"]?.stringValue } }
        let d = study["derivedSection"] ?? .null
        conditions = (strings(p[path: "conditionsModule.conditions"]) + strings(p[path: "conditionsModule.keywords"])
            + meshTerms(d[path: "conditionBrowseModule.meshes"])).joined(separator: " | ").lowercased()
        let interventionList = p[path: "armsInterventionsModule.interventions"]?.arrayValue ?? []
        interventions = (interventionList.flatMap { i in [i["name"]?.stringValue ?? ""] + strings(i["otherNames"]) }
            + meshTerms(d[path: "interventionBrowseModule.meshes"])).joined(separator: " | ").lowercased()
        all = String(decoding: canonical, as: UTF8.self).lowercased()
    }
}

/// A `GET /studies` query as the fake registry understands it: plain case-insensitive text in each area
/// (alternatives with ` OR `), status and id filters, and `AREA[LastUpdatePostDate]RANGE[from,to]`.
struct Matcher {
    struct Unsupported: Error, CustomStringConvertible { var description: String }

    var cond: [String]?
    var term: [String]?
    var intr: [String]?
    var statuses: Set<String>?
    var ids: Set<String>?
    var ranges: [(String, String)] = []

    init(_ p: [String: String]) throws {
        cond = p["query.cond"].map(Self.alternatives)
        intr = p["query.intr"].map(Self.alternatives)
        statuses = p["filter.overallStatus"].map { Set(Self.list($0).map { $0.uppercased() }) }
        ids = p["filter.ids"].map { Set(Self.list($0).map { $0.uppercased() }) }
        var termText = p["query.term"]
        for key in ["query.term", "filter.advanced"] {
            guard var text = p[key] else { continue }
            let pattern = #/AREA\[LastUpdatePostDate\]RANGE\[\s*([^,\]]*?)\s*,\s*([^\]]*?)\s*\]/#
            for match in text.matches(of: pattern) {
                ranges.append((String(match.1), String(match.2)))
            }
            text = text.replacing(pattern, with: "")
            let rest = text.replacingOccurrences(of: "AND", with: " ")
                .replacingOccurrences(of: "(", with: " ").replacingOccurrences(of: ")", with: " ")
                .trimmingCharacters(in: .whitespaces)
            if key == "query.term" {
                termText = rest.isEmpty ? nil : rest
            } else if !rest.isEmpty {
                throw Unsupported(description: "filter.advanced: the fake registry understands only AREA[LastUpdatePostDate]RANGE[from,to], not '\(rest)'")
            }
        }
        term = termText.map(Self.alternatives)
    }

    func matches(_ s: SearchText) -> Bool {
        if let ids, !ids.contains(s.nctId), ids.isDisjoint(with: s.aliases) { return false }
        if let statuses, !statuses.contains(s.status) { return false }
        if let cond, !cond.contains(where: { s.conditions.contains($0) }) { return false }
        if let intr, !intr.contains(where: { s.interventions.contains($0) }) { return false }
        if let term, !term.contains(where: { s.all.contains($0) }) { return false }
        for (from, to) in ranges {
            if from != "MIN", s.lastUpdatePosted < from { return false }
            if to != "MAX", s.lastUpdatePosted > to { return false }
        }
        return true
    }

    private static func alternatives(_ text: String) -> [String] {
        text.components(separatedBy: " OR ").map {
            $0.replacingOccurrences(of: "\"", with: "").trimmingCharacters(in: .whitespaces).lowercased()
        }.filter { !$0.isEmpty }
    }

    private static func list(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == "," || $0 == "|" }).map { $0.trimmingCharacters(in: .whitespaces) }
    }
}
