import Foundation

/// What `ctsync similar` compares between two studies, stored per study as JSON in `search_facets.profile`.
public struct SimilarityProfile: Sendable, Equatable, Codable {
    /// Condition MeSH terms as `(id or term) → display term`.
    public var conditionMesh: [String: String] = [:]
    /// Condition MeSH ancestors, the same way.
    public var conditionAncestors: [String: String] = [:]
    /// Folded condition texts → display text.
    public var conditions: [String: String] = [:]
    /// Intervention MeSH terms (`interventionBrowseModule.meshes`), `(id or term) → display term`.
    public var interventionMesh: [String: String] = [:]
    /// Intervention types (`DRUG`, `BIOLOGICAL`, …).
    public var interventionTypes: [String] = []
    /// Normalized intervention names and other names (`InterventionNames.normalize`) → a display name.
    public var interventionNames: [String: String] = [:]
    public var phases: [String] = []
    public var studyType: String?
    public var allocation: String?
    public var primaryPurpose: String?
    /// Stems of the titles and the start of the brief summary (`TextTokens.stems`).
    public var textStems: [String] = []

    public init() {}
}

extension SimilarityProfile {
    /// The profile as `search_facets.profile` stores it: the JSON that `JSONDecoder` reads back into an equal
    /// profile (absent optionals left out, as the synthesized `Codable` does), written without `JSONEncoder`,
    /// which cost more than the rest of indexing a study.
    public var storedJSON: String {
        // Members in canonical order (by the UTF-8 bytes of their names), as `JSONValue.compactString` sorts them;
        // a test holds the two equal.
        var out: [UInt8] = []
        out.reserveCapacity(2_048)
        func member(_ name: StaticString) {
            out.append(out.isEmpty ? 0x7B : 0x2C)
            out.append(0x22)
            name.withUTF8Buffer { out.append(contentsOf: $0) }
            out.append(contentsOf: [0x22, 0x3A])
        }
        func maps(_ members: [(StaticString, [String: String])]) {
            for (name, map) in members {
                member(name)
                JSONValue.writeStrings(map, into: &out)
            }
        }
        func lists(_ members: [(StaticString, [String])]) {
            for (name, list) in members {
                member(name)
                JSONValue.writeStrings(list, into: &out)
            }
        }
        func optional(_ name: StaticString, _ value: String?) {
            guard let value else { return }
            member(name)
            JSONValue.writeString(value, into: &out)
        }
        optional("allocation", allocation)
        maps([("conditionAncestors", conditionAncestors), ("conditionMesh", conditionMesh), ("conditions", conditions),
              ("interventionMesh", interventionMesh), ("interventionNames", interventionNames)])
        lists([("interventionTypes", interventionTypes), ("phases", phases)])
        optional("primaryPurpose", primaryPurpose)
        optional("studyType", studyType)
        lists([("textStems", textStems)])
        out.append(0x7D)
        return String(decoding: out, as: UTF8.self)
    }

    /// The profile's `search_terms` postings, one per key of its condition MeSH terms (`cm:`), MeSH ancestors
    /// (`ca:`), folded condition texts (`ct:`), intervention MeSH terms (`im:`) and normalized intervention names
    /// (`in:`): what the `search_profile_terms` view (migration v5) reads from `storedJSON`, without parsing it back
    /// on the store's single writer. A test holds the two equal on every real record and on hostile keys. Sorted, so
    /// that equal profiles give equal lists.
    public var postingTerms: [String] {
        var terms: [String] = []
        terms.reserveCapacity(conditionMesh.count + conditionAncestors.count + conditions.count
                              + interventionMesh.count + interventionNames.count)
        for (prefix, keys) in [("cm:", conditionMesh.keys), ("ca:", conditionAncestors.keys), ("ct:", conditions.keys),
                               ("im:", interventionMesh.keys), ("in:", interventionNames.keys)] {
            for key in keys { terms.append(prefix + key) }
        }
        return terms.sorted()
    }

    /// Reads `search_facets.profile` (written by `storedJSON`) with the project's JSON parser: `JSONDecoder` took
    /// most of the time of scoring a `similar` candidate.
    init(storedJSON text: String) throws {
        let json = try JSONParser.parse(text)
        func map(_ key: String) -> [String: String] { json[key]?.objectValue?.compactMapValues(\.stringValue) ?? [:] }
        func list(_ key: String) -> [String] { json[key]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        self.init()
        conditionMesh = map("conditionMesh")
        conditionAncestors = map("conditionAncestors")
        conditions = map("conditions")
        interventionMesh = map("interventionMesh")
        interventionTypes = list("interventionTypes")
        interventionNames = map("interventionNames")
        phases = list("phases")
        studyType = json["studyType"]?.stringValue
        allocation = json["allocation"]?.stringValue
        primaryPurpose = json["primaryPurpose"]?.stringValue
        textStems = list("textStems")
    }
}
