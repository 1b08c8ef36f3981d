import Foundation
import Testing
@testable import CTSyncCore

// MARK: - Real records

/// One distinct eligibility-criteria text found in the real records.
struct CriteriaRecordText: Sendable {
    /// The study's NCT id.
    let nctID: String
    /// The criteria text as the record holds it (XML entities decoded).
    let text: String
    /// The file it was first found in, relative to the records folder.
    let source: String
}

/// The real ClinicalTrials.gov records under `../shared/ctgov/records` (or `CTSYNC_RECORDS`), read in place.
enum CriteriaRecordCorpus {
    /// The package root: this file is `Tests/CTSyncCoreTests/CriteriaSplitterTests.swift`.
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Whether `CTSYNC_RECORDS` points somewhere else than the default folder.
    static let isOverridden = ProcessInfo.processInfo.environment["CTSYNC_RECORDS"].map { !$0.isEmpty } ?? false

    /// The records folder.
    static let folder: URL = {
        if let override = ProcessInfo.processInfo.environment["CTSYNC_RECORDS"], !override.isEmpty {
            return URL(fileURLWithPath: override)
        }
        return packageRoot.appendingPathComponent("../shared/ctgov/records").standardizedFileURL
    }()

    /// Every distinct (NCT id, criteria text) pair, in a stable order.
    static let texts: [CriteriaRecordText] = load()

    /// The splits of `texts`, computed once for the tests that look at every record.
    static let splits: [(record: CriteriaRecordText, split: SplitCriteria, consumed: [String])] = texts.map {
        let (split, consumed) = CriteriaSplitter.splitTracingConsumed($0.text)
        return ($0, split, consumed)
    }

    // MARK: Loading

    private static func load() -> [CriteriaRecordText] {
        let manager = FileManager.default
        guard let enumerator = manager.enumerator(at: folder, includingPropertiesForKeys: nil) else { return [] }
        var paths: [String] = []
        for case let url as URL in enumerator {
            let path = url.path
            let relative = String(path.dropFirst(folder.path.count)).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            guard !relative.hasPrefix("rss/") else { continue }
            if path.hasSuffix(".json") || path.hasSuffix(".xml") { paths.append(relative) }
        }
        var seen = Set<String>()
        var result: [CriteriaRecordText] = []
        for relative in paths.sorted() {
            let url = folder.appendingPathComponent(relative)
            guard let data = try? Data(contentsOf: url) else { continue }
            let found = relative.hasSuffix(".xml") ? fromXML(data) : fromJSON(data)
            for (nctID, text) in found where seen.insert(nctID + "\u{0}" + text).inserted {
                result.append(CriteriaRecordText(nctID: nctID, text: text, source: relative))
            }
        }
        return result
    }

    /// Criteria from a v2 study, an array of studies, a `{ "studies": [...] }` page, or a retired classic
    /// API record (`Study.ProtocolSection.EligibilityModule.EligibilityCriteria`).
    private static func fromJSON(_ data: Data) -> [(String, String)] {
        guard let json = try? JSONSerialization.jsonObject(with: data) else { return [] }
        var studies: [Any] = []
        if let array = json as? [Any] {
            studies = array
        } else if let object = json as? [String: Any] {
            if let page = object["studies"] as? [Any] {
                studies = page
            } else {
                studies = [object]
            }
        }
        return studies.compactMap { study -> (String, String)? in
            guard let study = study as? [String: Any] else { return nil }
            if let protocolSection = study["protocolSection"] as? [String: Any],
               let nctID = (protocolSection["identificationModule"] as? [String: Any])?["nctId"] as? String,
               let text = (protocolSection["eligibilityModule"] as? [String: Any])?["eligibilityCriteria"] as? String {
                return (nctID, text)
            }
            if let protocolSection = (study["Study"] as? [String: Any])?["ProtocolSection"] as? [String: Any],
               let nctID = (protocolSection["IdentificationModule"] as? [String: Any])?["NCTId"] as? String,
               let text = (protocolSection["EligibilityModule"] as? [String: Any])?["EligibilityCriteria"] as? String {
                return (nctID, text)
            }
            return nil
        }
    }

