import Foundation

/// A ClinicalTrials.gov study identifier, `NCT` followed by eight digits.
public struct NCTID: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    public let rawValue: String

    /// Accepts `NCT01234567` in any letter case, with surrounding white space: exactly eight digits, as the
    /// registry writes every id it issues (its API pattern would also take `NCT123`, which no study has).
    public init?(_ text: String) {
        // The form the registry always sends, checked on bytes: ids are read for every record stored.
        let u = text.utf8
        if u.count == 11, u.starts(with: "NCT".utf8), u.dropFirst(3).allSatisfy({ (0x30...0x39).contains($0) }) {
            rawValue = text
            return
        }
        let t = text.trimmingCharacters(in: .whitespaces).uppercased()
        guard t.hasPrefix("NCT") else { return nil }
        let digits = t.dropFirst(3)
        guard digits.count == 8, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        rawValue = t
    }

    public var description: String { rawValue }
    public static func < (a: NCTID, b: NCTID) -> Bool { a.rawValue < b.rawValue }

    public init(from decoder: Decoder) throws {
        let s = try decoder.singleValueContainer().decode(String.self)
        guard let id = NCTID(s) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an NCT id: \(s)"))
        }
        self = id
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
}
