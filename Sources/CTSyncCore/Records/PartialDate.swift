import Foundation

/// A date known to the year, the month or the day, and whether it happened (`ACTUAL`) or is planned (`ESTIMATED`).
///
/// The registry gives start and completion dates as `yyyy`, `yyyy-MM` or `yyyy-MM-dd`; the legacy XML as
/// "March 2018" or "March 27, 2018" with a `type` attribute. Both read into this value, which encodes as
/// `{"date": "2018-03", "type": "ACTUAL"}` (`type` is null when the source does not say).
public struct PartialDate: Sendable, Hashable, Codable, CustomStringConvertible {
    public var year: Int
    /// 1–12, or nil for a date known only to the year.
    public var month: Int?
    /// 1–31, or nil for a date known only to the month.
    public var day: Int?
    /// Actual or estimated; nil when the source does not say (status-verified dates never do).
    public var type: RegistryValue<DateType>?

    public init(year: Int, month: Int? = nil, day: Int? = nil, type: RegistryValue<DateType>? = nil) {
        self.year = year
        self.month = month
        self.day = month == nil ? nil : day
        self.type = type
    }

    // MARK: - Parsing

    /// Reads `yyyy`, `yyyy-MM` or `yyyy-MM-dd` (a time after a `T` is ignored); nil for anything else.
    public init?(iso text: String, type: RegistryValue<DateType>? = nil) {
        var text = Substring(text.trimmedWhitespace())
        if let date = PartialDate.isoASCII(text) {
            guard let date else { return nil }
            self.init(year: date.year, month: date.month, day: date.day, type: type)
            return
        }
        if let t = text.firstIndex(of: "T") { text = text[..<t] }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...3).contains(parts.count), parts[0].count == 4, let year = Int(parts[0]) else { return nil }
        var month: Int?
        var day: Int?
        if parts.count >= 2 {
            guard parts[1].count == 2, let m = Int(parts[1]), (1...12).contains(m) else { return nil }
            month = m
        }
        if parts.count == 3 {
            guard parts[2].count == 2, let d = Int(parts[2]), (1...PartialDate.daysIn(month!, year)).contains(d) else {
                return nil
            }
            day = d
        }
        self.init(year: year, month: month, day: day, type: type)
    }

    /// `init?(iso:)` on bytes, for text of plain ASCII without a CR (every registry date), where a character is a
    /// byte; nil when the text is not such, `.some(nil)` when it is but is no date.
    private static func isoASCII(_ text: Substring) -> (year: Int, month: Int?, day: Int?)?? {
        guard text.isPlainASCII else { return nil }
        let utf8 = text.utf8
        let end = utf8.firstIndex(of: UInt8(ascii: "T")) ?? utf8.endIndex
        // The parts between hyphens, as `split(separator: "-", omittingEmptySubsequences: false)` gives them.
        var parts: (Substring, Substring, Substring) = ("", "", "")
        var count = 0
        var start = utf8.startIndex
        var i = start
        while true {
            if i == end || utf8[i] == UInt8(ascii: "-") {
                switch count {
                case 0: parts.0 = text[start..<i]
                case 1: parts.1 = text[start..<i]
                case 2: parts.2 = text[start..<i]
                default: return .some(nil)
                }
                count += 1
                if i == end { break }
                start = utf8.index(after: i)
            }
            i = utf8.index(after: i)
        }
        guard parts.0.utf8.count == 4, let year = Int(parts.0) else { return .some(nil) }
        var month: Int?
        var day: Int?
        if count >= 2 {
            guard parts.1.utf8.count == 2, let m = Int(parts.1), (1...12).contains(m) else { return .some(nil) }
            month = m
        }
        if count == 3 {
            guard parts.2.utf8.count == 2, let d = Int(parts.2), (1...PartialDate.daysIn(month!, year)).contains(d) else {
                return .some(nil)
            }
            day = d
        }
        return (year, month, day)
    }

    /// Reads the legacy XML's "March 27, 2018", "March 2018" or "2018" (month names in English, full or
    /// abbreviated); nil for anything else, including the registry's "Unknown".
    public init?(legacy text: String, type: RegistryValue<DateType>? = nil) {
        let words = text.replacingOccurrences(of: ",", with: " ").split(whereSeparator: \.isWhitespace)
        switch words.count {
        case 1:
            guard words[0].count == 4, let year = Int(words[0]) else { return nil }
            self.init(year: year, type: type)
        case 2:
            guard let month = PartialDate.month(named: words[0]), words[1].count == 4, let year = Int(words[1]) else {
                return nil
            }
            self.init(year: year, month: month, type: type)
        case 3:
            guard let month = PartialDate.month(named: words[0]), let day = Int(words[1]),
                  words[2].count == 4, let year = Int(words[2]),
                  (1...PartialDate.daysIn(month, year)).contains(day) else { return nil }
            self.init(year: year, month: month, day: day, type: type)
        default:
            return nil
        }
    }

    private static let monthNames = ["january", "february", "march", "april", "may", "june", "july", "august",
                                     "september", "october", "november", "december"]

    private static func month(named word: Substring) -> Int? {
        let w = word.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        guard w.count >= 3 else { return nil }
        if let i = monthNames.firstIndex(where: { $0 == w || ($0.hasPrefix(w) && w.count == 3) }) { return i + 1 }
        if w == "sept" { return 9 }
        return nil
    }

    private static func daysIn(_ month: Int, _ year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    // MARK: - Text

    /// `yyyy`, `yyyy-MM` or `yyyy-MM-dd`, as precise as the date is known.
    public var text: String {
        func pad(_ n: Int, _ width: Int) -> String {
            let digits = String(n)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        var s = pad(year, 4)
        if let month {
            s += "-" + pad(month, 2)
            if let day { s += "-" + pad(day, 2) }
        }
        return s
    }

    public var description: String { type.map { "\(text) (\($0.rawValue))" } ?? text }

    /// For people: "March 27, 2018", "March 2018" or "2018".
    public var longText: String {
        guard let month else { return String(year) }
        let name = PartialDate.monthNames[month - 1].capitalized
        if let day { return "\(name) \(day), \(year)" }
        return "\(name) \(year)"
    }

    // MARK: - Codable

    private enum CodingKeys: String, CodingKey {
        case date, type
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let text = try c.decode(String.self, forKey: .date)
        let type = try c.decodeIfPresent(RegistryValue<DateType>.self, forKey: .type)
        guard let date = PartialDate(iso: text, type: type) else {
            throw DecodingError.dataCorruptedError(forKey: .date, in: c,
                                                   debugDescription: "not a yyyy, yyyy-MM or yyyy-MM-dd date: \(text)")
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(text, forKey: .date)
        try c.encode(type, forKey: .type)
    }
}