    /// The `<eligibility><criteria><textblock>` of a legacy XML record, entities decoded.
    private static func fromXML(_ data: Data) -> [(String, String)] {
        guard let xml = String(data: data, encoding: .utf8),
              let nctID = between(xml, "<nct_id>", "</nct_id>"),
              let eligibility = between(xml, "<eligibility>", "</eligibility>"),
              let criteria = between(eligibility, "<criteria>", "</criteria>"),
              let textblock = between(criteria, "<textblock>", "</textblock>") else { return [] }
        return [(nctID, xmlUnescaped(textblock))]
    }

    private static func between(_ text: String, _ open: String, _ close: String) -> String? {
        guard let start = text.range(of: open), let end = text.range(of: close, range: start.upperBound..<text.endIndex)
        else { return nil }
        return String(text[start.upperBound..<end.lowerBound])
    }

    /// Decodes `&lt; &gt; &quot; &apos; &amp;` and numeric references such as `&#xD;`.
    static func xmlUnescaped(_ text: String) -> String {
        var result = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            result += rest[..<amp]
            guard let semicolon = rest[amp...].prefix(10).firstIndex(of: ";") else {
                result += "&"
                rest = rest[rest.index(after: amp)...]
                continue
            }
            let entity = rest[rest.index(after: amp)..<semicolon]
            let named = ["lt": "<", "gt": ">", "quot": "\"", "apos": "'", "amp": "&"]
            var decoded: String?
            if let value = named[String(entity)] {
                decoded = value
            } else if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                decoded = UInt32(entity.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
            } else if entity.hasPrefix("#") {
                decoded = UInt32(entity.dropFirst()).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
            }
            if let decoded {
                result += decoded
                rest = rest[rest.index(after: semicolon)...]
            } else {
                result += "&"
                rest = rest[rest.index(after: amp)...]
            }
        }
        return result + rest
    }
}

// MARK: - Word accounting

/// Checks that a split keeps every word of its source text.
enum CriteriaWordCheck {
    /// Header words the splitter may drop when it consumes them as a header.
    static let headerWords: Set<String> = ["inclusion", "exclusion", "criteria", "criterion", "key", "non"]

    /// Lower-cased words: runs of letters and digits.
    static func words(_ text: String) -> [String] {
        var result: [String] = []
        var current = ""
        for character in text.lowercased() {
            if character.isLetter || character.isNumber {
                current.append(character)
            } else if !current.isEmpty {
                result.append(current)
                current = ""
            }
        }
        if !current.isEmpty { result.append(current) }
        return result
    }

    /// A word a list marker can contribute: "12", "b", "iv".
    static func isMarkerWord(_ word: String) -> Bool {
        if word.count == 1 { return true }
        if word.count <= 3, word.allSatisfy(\.isNumber) { return true }
        return word.count <= 6 && word.allSatisfy { "ivxl".contains($0) }
    }

    /// Every item text of a split, sub-items included.
    static func itemTexts(_ split: SplitCriteria) -> [String] {
        func texts(_ items: [CriteriaItem]) -> [String] { items.flatMap { [$0.text] + texts($0.subItems) } }
        return texts(split.inclusion + split.exclusion + split.other)
    }

