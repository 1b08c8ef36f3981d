import Foundation

/// One difference between two JSON documents at a path.
public struct JSONChange: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        case added, removed, changed
    }

    /// Dotted path with array indices, e.g. `protocolSection.statusModule.overallStatus` or `...locations[3].status`.
    public var path: String
    public var kind: Kind
    public var old: JSONValue?
    public var new: JSONValue?

    enum CodingKeys: String, CodingKey { case path, kind, old, new }

    public init(path: String, kind: Kind, old: JSONValue?, new: JSONValue?) {
        self.path = path
        self.kind = kind
        self.old = old
        self.new = new
    }

    public init(from decoder: Decoder) throws {
        throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not decodable"))
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(path, forKey: .path)
        try c.encode(kind, forKey: .kind)
        try c.encode(old ?? .null, forKey: .old)
        try c.encode(new ?? .null, forKey: .new)
    }
}

/// Every JSON path added, removed or changed between two documents: a pure function, no I/O.
public enum JSONDiff {
    public static func diff(_ old: JSONValue, _ new: JSONValue) -> [JSONChange] {
        var changes: [JSONChange] = []
        walk(old, new, path: "", into: &changes)
        return changes
    }

    private static func join(_ path: String, _ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    private static func walk(_ a: JSONValue, _ b: JSONValue, path: String, into changes: inout [JSONChange]) {
        if a == b { return }
        switch (a, b) {
        case (.object(let x), .object(let y)):
            for key in Set(x.keys).union(y.keys).sorted() {
                let p = join(path, key)
                switch (x[key], y[key]) {
                case (let u?, let v?): walk(u, v, path: p, into: &changes)
                case (let u?, nil): changes.append(JSONChange(path: p, kind: .removed, old: u, new: nil))
                case (nil, let v?): changes.append(JSONChange(path: p, kind: .added, old: nil, new: v))
                case (nil, nil): break
                }
            }
        case (.array(let x), .array(let y)):
            for i in 0..<max(x.count, y.count) {
                let p = "\(path)[\(i)]"
                if i < x.count, i < y.count {
                    walk(x[i], y[i], path: p, into: &changes)
                } else if i < x.count {
                    changes.append(JSONChange(path: p, kind: .removed, old: x[i], new: nil))
                } else {
                    changes.append(JSONChange(path: p, kind: .added, old: nil, new: y[i]))
                }
            }
        case (.int(let i), .double(let d)) where Double(i) == d: return
        case (.double(let d), .int(let i)) where Double(i) == d: return
        default:
            changes.append(JSONChange(path: path, kind: .changed, old: a, new: b))
        }
    }
}
