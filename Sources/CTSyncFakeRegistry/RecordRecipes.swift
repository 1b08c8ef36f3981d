import CTSyncCore
import Foundation

/// Changed records derived in code from real ones, each a named recipe that says exactly what it changes.
///
/// The registry bumps `lastUpdatePostDateStruct` whenever a sponsor's change is posted, so every recipe takes the
/// posting date to set; `withoutPosting` recipes model registry-side edits that do not bump it.
public enum RecordRecipes {
    /// Sets `overallStatus` (e.g. RECRUITING → COMPLETED).
    public static func status(_ study: JSONValue, to status: String, posted: String) -> JSONValue {
        bump(study.setting(path: "protocolSection.statusModule.overallStatus", to: .string(status)), posted)
    }

    /// Sets the enrollment count and its type (ACTUAL or ESTIMATED).
    public static func enrollment(_ study: JSONValue, count: Int, type: String, posted: String) -> JSONValue {
        let s = study
            .setting(path: "protocolSection.designModule.enrollmentInfo.count", to: .int(Int64(count)))
            .setting(path: "protocolSection.designModule.enrollmentInfo.type", to: .string(type))
        return bump(s, posted)
    }

    /// Appends one criterion to the inclusion criteria text (after the first line of the "Inclusion" section, or at
    /// the start when there is none).
    public static func addInclusionCriterion(_ study: JSONValue, _ criterion: String, posted: String) -> JSONValue {
        let path = "protocolSection.eligibilityModule.eligibilityCriteria"
        let text = study[path: path]?.stringValue ?? ""
        let changed: String
        if let range = text.range(of: "Exclusion Criteria", options: .caseInsensitive) {
            changed = text[..<range.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines)
                + "\n* \(criterion)\n\n" + text[range.lowerBound...]
        } else {
            changed = "* \(criterion)\n" + text
        }
        return bump(study.setting(path: path, to: .string(changed)), posted)
    }

    /// Changes the e-mail of the first central contact (adding a contact when the study has none).
    public static func contactEmail(_ study: JSONValue, to email: String, posted: String) -> JSONValue {
        let path = "protocolSection.contactsLocationsModule.centralContacts"
        var contacts = study[path: path]?.arrayValue ?? []
        if contacts.isEmpty {
            contacts = [.object(["name": .string("Derived Contact"), "role": .string("CONTACT")])]
        }
        var first = contacts[0].objectValue ?? [:]
        first["email"] = .string(email)
        contacts[0] = .object(first)
        return bump(study.setting(path: path, to: .array(contacts)), posted)
    }

    /// A registry-side edit that does not bump the posting date: the derived data snapshot date.
    public static func versionHolder(_ study: JSONValue, to date: String) -> JSONValue {
        study.setting(path: "derivedSection.miscInfoModule.versionHolder", to: .string(date))
    }

    /// The study's NCT id.
    public static func nctId(_ study: JSONValue) -> String {
        study[path: "protocolSection.identificationModule.nctId"]?.stringValue ?? ""
    }

    private static func bump(_ study: JSONValue, _ posted: String) -> JSONValue {
        study.setting(path: "protocolSection.statusModule.lastUpdatePostDateStruct",
                      to: .object(["date": .string(posted), "type": .string("ACTUAL")]))
    }
}