    /// The words of `source` missing from `split` (with how many are missing), and the consumed words that
    /// are neither header words nor list markers. A word appearing three times must appear three times.
    static func check(source: String, split: SplitCriteria, consumed: [String]) -> (missing: [String], badConsumed: [String]) {
        var needed: [String: Int] = [:]
        for word in words(source) { needed[word, default: 0] += 1 }
        var badConsumed: [String] = []
        for word in consumed.flatMap(words) {
            if !headerWords.contains(word) && !isMarkerWord(word) { badConsumed.append(word) }
            needed[word, default: 0] -= 1
        }
        var present: [String: Int] = [:]
        for word in itemTexts(split).flatMap(words) { present[word, default: 0] += 1 }
        let missing = needed.compactMap { word, count -> String? in
            let short = count - present[word, default: 0]
            return short > 0 ? (short == 1 ? word : "\(word)×\(short)") : nil
        }
        return (missing.sorted(), badConsumed)
    }
}

// MARK: - Real-record tests

@Suite("Criteria splitter on real records")
struct CriteriaSplitterRecordTests {
    /// Every word of every real criteria text survives the split.
    @Test func noTextIsDropped() {
        let splits = CriteriaRecordCorpus.splits
        #expect(splits.count >= (CriteriaRecordCorpus.isOverridden ? 1 : 600),
                "found \(splits.count) criteria texts in \(CriteriaRecordCorpus.folder.path)")
        var failures: [String] = []
        for (record, split, consumed) in splits {
            let (missing, bad) = CriteriaWordCheck.check(source: record.text, split: split, consumed: consumed)
            if !missing.isEmpty { failures.append("\(record.nctID) (\(record.source)) missing: \(missing.joined(separator: ", "))") }
            if !bad.isEmpty { failures.append("\(record.nctID) consumed non-header words: \(bad.joined(separator: ", "))") }
        }
        print("criteria no-drop check: \(splits.count) texts from \(Set(splits.map(\.record.nctID)).count) studies")
        #expect(failures.count == 0, "\(failures.count) texts lost words:\n\(failures.joined(separator: "\n"))")
    }

    /// The check above fails when an item is dropped, and when words are only claimed as consumed.
    @Test func wordCheckCatchesDroppedItems() throws {
        let text = "Inclusion Criteria:\n\n* Adults aged 18 or older\n* Signed consent\n\nExclusion Criteria:\n\n* Pregnancy"
        var (split, consumed) = CriteriaSplitter.splitTracingConsumed(text)
        #expect(CriteriaWordCheck.check(source: text, split: split, consumed: consumed).missing.isEmpty)
        split.inclusion.removeLast()
        #expect(CriteriaWordCheck.check(source: text, split: split, consumed: consumed).missing == ["consent", "signed"])
        split = CriteriaSplitter.split(text)
        split.exclusion[0].text = "Pregnancy inclusion"
        consumed.append("pregnancy")
        #expect(CriteriaWordCheck.check(source: text, split: split, consumed: consumed).badConsumed == ["pregnancy"])
        let twice = "* no no no"
        let short = SplitCriteria(inclusion: [CriteriaItem(text: "no no")])
        #expect(CriteriaWordCheck.check(source: twice, split: short, consumed: ["*"]).missing == ["no"])
    }

    /// Nearly every real record has both an inclusion and an exclusion list.
    @Test func mostRecordsHaveBothSections() {
        let splits = CriteriaRecordCorpus.splits
        let incomplete = splits.filter { $0.split.unstructured || $0.split.inclusion.isEmpty || $0.split.exclusion.isEmpty }
        let ratio = Double(splits.count - incomplete.count) / Double(max(splits.count, 1))
        print("criteria with both sections: \(splits.count - incomplete.count) of \(splits.count) (\(Int(ratio * 1000) / 10)%)")
        for (record, split, _) in incomplete {
            let state = split.unstructured ? "unstructured" : "inclusion \(split.inclusion.count), exclusion \(split.exclusion.count)"
            print("  \(record.nctID) \(state) (\(record.source))")
        }
        #expect(ratio >= 0.95)
    }
}

// MARK: - Expected file

@Suite("Criteria splitter expected file")
struct CriteriaSplitterExpectedTests {
    static let expectedURL = CriteriaRecordCorpus.packageRoot.appendingPathComponent("Fixtures/criteria/expected.json")

