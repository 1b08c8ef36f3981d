import CTSyncFakeRegistry
import Foundation
import Testing

@testable import CTSyncCore

/// The search document's text folding and stored profile: the fast fold against its definition (Foundation's
/// folding of the whole text) on every text of the real records and on hostile Unicode; the stored profile
/// against `JSONDecoder`.
@Suite struct SearchDocumentTests {
    /// Every title, summary, condition, keyword and intervention name of the real records.
    static let texts: [String] = {
        var out: [String] = []
        for json in RealStudies.all {
            guard let t = try? Trial(v2: json) else { continue }
            out += [t.briefTitle, t.officialTitle, t.acronym, t.briefSummary, t.detailedDescription].compactMap { $0 }
            out += t.conditions + t.keywords
            for i in t.interventions { out += [i.name].compactMap { $0 } + i.otherNames }
        }
        return out
    }()

    static let hostile = [
        "", " ", "Café CRÈME", "Ångström ÆØÅ straße", "ﬁbrosis ﬂuid", "İstanbul", "ΣΊΣΥΦΟΣ", "１２３ＡＢＣ", "e\u{301}tude",
        "Sjögren's", "β-blocker", "α1-antitrypsin", "COVID‐19", "IL-6/IL-1β", "a\u{0}b", "😀 emoji 👍🏽 text", "x\u{200B}y",
        "Ⅻ ⅻ", "ǅungla", "tab\tand\nnewline", "中文 日本語 한국어", "ﬀ", "ŉ", "Ǆ", "ﬃx", "\u{1E9E}", "ʼn", "ΣΊΣΥΦΟΣ.x", "ΣΊΣΥΦΟΣ'x ΟΔΟΣ", "a\u{301} \u{301}b", "a\n\u{301}b", "a\t\u{308}\u{301}x", "x\u{A0}y", "Ⓐ ⓑ", "½ ² ₃",
    ]

    @Test func foldEqualsTheReferenceOnEveryRealText() {
        #expect(Self.texts.count > 1000)
        for text in Self.texts + Self.hostile {
            #expect(InterventionNames.fold(text) == InterventionNames.foldThroughFoundation(text), "\(text.prefix(80))")
        }
    }

    /// `TextTokens.stems` as it was: the whole text folded, then split (the definition `stems` must keep).
    static func stemsOfTheWholeFold(_ text: String, limit: Int) -> [String] {
        var seen = Set<String>()
        var out: [String] = []
        for word in InterventionNames.fold(text).split(separator: " ") {
            var w = String(word)
            if w.count > 4, w.hasSuffix("s"), !w.hasSuffix("ss") { w.removeLast() }
            if w.count < 3 || TextTokens.stopwords.contains(w) || w.allSatisfy(\.isNumber) { continue }
            if seen.insert(w).inserted {
                out.append(w)
                if out.count >= limit { break }
            }
        }
        return out
    }

    /// The byte-string set behind `stems` finds every word it was given, adds each once, and says no to others,
    /// through its growth from 128 slots to thousands.
    @Test func asciiWordSetAddsEachWordOnce() {
        var set = TextTokens.ASCIIWords()
        let words = (0..<3_000).map { Array("w\($0)x".utf8) } + [[], Array("a".utf8)]
        for word in words {
            #expect(word.withUnsafeBufferPointer { set.insert($0) })
            #expect(!word.withUnsafeBufferPointer { set.insert($0) })
        }
        for word in words { #expect(word.withUnsafeBufferPointer { set.contains($0) }) }
        for other in ["w3000x", "w1", "x", "w12x ", "W12x"] {
            #expect(!Array(other.utf8).withUnsafeBufferPointer { set.contains($0) }, "\(other)")
        }
    }

    /// Stopping at the limit gives what folding the whole text gives, at every limit, on every real text (and the
    /// titles and summary together, as the profile takes them) and on hostile Unicode.
    @Test func stemsEqualTheWholeTextDefinition() {
        var inputs = Self.texts + Self.hostile
        for json in RealStudies.all {
            guard let t = try? Trial(v2: json) else { continue }
            inputs.append([t.briefTitle, t.officialTitle].compactMap { $0 }.joined(separator: " ") + " " + (t.briefSummary ?? ""))
        }
        inputs.append(Self.hostile.joined(separator: " studies "))
        inputs.append(Self.hostile.joined())
        for text in inputs {
            for limit in [0, 1, 2, 5, 80, Int.max] {
                #expect(TextTokens.stems(text, limit: limit) == Self.stemsOfTheWholeFold(text, limit: limit),
                        "\(limit) \(text.prefix(80))")
            }
        }
    }

