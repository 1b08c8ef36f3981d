@testable import CTSyncCore
import Foundation
import Testing

/// The import reads each study through a tape (`JSONTape`): its canonical JSON, content hash and prepared record
/// must be exactly what parsing the whole tree gives, on every real record and on hostile texts, and whatever the
/// tape does not handle must be left to the tree (nil), never written differently.
@Suite struct JSONTapeTests {
    /// The one record the tape makes of a text holding one study; nil when it leaves the text to the tree.
    private func tapeRecord(_ text: Data) -> PreparedRecord? {
        guard let records = Importer.prepare(studiesIn: text) else { return nil }
        #expect(records.count == 1)
        return records.first
    }

    /// The tree's canonical form and marked range, as the import computed them before the tape.
    private func treeCanonical(_ text: Data) throws -> (Data, Range<Int>?) {
        try JSONParser.parse(text).canonicalData(marking: StudyRecord.volatileMember[...])
    }

    private func tapeCanonical(_ text: Data) -> (Data, Range<Int>?)?? {
        text.withUnsafeBytes { raw in
            guard let tape = JSONTape(raw.bindMemory(to: UInt8.self)) else { return nil }
            return .some(tape.canonicalData(marking: StudyRecord.volatileMember[...]))
        }
    }

    /// `value` written with its members in reverse canonical order and white space around everything, so that the
    /// tape has to sort every object.
    private func scrambled(_ value: JSONValue) -> String {
        switch value {
        case .object(let members):
            let parts = members.reversed().map { " \(JSONValue.string($0.key).compactString()) :\t\(scrambled($0.value))" }
            return "{\n" + parts.joined(separator: " ,\n") + " }"
        case .array(let elements):
            return "[ " + elements.map(scrambled).joined(separator: " , ") + " ]"
        default:
            return value.compactString()
        }
    }

