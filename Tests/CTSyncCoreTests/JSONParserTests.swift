import CTSyncCore
import Foundation
import Testing

@Suite struct JSONParserTests {
    @Test func parsesEveryKindOfValue() throws {
        let v = try JSONParser.parse(#"{"a":[1,-2,3.5,1e3,true,false,null],"s":"x\"y\\z\n\u00e9\ud83d\ude00","o":{}}"#)
        #expect(v["a"] == .array([.int(1), .int(-2), .double(3.5), .int(1000), .bool(true), .bool(false), .null]))
        #expect(v["s"] == .string("x\"y\\z\né😀"))
        #expect(v["o"] == .object([:]))
    }

    @Test func keepsLargeIntegersExact() throws {
        #expect(try JSONParser.parse("9007199254740993") == .int(9_007_199_254_740_993))
    }

    /// Integers read straight from their digits (up to 18) agree with reading their text as `Int64`, at every
    /// length and sign, and past 18 digits the text is read as before (an Int64 if it fits, else a double).
    @Test func integersOfEveryLengthReadAsTheirText() throws {
        for length in 1...20 {
            for first in ["1", "9"] {
                let text = first + String(repeating: "7", count: length - 1)
                for sign in ["", "-"] {
                    let parsed = try JSONParser.parse(sign + text)
                    if let exact = Int64(sign + text) {
                        #expect(parsed == .int(exact), "\(sign)\(text)")
                    } else {
                        #expect(parsed == .double(Double(sign + text)!), "\(sign)\(text)")
                    }
                }
            }
        }
        #expect(try JSONParser.parse("-0") == .int(0))
        #expect(try JSONParser.parse("[0,-9223372036854775808,9223372036854775807]")
                == .array([.int(0), .int(.min), .int(.max)]))
        #expect(try JSONParser.parse("9223372036854775808") == .double(9_223_372_036_854_775_808))
    }

    @Test func canonicalFormIgnoresMemberOrderAndWhitespace() throws {
        let a = try JSONParser.parse(#"{"b": 1, "a": {"y": [1, 2], "x": "s"}}"#)
        let b = try JSONParser.parse(#"{"a":{"x":"s","y":[1,2]},"b":1}"#)
        #expect(a.canonicalData() == b.canonicalData())
        #expect(a.compactString() == #"{"a":{"x":"s","y":[1,2]},"b":1}"#)
        #expect(try JSONParser.parse(a.prettyString()) == a)
    }

    @Test func roundTripsEveryRealRecord() throws {
        for study in RealStudies.all {
            #expect(try JSONParser.parse(study.canonicalData()) == study)
        }
    }

    @Test(arguments: [
        (#"{"a": 1"#, "unexpected end of data in an object"),
        (#"{"a" 1}"#, "expected ':' after a member name"),
        (#"[1, 2,"#, "unexpected end of data"),
        (#""abc"#, "unterminated string"),
        (#"{"a": tru}"#, "invalid literal"),
        (#"{} x"#, "unexpected data after the document"),
        ("", "unexpected end of data"),
        (#"{"a": 01}"#, "expected ',' or '}' in an object"),
    ])
    func rejectsMalformedDocumentsWithTheOffset(text: String, reason: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
        do {
            _ = try JSONParser.parse(text)
        } catch let error as JSONParseError {
            #expect(error.reason == reason)
            #expect(error.offset <= text.utf8.count)
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func rejectsNestingDeeperThanTheLimit() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(deep) }
    }

    @Test func truncatedRealRecordIsAnError() throws {
        let data = RealStudies.study("NCT04523987").canonicalData()
        #expect(throws: JSONParseError.self) { try JSONParser.parse(data.prefix(data.count / 2)) }
    }
}

@Suite struct SHA256Tests {
    @Test func knownVectors() {
        #expect(SHA256.hex(Data()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let long = Data("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(SHA256.hex(long) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    /// A digest with a range left out equals the digest of the rest joined: ranges at the start, the end, the
    /// middle, empty and whole, on a text longer than SHA-256's 64-byte blocks.
    @Test func skippingARangeHashesTheRestJoined() {
        let text = Data("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(SHA256.hex(Data("abc".utf8) + text, skipping: 3..<(3 + text.count))
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let data = Data((0..<1_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        for range in [0..<0, 0..<10, 990..<1_000, 63..<65, 100..<900, 500..<500, 0..<1_000] {
            #expect(SHA256.hex(data, skipping: range) == SHA256.hex(data[..<range.lowerBound] + data[range.upperBound...]),
                    "\(range)")
        }
    }
}

@Suite struct NCTIDTests {
    @Test func acceptsEightDigitIdsInAnyCase() {
        #expect(NCTID(" nct04467047 ")?.rawValue == "NCT04467047")
    }

    @Test(arguments: ["NCT123", "NCT0446704", "NCT044670471", "XYZ04467047", "NCT0446704a", ""])
    func rejectsOtherText(_ text: String) {
        #expect(NCTID(text) == nil)
    }
}
