import Foundation

// MARK: - RegistryVocabulary

/// The known values of one registry enum (API v2 `components.schemas`), with the labels people and legacy XML use.
///
/// A vocabulary's raw value is the v2 spelling (`ACTIVE_NOT_RECRUITING`); its `label` is how the registry's pages
/// and the legacy `<clinical_study>` XML write it ("Active, not recruiting").
public protocol RegistryVocabulary: RawRepresentable, CaseIterable, Sendable, Hashable where RawValue == String {
    /// How the registry's pages and the legacy XML write the value, e.g. "Active, not recruiting".
    var label: String { get }

    /// Legacy spellings that the mechanical mapping does not reach, keyed by their folded form
    /// (see `RegistryValue.fold(_:)`), e.g. `"BOTH": .all` for the old gender value.
    static var legacySynonyms: [String: Self] { get }
}

extension RegistryVocabulary {
    public static var legacySynonyms: [String: Self] { [:] }
}

// MARK: - RegistryValue

/// A value of a registry enum: one of the known v2 values, or a value this version of ctsync does not know.
///
/// The registry adds enum values over time (its notes say so), so an unknown value is kept as sent and never makes
/// a record fail. Encodes as the plain v2 string (`"RECRUITING"`), or the raw string for an unknown value.
public enum RegistryValue<Kind: RegistryVocabulary>: Sendable, Hashable, Codable, CustomStringConvertible {
    /// A value of the vocabulary.
    case known(Kind)
    /// A value outside the vocabulary, exactly as the source spelled it.
    case other(String)

    // MARK: - Creating

    /// Reads a v2 value (`"RECRUITING"`); anything else is kept as `.other`.
    public init(rawValue: String) {
        if let kind = Kind(rawValue: rawValue) {
            self = .known(kind)
        } else {
            self = .other(rawValue)
        }
    }

    /// Reads a legacy label ("Active, not recruiting", "Dietary Supplement", "Both"); nil for empty text.
    ///
    /// Tries, in order: the v2 spelling of the folded label (upper case, runs of other characters as `_`), the
    /// vocabulary's synonyms, then the labels ignoring case. Anything else is kept as `.other` with the text given.
    public init?(legacyLabel: String) {
        let text = legacyLabel.trimmedWhitespace()
        if text.isEmpty { return nil }
        let folded = RegistryValue.fold(text)
        if let kind = Kind(rawValue: folded) {
            self = .known(kind)
        } else if let kind = Kind.legacySynonyms[folded] {
            self = .known(kind)
        } else if let kind = Kind.allCases.first(where: { $0.label.caseInsensitiveCompare(text) == .orderedSame }) {
            self = .known(kind)
        } else {
            self = .other(text)
        }
    }

    /// Upper case, with every run of characters other than ASCII letters and digits turned into one `_` and none
    /// at either end: "Active, not recruiting" → `ACTIVE_NOT_RECRUITING`, "N/A" → `N_A`.
    public static func fold(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var pendingSeparator = false
        for scalar in text.unicodeScalars {
            let v = scalar.value
            let isAlnum = (v >= 0x30 && v <= 0x39) || (v >= 0x41 && v <= 0x5A) || (v >= 0x61 && v <= 0x7A)
            if isAlnum {
                if pendingSeparator, !out.isEmpty { out.append("_") }
                pendingSeparator = false
                out.unicodeScalars.append(v >= 0x61 ? Unicode.Scalar(v - 0x20)! : scalar)
            } else {
                pendingSeparator = true
            }
        }
        return out
    }

    // MARK: - Reading

    /// The v2 spelling, or the unknown value as given.
    public var rawValue: String {
        switch self {
        case .known(let kind): return kind.rawValue
        case .other(let text): return text
        }
    }

    /// The known value, or nil for an unknown one.
    public var kind: Kind? {
        if case .known(let kind) = self { return kind }
        return nil
    }

    /// The label for people ("Active, not recruiting"); an unknown value reads as given.
    public var label: String {
        switch self {
        case .known(let kind): return kind.label
        case .other(let text): return text
        }
    }

    public var description: String { rawValue }

    // MARK: - Codable

    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