    static func loadExpected() throws -> [String: SplitCriteria] {
        try JSONDecoder().decode([String: SplitCriteria].self, from: Data(contentsOf: expectedURL))
    }

    static func encoded<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Each reviewed record splits exactly as the expected file says; when a study has several distinct
    /// texts (a retired-format copy, an older snapshot), each of them must. With `CTSYNC_RECORD_CRITERIA=1`
    /// the file is rewritten from the current output (of the first text) for the same ids instead: review
    /// the diff by eye before keeping it.
    @Test func realRecordsMatchExpectedFile() throws {
        let expected = try Self.loadExpected()
        let byID = Dictionary(grouping: CriteriaRecordCorpus.texts, by: \.nctID)
        if ProcessInfo.processInfo.environment["CTSYNC_RECORD_CRITERIA"] == "1" {
            var recorded: [String: SplitCriteria] = [:]
            for id in expected.keys {
                if let first = byID[id]?.first { recorded[id] = CriteriaSplitter.split(first.text) }
            }
            try (Self.encoded(recorded) + "\n").write(to: Self.expectedURL, atomically: true, encoding: .utf8)
            print("recorded \(recorded.count) entries to \(Self.expectedURL.path): review them before committing")
            return
        }
        for id in expected.keys.sorted() {
            let texts = byID[id] ?? []
            #expect(!texts.isEmpty, "\(id) is in the expected file but not in the records")
            for record in texts {
                let actual = CriteriaSplitter.split(record.text)
                if actual != expected[id] {
                    Issue.record("\(id) (\(record.source)) differs from the expected file; got:\n\(try Self.encoded(actual))")
                }
            }
        }
    }

    /// The expected file covers enough records.
    @Test func expectedFileHasEnoughEntries() throws {
        #expect(try Self.loadExpected().count >= 30)
    }
}

// MARK: - Focused cases

@Suite("Criteria splitter on small texts")
struct CriteriaSplitterUnitTests {
    private func item(_ text: String, _ subItems: [CriteriaItem] = []) -> CriteriaItem {
        CriteriaItem(text: text, subItems: subItems)
    }

