import Foundation

/// A JSON document as a Sendable value: what the registry sent, with nothing lost and nothing decoded into types.
///
/// Records keep their JSON as this value so that hashing, diffing and normalization all read the same thing.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// An integer that fits in 64 bits, kept exact.
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    /// Members sorted by key in canonical order (see `JSONObject`).
    case object(JSONObject)

    // MARK: - Access

    /// The member `key` of an object; nil for a missing member or a non-object.
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The value at a dotted path such as `protocolSection.statusModule.overallStatus`.
    public subscript(path path: String) -> JSONValue? {
        // Walks the dotted path without splitting it into an array (hot: every stored study reads a dozen paths).
        var current = self
        var rest = path[...]
        while !rest.isEmpty {
            let dot = rest.firstIndex(of: ".") ?? rest.endIndex
            let part = rest[..<dot]
            rest = dot == rest.endIndex ? rest[dot...] : rest[rest.index(after: dot)...]
            if part.isEmpty { continue }
            guard case .object(let members) = current, let next = members[part] else { return nil }
            current = next
        }
        return current
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var intValue: Int? {
        switch self {
        case .int(let i): return Int(exactly: i)
        case .double(let d): return d.rounded() == d ? Int(exactly: d) : nil
        default: return nil
        }
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var objectValue: JSONObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// A short name of the JSON type, for error messages.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .int, .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    // MARK: - Editing

    /// A copy with the member at a dotted path removed (no change when the path is absent).
    public func removing(path: String) -> JSONValue {
        let parts = path.split(separator: ".").map(String.init)
        return removing(parts[...])
    }

    private func removing(_ parts: ArraySlice<String>) -> JSONValue {
        guard let first = parts.first, case .object(var members) = self else { return self }
        if parts.count == 1 {
            members.removeValue(forKey: first)
        } else if let child = members[first] {
            members[first] = child.removing(parts.dropFirst())
        }
        return .object(members)
    }

    /// A copy with the value at a dotted path set, creating objects on the way.
    public func setting(path: String, to value: JSONValue) -> JSONValue {
        let parts = path.split(separator: ".").map(String.init)
        return setting(parts[...], to: value)
    }

    private func setting(_ parts: ArraySlice<String>, to value: JSONValue) -> JSONValue {
        guard let first = parts.first else { return value }
        var members = objectValue ?? [:]
        let child = members[first] ?? .object([:])
        members[first] = child.setting(parts.dropFirst(), to: value)
        return .object(members)
    }
}