    /// The search document normalizes without splitting the criteria or building contacts: on every real v2 study
    /// object and on hostile ones it succeeds or fails as the full normalization does (with the same error), gives
    /// the same trial but for the split criteria and the contacts, and the same document as the full trial does.
    @Test func theDocumentWithoutSplittingEqualsTheOneFromTheFullTrial() throws {
        var studies = RealRecords.v2Studies.map(\.json) + RealStudies.all
        let base = RealStudies.study("NCT04431453")
        let criteria = "protocolSection.eligibilityModule.eligibilityCriteria"
        let contacts = "protocolSection.contactsLocationsModule"
        studies += [
            base.setting(path: criteria, to: .int(3)),
            base.setting(path: criteria, to: .array([.string("Inclusion Criteria:")])),
            base.setting(path: criteria, to: .null),
            base.setting(path: criteria, to: .string("")),
            base.setting(path: criteria, to: .string("Inclusion Criteria:\n\n* a\n\nExclusion Criteria:\n\n* b\u{0}")),
            base.setting(path: criteria, to: .string(String(repeating: "1. Age ≥ 18\n   - nested\nExclusion: x ", count: 400))),
            base.setting(path: "protocolSection.eligibilityModule", to: .string("none")),
            base.setting(path: criteria, to: .int(3)).setting(path: "protocolSection.contactsLocationsModule", to: .int(1)),
            base.setting(path: "protocolSection.contactsLocationsModule", to: .int(1)),
            base.setting(path: contacts + ".centralContacts", to: .array([.object(["name": .int(5)])])),
            base.setting(path: contacts + ".centralContacts", to: .string("Dr. A")),
            base.setting(path: contacts + ".overallOfficials", to: .array([.object(["email": .array([])])])),
            base.setting(path: contacts + ".overallOfficials", to: .array([.object(["name": .string("Ana Li, MD"),
                                                                                    "role": .int(2)])])),
            base.setting(path: contacts + ".locations", to: .array([.object([
                "city": .string("Paris"), "contacts": .array([.object(["phone": .bool(true)])])])])),
            base.setting(path: contacts + ".locations", to: .array([.object([
                "country": .string("France"), "contacts": .string("none")])])),
            base.setting(path: "protocolSection.statusModule.overallStatus", to: .bool(true)),
            base.removing(path: "protocolSection.eligibilityModule"),
        ]
        var checked = 0
        for json in studies {
            let full = Result { () throws(RecordError) in try Trial(v2: json) }
            let light = Result { () throws(RecordError) in try Trial(v2: json, indexOnly: true) }
            switch (full, light) {
            case (.success(var expected), .success(let trial)):
                let blank = Trial.Eligibility()
                expected.eligibility.inclusion = blank.inclusion
                expected.eligibility.exclusion = blank.exclusion
                expected.eligibility.otherCriteria = blank.otherCriteria
                expected.eligibility.criteriaUnstructured = blank.criteriaUnstructured
                expected.centralContacts = []
                expected.overallOfficials = []
                for i in expected.locations.indices { expected.locations[i].contacts = [] }
                #expect(trial == expected, "\(expected.nctId)")
                guard let record = try? StudyRecord(json: json) else { continue }
                let doc = SearchDocument(json: json, summary: StudySummary(record: record))
                let fromFull = SearchDocument(trial: try Trial(v2: json), json: json)
                #expect(doc == fromFull, "\(expected.nctId)")
                checked += 1
            case (.failure(let a), .failure(let b)):
                #expect(a == b)
            default:
                Issue.record("\(full) but \(light)")
            }
        }
        #expect(checked > 600)
    }

    /// The stored form and postings follow the profile when it is replaced or changed in place.
    @Test func storedProfileFollowsTheProfile() throws {
        let json = RealStudies.study("NCT04431453")
        var doc = SearchDocument(json: json, summary: StudySummary(record: try StudyRecord(json: json)))
        #expect(doc.storedProfile == doc.profile.storedJSON)
        #expect(Set(doc.postingTerms).contains("ct:covid 19"))
        doc.profile.conditions["zorbelitis"] = "Zorbelitis"
        #expect(doc.storedProfile == doc.profile.storedJSON && doc.storedProfile.contains("Zorbelitis"))
        #expect(doc.postingTerms.contains("ct:zorbelitis"))
        doc.profile = SimilarityProfile()
        #expect(doc.storedProfile == SimilarityProfile().storedJSON && doc.postingTerms.isEmpty)
        // Equal profiles whose dictionaries were built differently (so iterate in other orders) give equal documents.
        var other = doc
        var a = SimilarityProfile(), b = SimilarityProfile()
        b.conditions = [String: String](minimumCapacity: 1000)
        for n in 0..<50 { a.conditions["c\(n)"] = "C\(n)" }
        for n in (0..<50).reversed() { b.conditions["c\(n)"] = "C\(n)" }
        doc.profile = a
        other.profile = b
        #expect(a == b && doc == other)
    }