    @Test func standardHeadersAndBullets() {
        let split = CriteriaSplitter.split("Inclusion Criteria:\n\n* Age 18 or older\n* Signed consent\n\nExclusion Criteria:\n\n* Pregnancy")
        #expect(split == SplitCriteria(inclusion: [item("Age 18 or older"), item("Signed consent")],
                                       exclusion: [item("Pregnancy")]))
    }

    @Test(arguments: [
        "Inclusion Criteria:", "INCLUSION CRITERIA", "Key Inclusion Criteria:", "Inclusion criteria", "Inclusion:",
        "inclusion criteria :", "-  INCLUSION CRITERIA:", "• Inclusion Criteria:",
    ])
    func inclusionHeaderVariants(header: String) {
        let split = CriteriaSplitter.split("\(header)\n\n- Adults\n\nKey Exclusion Criteria:\n\n- Children")
        #expect(split == SplitCriteria(inclusion: [item("Adults")], exclusion: [item("Children")]))
    }

    @Test func labelledHeadersKeepTheirLabel() {
        let text = """
            Inclusion Criteria (Patients):

            * Diabetes

            Inclusion criteria for healthy volunteers:

            * No diabetes

            Patient Exclusion Criteria:

            * Dialysis
            """
        let split = CriteriaSplitter.split(text)
        #expect(split.inclusion == [item("Patients", [item("Diabetes")]),
                                    item("for healthy volunteers", [item("No diabetes")])])
        #expect(split.exclusion == [item("Patient", [item("Dialysis")])])
    }

    @Test func headerWithTextOnTheSameLine() {
        let split = CriteriaSplitter.split("Inclusion criteria. Age over 21.\n\nExclusion Criteria: none")
        #expect(split == SplitCriteria(inclusion: [item("Age over 21.")], exclusion: [item("none")]))
    }

    @Test func exclusionHeaderInTheMiddleOfALine() {
        let split = CriteriaSplitter.split(
            "Inclusion Criteria: - Signed consent - Type 2 diabetes for at least a year Exclusion Criteria: - Pregnancy"
        )
        #expect(split == SplitCriteria(inclusion: [item("Signed consent"), item("Type 2 diabetes for at least a year")],
                                       exclusion: [item("Pregnancy")]))
    }

    @Test func nestedBulletsBecomeSubItems() {
        let text = """
            Inclusion Criteria:

            * Adequate organ function:

              * Bilirubin \\<= 1.5 x ULN
              * Creatinine clearance \\>= 50 mL/min

                * measured, not estimated
            * Age 18 or older
            """
        let split = CriteriaSplitter.split(text)
        #expect(split.inclusion == [
            item("Adequate organ function:", [
                item("Bilirubin <= 1.5 x ULN"),
                item("Creatinine clearance >= 50 mL/min", [item("measured, not estimated")]),
            ]),
            item("Age 18 or older"),
        ])
    }

    @Test func hardWrappedContinuationLines() {
        let text = """

                    Inclusion Criteria:

                      -  Histologically confirmed cancer not amenable to cure by surgery,
                         radiotherapy or chemotherapy

                           -  Colon cancer

                      -  No brain metastases

                    Exclusion Criteria:

                      -  Prior therapy
            """
        let split = CriteriaSplitter.split(text)
        #expect(split.inclusion == [
            item("Histologically confirmed cancer not amenable to cure by surgery, radiotherapy or chemotherapy",
                 [item("Colon cancer")]),
            item("No brain metastases"),
        ])
        #expect(split.exclusion == [item("Prior therapy")])
    }

    @Test func numberedAndLetteredLists() {
        let text = """
            Inclusion Criteria:

            1. Age 18 or older
            2) Either of:

               a. Diabetes
               b. Obesity
            3\\. Signed consent

            Exclusion Criteria:

            (a) Pregnancy
            (b) Dialysis. (c) Heart failure

            i. Prior study drug
            """
        let split = CriteriaSplitter.split(text)
        #expect(split.inclusion == [
            item("Age 18 or older"),
            item("Either of:", [item("Diabetes"), item("Obesity")]),
            item("Signed consent"),
        ])
        #expect(split.exclusion == [item("Pregnancy"), item("Dialysis."), item("Heart failure"), item("Prior study drug")])
    }

    @Test func inlineNumberingIsSplit() {
        let split = CriteriaSplitter.split("Exclusion Criteria: 1. Age under 40. 2. No insurance; 3. Prior cancer")
        #expect(split.exclusion == [item("Age under 40."), item("No insurance;"), item("Prior cancer")])
    }

    @Test func unstructuredTextIsKeptWholeAndFlagged() {
        let text = "Adults with type 2 diabetes who\n  attend the clinic.\n\nNo other requirements."
        let split = CriteriaSplitter.split(text)
        #expect(split == SplitCriteria(
            inclusion: [item("Adults with type 2 diabetes who attend the clinic.\n\nNo other requirements.")],
            unstructured: true
        ))
    }

    @Test func headerlessListIsInclusion() {
        let split = CriteriaSplitter.split("* At least 2 previous episodes\n* Age 18 to 65")
        #expect(split == SplitCriteria(inclusion: [item("At least 2 previous episodes"), item("Age 18 to 65")]))
    }

    @Test func emptyText() {
        #expect(CriteriaSplitter.split("") == SplitCriteria())
        #expect(CriteriaSplitter.split(" \n\n   \n") == SplitCriteria())
    }

    @Test func onlyAnExclusionSection() {
        let split = CriteriaSplitter.split("Exclusion Criteria:\n\n* Pregnancy\n* Dialysis")
        #expect(split == SplitCriteria(exclusion: [item("Pregnancy"), item("Dialysis")]))
    }

    @Test func textBeforeAnExclusionHeaderIsInclusion() {
        let split = CriteriaSplitter.split("To be eligible, participants must:\n\n1. Be 18 or older\n\nIII.6 EXCLUSION CRITERIA\n\n1. Pregnancy")
        #expect(split == SplitCriteria(inclusion: [item("Be 18 or older")], exclusion: [item("Pregnancy")],
                                       other: [item("To be eligible, participants must:")]))
    }

    @Test func preambleCohortHeadingsAndNotesGoToOtherOrLabels() {
        let text = """
            Subjects who meet all of the following inclusion criteria are eligible:

            Cohort A

            Inclusion Criteria:

            * Adults

            Exclusion Criteria:

            * Children

            Cohort B

            Inclusion Criteria:

            * Teenagers

            Exclusion Criteria:

            * Adults

            Note: Other protocol-defined inclusion/exclusion criteria may apply.
            """
        let split = CriteriaSplitter.split(text)
        #expect(split.inclusion == [item("Cohort A", [item("Adults")]), item("Cohort B", [item("Teenagers")])])
        #expect(split.exclusion == [item("Cohort A", [item("Children")]), item("Cohort B", [item("Adults")])])
        #expect(split.other == [item("Subjects who meet all of the following inclusion criteria are eligible:"),
                                item("Note: Other protocol-defined inclusion/exclusion criteria may apply.")])
    }

    @Test func shortLinesAreSeparateItemsLongOnesWrap() {
        let text = """
            Inclusion Criteria:

            Healthy adults under age 60

            Exclusion Criteria:

            Type 1 Diabetes
            Current use of dentures
            """
        #expect(CriteriaSplitter.split(text) == SplitCriteria(inclusion: [item("Healthy adults under age 60")],
                                                              exclusion: [item("Type 1 Diabetes"),
                                                                          item("Current use of dentures")]))
    }

    @Test func headingsAdoptWhatFollowsThem() {
        let text = """
            Inclusion Criteria:

            Screening Phase:

            Participants who meet the following:

            1. Aged 14 to 65 years.
            2. Able to consent.

            Study Phase:

            1. Helminth infection
               * by stool test
            2. Consent

            Termination criteria:

            The study stops if the sponsor asks.
            """
        let split = CriteriaSplitter.split(text)
        #expect(split.inclusion == [
            item("Screening Phase:", [
                item("Participants who meet the following:", [item("Aged 14 to 65 years."), item("Able to consent.")]),
            ]),
            item("Study Phase:", [item("Helminth infection", [item("by stool test")]), item("Consent")]),
        ])
        #expect(split.other == [item("Termination criteria", [item("The study stops if the sponsor asks.")])])
    }

    @Test func nextNumberClosesNestedBullets() {
        let text = "Inclusion Criteria:\n\n10. One of:\n\n* A\n* B\n\n  11. Consent\n\nExclusion Criteria:\n\n* None"
        let split = CriteriaSplitter.split(text)
        #expect(split.inclusion == [item("One of:", [item("A"), item("B")]), item("Consent")])
        #expect(split.exclusion == [item("None")])
    }

    @Test func markdownEscapesAreUndone() {
        let split = CriteriaSplitter.split("Inclusion Criteria:\n\n* HbA1c \\>= 7% \\[central lab\\] \\& BMI \\< 40\\*")
        #expect(split.inclusion == [item("HbA1c >= 7% [central lab] & BMI < 40*")])
    }

    @Test func jsonKeysAreStable() throws {
        let split = SplitCriteria(inclusion: [item("Adults")])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(split), as: UTF8.self)
        #expect(json == #"{"exclusion":[],"inclusion":[{"subItems":[],"text":"Adults"}],"other":[],"unstructured":false}"#)
        #expect(try JSONDecoder().decode(SplitCriteria.self, from: Data(json.utf8)) == split)
    }
}
