import Foundation

/// A document read once into tokens (`JSONParser.tape`), from which its canonical JSON is written and the parts
/// that are needed are built as `JSONValue`s, without building the whole tree first.
///
/// The canonical JSON it writes is, byte for byte, what `JSONParser.parse` followed by `canonicalData()` gives, and
/// the values it builds are the parser's (but for the members left out, which are empty values of their type):
/// strings and numbers go through the parser's own decoding wherever they are not copied as they are (a string
/// without escapes that is valid UTF-8; an integer of at most 18 digits). The few documents it does not handle (an
/// escaped or invalid UTF-8 member name, a name given twice) are left to the tree: `canonicalData` returns nil.
struct JSONTape {
    let bytes: UnsafeBufferPointer<UInt8>
    let tokens: [JSONToken]

    /// nil when `bytes` is not a JSON text `JSONParser.parse` accepts.
    init?(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let tokens = JSONParser.tape(bytes) else { return nil }
        self.bytes = bytes
        self.tokens = tokens
    }

    var root: JSONToken { tokens[0] }

    /// The index of the value of the member `name` of the object at `object`, if it has one.
    func member(_ name: String, of object: Int) -> Int? {
        guard tokens[object].kind == .object else { return nil }
        var key = object + 1
        for _ in 0..<tokens[object].count {
            if !tokens[key].flag, JSONTape.equals(text(tokens[key]), name) { return key + 1 }
            key = Int(tokens[key + 1].next)
        }
        return nil
    }

