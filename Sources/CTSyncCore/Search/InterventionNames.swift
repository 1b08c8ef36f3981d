import Foundation

/// Normalizes intervention names so that spellings of the same product compare equal in `ctsync similar`.
///
/// A name is lowercased, diacritics and punctuation become spaces, and runs of spaces collapse. Then the synonym
/// table maps whole normalized names, and the pattern rules map names containing a known product family, to one
/// canonical name. The table is deliberately small and documented in README-search.md; add a row to extend it.
public enum InterventionNames {
    /// Canonical name for a normalized spelling (whole-name match).
    public static let synonyms: [String: String] = [
        "msc": "mesenchymal stromal cells",
        "mscs": "mesenchymal stromal cells",
        "mesenchymal stem cells": "mesenchymal stromal cells",
        "mesenchymal stem cell": "mesenchymal stromal cells",
        "mesenchymal stromal cell": "mesenchymal stromal cells",
        "mesenchymal stem stromal cells": "mesenchymal stromal cells",
        "mesenchymal stromal stem cells": "mesenchymal stromal cells",
        "placebos": "placebo",
        "saline": "placebo",
        "normal saline": "placebo",
        "standard of care": "standard of care",
        "standard care": "standard of care",
        "soc": "standard of care",
        "best supportive care": "standard of care",
        "hydroxychloroquine sulfate": "hydroxychloroquine",
        "hcq": "hydroxychloroquine",
    ]

    /// Canonical name for any normalized name whose words contain all of a rule's words (after the whole-name table).
    public static let families: [(words: Set<String>, canonical: String)] = [
        (["mesenchymal", "stem"], "mesenchymal stromal cells"),
        (["mesenchymal", "stromal"], "mesenchymal stromal cells"),
        (["msc"], "mesenchymal stromal cells"),
        (["mscs"], "mesenchymal stromal cells"),
        (["placebo"], "placebo"),
    ]

    /// Lowercase, no diacritics, letters and digits separated by single spaces.
    public static func fold(_ text: String) -> String {
        let folded = text.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil).lowercased()
        var out = ""
        var pendingSpace = false
        for scalar in folded.unicodeScalars {
            if CharacterSet.alphanumerics.contains(scalar) {
                if pendingSpace, !out.isEmpty { out.append(" ") }
                pendingSpace = false
                out.unicodeScalars.append(scalar)
            } else {
                pendingSpace = true
            }
        }
        return out
    }

    /// The canonical form of an intervention name (nil when nothing is left after folding).
    public static func normalize(_ name: String) -> String? {
        let folded = fold(name)
        if folded.isEmpty { return nil }
        if let canonical = synonyms[folded] { return canonical }
        let words = Set(folded.split(separator: " ").map(String.init))
        for family in families where family.words.isSubset(of: words) {
            return family.canonical
        }
        return folded
    }
}
