import Foundation

/// An eligibility age limit as the registry gives it ("18 Years", "6 Months"), with its length in years.
///
/// Encodes as `{"value": 18, "unit": "YEARS", "years": 18}`; `years` is derived (a month is 1/12 year, a week
/// 7 days, a year 365.25 days) and rounded to four decimals, so limits in different units compare.
public struct Age: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The unit of an age limit.
    public enum Unit: String, Sendable, Hashable, Codable, CaseIterable {
        case years = "YEARS"
        case months = "MONTHS"
        case weeks = "WEEKS"
        case days = "DAYS"
        case hours = "HOURS"
        case minutes = "MINUTES"

        /// The unit's length in years.
        var inYears: Double {
            switch self {
            case .years: return 1
            case .months: return 1.0 / 12
            case .weeks: return 7 / 365.25
            case .days: return 1 / 365.25
            case .hours: return 1 / (365.25 * 24)
            case .minutes: return 1 / (365.25 * 24 * 60)
            }
        }
    }

    public var value: Int
    public var unit: Unit

    public init(value: Int, unit: Unit) {
        self.value = value
        self.unit = unit
    }

    /// Reads "18 Years", "1 Year", "6 Months" (any letter case, singular or plural); nil for anything else.
    /// The legacy XML's "N/A" (no limit) is nil too.
    public init?(text: String) {
        guard let words = Age.twoWords(text), let value = Int(words.0), value >= 0 else { return nil }
        var unit = words.1.uppercased()
        if !unit.hasSuffix("S") { unit += "S" }
        guard let u = Unit(rawValue: unit) else { return nil }
        self.init(value: value, unit: u)
    }

    /// The two words of `text` split at white space, as `split(whereSeparator: \.isWhitespace)` splits it; nil when
    /// it has more or fewer. Plain ASCII is split on bytes.
    private static func twoWords(_ text: String) -> (Substring, Substring)? {
        guard text.isPlainASCII else {
            let words = text.split(whereSeparator: \.isWhitespace)
            return words.count == 2 ? (words[0], words[1]) : nil
        }
        let utf8 = text.utf8
        var words: (Substring, Substring) = ("", "")
        var count = 0
        var i = utf8.startIndex
        while i != utf8.endIndex {
            if utf8[i].isASCIIWhitespace {
                i = utf8.index(after: i)
                continue
            }
            var end = i
            while end != utf8.endIndex, !utf8[end].isASCIIWhitespace {
                end = utf8.index(after: end)
            }
            switch count {
            case 0: words.0 = text[i..<end]
            case 1: words.1 = text[i..<end]
            default: return nil
            }
            count += 1
            i = end
        }
        return count == 2 ? words : nil
    }

    /// The limit in years, rounded to four decimals.
    public var years: Double {
        (Double(value) * unit.inYears * 10_000).rounded() / 10_000
    }

    /// "18 Years", "1 Month", as the registry writes it.
    public var description: String {
        let name = unit.rawValue.prefix(1) + unit.rawValue.dropFirst().lowercased()
        return "\(value) \(value == 1 ? String(name.dropLast()) : String(name))"
    }

    // MARK: - Codable

    private enum CodingKeys: String, CodingKey {
        case value, unit, years
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(value: try c.decode(Int.self, forKey: .value), unit: try c.decode(Unit.self, forKey: .unit))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(value, forKey: .value)
        try c.encode(unit, forKey: .unit)
        try c.encode(years, forKey: .years)
    }
}
