import Foundation
import Testing
@testable import CTSyncCore

// MARK: - Golden output for refactors

/// A byte-for-byte record of what the splitter makes of every real criteria text, variants of them
/// (CR/LF, tabs, capitals, non-ASCII look-alikes) and hostile strings, for changing the splitter's code
/// without changing its output.
///
/// Off unless `CTSYNC_CRITERIA_GOLDEN` names a file outside the package: the first run writes the dump
/// there, later runs compare against it and write what they got next to it (`….actual`). The dump is
/// not kept in the repository: it is only meaningful against the records folder it was made from.
enum CriteriaGolden {
    /// The dump file named by `CTSYNC_CRITERIA_GOLDEN`, if any.
    static let path: String? = ProcessInfo.processInfo.environment["CTSYNC_CRITERIA_GOLDEN"].flatMap {
        $0.isEmpty ? nil : $0
    }

    /// Every input of the dump, each with a name that says where it came from.
    static func inputs() -> [(name: String, text: String)] {
        var result: [(name: String, text: String)] = []
        for (index, record) in CriteriaRecordCorpus.texts.enumerated() {
            let name = "\(index) \(record.nctID)"
            result.append((name, record.text))
            for (variant, transform) in variants {
                result.append((name + " " + variant, transform(record.text)))
            }
        }
        for (index, text) in hostile.enumerated() { result.append(("hostile \(index)", text)) }
        return result
    }

    /// Rewrites of a real text that stress line endings, indentation, case and non-ASCII look-alikes.
    static let variants: [(String, @Sendable (String) -> String)] = [
        ("crlf", { $0.replacingOccurrences(of: "\n", with: "\r\n") }),
        ("cr", { $0.replacingOccurrences(of: "\n", with: "\r") }),
        ("tabs", { $0.replacingOccurrences(of: "  ", with: "\t") }),
        ("nbsp", { $0.replacingOccurrences(of: "\n ", with: "\n\u{A0}") }),
        ("upper", { $0.uppercased() }),
        ("lower", { $0.lowercased() }),
        ("bullets", { $0.replacingOccurrences(of: "* ", with: "• ").replacingOccurrences(of: "- ", with: "– ") }),
        ("accents", { $0.replacingOccurrences(of: "n", with: "n\u{301}").replacingOccurrences(of: "e", with: "é") }),
        ("lookalikes", {
            $0.replacingOccurrences(of: "I", with: "İ").replacingOccurrences(of: "s", with: "ſ")
                .replacingOccurrences(of: "k", with: "\u{212A}").replacingOccurrences(of: "i", with: "ı")
        }),
        ("joined", { $0.replacingOccurrences(of: "\n\n", with: " ") }),
        ("wide", { $0.replacingOccurrences(of: ":", with: "：").replacingOccurrences(of: " ", with: "\u{3000}") }),
    ]

