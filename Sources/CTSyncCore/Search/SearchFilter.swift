import Foundation

/// The filters of `ctsync search` and `ctsync export`; empty values filter nothing.
public struct SearchFilter: Sendable, Equatable {
    /// Overall statuses (`RECRUITING`, …); any of them.
    public var statuses: [String] = []
    /// Phases (`PHASE2`, `EARLY_PHASE1`, `NA`); a study with any of them.
    public var phases: [String] = []
    /// `INTERVENTIONAL`, `OBSERVATIONAL` or `EXPANDED_ACCESS`.
    public var studyType: String?
    /// A country with at least one location (case-insensitive, whole name: `France`).
    public var country: String?
    /// Only studies with posted results.
    public var hasResults = false
    /// Only studies whose start date is on or after this `yyyy[-MM[-dd]]`. A partial date on either side is read as
    /// its first day (`2020-03` is `2020-03-01`).
    public var startedAfter: String?

    public init() {}

    /// Upper-cases a status and turns spaces and dashes into underscores (`active not recruiting` →
    /// `ACTIVE_NOT_RECRUITING`).
    public static func normalizeStatus(_ text: String) -> String {
        text.trimmingCharacters(in: .whitespaces).uppercased()
            .replacingOccurrences(of: " ", with: "_").replacingOccurrences(of: "-", with: "_")
    }

    /// A partial date padded to `yyyy-MM-dd` with its first month and day, for comparing as text.
    public static func dateKey(_ text: String) -> String {
        let parts = text.split(separator: "-").map(String.init)
        guard let year = parts.first else { return text }
        let month = parts.count > 1 ? parts[1] : "01", day = parts.count > 2 ? parts[2] : "01"
        return "\(year)-\(month.count == 1 ? "0" + month : month)-\(day.count == 1 ? "0" + day : day)"
    }

    /// Accepts `PHASE2`, `phase2`, `2`, `early1`/`EARLY_PHASE1`, `NA`.
    public static func normalizePhase(_ text: String) -> String {
        let t = normalizeStatus(text).replacingOccurrences(of: "_", with: "")
        if t.allSatisfy(\.isNumber) { return "PHASE" + t }
        if t == "EARLY1" || t == "EARLYPHASE1" { return "EARLY_PHASE1" }
        if t == "NA" || t == "N/A" { return "NA" }
        return t
    }
}
