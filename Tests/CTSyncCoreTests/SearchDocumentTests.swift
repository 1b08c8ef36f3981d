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

    /// The search document normalizes without splitting the criteria: on every real v2 study object and on hostile
    /// ones it succeeds or fails as the full normalization does (with the same error), gives the same trial but for
    /// the split criteria, and the same document as the full trial does.
    @Test func theDocumentWithoutSplittingEqualsTheOneFromTheFullTrial() throws {
        var studies = RealRecords.v2Studies.map(\.json) + RealStudies.all
        let base = RealStudies.study("NCT04431453")
        let criteria = "protocolSection.eligibilityModule.eligibilityCriteria"
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
            base.setting(path: "protocolSection.statusModule.overallStatus", to: .bool(true)),
            base.removing(path: "protocolSection.eligibilityModule"),
        ]
        var checked = 0
        for json in studies {
            let full = Result { () throws(RecordError) in try Trial(v2: json) }
            let light = Result { () throws(RecordError) in try Trial(v2: json, splittingCriteria: false) }
            switch (full, light) {
            case (.success(var expected), .success(let trial)):
                let blank = Trial.Eligibility()
                expected.eligibility.inclusion = blank.inclusion
                expected.eligibility.exclusion = blank.exclusion
                expected.eligibility.otherCriteria = blank.otherCriteria
                expected.eligibility.criteriaUnstructured = blank.criteriaUnstructured
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
