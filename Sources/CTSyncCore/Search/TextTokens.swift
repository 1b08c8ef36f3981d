import Foundation

/// The crude stemmed word sets behind the text part of `ctsync similar` (Jaccard of title and summary words).
public enum TextTokens {
    /// Words that say nothing about a study's subject.
    static let stopwords: Set<String> = [
        "the", "and", "for", "with", "from", "that", "this", "are", "was", "were", "will", "been", "have", "has",
        "not", "but", "its", "into", "than", "then", "also", "may", "can", "who", "which", "their", "these", "those",
        "study", "trial", "patient", "clinical", "randomized", "controlled", "phase", "effect", "efficacy", "safety",
        "evaluate", "compare", "aim", "treatment", "subject", "participant", "group", "use", "using", "between",
        "during", "after", "before", "versus", "all", "each", "other", "more", "such", "our", "they", "there",
    ]

    /// The length in bytes of the longest stopword: a longer ASCII word is none.
    private static let longestStopword = stopwords.map(\.utf8.count).max() ?? 0

    /// Distinct stems of the words of `text` (3+ letters, no stopwords, a trailing plural `s` dropped),
    /// at most `limit` of them in order of first appearance.
    ///
    /// The words are those of `InterventionNames.fold(text)`, folded one at a time, so that the text after the
    /// `limit`-th stem (most of a long summary) is never folded.
    public static func stems(_ text: String, limit: Int = .max) -> [String] {
        var seen = Set<String>()
        var out: [String] = []
        InterventionNames.foldedWords(text) { word in
            let w: String
            if word.isPlainASCII {
                // Plain ASCII (nearly every word): one character per byte, as the fold leaves no white space, so
                // the length, the plural `s` and the digits are read on the bytes before a String is made.
                var n = word.count
                if n > 4, word[n - 1] == UInt8(ascii: "s"), word[n - 2] != UInt8(ascii: "s") { n -= 1 }
                if n < 3 { return true }
                let stem = UnsafeBufferPointer(rebasing: word[..<n])
                if stem.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) { return true }
                w = String(decoding: stem, as: UTF8.self)
                if n <= longestStopword, stopwords.contains(w) { return true }
            } else {
                var u = String(decoding: word, as: UTF8.self)
                if u.count > 4, u.hasSuffix("s"), !u.hasSuffix("ss") { u.removeLast() }
                if u.count < 3 || stopwords.contains(u) || isNumber(u) { return true }
                w = u
            }
            if seen.insert(w).inserted { out.append(w) }
            return out.count < limit
        }
        return out
    }

    /// Whether every character of `word` is a number, with ASCII words answered without Unicode property lookups.
    private static func isNumber(_ word: String) -> Bool {
        if word.isPlainASCII { return word.utf8.allSatisfy { (0x30...0x39).contains($0) } }
        return word.allSatisfy(\.isNumber)
    }

    /// |a ∩ b| / |a ∪ b|; 0 for two empty sets.
    public static func jaccard(_ a: Set<String>, _ b: Set<String>) -> Double {
        let union = a.union(b).count
        return union == 0 ? 0 : Double(a.intersection(b).count) / Double(union)
    }
}