    @Test func storedProfileDecodesToTheSameProfile() throws {
        let decoder = JSONDecoder()
        var checked = 0
        for json in RealStudies.all {
            guard let t = try? Trial(v2: json) else { continue }
            let profile = SearchDocument(trial: t, json: json).profile
            let decoded = try decoder.decode(SimilarityProfile.self, from: Data(profile.storedJSON.utf8))
            #expect(decoded == profile, "\(t.nctId)")
            checked += 1
        }
        #expect(checked > 300)
        // Absent optionals stay absent.
        let empty = try decoder.decode(SimilarityProfile.self, from: Data(SimilarityProfile().storedJSON.utf8))
        #expect(empty == SimilarityProfile())
    }
}

/// Scoring details that the real records do not isolate.
@Suite struct SimilarityScoreTests {
    @Test func anInterventionsOtherNamesCountOnceAndEachNameIsListedOnce() {
        // One drug with its MeSH term, its name and two brand names as other names: three name keys that map to
        // one display name, which also equals the MeSH term but for case.
        var p = SimilarityProfile()
        p.interventionMesh = ["D000068597": "Candesartan cilexetil"]
        p.interventionNames = ["candesartan cilexetil": "candesartan cilexetil", "atacand": "candesartan cilexetil",
                               "blopress": "candesartan cilexetil"]
        p.interventionTypes = ["DRUG"]
        let w = SimilarityWeights()
        let (_, parts, reasons) = Similarity.score(p, p, weights: w)
        #expect(parts["interventions"] == w.interventionMesh + w.interventionName + w.interventionType)
        let shares = reasons.first { $0.hasPrefix("shares ") }
        #expect(shares == "shares Candesartan cilexetil")
    }
}

/// The stored profile and the state table's lists are written without building a `JSONValue`; the value's
/// canonical form is their definition.
@Suite struct DirectJSONWritingTests {
    /// The definition: the profile as a `JSONValue` object, compact canonical JSON.
    static func definition(_ p: SimilarityProfile) -> String {
        func map(_ m: [String: String]) -> JSONValue { .object(JSONObject(m.mapValues { JSONValue.string($0) })) }
        func list(_ l: [String]) -> JSONValue { .array(l.map { .string($0) }) }
        var members: JSONObject = [
            "conditionMesh": map(p.conditionMesh), "conditionAncestors": map(p.conditionAncestors),
            "conditions": map(p.conditions), "interventionMesh": map(p.interventionMesh),
            "interventionTypes": list(p.interventionTypes), "interventionNames": map(p.interventionNames),
            "phases": list(p.phases), "textStems": list(p.textStems),
        ]
        if let v = p.studyType { members["studyType"] = .string(v) }
        if let v = p.allocation { members["allocation"] = .string(v) }
        if let v = p.primaryPurpose { members["primaryPurpose"] = .string(v) }
        return JSONValue.object(members).compactString()
    }

    @Test func theStoredProfileIsTheCanonicalFormOfEveryRealProfile() {
        var checked = 0
        for json in RealStudies.all {
            guard let t = try? Trial(v2: json) else { continue }
            let profile = SearchDocument(trial: t, json: json).profile
            #expect(profile.storedJSON == Self.definition(profile), "\(t.nctId)")
            checked += 1
        }
        #expect(checked > 300)
    }

    @Test func hostileKeysSortByBytesAndEscape() {
        let keys = ["z", "Z", "a", "é", "e\u{301}", "\u{1F600}", "quo\"te", "back\\slash", "tab\there", "nul\u{0}",
                    "\u{1F}", "", "a somewhat longer key with 8-byte words \" in it", "ascii-only-and-longer-than-16"]
        var p = SimilarityProfile()
        for (n, k) in keys.enumerated() {
            p.conditions[k] = "v\(n)\(k)"
            p.conditionMesh[k + "\u{7F}"] = k
        }
        p.textStems = keys
        p.phases = ["PHASE2", "PHASE1"]  // a list keeps its order
        #expect(p.storedJSON == Self.definition(p))
        for optionals in 0..<8 {
            var q = p
            q.allocation = optionals & 1 != 0 ? "RANDOMIZED" : nil
            q.primaryPurpose = optionals & 2 != 0 ? "TREATMENT" : nil
            q.studyType = optionals & 4 != 0 ? "INTERVENTIONAL" : nil
            #expect(q.storedJSON == Self.definition(q), "optionals \(optionals)")
        }
        #expect(SimilarityProfile().storedJSON == Self.definition(SimilarityProfile()))
        for list in [keys, [], [""], ["PHASE2", "PHASE1"]] {
            #expect(JSONValue.canonicalString(of: list) == JSONValue.array(list.map(JSONValue.string)).compactString())
        }
    }

