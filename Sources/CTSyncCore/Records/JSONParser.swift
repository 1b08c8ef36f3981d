import Foundation

/// A JSON text that could not be parsed, with the byte offset where it went wrong.
public struct JSONParseError: Error, LocalizedError, Equatable {
    public var offset: Int
    public var reason: String
    public var errorDescription: String? { "invalid JSON at byte \(offset): \(reason)" }
}

/// A strict RFC 8259 parser from UTF-8 bytes to `JSONValue`.
///
/// Written for the registry's documents: fast on large objects, exact on integers, and precise about where a
/// truncated or corrupt body stops making sense.
public struct JSONParser {
    /// Documents nested deeper than this are rejected rather than risking the stack.
    public static let maximumDepth = 512

    public static func parse(_ data: Data) throws -> JSONValue {
        try data.withUnsafeBytes { raw in
            var parser = JSONParser(bytes: raw.bindMemory(to: UInt8.self))
            parser.skipWhitespace()
            let value = try parser.parseValue(depth: 0)
            parser.skipWhitespace()
            if parser.index != parser.bytes.count { throw parser.error("unexpected data after the document") }
            return value
        }
    }

    public static func parse(_ text: String) throws -> JSONValue {
        try parse(Data(text.utf8))
    }

    // MARK: - State

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    private init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    private func error(_ reason: String) -> JSONParseError {
        JSONParseError(offset: index, reason: reason)
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    // MARK: - Values

    private mutating func parseValue(depth: Int) throws -> JSONValue {
        guard index < bytes.count else { throw error("unexpected end of data") }
        if depth > JSONParser.maximumDepth { throw error("nesting deeper than \(JSONParser.maximumDepth)") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error("unexpected character '\(Character(Unicode.Scalar(bytes[index])))'")
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw error("unexpected end of data") }
        let ok = literal.withUTF8Buffer { lit in
            (0..<count).allSatisfy { bytes[index + $0] == lit[$0] }
        }
        guard ok else { throw error("invalid literal") }
        index += count
    }

    private mutating func parseObject(depth: Int) throws -> JSONValue {
        var members: [JSONObject.Member] = []
        try readMembers(name: { try $0.parseString() }) { parser, key in
            if members.isEmpty { members.reserveCapacity(8) }
            members.append(JSONObject.Member(key: key, value: try parser.parseValue(depth: depth + 1)))
        }
        return .object(members.isEmpty ? JSONObject() : JSONObject(members: members))
    }

    private mutating func parseArray(depth: Int) throws -> JSONValue {
        var elements: [JSONValue] = []
        try readElements { elements.append(try $0.parseValue(depth: depth + 1)) }
        return .array(elements)
    }

    /// An object's grammar, from its `{` to past its `}`: `name` reads each member's name (at its quote), `value`
    /// its value (after the colon). Returns the number of members. Shared by the tree and the tape.
    @inline(__always) @discardableResult
    private mutating func readMembers<Name>(name: (inout JSONParser) throws -> Name,
                                            value: (inout JSONParser, Name) throws -> Void) throws -> Int {
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return 0
        }
        var count = 0
        while true {
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of data in an object") }
            guard bytes[index] == UInt8(ascii: "\"") else { throw error("expected a member name") }
            let key = try name(&self)
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':' after a member name") }
            index += 1
            skipWhitespace()
            try value(&self, key)
            count += 1
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of data in an object") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return count }
            throw error("expected ',' or '}' in an object")
        }
    }

