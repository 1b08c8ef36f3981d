import Foundation

extension JSONValue {
    /// Canonical JSON: object members sorted by key (by UTF-8 bytes), no insignificant white space, minimal escapes.
    ///
    /// Two documents with the same content give the same bytes, whatever order the registry sent members in;
    /// this is what content hashes are computed over and what the store keeps.
    public func canonicalData() -> Data {
        var out: [UInt8] = []
        out.reserveCapacity(4096)
        write(into: &out, pretty: false, indent: 0)
        return Data(out)
    }

    /// Indented JSON with sorted keys, for people.
    public func prettyString() -> String {
        var out: [UInt8] = []
        write(into: &out, pretty: true, indent: 0)
        return String(decoding: out, as: UTF8.self)
    }

    /// Compact canonical JSON as a string.
    public func compactString() -> String {
        String(decoding: canonicalData(), as: UTF8.self)
    }

    /// Appends the compact canonical form.
    func write(into out: inout [UInt8]) {
        write(into: &out, pretty: false, indent: 0)
    }

    private func write(into out: inout [UInt8], pretty: Bool, indent: Int) {
        switch self {
        case .null: JSONValue.append("null", to: &out)
        case .bool(let b): JSONValue.append(b ? "true" : "false", to: &out)
        case .int(let i): JSONValue.writeInteger(i, into: &out)
        case .double(let d):
            if d.isFinite, d.rounded() == d, abs(d) < 1e15 {
                JSONValue.writeInteger(Int64(d), into: &out)
            } else if d.isFinite {
                out.append(contentsOf: "\(d)".utf8)
            } else {
                JSONValue.append("null", to: &out)
            }
        case .string(let s): JSONValue.writeString(s, into: &out)
        case .array(let elements):
            if elements.isEmpty { out.append(contentsOf: [0x5B, 0x5D]); return }
            out.append(0x5B)
            for (n, element) in elements.enumerated() {
                if n > 0 { out.append(0x2C) }
                if pretty { newline(&out, indent + 1) }
                element.write(into: &out, pretty: pretty, indent: indent + 1)
            }
            if pretty { newline(&out, indent) }
            out.append(0x5D)
        case .object(let members):
            if members.isEmpty { out.append(contentsOf: [0x7B, 0x7D]); return }
            out.append(0x7B)
            for (n, member) in members.enumerated() {
                if n > 0 { out.append(0x2C) }
                if pretty { newline(&out, indent + 1) }
                JSONValue.writeString(member.key, into: &out)
                out.append(0x3A)
                if pretty { out.append(0x20) }
                member.value.write(into: &out, pretty: pretty, indent: indent + 1)
            }
            if pretty { newline(&out, indent) }
            out.append(0x7D)
        }
    }

    private static func append(_ literal: StaticString, to out: inout [UInt8]) {
        literal.withUTF8Buffer { out.append(contentsOf: $0) }
    }

    /// The decimal digits of `i`, as `String(i)` writes them, without making a string.
    private static func writeInteger(_ i: Int64, into out: inout [UInt8]) {
        if i < 0 { out.append(0x2D) }
        var magnitude = i.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // room for 24 digits; UInt64 has at most 20
        let count = withUnsafeMutableBytes(of: &digits) { buffer -> Int in
            var n = buffer.count
            repeat {
                n -= 1
                buffer[n] = 0x30 + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[n...]))
            return buffer.count - n
        }
        _ = count
    }

    private func newline(_ out: inout [UInt8], _ indent: Int) {
        out.append(0x0A)
        out.append(contentsOf: repeatElement(0x20, count: indent * 2))
    }

    static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(0x22)
        var s = s
        s.withUTF8 { bytes in
            // Runs of bytes that need no escape are copied in one go (most strings have no escape at all), found
            // eight bytes at a time as the parser finds them.
            var start = 0
            var i = 0
            let count = bytes.count
            while true {
                if let base = bytes.baseAddress {
                    while i + 8 <= count, !JSONParser.hasSpecialByte(UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)) {
                        i += 8
                    }
                }
                while i < count, bytes[i] >= 0x20, bytes[i] != 0x22, bytes[i] != 0x5C { i += 1 }
                guard i < count else { break }
                let b = bytes[i]
                if start < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<i])) }
                i += 1
                start = i
                switch b {
                case 0x22: out.append(contentsOf: [0x5C, 0x22])
                case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
                case 0x0A: out.append(contentsOf: [0x5C, 0x6E])
                case 0x0D: out.append(contentsOf: [0x5C, 0x72])
                case 0x09: out.append(contentsOf: [0x5C, 0x74])
                case 0x08: out.append(contentsOf: [0x5C, 0x62])
                case 0x0C: out.append(contentsOf: [0x5C, 0x66])
                default:
                    let hex: StaticString = "0123456789abcdef"
                    hex.withUTF8Buffer { h in
                        out.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, h[Int(b >> 4)], h[Int(b & 0xF)]])
                    }
                }
            }
            if start < count { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...])) }
        }
        out.append(0x22)
    }

    /// The canonical JSON of an array of strings, as `JSONValue.array(strings.map(JSONValue.string))` writes it,
    /// without building the value.
    static func writeStrings(_ strings: [String], into out: inout [UInt8]) {
        out.append(0x5B)
        for (n, s) in strings.enumerated() {
            if n > 0 { out.append(0x2C) }
            writeString(s, into: &out)
        }
        out.append(0x5D)
    }

    /// `strings` as canonical JSON text: the form the store keeps string lists in (state-table lists, alert
    /// categories).
    static func canonicalString(of strings: [String]) -> String {
        var out: [UInt8] = []
        writeStrings(strings, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The canonical JSON of an object of strings (members sorted by the UTF-8 bytes of their names), as
    /// `JSONValue.object(JSONObject(map.mapValues(JSONValue.string)))` writes it, without building the value.
    static func writeStrings(_ map: [String: String], into out: inout [UInt8]) {
        out.append(0x7B)
        // Compared as `JSONObject` orders its members (memcmp of the UTF-8 bytes), each value taken with its key.
        for (n, member) in map.sorted(by: { JSONObject.compare($0.key, $1.key) < 0 }).enumerated() {
            if n > 0 { out.append(0x2C) }
            writeString(member.key, into: &out)
            out.append(0x3A)
            writeString(member.value, into: &out)
        }
        out.append(0x7D)
    }
}

extension JSONValue: Encodable {
    /// Encodes through any `Encoder`, so models can carry raw JSON fragments.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .int(let i): try c.encode(i)
        case .double(let d): try c.encode(d)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }
}
