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
        var seenASCII = ASCIIWords()
        var out: [String] = []
        InterventionNames.foldedWords(text) { word in
            if word.isPlainASCII {
                // Plain ASCII (nearly every word): one character per byte, as the fold leaves no white space, so
                // the length, the plural `s`, the digits, the stopwords and whether the stem is new are all read on
                // the bytes; a String is made only of a new stem. (No other word equals an ASCII one: a word still
                // outside ASCII after the fold has a letter outside it.)
                var n = word.count
                if n > 4, word[n - 1] == UInt8(ascii: "s"), word[n - 2] != UInt8(ascii: "s") { n -= 1 }
                if n < 3 { return true }
                let stem = UnsafeBufferPointer(rebasing: word[..<n])
                if stem.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) { return true }
                if n <= longestStopword, asciiStopwords.contains(stem) { return true }
                if seenASCII.insert(stem) { out.append(String(decoding: stem, as: UTF8.self)) }
            } else {
                var u = String(decoding: word, as: UTF8.self)
                if u.count > 4, u.hasSuffix("s"), !u.hasSuffix("ss") { u.removeLast() }
                if u.count < 3 || stopwords.contains(u) || isNumber(u) { return true }
                if seen.insert(u).inserted { out.append(u) }
            }
            return out.count < limit
        }
        return out
    }

    /// `stopwords` (all ASCII) as a set of byte strings.
    private static let asciiStopwords: ASCIIWords = {
        var words = ASCIIWords()
        for word in stopwords {
            var word = word
            _ = word.withUTF8 { words.insert($0) }
        }
        return words
    }()

    /// A set of short byte strings, for the few dozen distinct words of a study: open addressing on an FNV-1a hash,
    /// the words kept in one buffer, so that a word is looked up or added without making a `String` or hashing one.
    struct ASCIIWords {
        private var text: [UInt8] = []
        /// Per slot: 0 when empty, else 1 + the index of the word's entry.
        private var slots = [Int32](repeating: 0, count: 128)
        private var entries: [(start: Int32, count: Int32, hash: UInt64)] = []

        /// Adds `word`; false when it was there already.
        mutating func insert(_ word: UnsafeBufferPointer<UInt8>) -> Bool {
            let hash = ASCIIWords.hash(word)
            var slot = Int(truncatingIfNeeded: hash) & (slots.count - 1)
            while slots[slot] != 0 {
                if matches(Int(slots[slot] - 1), word, hash) { return false }
                slot = (slot + 1) & (slots.count - 1)
            }
            entries.append((Int32(text.count), Int32(word.count), hash))
            text.append(contentsOf: word)
            slots[slot] = Int32(entries.count)
            if entries.count * 2 > slots.count { grow() }
            return true
        }

        func contains(_ word: UnsafeBufferPointer<UInt8>) -> Bool {
            let hash = ASCIIWords.hash(word)
            var slot = Int(truncatingIfNeeded: hash) & (slots.count - 1)
            while slots[slot] != 0 {
                if matches(Int(slots[slot] - 1), word, hash) { return true }
                slot = (slot + 1) & (slots.count - 1)
            }
            return false
        }

        private func matches(_ entry: Int, _ word: UnsafeBufferPointer<UInt8>, _ hash: UInt64) -> Bool {
            let e = entries[entry]
            guard e.hash == hash, Int(e.count) == word.count else { return false }
            return text[Int(e.start)..<Int(e.start + e.count)].elementsEqual(word)
        }

        private mutating func grow() {
            slots = [Int32](repeating: 0, count: slots.count * 2)
            for (n, e) in entries.enumerated() {
                var slot = Int(truncatingIfNeeded: e.hash) & (slots.count - 1)
                while slots[slot] != 0 { slot = (slot + 1) & (slots.count - 1) }
                slots[slot] = Int32(n + 1)
            }
        }

        private static func hash(_ word: UnsafeBufferPointer<UInt8>) -> UInt64 {
            var h: UInt64 = 0xCBF2_9CE4_8422_2325
            for b in word { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
            return h ^ (h >> 29)
        }
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