    /// An array's grammar, from its `[` to past its `]`, `element` reading each element. Returns their number.
    @inline(__always) @discardableResult
    private mutating func readElements(_ element: (inout JSONParser) throws -> Void) throws -> Int {
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return 0
        }
        var count = 0
        while true {
            skipWhitespace()
            try element(&self)
            count += 1
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of data in an array") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return count }
            throw error("expected ',' or ']' in an array")
        }
    }

    private mutating func parseNumber() throws -> JSONValue {
        let (start, isInteger) = try scanNumber()
        guard let value = JSONParser.number(UnsafeBufferPointer(rebasing: bytes[start..<index]), isInteger: isInteger)
        else { throw JSONParseError(offset: start, reason: "invalid number") }
        return value
    }

    /// Moves past a number that matches the grammar; returns where it starts and whether it is an integer (no
    /// fraction, no exponent).
    private mutating func scanNumber() throws -> (start: Int, isInteger: Bool) {
        let start = index
        var isInteger = true
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        return (start, isInteger)
    }

    /// Whether `text` (a number as the grammar allows it) is an integer of at most 18 digits: one that
    /// `number(_:isInteger:)` reads straight into an `Int64` and that canonical JSON writes as it is spelled
    /// (but for `-0`).
    static func isShortInteger(_ text: UnsafeBufferPointer<UInt8>, isInteger: Bool) -> Bool {
        isInteger && text.count - (text.first == UInt8(ascii: "-") ? 1 : 0) <= 18
    }

    /// The value of a number that matched the grammar (`isInteger`: without fraction or exponent); nil when it does
    /// not read as a `Double`.
    static func number(_ text: UnsafeBufferPointer<UInt8>, isInteger: Bool) -> JSONValue? {
        // An integer of up to 18 digits fits an Int64 whatever its digits: read directly, without a string.
        let negative = text.first == UInt8(ascii: "-")
        if isShortInteger(text, isInteger: isInteger) {
            var value: Int64 = 0
            for b in text[(negative ? 1 : 0)...] { value = value &* 10 &+ Int64(b &- 0x30) }
            return .int(negative ? -value : value)
        }
        let string = String(decoding: text, as: UTF8.self)
        if isInteger, let i = Int64(string) { return .int(i) }
        guard let d = Double(string) else { return nil }
        // JSON has one number type: `40.0` and `40` are the same value, kept as an integer so that canonical
        // forms and comparisons agree.
        if d.rounded() == d, abs(d) < 1e15 { return .int(Int64(d)) }
        return .double(d)
    }

    private func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    // MARK: - Strings

    private mutating func parseString() throws -> String {
        let start = index + 1
        var decoded = DecodedBytes()
        if try scanString(into: &decoded) { return String(decoding: decoded.bytes, as: UTF8.self) }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index - 1]), as: UTF8.self)
    }

    /// Moves from a string's opening quote past its closing one, checking it; returns whether it has escapes, and
    /// only then hands `sink` what it decodes (the runs between escapes, and each escape decoded).
    @inline(__always)
    private mutating func scanString<Sink: StringSink>(into sink: inout Sink) throws -> Bool {
        index += 1  // opening quote
        let start = index
        // Fast path: no escapes (most strings, keys above all).
        skipPlainBytes()
        guard index < bytes.count else { throw error("unterminated string") }
        if bytes[index] == UInt8(ascii: "\"") {
            index += 1
            return false
        }
        if bytes[index] < 0x20 { throw error("control character in a string") }
        // Escapes (long texts have a `\n` every line): the runs between them are copied in one go.
        sink.reserve(index - start + 64)
        sink.append(UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                index += 1
                return true
            }
            if b < 0x20 { throw error("control character in a string") }
            index += 1
            guard index < bytes.count else { throw error("unterminated escape") }
            let e = bytes[index]
            index += 1
            switch e {
            case UInt8(ascii: "\""): sink.append(0x22)
            case UInt8(ascii: "\\"): sink.append(0x5C)
            case UInt8(ascii: "/"): sink.append(0x2F)
            case UInt8(ascii: "b"): sink.append(0x08)
            case UInt8(ascii: "f"): sink.append(0x0C)
            case UInt8(ascii: "n"): sink.append(0x0A)
            case UInt8(ascii: "r"): sink.append(0x0D)
            case UInt8(ascii: "t"): sink.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try parseHex4()
                if (0xD800...0xDBFF).contains(scalar) {
                    // A high surrogate must be followed by a low one.
                    if index + 6 <= bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") {
                        index += 2
                        let low = try parseHex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw error("invalid surrogate pair") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        scalar = 0xFFFD
                    }
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    scalar = 0xFFFD
                }
                sink.append(Unicode.Scalar(scalar) ?? "\u{FFFD}")
            default:
                throw error("invalid escape")
            }
            let run = index
            skipPlainBytes()
            sink.append(UnsafeBufferPointer(rebasing: bytes[run..<index]))
        }
        throw error("unterminated string")
    }

    /// Moves `index` to the next `"`, `\` or control byte (or the end): eight bytes at a time, then byte by byte.
    @inline(__always)
    private mutating func skipPlainBytes() {
        if let base = bytes.baseAddress {
            while index + 8 <= bytes.count {
                let w = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
                if JSONParser.hasSpecialByte(w) { break }
                index += 8
            }
        }
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") || b < 0x20 { return }
            index += 1
        }
    }

    /// Whether any of the eight bytes of `w` is `"`, `\` or below 0x20 (may say yes for a byte after one that is:
    /// the caller then looks byte by byte).
    @inline(__always)
    static func hasSpecialByte(_ w: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quote = w ^ (ones &* 0x22)
        let backslash = w ^ (ones &* 0x5C)
        let zeroQuote = (quote &- ones) & ~quote
        let zeroBackslash = (backslash &- ones) & ~backslash
        let control = (w &- ones &* 0x20) & ~w
        return (zeroQuote | zeroBackslash | control) & highs != 0
    }

    private mutating func parseHex4() throws -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("unterminated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[index]
            let d: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(b - UInt8(ascii: "A") + 10)
            default: throw error("invalid \\u escape")
            }
            v = v * 16 + d
            index += 1
        }
        return v
    }
}