    /// Inputs no record holds: blank text, odd whitespace, Unicode bullets and numerals, combining marks,
    /// emoji, very long lines.
    static let hostile: [String] = {
        var texts = [
            "", " ", "\n", "\r\n", "\r", "\t", "\u{A0}", "\u{2028}", "\u{85}", "\u{FEFF}", " \n \r\n\t\n\u{A0}\n",
            "-", "*", "•", "1.", "(a)", "\\", "\\-", "\\\\", ":", "Inclusion", "Inclusion Criteria", "Exclusion:",
            "Inclusion Criteria:\r\n\r\n* Age ≥ 18\r\n* BMI ≤ 30\r\n\r\nExclusion Criteria:\r\n\r\n* Pregnancy",
            "Inclusion Criteria:\n\n• Age ≥ 18\n• BMI ≤ 30\n\nExclusion Criteria:\n\n◦ Pregnancy\n▪ Dialysis",
            "INCLUSION CRITERIA:\n\nⅠ. Adults\nⅡ. Consent\n\nEXCLUSION CRITERIA:\n\nⅰ) Children",
            "Inclusion Criteria:\n\tAge\u{A0}≥\u{A0}18\n\t\t* nested\n\tConsent",
            "İnclusion Criteria:\n\n* a\n\nEXCLUSİON CRITERIA:\n\n* b",
            "ınclusion criteria:\n\n* a\n\nexcluſion criteria:\n\n* b",
            "Inclusion Criteria\u{301}:\n\n* a\n\nExclusion\u{301} Criteria:\n\n* b",
            "Inclusio\u{301}n Criteria:\n\n* e\u{301}le\u{300}ve\n\nExclusion Criteria:\n\n* 👩‍⚕️ doctor 🇫🇷",
            "Inclusion Criteria (Patients 👍):\n\n1. 😀 happy\n2. 🏳️‍🌈 flag. 3. Next\n\nExclusion Criteria:\n\n* none",
            "Key Inclusion Criteria:\n\n1. Age 18. 2. Consent; 3. BMI\n\nKey Exclusion Criteria:\n\n(i) one (ii) two. (iii) three",
            "Inclusion criteria: - a - b - c\nExclusion criteria: • x • y",
            "Patients must have all of the following and they need to be here Exclusion Criteria: - none",
            "Ｉｎｃｌｕｓｉｏｎ Ｃｒｉｔｅｒｉａ：\n\n＊ full width\n\n１． one",
            "Inclusion Criteria:\n\n  a. first\n  b. second\n\nN.B. note\ne. g. example\nU. S. citizens",
            "Inclusion Criteria:\n\n* Crite\u{301}ria: KEY INCLUSION criteria\n* ≥\u{338} 18 \\>= 19 \\≥ 20 \\",
            "III.6 EXCLUSION CRITERIA\n\n1. Pregnant\n\nⅢ.6 INCLUSION CRITERIA\n\n1. Adult",
            "-  INCLUSION CRITERIA:\n\n     -  Adult\n\n          -  Over 18\n\n-  EXCLUSION CRITERIA:\n\n     -  None",
            "Termination criteria:\n\nStudy withdrawal criteria\n\nStudy stopping criterion\nDROP-OUT CRITERIA",
            "PATIENT CHARACTERISTICS:\nAge:\n  18 and over\nPerformance status:\n  ECOG 0-1\nÉTAT GÉNÉRAL:\n  bon",
            "Cohort 2\n\nInclusion Criteria:\n\n* a\n\nExclusion Criteria:\n\n* b\n\nCONTRÔLES\n\nInclusion Criteria:\n\n* c",
            "Inclusion/Exclusion:\n\nNon-inclusion criteria:\n\nnon inclusion criteria :\n\nNoninclusion criteria.",
            "inclusion criteria for the cases (≥ 18 years):\n\n* a\n\nexclusion criteria in phase 2 (aged ≥65)\n\n* b",
            "Inclusion Criteria:\n\n10. One of:\n\n* A\n* B\n\n  11. Consent\n\n  12.Patients\n  a.Neutrophils\n  (xx) x",
            "o Item\no 2nd\n+ plus\n– dash\n➢ arrow\n► play\n● dot\n○ ring\n■ sq\n□ box\n· mid",
            "\u{0} nul\u{7} bell\u{1B}[0m esc\u{7F}\n\u{200B}zero\u{200D}width\u{2060}",
            "a\u{0600}clusion criteria:\n\nInclusion\u{0903} criteria:\n\n* x",
            "Part B Healthy Volunteer Key Non inclusion Criteria:\n\n* Adults",
            "One Two Three Four Five Six Seven inclusion criteria:\n* x\nOne Two Three Four Five Six inclusion criteria:",
            "A B C D Key Non-inclusion criteria:\n- Key inclusion criteria:\n\\- INCLUSION CRITERIA:\n• Exclusion Criteria:",
            "Incluſion Excluſion criteria: one two three four five six seven eight inclusion",
            "1234. item\n123. item\n0. zero\n007) bond\n12.5 mg\n3.\n4)\n*\n- \n+x\n*\tTab\n-\u{301} x\n1.\u{301} y",
            "Inclusion Criteria: a b  c\\ d\\\\\n  e  \n\t f\n* x \u{A0}y\u{2003}z\u{85}w",
            "aaa bbb ccc ddd eee fff Exclusion Criteria no colon\naaa bbb ccc ddd eee fff Exclusion criteria : - x",
            "aaa bbb ccc ddd eee fff EXCLUSION CRITERIA: - x\na b c d e f Exclusion\u{A0}Criteria: x\nab Inclusion Criteria: y",
            "Inclusion Criteria:\n\nJ. first. \u{212A}. second. K. third\n\nI. one II. two; III) three\n(1) a (2) b",
        ]
        let long = String(repeating: "Patients aged ≥ 18 years with diabetes; ", count: 300)
        texts.append("Inclusion Criteria:\n\n* " + long + "\n\nExclusion Criteria:\n\n* " + long)
        texts.append(long + "Exclusion Criteria: - " + long)
        texts.append(String(repeating: "1. a 2. b 3. c ", count: 200))
        texts.append(String(repeating: "inclusion ", count: 500))
        texts.append(String(repeating: "* x\n  * y\n    * z\n", count: 200))
        // Hard wraps ending at every column around the wrap window.
        for column in [58, 59, 60, 61, 99, 100, 101] {
            let line = String(repeating: "w", count: column - 4) + " end"
            texts.append("Inclusion Criteria:\n\n* " + line + "\ncontinued here\n" + line + "\n  next")
        }
        return texts
    }()

