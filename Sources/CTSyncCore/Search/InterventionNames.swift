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
    ///
    /// Hot: every stored study folds its titles, summary, conditions and intervention names. Words of plain ASCII
    /// (nearly all of them) are folded byte by byte; a word with any other byte goes through Foundation's
    /// diacritic and case folding (with the white space before it). Words are cut at ASCII white space only, which
    /// neither folding nor case mapping looks across, so the result is the same as folding the whole text at once;
    /// a test holds the two equal on every text of the real records and on hostile Unicode.
    public static func fold(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        foldedWords(text) { word in
            if !out.isEmpty { out.append(0x20) }
            out.append(contentsOf: word)
            return true
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The words of `fold(text)` in order (`fold` joins them with single spaces), each as UTF-8 bytes, until
    /// `body` returns false: a caller that needs only the first words does not fold the rest of the text.
    static func foldedWords(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> Bool) {
        var text = text
        text.withUTF8 { bytes in
            guard !bytes.isEmpty else { return }
            // An ASCII word is folded into this buffer (a folded word is never longer than the text); a word that
            // goes through Foundation is handed over from the folded text itself.
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bytes.count) { word in
                var length = 0
                var i = 0
                while i < bytes.count {
                    if bytes[i].isASCIIWhitespace {
                        i += 1
                        continue
                    }
                    var end = i
                    var ascii = true
                    while end < bytes.count, !bytes[end].isASCIIWhitespace {
                        if bytes[end] >= 0x80 { ascii = false }
                        end += 1
                    }
                    if ascii {
                        for k in i..<end {
                            if let lower = asciiAlphanumericLowercased(bytes[k]) {
                                word[length] = lower
                                length += 1
                            } else if length > 0 {
                                guard body(UnsafeBufferPointer(rebasing: word[..<length])) else { return }
                                length = 0
                            }
                        }
                        if length > 0 {
                            guard body(UnsafeBufferPointer(rebasing: word[..<length])) else { return }
                            length = 0
                        }
                    } else {
                        // With the white space before it: a combining mark that starts the word belongs to that
                        // space, and folding drops it only there. The folded text is words separated by single spaces.
                        let from = i > 0 ? i - 1 : i
                        var folded = foldThroughFoundation(String(decoding: UnsafeBufferPointer(rebasing: bytes[from..<end]),
                                                                  as: UTF8.self))
                        let more = folded.withUTF8 { f -> Bool in
                            var start = 0
                            for k in 0...f.count where k == f.count || f[k] == 0x20 {
                                if k > start, !body(UnsafeBufferPointer(rebasing: f[start..<k])) { return false }
                                start = k + 1
                            }
                            return true
                        }
                        if !more { return }
                    }
                    i = end
                }
            }
        }
    }


    /// The byte lowercased when it is an ASCII letter or digit; nil for anything else.
    private static func asciiAlphanumericLowercased(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39, 0x61...0x7A: return b
        case 0x41...0x5A: return b + 0x20
        default: return nil
        }
    }

    /// The definition of the fold, applied to the whole text at once: Foundation's diacritic and case folding,
    /// then letters, marks and digits kept, separated by single spaces. `fold` gives the same, faster.
    public static func foldThroughFoundation(_ text: String) -> String {
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
        // The words compared in place (as `String` equality compares them), without a set of new strings.
        let words = folded.split(separator: " ")
        for family in families where family.words.allSatisfy({ w in words.contains { $0 == w } }) {
            return family.canonical
        }
        return folded
    }
}