// MARK: - Tape

/// One value of a document as `JSONParser.tape` reads it: where it is in the text and, for an object or an array,
/// how many members or elements follow it on the tape and where it ends there. An object's members follow it as
/// pairs: the name (a string token), then the value with everything in it.
struct JSONToken {
    enum Kind: UInt8 { case object, array, string, number, `true`, `false`, null }
    var kind: Kind
    /// A string with an escape; a number that is an integer of at most 18 digits (`JSONParser.isShortInteger`).
    var flag: Bool
    /// A string's first byte after its opening quote; the first byte of a number or a literal; a container's
    /// opening bracket.
    var start: Int32
    /// A string's closing quote; the byte after a number, a literal or a container.
    var end: Int32
    /// The index of the token after this value and everything in it.
    var next: Int32
    /// The members or elements of a container.
    var count: Int32
}

extension JSONParser {
    /// The document in `bytes` as a flat list of tokens, checked exactly as `parse` checks it; nil wherever `parse`
    /// would throw (or for a text of 2 GiB or more). Nothing is decoded: strings and numbers are where they are.
    static func tape(_ bytes: UnsafeBufferPointer<UInt8>) -> [JSONToken]? {
        guard bytes.count < Int(Int32.max) else { return nil }
        var parser = JSONParser(bytes: bytes)
        var tape: [JSONToken] = []
        tape.reserveCapacity(bytes.count / 16)
        do {
            parser.skipWhitespace()
            try parser.tapeValue(depth: 0, into: &tape)
            parser.skipWhitespace()
        } catch {
            return nil
        }
        return parser.index == bytes.count ? tape : nil
    }

    /// The string whose opening quote is at `quote` in a text `tape` accepted, decoded as `parse` decodes it.
    static func string(at quote: Int, in bytes: UnsafeBufferPointer<UInt8>) -> String {
        var parser = JSONParser(bytes: bytes)
        parser.index = quote
        return (try? parser.parseString()) ?? ""
    }