    /// The dump of one input: the split as an indented outline, every string escaped, then the trace.
    static func dump(_ name: String, _ text: String) -> String {
        let (split, consumed) = CriteriaSplitter.splitTracingConsumed(text)
        var out = "=== \(name)\n"
        out += "unstructured \(split.unstructured)\n"
        func items(_ list: [CriteriaItem], depth: Int) {
            for item in list {
                out += String(repeating: "  ", count: depth) + item.text.debugDescription + "\n"
                items(item.subItems, depth: depth + 1)
            }
        }
        for (section, list) in [("inclusion", split.inclusion), ("exclusion", split.exclusion), ("other", split.other)] {
            out += "\(section) \(list.count)\n"
            items(list, depth: 1)
        }
        out += "consumed " + consumed.map(\.debugDescription).joined(separator: " ") + "\n"
        return out
    }
}

@Suite("Criteria splitter golden output", .enabled(if: CriteriaGolden.path != nil))
struct CriteriaSplitterGoldenTests {
    @Test func matchesTheGoldenDump() throws {
        let path = try #require(CriteriaGolden.path)
        let inputs = CriteriaGolden.inputs()
        #expect(inputs.count > CriteriaGolden.hostile.count, "no real records found")
        var actual = ""
        for input in inputs { actual += CriteriaGolden.dump(input.name, input.text) }
        guard let expected = FileManager.default.contents(atPath: path) else {
            try Data(actual.utf8).write(to: URL(fileURLWithPath: path))
            return
        }
        try Data(actual.utf8).write(to: URL(fileURLWithPath: path + ".actual"))
        let expectedText = String(decoding: expected, as: UTF8.self)
        guard expectedText != actual else { return }
        let expectedLines = expectedText.split(separator: "\n", omittingEmptySubsequences: false)
        let actualLines = actual.split(separator: "\n", omittingEmptySubsequences: false)
        let first = zip(expectedLines, actualLines).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            ?? min(expectedLines.count, actualLines.count)
        let wanted = first < expectedLines.count ? String(expectedLines[first]) : "<end>"
        let got = first < actualLines.count ? String(actualLines[first]) : "<end>"
        Issue.record("golden dump differs at line \(first + 1): expected \(wanted), got \(got)")
    }
}