    /// Every byte that needs an escape, at every offset of the eight-byte words and between them.
    @Test func stringsEscapeAtEveryOffset() throws {
        let specials: [Character] = ["\"", "\\", "\n", "\r", "\t", "\u{8}", "\u{C}", "\u{0}", "\u{1F}", "\u{1}"]
        for special in specials {
            for length in 0..<26 {
                for at in 0..<max(1, length) {
                    var text = String(repeating: "a", count: length)
                    if length > 0 {
                        let i = text.index(text.startIndex, offsetBy: at)
                        text.replaceSubrange(i...i, with: String(special))
                    }
                    var out: [UInt8] = []
                    JSONValue.writeString(text, into: &out)
                    let written = String(decoding: out, as: UTF8.self)
                    #expect(try JSONParser.parse("[\(written)]") == .array([.string(text)]), "\(written)")
                    #expect(written.utf8.allSatisfy { $0 >= 0x20 }, "no raw control byte: \(written)")
                    #expect(out.count == Self.escapedCount(text), "\(written)")
                }
            }
        }
    }

    /// The length of the minimal escaping: two bytes for `"`, `\` and the five short escapes, six for other
    /// control bytes, plus the quotes.
    static func escapedCount(_ text: String) -> Int {
        text.utf8.reduce(2) { n, b in
            switch b {
            case 0x22, 0x5C, 0x0A, 0x0D, 0x09, 0x08, 0x0C: n + 2
            case ..<0x20: n + 6
            default: n + 1
            }
        }
    }
}

/// The current-state fields, read module by module, against their definition by dotted paths.
@Suite struct StudySummaryTests {
    static func byPaths(_ record: StudyRecord) -> StudySummary {
        let p = record.json["protocolSection"] ?? .null
        func string(_ path: String) -> String? { p[path: path]?.stringValue }
        func strings(_ path: String) -> [String] { p[path: path]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        var s = StudySummary(record: record)
        s.briefTitle = string("identificationModule.briefTitle")
        s.officialTitle = string("identificationModule.officialTitle")
        s.overallStatus = string("statusModule.overallStatus")
        s.phases = strings("designModule.phases")
        s.studyType = string("designModule.studyType")
        s.conditions = strings("conditionsModule.conditions")
        s.interventions = (p[path: "armsInterventionsModule.interventions"]?.arrayValue ?? []).compactMap { i in
            guard let name = i["name"]?.stringValue else { return nil }
            if let type = i["type"]?.stringValue { return "\(type): \(name)" }
            return name
        }
        s.leadSponsor = string("sponsorCollaboratorsModule.leadSponsor.name")
        s.startDate = string("statusModule.startDateStruct.date")
        s.primaryCompletionDate = string("statusModule.primaryCompletionDateStruct.date")
        s.completionDate = string("statusModule.completionDateStruct.date")
        s.lastUpdatePosted = string("statusModule.lastUpdatePostDateStruct.date")
        s.enrollment = p[path: "designModule.enrollmentInfo.count"]?.intValue
        s.enrollmentType = string("designModule.enrollmentInfo.type")
        return s
    }

    /// Every real record, and the first 100 with their modules turned into other types or emptied.
    @Test func everyRealRecordAndBrokenModulesReadAsByPaths() throws {
        // The identification module holds the NCT id, without which there is no record: its titles are broken instead.
        let modules = ["statusModule", "designModule", "conditionsModule",
                       "armsInterventionsModule", "sponsorCollaboratorsModule"]
        for (n, json) in RealStudies.all.enumerated() {
            var variants = [json]
            for m in modules where n < 100 {
                for value: JSONValue in [.null, .string("x"), .array([]), .object([:])] {
                    variants.append(json.setting(path: "protocolSection.\(m)", to: value))
                }
            }
            if n < 100 { variants.append(json.setting(path: "protocolSection.identificationModule.briefTitle", to: .int(3))) }
            variants.append(json.setting(path: "protocolSection.identificationModule.officialTitle", to: .null))
            variants.append(json.setting(path: "protocolSection.statusModule.startDateStruct", to: .string("2020")))
            variants.append(json.setting(path: "protocolSection.designModule.enrollmentInfo.count", to: .double(12.5)))
            for v in variants {
                let record = try StudyRecord(json: v)
                #expect(StudySummary(record: record) == Self.byPaths(record))
            }
        }
    }
}