    /// `parseValue`, `parseObject`, `parseArray`, strings and numbers, with the same checks in the same order,
    /// appending tokens instead of building values.
    private mutating func tapeValue(depth: Int, into tape: inout [JSONToken]) throws {
        guard index < bytes.count else { throw error("unexpected end of data") }
        if depth > JSONParser.maximumDepth { throw error("nesting deeper than \(JSONParser.maximumDepth)") }
        let at = tape.count
        let start = Int32(index)
        func scalar(_ kind: JSONToken.Kind, flag: Bool = false) {
            tape.append(JSONToken(kind: kind, flag: flag, start: start, end: Int32(index), next: Int32(at + 1), count: 0))
        }
        switch bytes[index] {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let isObject = bytes[index] == UInt8(ascii: "{")
            tape.append(JSONToken(kind: isObject ? .object : .array, flag: false, start: start, end: 0, next: 0, count: 0))
            let count = try isObject ? tapeMembers(depth: depth, into: &tape) : tapeElements(depth: depth, into: &tape)
            tape[at].count = Int32(count)
            tape[at].end = Int32(index)
            tape[at].next = Int32(tape.count)
        case UInt8(ascii: "\""):
            var none = NoBytes()
            let escaped = try scanString(into: &none)
            tape.append(JSONToken(kind: .string, flag: escaped, start: start + 1, end: Int32(index - 1),
                                  next: Int32(at + 1), count: 0))
        case UInt8(ascii: "t"): try expectLiteral("true"); scalar(.true)
        case UInt8(ascii: "f"): try expectLiteral("false"); scalar(.false)
        case UInt8(ascii: "n"): try expectLiteral("null"); scalar(.null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let (first, isInteger) = try scanNumber()
            let text = UnsafeBufferPointer(rebasing: bytes[first..<index])
            let short = JSONParser.isShortInteger(text, isInteger: isInteger)
            // What `parse` would refuse (a number `Double` cannot read) is refused here too.
            if !short, JSONParser.number(text, isInteger: isInteger) == nil {
                throw JSONParseError(offset: first, reason: "invalid number")
            }
            scalar(.number, flag: short)
        default: throw error("unexpected character")
        }
    }

    private mutating func tapeMembers(depth: Int, into tape: inout [JSONToken]) throws -> Int {
        try readMembers(name: { try $0.tapeValue(depth: depth + 1, into: &tape) }) { parser, _ in
            try parser.tapeValue(depth: depth + 1, into: &tape)
        }
    }

    private mutating func tapeElements(depth: Int, into tape: inout [JSONToken]) throws -> Int {
        try readElements { try $0.tapeValue(depth: depth + 1, into: &tape) }
    }
}

// MARK: - String sinks

/// Where `JSONParser.scanString` puts what it decodes of a string with escapes.
private protocol StringSink {
    mutating func reserve(_ capacity: Int)
    mutating func append(_ run: UnsafeBufferPointer<UInt8>)
    mutating func append(_ byte: UInt8)
    mutating func append(_ scalar: Unicode.Scalar)
}

/// The decoded UTF-8 bytes, to make a `String` of.
private struct DecodedBytes: StringSink {
    var bytes: [UInt8] = []
    mutating func reserve(_ capacity: Int) { bytes.reserveCapacity(capacity) }
    mutating func append(_ run: UnsafeBufferPointer<UInt8>) { bytes.append(contentsOf: run) }
    mutating func append(_ byte: UInt8) { bytes.append(byte) }
    mutating func append(_ scalar: Unicode.Scalar) { bytes.append(contentsOf: scalar.utf8) }
}

/// Nothing: the string is only checked.
private struct NoBytes: StringSink {
    func reserve(_ capacity: Int) {}
    func append(_ run: UnsafeBufferPointer<UInt8>) {}
    func append(_ byte: UInt8) {}
    func append(_ scalar: Unicode.Scalar) {}
}