    private func text(_ t: JSONToken) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: bytes[Int(t.start)..<Int(t.end)])
    }

    /// The indexes of the elements of the array at `array` (none for anything else).
    func elements(of array: Int) -> [Int] {
        guard tokens[array].kind == .array else { return [] }
        var out: [Int] = []
        out.reserveCapacity(Int(tokens[array].count))
        var element = array + 1
        for _ in 0..<tokens[array].count {
            out.append(element)
            element = Int(tokens[element].next)
        }
        return out
    }

    // MARK: - Canonical JSON

    /// The canonical JSON of the value at `i` (`JSONValue.canonicalData()`), and the byte range of the member at
    /// `path` with its comma (`canonicalData(marking:)`); nil for a value left to the tree (see above).
    func canonicalData(of i: Int = 0, marking path: ArraySlice<String>) -> (Data, Range<Int>?)? {
        tokens.withUnsafeBufferPointer { tokens in
            var writer = Writer(text: bytes, tokens: tokens)
            defer { writer.deallocate() }
            var marked: Range<Int>?
            guard writer.write(i, marking: path, range: &marked) else { return nil }
            return (Data(bytes: writer.out, count: writer.count), marked)
        }
    }

    /// Writes canonical JSON from the tape into a buffer of its own: the text is written a few bytes at a time, and
    /// an array's appends (or a class's checked accesses to its properties) cost more than the copying.
    private struct Writer {
        let text: UnsafeBufferPointer<UInt8>
        let tokens: UnsafeBufferPointer<JSONToken>
        private(set) var out: UnsafeMutablePointer<UInt8>
        private(set) var count = 0
        private var capacity: Int
        /// The members of the objects being written, innermost last, sorted by name: never more than the tokens.
        private let order: UnsafeMutablePointer<Int32>
        private var ordered = 0

        init(text: UnsafeBufferPointer<UInt8>, tokens: UnsafeBufferPointer<JSONToken>) {
            self.text = text
            self.tokens = tokens
            capacity = text.count + 1_024
            out = .allocate(capacity: capacity)
            order = .allocate(capacity: max(tokens.count, 1))
        }

        func deallocate() {
            out.deallocate()
            order.deallocate()
        }

        @inline(__always)
        private mutating func reserve(_ n: Int) {
            guard count + n > capacity else { return }
            let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: max(capacity * 2, count + n))
            larger.update(from: out, count: count)
            out.deallocate()
            out = larger
            capacity = max(capacity * 2, count + n)
        }

        @inline(__always)
        private mutating func append(_ byte: UInt8) {
            reserve(1)
            out[count] = byte
            count += 1
        }

        @inline(__always)
        private mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
            reserve(bytes.count)
            if let base = bytes.baseAddress { (out + count).update(from: base, count: bytes.count) }
            count += bytes.count
        }

        @inline(__always)
        private func span(_ t: JSONToken) -> UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(rebasing: text[Int(t.start)..<Int(t.end)])
        }

        /// Appends what the tree's writer appends for `value`, through a scratch array.
        private mutating func append(_ value: JSONValue) {
            var bytes: [UInt8] = []
            value.write(into: &bytes)
            bytes.withUnsafeBufferPointer { append($0) }
        }

        private mutating func append(string: String) {
            var bytes: [UInt8] = []
            JSONValue.writeString(string, into: &bytes)
            bytes.withUnsafeBufferPointer { append($0) }
        }

        mutating func write(_ i: Int, marking path: ArraySlice<String>, range: inout Range<Int>?) -> Bool {
            let t = tokens[i]
            switch t.kind {
            case .object: return writeObject(i, marking: path, range: &range)
            case .array:
                append(0x5B)
                var element = i + 1
                for n in 0..<Int(t.count) {
                    if n > 0 { append(0x2C) }
                    guard write(element, marking: [], range: &range) else { return false }
                    element = Int(tokens[element].next)
                }
                append(0x5D)
            case .string:
                let span = self.span(t)
                if !t.flag, JSONTape.isValidUTF8(span) {
                    reserve(span.count + 2)
                    out[count] = 0x22
                    count += 1
                    append(span)
                    out[count] = 0x22
                    count += 1
                } else {
                    // Escapes, or bytes that are not UTF-8: decoded (and repaired) as the parser does, then written
                    // as the tree writes a string.
                    append(string: JSONParser.string(at: Int(t.start) - 1, in: text))
                }
            case .number:
                let span = self.span(t)
                if t.flag {
                    // As written, but `-0`, which is 0.
                    if span.count == 2, span[0] == UInt8(ascii: "-"), span[1] == UInt8(ascii: "0") {
                        append(UInt8(ascii: "0"))
                    } else {
                        append(span)
                    }
                } else {
                    guard let value = JSONParser.number(span, isInteger: !span.contains(where: JSONTape.isFractionOrExponent))
                    else { return false }
                    append(value)
                }
            case .true, .false, .null: append(span(t))
            }
            return true
        }

        private mutating func writeObject(_ i: Int, marking path: ArraySlice<String>, range: inout Range<Int>?) -> Bool {
            let members = Int(tokens[i].count)
            guard members > 0 else {
                append(0x7B)
                append(0x7D)
                return true
            }
            let names = order + ordered
            ordered += members
            defer { ordered -= members }
            var key = i + 1
            for n in 0..<members {
                // Names are compared as they are spelled: one with an escape, or not UTF-8, is left to the tree.
                guard !tokens[key].flag, JSONTape.isValidUTF8(span(tokens[key])) else { return false }
                names[n] = Int32(key)
                key = Int(tokens[key + 1].next)
            }
            guard sortNames(UnsafeMutableBufferPointer(start: names, count: members)) else { return false }
            append(0x7B)
            for n in 0..<members {
                let key = Int(names[n])
                let start = count
                let name = span(tokens[key])
                reserve(name.count + 4)
                if n > 0 {
                    out[count] = 0x2C
                    count += 1
                }
                out[count] = 0x22
                count += 1
                append(name)
                out[count] = 0x22
                out[count + 1] = 0x3A
                count += 2
                guard let first = path.first, JSONTape.equals(name, first) else {
                    guard write(key + 1, marking: [], range: &range) else { return false }
                    continue
                }
                if path.count > 1 {
                    guard write(key + 1, marking: path.dropFirst(), range: &range) else { return false }
                } else {
                    guard write(key + 1, marking: [], range: &range) else { return false }
                    // The comma before the member; for the first of several, the comma after it.
                    range = n > 0 || members == 1 ? start..<count : start..<(count + 1)
                }
            }
            append(0x7D)
            return true
        }

        /// Sorts the names' tokens by their bytes; false when a name is there twice.
        private func sortNames(_ names: UnsafeMutableBufferPointer<Int32>) -> Bool {
            let text = self.text.baseAddress!
            let tokens = self.tokens
            func compare(_ a: Int32, _ b: Int32) -> Int {
                let x = tokens[Int(a)], y = tokens[Int(b)]
                let xn = Int(x.end - x.start), yn = Int(y.end - y.start)
                let n = min(xn, yn)
                if n > 0 {
                    let c = memcmp(text + Int(x.start), text + Int(y.start), n)
                    if c != 0 { return Int(c) }
                }
                return xn - yn
            }
            var names = names
            if names.count <= 16 {
                for i in 1..<names.count {
                    let m = names[i]
                    var j = i
                    while j > 0, compare(names[j - 1], m) > 0 {
                        names[j] = names[j - 1]
                        j -= 1
                    }
                    names[j] = m
                }
            } else {
                names.sort { compare($0, $1) < 0 }
            }
            for i in 1..<names.count where compare(names[i - 1], names[i]) == 0 { return false }
            return true
        }
    }

    static func isFractionOrExponent(_ b: UInt8) -> Bool {
        b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E")
    }

    private static func equals(_ raw: UnsafeBufferPointer<UInt8>, _ name: String) -> Bool {
        var name = name
        return name.withUTF8 { n in
            n.count == raw.count && (n.isEmpty || memcmp(n.baseAddress!, raw.baseAddress!, n.count) == 0)
        }
    }

    // MARK: - Values

    /// The value at `i`, built as `JSONParser.parse` builds it where `selection` asks for it; the members it does not
    /// ask for are there with an empty value of their type (`{}`, `[]`, `""`; other values as they are).
    func value(_ i: Int = 0, selecting selection: JSONSelection = .all) -> JSONValue {
        let t = tokens[i]
        switch t.kind {
        case .object:
            var members: [JSONObject.Member] = []
            members.reserveCapacity(Int(t.count))
            var key = i + 1
            for _ in 0..<Int(t.count) {
                let name = string(tokens[key])
                switch selection {
                case .all: members.append(JSONObject.Member(key: name, value: value(key + 1)))
                case .members(let wanted):
                    if let inner = wanted[name] {
                        members.append(JSONObject.Member(key: name, value: value(key + 1, selecting: inner)))
                    } else {
                        members.append(JSONObject.Member(key: name, value: placeholder(key + 1)))
                    }
                }
                key = Int(tokens[key + 1].next)
            }
            return .object(JSONObject(members: members))
        case .array:
            var elements: [JSONValue] = []
            elements.reserveCapacity(Int(t.count))
            var element = i + 1
            for _ in 0..<Int(t.count) {
                elements.append(value(element, selecting: selection))
                element = Int(tokens[element].next)
            }
            return .array(elements)
        case .string: return .string(string(t))
        case .number:
            let text = self.text(t)
            return JSONParser.number(text, isInteger: t.flag || !text.contains(where: JSONTape.isFractionOrExponent)) ?? .null
        case .true: return .bool(true)
        case .false: return .bool(false)
        case .null: return .null
        }
    }

    private func placeholder(_ i: Int) -> JSONValue {
        switch tokens[i].kind {
        case .object: return .object(JSONObject())
        case .array: return .array([])
        case .string: return .string("")
        default: return value(i)
        }
    }

    private func string(_ t: JSONToken) -> String {
        t.flag ? JSONParser.string(at: Int(t.start) - 1, in: bytes) : String(decoding: text(t), as: UTF8.self)
    }

    // MARK: - UTF-8

    /// Whether `bytes` are well-formed UTF-8 (what `String(decoding:as:)` keeps without repairing): ASCII is
    /// skipped eight bytes at a time.
    static func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let count = bytes.count
        var i = 0
        while i < count {
            while i + 8 <= count, UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                i += 8
            }
            guard i < count else { return true }
            let b = base[i]
            if b < 0x80 {
                i += 1
                continue
            }
            func continuation(_ k: Int) -> Bool { i + k < count && base[i + k] & 0xC0 == 0x80 }
            switch b {
            case 0xC2...0xDF:
                guard continuation(1) else { return false }
                i += 2
            case 0xE0...0xEF:
                guard continuation(1), continuation(2) else { return false }
                let second = base[i + 1]
                if b == 0xE0, second < 0xA0 { return false }  // overlong
                if b == 0xED, second > 0x9F { return false }  // surrogates
                i += 3
            case 0xF0...0xF4:
                guard continuation(1), continuation(2), continuation(3) else { return false }
                let second = base[i + 1]
                if b == 0xF0, second < 0x90 { return false }  // overlong
                if b == 0xF4, second > 0x8F { return false }  // beyond U+10FFFF
                i += 4
            default:
                return false
            }
        }
        return true
    }
}

/// Which members of a document `JSONTape.value` builds: all of them, or those named, each with what to build of it.
indirect enum JSONSelection: Sendable {
    case all
    case members([String: JSONSelection])
}
