import Foundation

/// A check of an XML document's prolog before any parser sees it.
///
/// Legacy `<clinical_study>` documents have no document type declaration with entities. One that declares
/// entities (`<!DOCTYPE x [<!ENTITY a "…">]>`) is how an entity bomb ("billion laughs") or an external-entity
/// read is built, so it is refused outright rather than parsed with limits.
public enum XMLSafety {
    /// Why the document is refused, or nil when its prolog declares no entities.
    public static func refusal(_ data: Data) -> String? {
        data.withUnsafeBytes { raw -> String? in
            let b = raw.bindMemory(to: UInt8.self)
            var i = 0
            if b.count >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { i = 3 }
            func starts(_ s: StaticString, at j: Int) -> Bool {
                let n = s.utf8CodeUnitCount
                guard j + n <= b.count else { return false }
                return s.withUTF8Buffer { lit in (0..<n).allSatisfy { b[j + $0] == lit[$0] } }
            }
            func find(_ s: StaticString, from j: Int) -> Int? {
                var k = j
                while k < b.count { if starts(s, at: k) { return k }; k += 1 }
                return nil
            }
            while i < b.count {
                switch b[i] {
                case 0x20, 0x0A, 0x0D, 0x09:
                    i += 1
                case UInt8(ascii: "<"):
                    if starts("<?", at: i) {
                        guard let end = find("?>", from: i + 2) else { return nil }
                        i = end + 2
                    } else if starts("<!--", at: i) {
                        guard let end = find("-->", from: i + 4) else { return nil }
                        i = end + 3
                    } else if starts("<!DOCTYPE", at: i) {
                        // The declaration ends at the first '>' outside its internal subset [ … ].
                        var j = i + 9
                        var depth = 0
                        var quote: UInt8 = 0
                        while j < b.count {
                            let c = b[j]
                            if quote != 0 {
                                if c == quote { quote = 0 }
                            } else if c == 0x22 || c == 0x27 {
                                quote = c
                            } else if c == UInt8(ascii: "[") {
                                depth += 1
                            } else if c == UInt8(ascii: "]") {
                                depth -= 1
                            } else if c == UInt8(ascii: ">") && depth <= 0 {
                                break
                            } else if depth > 0 && starts("<!ENTITY", at: j) {
                                return "refused: XML whose DOCTYPE declares entities (a possible entity bomb or external-entity read); not parsed"
                            }
                            j += 1
                        }
                        i = j + 1
                    } else {
                        return nil  // the root element: the prolog is over
                    }
                default:
                    return nil
                }
            }
            return nil
        }
    }
}
