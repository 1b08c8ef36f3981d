import Foundation

/// The members of a JSON object, kept sorted by key in canonical order (by UTF-8 bytes), each key once.
///
/// An array of members rather than a `Dictionary`: study objects are small (a few to a few dozen members), are
/// built once when a document is parsed and read a handful of times, and are written in canonical order for every
/// content hash. Kept sorted, they need no hashing to build or read (a binary search finds a member) and no
/// sorting to write. It reads like a dictionary: `object["key"]`, `keys`, `values`, iteration as
/// `(key:value:)` pairs in key order.
///
/// Keys are compared by their UTF-8 bytes, as JSON defines them: two keys that only Unicode canonical
/// equivalence would call equal (a precomposed and a decomposed "é") are two members.
public struct JSONObject: Sendable, Hashable, RandomAccessCollection, ExpressibleByDictionaryLiteral {
    public typealias Element = (key: String, value: JSONValue)
    public typealias Key = String
    public typealias Value = JSONValue

    /// One member as stored. A struct rather than the `(key:value:)` tuple the collection hands out: an array of
    /// tuples is destroyed through the runtime's generic tuple code, member by member, and freeing a parsed study
    /// (~300 objects, ~900 members) cost about as much as parsing it.
    struct Member {
        var key: String
        var value: JSONValue
    }

    /// Sorted by `JSONObject.compare` of the keys, no key twice.
    private var members: [Member]

    public init() {
        members = []
    }

    /// The members of `dictionary`.
    public init(_ dictionary: [String: JSONValue]) {
        self.init(members: dictionary.map { Member(key: $0.key, value: $0.value) })
    }

    /// Members in any order; for a key given more than once the last value counts, as when a parser reads
    /// `{"a":1,"a":2}`.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(members: elements.map { Member(key: $0.0, value: $0.1) })
    }

    /// Members in any order, the last of equal keys kept (as a parser makes them).
    init(members unsorted: [Member]) {
        members = unsorted
        guard members.count > 1 else { return }
        var inOrder = true
        for i in 1..<members.count where JSONObject.compare(members[i - 1].key, members[i].key) >= 0 {
            inOrder = false
            break
        }
        if inOrder { return }
        // A stable sort, so that equal keys stay in input order.
        if members.count <= 16 {
            // Insertion sort: objects are small.
            for i in 1..<members.count {
                let m = members[i]
                var j = i
                while j > 0, JSONObject.compare(members[j - 1].key, m.key) > 0 {
                    members[j] = members[j - 1]
                    j -= 1
                }
                if j != i { members[j] = m }
            }
        } else {
            members = members.enumerated().sorted { x, y in
                let c = JSONObject.compare(x.element.key, y.element.key)
                return c != 0 ? c < 0 : x.offset < y.offset
            }.map(\.element)
        }
        // Rare: a key given twice. Keep its last value.
        var unique = true
        for i in 1..<members.count where JSONObject.compare(members[i - 1].key, members[i].key) == 0 {
            unique = false
            break
        }
        if unique { return }
        var kept: [Member] = []
        kept.reserveCapacity(members.count)
        for m in members {
            if let last = kept.last, JSONObject.compare(last.key, m.key) == 0 {
                kept[kept.count - 1] = m
            } else {
                kept.append(m)
            }
        }
        members = kept
    }

    // MARK: - Collection

    public var startIndex: Int { 0 }
    public var endIndex: Int { members.count }
    public subscript(position: Int) -> Element {
        let m = members[position]
        return (key: m.key, value: m.value)
    }

    // MARK: - Dictionary-like access

    /// The value of `key`; setting nil removes the member.
    public subscript(key: String) -> JSONValue? {
        get {
            let (i, found) = find(key)
            return found ? members[i].value : nil
        }
        set {
            let (i, found) = find(key)
            switch (found, newValue) {
            case (true, let v?): members[i].value = v
            case (true, nil): members.remove(at: i)
            case (false, let v?): members.insert(Member(key: key, value: v), at: i)
            case (false, nil): break
            }
        }
    }

    /// The keys, in canonical order.
    public var keys: [String] { members.map(\.key) }

    /// The values, in the order of their keys.
    public var values: [JSONValue] { members.map(\.value) }

    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSONValue? {
        let (i, found) = find(key)
        guard found else { return nil }
        return members.remove(at: i).value
    }

    public func mapValues<T>(_ transform: (JSONValue) throws -> T) rethrows -> [String: T] {
        var out: [String: T] = [:]
        out.reserveCapacity(members.count)
        for m in members { out[m.key] = try transform(m.value) }
        return out
    }

    public func compactMapValues<T>(_ transform: (JSONValue) throws -> T?) rethrows -> [String: T] {
        var out: [String: T] = [:]
        for m in members {
            if let v = try transform(m.value) { out[m.key] = v }
        }
        return out
    }

    /// The members as a dictionary.
    public var dictionary: [String: JSONValue] {
        Dictionary(members.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    /// The value of `key`, read without making a `String` of it (dotted paths are read part by part).
    subscript(key: Substring) -> JSONValue? {
        var low = 0
        var high = members.count
        while low < high {
            let mid = (low + high) / 2
            let c = JSONObject.compare(members[mid].key, key)
            if c == 0 { return members[mid].value }
            if c < 0 { low = mid + 1 } else { high = mid }
        }
        return nil
    }

    /// Where `key` is, or where it would go.
    private func find(_ key: String) -> (Int, Bool) {
        var low = 0
        var high = members.count
        while low < high {
            let mid = (low + high) / 2
            let c = JSONObject.compare(members[mid].key, key)
            if c == 0 { return (mid, true) }
            if c < 0 { low = mid + 1 } else { high = mid }
        }
        return (low, false)
    }

    /// The order of two keys by their UTF-8 bytes: negative, zero or positive.
    @inline(__always)
    static func compare<S: StringProtocol>(_ a: String, _ b: S) -> Int {
        let fast = a.utf8.withContiguousStorageIfAvailable { pa in
            b.utf8.withContiguousStorageIfAvailable { pb -> Int in
                let n = Swift.min(pa.count, pb.count)
                if n > 0 {
                    let c = memcmp(pa.baseAddress!, pb.baseAddress!, n)
                    if c != 0 { return Int(c) }
                }
                return pa.count - pb.count
            }
        }
        if let c = fast ?? nil { return c }
        if a.utf8.elementsEqual(b.utf8) { return 0 }
        return a.utf8.lexicographicallyPrecedes(b.utf8) ? -1 : 1
    }

    // MARK: - Hashable

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.members.count == rhs.members.count else { return false }
        for (x, y) in zip(lhs.members, rhs.members) where x.key != y.key || x.value != y.value { return false }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(members.count)
        for m in members {
            hasher.combine(m.key)
            hasher.combine(m.value)
        }
    }
}

extension JSONObject: Encodable {
    private struct MemberKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: MemberKey.self)
        for m in members { try c.encode(m.value, forKey: MemberKey(stringValue: m.key)) }
    }
}
