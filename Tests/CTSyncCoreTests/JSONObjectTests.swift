import CTSyncCore
import Foundation
import Testing

@Suite struct JSONObjectTests {
    /// Canonical JSON written the straightforward way: members gathered in a dictionary and sorted when written.
    private func reference(_ v: JSONValue) -> String {
        switch v {
        case .object(let o):
            let d = o.dictionary
            let keys = d.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            let members = keys.map { JSONValue.string($0).compactString() + ":" + reference(d[$0]!) }
            return "{" + members.joined(separator: ",") + "}"
        case .array(let a): return "[" + a.map(reference).joined(separator: ",") + "]"
        case .int(let i): return String(i)
        default: return v.compactString()
        }
    }

    @Test func canonicalFormOfEveryRealRecordEqualsTheSortedDictionaryForm() {
        for study in RealStudies.all {
            #expect(study.compactString() == reference(study))
        }
    }

    @Test func aRepeatedKeyKeepsItsLastValue() throws {
        #expect(try JSONParser.parse(#"{"b":1,"a":2,"b":3}"#).compactString() == #"{"a":2,"b":3}"#)
        // More members than the insertion sort handles, with repeats out of order.
        let keys = (0..<40).map { "k\(($0 * 7) % 23)" }
        let text = "{" + keys.enumerated().map { "\"\($0.element)\":\($0.offset)" }.joined(separator: ",") + "}"
        let parsed = try JSONParser.parse(text)
        var last: [String: Int] = [:]
        for (n, k) in keys.enumerated() { last[k] = n }
        #expect(parsed.objectValue?.count == last.count)
        for (k, n) in last { #expect(parsed[k] == .int(Int64(n))) }
        #expect(parsed.compactString() == reference(parsed))
    }

    /// On names that share their first bytes, differ late, are escaped, non-ASCII, hold NUL or repeat, the parser
    /// orders and keeps members exactly as Foundation's dictionary form does, for small and large objects.
    /// (Canonically equivalent names, one key to Foundation, are `membersAreOrderedByTheirUTF8Bytes`'s case.)
    @Test func membersInAnyOrderMatchTheDictionaryForm() throws {
        let names = ["interventionModel", "interventionModelDescription", "interventionMode", "a", "", "aaaaaaaa",
                     "aaaaaaaa\\u0000", "aaaaaaa\\u00e9", "aaaaaaaé", "\\u0061bc", "abc", "zzzzzzzzz1", "zzzzzzzzz0",
                     "Z", "é", "\\ud83d\\ude00x", "primaryCompletionDateStruct", "primaryCompletionDate"]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(n))
        }
        for round in 0..<300 {
            let count = 1 + next(round % 3 == 0 ? 30 : 12)
            let picked = (0..<count).map { _ in names[next(names.count)] }
            let text = "{" + picked.enumerated().map { "\"\($0.element)\":\($0.offset)" }.joined(separator: ",") + "}"
            let parsed = try JSONParser.parse(text)
            let foundation = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
            #expect(parsed.objectValue?.count == foundation.count, "\(text)")
            #expect(parsed.compactString() == reference(parsed), "\(text)")
            var expected = ""
            for key in foundation.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                expected += (expected.isEmpty ? "" : ",") + JSONValue.string(key).compactString() + ":\(foundation[key]!)"
            }
            #expect(parsed.compactString() == "{" + expected + "}", "\(text)")
        }
    }

    @Test func membersAreOrderedByTheirUTF8Bytes() throws {
        let parsed = try JSONParser.parse(#"{"é":1,"a":2,"Z":3,"ab":4,"":5,"e\u0301":6}"#)
        #expect(parsed.objectValue?.keys == ["", "Z", "a", "ab", "e\u{301}", "é"])
        // Canonically equivalent keys with different bytes stay two members, each found by its own bytes.
        #expect(parsed["é"] == .int(1))
        #expect(parsed["e\u{301}"] == .int(6))
    }

    @Test func settingAndRemovingKeepsTheOrder() {
        var o: JSONObject = ["m": .int(1), "c": .int(2), "x": .int(3)]
        o["d"] = .string("new")
        o["m"] = .bool(true)
        o["x"] = nil
        #expect(o.keys == ["c", "d", "m"])
        #expect(o.removeValue(forKey: "c") == .int(2))
        #expect(o.removeValue(forKey: "absent") == nil)
        #expect(JSONValue.object(o).compactString() == #"{"d":"new","m":true}"#)
        #expect(JSONObject(["b": .null, "a": .null]) == ["a": .null, "b": .null])
    }

    @Test func integersAreWrittenAsDecimalDigits() {
        for i: Int64 in [0, 7, -1, 10, -10, 1_000_000, .max, .min, 9_007_199_254_740_993] {
            #expect(JSONValue.int(i).compactString() == String(i))
        }
        #expect(JSONValue.double(-40).compactString() == "-40")
        #expect(JSONValue.double(2.5).compactString() == "2.5")
    }
}

@Suite struct JSONStringScanTests {
    /// Quotes, backslashes and control bytes at every place of an eight-byte word, and multi-byte UTF-8 around them.
    @Test func findsTheEndOfAStringWhereverTheSpecialByteFalls() throws {
        for length in 0..<20 {
            for special in ["\\\"", "\\\\", "\\n", "\\u00e9", "é", "😀"] {
                let body = String(repeating: "a", count: length) + special + String(repeating: "b", count: 19 - length)
                let expected = String(repeating: "a", count: length)
                    + ["\\\"": "\"", "\\\\": "\\", "\\n": "\n", "\\u00e9": "é", "é": "é", "😀": "😀"][special]!
                    + String(repeating: "b", count: 19 - length)
                #expect(try JSONParser.parse("[\"\(body)\",1]") == .array([.string(expected), .int(1)]))
            }
            let raw = "[\"" + String(repeating: "x", count: length) + "\u{01}\"]"
            #expect(throws: JSONParseError.self) { try JSONParser.parse(raw) }
        }
    }

    /// Strings with several escapes, runs of every length between them (as criteria texts have a `\n` each line),
    /// decode as Foundation's parser decodes them; a control byte or the end of the text after an escape fails at
    /// the same offset as before it.
    @Test func runsBetweenEscapesDecodeAsFoundationDoes() throws {
        let escapes = ["\\n", "\\\"", "\\\\", "\\/", "\\t", "\\u00e9", "\\ud83d\\ude00", "\\u0000"]
        for gap in 0..<19 {
            var body = ""
            for (n, escape) in escapes.enumerated() {
                body += String(repeating: n % 2 == 0 ? "a" : "é", count: gap) + escape
            }
            body += String(repeating: "z", count: gap)
            let text = "[\"" + body + "\"]"
            let expected = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String]
            #expect(try JSONParser.parse(text) == .array([.string(expected[0])]), "gap \(gap)")
            let control = "[\"" + body + "\u{1F}x\"]"
            let end = 2 + body.utf8.count
            #expect { try JSONParser.parse(control) } throws: { error in
                (error as? JSONParseError).map { $0.offset == end && $0.reason == "control character in a string" } ?? false
            }
            #expect { try JSONParser.parse("[\"" + body) } throws: { error in
                (error as? JSONParseError).map { $0.offset == end && $0.reason == "unterminated string" } ?? false
            }
        }
    }
}
