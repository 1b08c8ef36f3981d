import Foundation

extension StudyRecord {
    /// Builds a record from a v2 study object whose full canonical JSON is already known, serializing nothing again.
    ///
    /// The content hash is over the canonical JSON without the volatile fields. Canonical JSON writes members
    /// sorted and values canonically, so that form is the full one with the `"versionHolder":…` member (and one
    /// comma) cut out of `derivedSection.miscInfoModule`; this is what `init(json:)` would hash after
    /// `removing(path:)` and re-serializing. When the layout is anything but the expected one, it falls back to
    /// exactly that. `canonical` must be `json.canonicalData()`.
    init(json: JSONValue, canonical: Data) throws {
        guard StudyRecord.volatilePaths == ["derivedSection.miscInfoModule.versionHolder"] else {
            self = try StudyRecord(json: json)
            return
        }
        let id = try StudyRecord.identify(json)
        let stable: Data
        if let holder = json[path: "derivedSection.miscInfoModule.versionHolder"] {
            guard let cut = StudyRecord.cutVersionHolder(canonical, value: holder) else {
                self = try StudyRecord(json: json)
                return
            }
            stable = cut
        } else {
            stable = canonical
        }
        self.nctId = id
        self.json = json
        self.contentHash = SHA256.hex(stable)
    }

    /// `canonical` without the `versionHolder` member of the one `"miscInfoModule":{…}` object; nil when the
    /// bytes are not laid out as expected.
    private static func cutVersionHolder(_ canonical: Data, value: JSONValue) -> Data? {
        let opener = Array(#""miscInfoModule":{"#.utf8)
        var member = Array(#""versionHolder":"#.utf8)
        member.append(contentsOf: value.canonicalData())
        return canonical.withUnsafeBytes { raw -> Data? in
            let b = raw.bindMemory(to: UInt8.self)
            func matches(_ pattern: [UInt8], at i: Int) -> Bool {
                guard i + pattern.count <= b.count else { return false }
                for k in 0..<pattern.count where b[i + k] != pattern[k] { return false }
                return true
            }
            // The opener can only occur as a member name: inside strings, quotes are escaped.
            var found: Int?
            var i = 0
            while i + opener.count <= b.count {
                if b[i] == opener[0], matches(opener, at: i) {
                    if found != nil { return nil }  // two such objects: take the slow path
                    found = i
                    i += opener.count
                } else {
                    i += 1
                }
            }
            guard let open = found else { return nil }
            // Walk the object's members at depth 1, strings skipped, to find the versionHolder member.
            var j = open + opener.count
            var depth = 1
            var memberStart = true
            while j < b.count && depth > 0 {
                let c = b[j]
                if c == 0x22 {
                    if depth == 1 && memberStart && matches(member, at: j) {
                        let end = j + member.count
                        guard end < b.count, b[end] == 0x2C || b[end] == 0x7D else { return nil }
                        var out = Data(capacity: b.count)
                        if b[j - 1] == 0x2C {
                            out.append(UnsafeBufferPointer(rebasing: b[0..<(j - 1)]))
                            out.append(UnsafeBufferPointer(rebasing: b[end...]))
                        } else {
                            out.append(UnsafeBufferPointer(rebasing: b[0..<j]))
                            out.append(UnsafeBufferPointer(rebasing: b[(b[end] == 0x2C ? end + 1 : end)...]))
                        }
                        return out
                    }
                    // Skip the string.
                    j += 1
                    while j < b.count && b[j] != 0x22 { j += b[j] == 0x5C ? 2 : 1 }
                    memberStart = false
                } else if c == 0x7B || c == 0x5B {
                    depth += 1
                    memberStart = false
                } else if c == 0x7D || c == 0x5D {
                    depth -= 1
                } else if c == 0x2C {
                    memberStart = depth == 1
                }
                j += 1
            }
            return nil
        }
    }
}