    /// Every field of two prepared records, the compressed body by what it decompresses to.
    private func expectSame(_ a: PreparedRecord, _ b: PreparedRecord, _ source: String) throws {
        #expect(a.nctId == b.nctId, "\(source)")
        #expect(a.contentHash == b.contentHash, "\(source)")
        #expect(a.lastUpdatePosted == b.lastUpdatePosted, "\(source)")
        #expect(a.overallStatus == b.overallStatus, "\(source)")
        #expect(a.summary == b.summary, "\(source)")
        #expect(a.phasesJSON == b.phasesJSON, "\(source)")
        #expect(a.conditionsJSON == b.conditionsJSON, "\(source)")
        #expect(a.interventionsJSON == b.interventionsJSON, "\(source)")
        #expect(a.rawSize == b.rawSize, "\(source)")
        #expect(try StoredBody.decompress(a.compressed, originalSize: a.rawSize)
                == StoredBody.decompress(b.compressed, originalSize: b.rawSize), "\(source)")
        #expect(a.search == b.search, "\(source)")
    }

    @Test func everyRealStudyPreparesAsFromTheWholeTree() throws {
        #expect(RealRecords.v2Studies.count > 500)
        for study in RealRecords.v2Studies {
            let text = Data(scrambled(study.json).utf8)
            guard let tree = try? Importer.prepare(JSONParser.parse(text)) else {
                #expect(tapeRecord(text) == nil, "\(study.source)")
                continue
            }
            let tape = try #require(tapeRecord(text), "\(study.source) was left to the tree")
            try expectSame(tape, tree, study.source)
            let (canonical, marked) = try treeCanonical(text)
            let fromTape = try #require(tapeCanonical(text) ?? nil)
            #expect(fromTape.0 == canonical && fromTape.1 == marked, "\(study.source)")
        }
    }

    /// The single-study files as the registry wrote them (members in its order, indented).
    @Test func realFilesAsWrittenPrepareAsFromTheWholeTree() throws {
        var files = 0
        for study in RealRecords.v2Studies where !study.source.contains("#") {
            let text = try Data(contentsOf: RealRecords.directory.appendingPathComponent(study.source))
            guard case .object = try JSONParser.parse(text) else { continue }
            let tape = try #require(tapeRecord(text), "\(study.source) was left to the tree")
            try expectSame(tape, Importer.prepare(JSONParser.parse(text)), study.source)
            files += 1
        }
        #expect(files > 10)
    }

    /// Strings, names and numbers of every awkward kind, inside a real study (NCT04571138, with
    /// `protocolSection.hostile` added): the tape writes what the tree writes, or leaves the text to the tree.
    @Test func hostileValuesAreWrittenAsTheTreeWritesThemOrLeftToIt() throws {
        let base = scrambled(RealRecords.v2("NCT04571138"))
        let values = [
            #""plain""#, #""""#, #""a\"b\\c\/d\b\f\n\r\t""#, #""\u00e9\u0000\u001f\u007f\u2028""#,
            #""\ud83d\ude00 pair""#, #""\ud83d lone high""#, #""\ude00 lone low""#,
            "\"caf\u{e9} \u{2264} 5 \u{1F600}\"", #""ends with escape\n""#, #""\"""#,
            "0", "-0", "7", "-12", "123456789012345678", "-123456789012345678", "1234567890123456789",
            "12345678901234567890", "-9223372036854775808", "1.0", "1.5", "-0.0", "1e2", "1E+2", "2.5e-7",
            "1e400", "123456789012345.6", "0.1",
            "true", "false", "null", "{}", "[]", "[[],{},[{}]]", #"{"b":1,"a":{"d":[],"c":"x"}}"#,
            #"{"é":1,"e":2,"z":3,"É":4}"#, #"{"":1,"a":2}"#,
            String(repeating: #"{"a":["#, count: 200) + String(repeating: "]}", count: 200),
        ]
        #expect(base.contains(#""protocolSection" :\#t{"#))
        for value in values {
            let text = Data(base.replacingOccurrences(of: #""protocolSection" :\#t{"#,
                                                      with: #""protocolSection" :\#t{"hostile": \#(value), "#).utf8)
            let (canonical, marked) = try treeCanonical(text)
            let fromTape = try #require(tapeCanonical(text) ?? nil, "\(value) was left to the tree")
            #expect(fromTape.0 == canonical, "\(value)")
            #expect(fromTape.1 == marked, "\(value)")
            try expectSame(#require(tapeRecord(text)), Importer.prepare(JSONParser.parse(text)), value)
            // In a member the import builds: the same values read, or the same study refused.
            for place in [#"{"identificationModule":{"nctId":"NCT04571138","briefTitle":\#(value)}}"#,
                          #"{"identificationModule":{"nctId":"NCT04571138"},"designModule":{"enrollmentInfo":{"count":\#(value)}}}"#] {
                let text = Data(#"{"protocolSection":\#(place)}"#.utf8)
                if let tree = try? Importer.prepare(JSONParser.parse(text)) {
                    try expectSame(#require(tapeRecord(text), "\(place)"), tree, place)
                } else {
                    #expect(tapeRecord(text) == nil, "\(place)")
                }
            }
        }
    }

    /// Bytes that are not UTF-8 in a string are repaired as the tree repairs them (U+FFFD), so hashes agree.
    @Test func invalidUTF8IsRepairedAsTheTreeRepairsIt() throws {
        for bad: [UInt8] in [[0xFF], [0xC3], [0xC0, 0x80], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80],
                             [0xE2, 0x82], [0x80], [0xF0, 0x9F, 0x98]] {
            let text = Data(#"{"protocolSection":{"identificationModule":{"nctId":"NCT04571138","briefTitle":"a"#.utf8)
                + Data(bad) + Data(#"b"}}}"#.utf8)
            let fromTape = try #require(tapeCanonical(text) ?? nil)
            #expect(fromTape.0 == (try treeCanonical(text)).0, "\(bad)")
            try expectSame(#require(tapeRecord(text)), Importer.prepare(JSONParser.parse(text)), "\(bad)")
        }
    }

    /// What the tape does not write itself: member names with escapes or not UTF-8, and a name given twice. The
    /// import then parses the tree, so the record is the same.
    @Test func unusualNamesAreLeftToTheTree() throws {
        let objects: [[UInt8]] = [Array(#"{"a\u0062":1}"#.utf8), Array(#"{"a":1,"a":2}"#.utf8),
                                  Array(#"{""#.utf8) + [0xFF] + Array(#"x":1}"#.utf8)]
        for object in objects {
            let text = Data(#"{"protocolSection":{"identificationModule":{"nctId":"NCT04571138"}},"x":"#.utf8)
                + Data(object) + Data("}".utf8)
            _ = try JSONParser.parse(text)
            #expect(tapeCanonical(text).flatMap { $0 } == nil, "\(object)")
            #expect(tapeRecord(text) == nil, "\(object)")
        }
    }

    /// Whatever `JSONParser.parse` refuses, the tape refuses too (the import then reports the parser's error).
    @Test func refusesWhatTheParserRefuses() {
        let bad = [
            "", " ", "{", "}", #"{"a":}"#, #"{"a" 1}"#, #"{"a":1,}"#, "[1,]", "[1 2]", #"{"a":1} x"#, "\"\u{01}\"",
            #""\x""#, #""\u12""#, #""\ud83d\u0041""#, "01", "-", "1.", ".5", "1e", "+1", "tru", "nul", "falsey",
            String(repeating: "[", count: 600) + String(repeating: "]", count: 600), #"{"a":"unterminated}"#,
        ]
        for text in bad {
            let data = Data(text.utf8)
            #expect((try? JSONParser.parse(data)) == nil, "\(text)")
            #expect(tapeCanonical(data) == nil, "\(text)")
            #expect(tapeRecord(data) == nil, "\(text)")
        }
    }

    /// Arrays and pages (as `parseJSON` tells them apart) give the records the tree gives, study by study; an
    /// entry with one wrong study is left to the tree whole, which names it and imports the others.
    @Test func arraysAndPagesPrepareAsFromTheWholeTree() throws {
        let studies = ["NCT04571138", "NCT00184067"].map { RealRecords.v2($0) }
        let texts = studies.map(scrambled).joined(separator: " ,\n")
        for (entry, expected) in [("[\(texts)]", 2), (#"{"nextPageToken":"x","studies":[\#(texts)]}"#, 2), ("[]", 0),
                                  (#"{"studies":[]}"#, 0)] {
            let text = Data(entry.utf8)
            let tape = try #require(Importer.prepare(studiesIn: text), "\(entry.prefix(40))")
            #expect(tape.count == expected)
            for (a, b) in zip(tape, studies) { try expectSame(a, Importer.prepare(b), "\(entry.prefix(40))") }
        }
        // A page that is also a study (it has a protocolSection) is one study, as the tree reads it.
        let pageLike = Data(scrambled(studies[0]).replacingOccurrences(of: #""protocolSection" :"#,
                                                                       with: #""studies": [], "protocolSection" :"#).utf8)
        try expectSame(#require(tapeRecord(pageLike)), Importer.prepare(JSONParser.parse(pageLike)), "page-like study")
        #expect(Importer.prepare(studiesIn: Data("[\(texts), 5]".utf8)) == nil)
        #expect(Importer.prepare(studiesIn: Data("[\(texts), {\"protocolSection\": {}}]".utf8)) == nil)
    }

    /// `isValidUTF8` says what `String(decoding:as:)` keeps unrepaired, on every short sequence of interesting bytes.
    @Test func utf8ValidationAgreesWithTheStandardLibrary() {
        let interesting: [UInt8] = [0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1,
                                    0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF]
        func check(_ bytes: [UInt8]) {
            let kept = Array(String(decoding: bytes, as: UTF8.self).utf8) == bytes
            let valid = bytes.withUnsafeBufferPointer { JSONTape.isValidUTF8($0) }
            #expect(valid == kept, "\(bytes.map { String($0, radix: 16) })")
        }
        for a in interesting {
            check([a])
            for b in interesting {
                check([a, b])
                for c in interesting {
                    check([a, b, c])
                    for d in [0x80, 0x90, 0xBF, 0x41] as [UInt8] { check([a, b, c, d]) }
                }
            }
        }
        // Long ASCII runs with one multibyte character at every offset (the eight-byte skip, then the tail).
        for offset in 0..<20 {
            var bytes = [UInt8](repeating: 0x61, count: 24)
            bytes.insert(contentsOf: [0xE2, 0x89, 0xA4], at: offset)
            check(bytes)
            bytes[offset + 1] = 0x41
            check(bytes)
        }
    }
}
