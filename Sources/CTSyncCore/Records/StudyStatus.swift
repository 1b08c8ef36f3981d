import Foundation

/// A study's overall status, last known status, or a site's recruitment status, with unknown values kept raw.
public typealias OverallStatus = RegistryValue<StudyStatus>

/// The registry's study status vocabulary: all 14 v2 `Status` values.
///
/// The expanded-access values (`AVAILABLE`, `NO_LONGER_AVAILABLE`, `TEMPORARILY_NOT_AVAILABLE`,
/// `APPROVED_FOR_MARKETING`) apply to expanded-access records, `WITHHELD` to redacted ones, and `UNKNOWN` is set by the
/// registry when an open study has not been verified for two years (its previous status moves to `lastKnownStatus`).
public enum StudyStatus: String, RegistryVocabulary {
    case activeNotRecruiting = "ACTIVE_NOT_RECRUITING"
    case completed = "COMPLETED"
    case enrollingByInvitation = "ENROLLING_BY_INVITATION"
    case notYetRecruiting = "NOT_YET_RECRUITING"
    case recruiting = "RECRUITING"
    case suspended = "SUSPENDED"
    case terminated = "TERMINATED"
    case withdrawn = "WITHDRAWN"
    case available = "AVAILABLE"
    case noLongerAvailable = "NO_LONGER_AVAILABLE"
    case temporarilyNotAvailable = "TEMPORARILY_NOT_AVAILABLE"
    case approvedForMarketing = "APPROVED_FOR_MARKETING"
    case withheld = "WITHHELD"
    case unknown = "UNKNOWN"

    /// The legacy label, which is also what the registry's pages show.
    public var label: String {
        switch self {
        case .activeNotRecruiting: return "Active, not recruiting"
        case .completed: return "Completed"
        case .enrollingByInvitation: return "Enrolling by invitation"
        case .notYetRecruiting: return "Not yet recruiting"
        case .recruiting: return "Recruiting"
        case .suspended: return "Suspended"
        case .terminated: return "Terminated"
        case .withdrawn: return "Withdrawn"
        case .available: return "Available"
        case .noLongerAvailable: return "No longer available"
        case .temporarilyNotAvailable: return "Temporarily not available"
        case .approvedForMarketing: return "Approved for marketing"
        case .withheld: return "Withheld"
        case .unknown: return "Unknown status"
        }
    }

    public static let legacySynonyms: [String: StudyStatus] = ["UNKNOWN_STATUS": .unknown]

    /// True for the statuses of a study that still takes (or will take) participants.
    public var isOpen: Bool {
        switch self {
        case .recruiting, .notYetRecruiting, .enrollingByInvitation, .available: return true
        default: return false
        }
    }
}
