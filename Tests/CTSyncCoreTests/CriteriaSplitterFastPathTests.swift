import Testing
@testable import CTSyncCore

/// The splitter reads plain ASCII lines as bytes and turns lines down early by counting bytes. These pin
/// the edges of those shortcuts, where a byte-level reading would differ from the Character-level rules.
@Suite("Criteria splitter shortcuts")
struct CriteriaSplitterFastPathTests {
    private func item(_ text: String, _ subItems: [CriteriaItem] = []) -> CriteriaItem {
        CriteriaItem(text: text, subItems: subItems)
    }

    @Test func lineEndingsDoNotChangeTheSplit() {
        let text = "Inclusion Criteria:\n\n1. Age 18 or older\n2. Either of:\n\n   a. Diabetes\n   b. Obesity\n\n"
            + "Exclusion Criteria:\n\n* Pregnancy\n  * or breastfeeding"
        let lf = CriteriaSplitter.split(text)
        #expect(lf.exclusion == [item("Pregnancy", [item("or breastfeeding")])])
        #expect(CriteriaSplitter.split(text.replacingOccurrences(of: "\n", with: "\r\n")) == lf)
        #expect(CriteriaSplitter.split(text.replacingOccurrences(of: "\n", with: "\r")) == lf)
    }

    @Test func headerKeywordMayFollowSixWords() {
        // Four prefix words, "Key" and "Non": the most words a header allows before its keyword.
        let split = CriteriaSplitter.split("Part B Healthy Volunteer Key Non inclusion Criteria:\n\n* Adults")
        #expect(split.exclusion == [item("Part B Healthy Volunteer", [item("Adults")])])
        let sentence = CriteriaSplitter.split("Patients previously enrolled in another study meeting inclusion criteria:\n\n* Adults")
        #expect(sentence.inclusion == [item("Patients previously enrolled in another study meeting inclusion criteria:",
                                            [item("Adults")])])
    }

    @Test func midLineHeaderNeedsItsCapitalsAndColon() {
        let split = CriteriaSplitter.split(
            "Inclusion Criteria: - Adults with type 2 diabetes for a year or more Exclusion Criteria: - Pregnancy")
        #expect(split.exclusion == [item("Pregnancy")])
        let lower = CriteriaSplitter.split(
            "Inclusion Criteria: - Adults with type 2 diabetes for a year or more exclusion criteria - Pregnancy")
        #expect(lower.exclusion.isEmpty)
    }

    @Test func lookAlikeLettersDoNotMakeAHeader() {
        // A long s or a dotted capital I is not an ASCII letter: no header, whatever case folding says.
        for header in ["Excluſion Criteria:", "EXCLUSİON CRITERIA:"] {
            let split = CriteriaSplitter.split("Inclusion Criteria:\n\n* Adults\n\n\(header)\n\n* Children")
            #expect(split.exclusion.isEmpty, "\(header)")
            #expect(split.inclusion == [item("Adults"), item(header, [item("Children")])], "\(header)")
        }
    }

    @Test func inlineNumberingSplitsInNonASCIIText() {
        let split = CriteriaSplitter.split("Inclusion Criteria:\n\n1. Age ≥ 18. 2. BMI ≤ 30; 3. HbA1c ≥ 7 %")
        #expect(split.inclusion == [item("Age ≥ 18."), item("BMI ≤ 30;"), item("HbA1c ≥ 7 %")])
    }

    @Test func cleaningCollapsesSpacesAndUndoesEscapesInAndOutsideASCII() {
        let split = CriteriaSplitter.split("Inclusion Criteria:\n\n* a  b\t c \\> d\n* é\u{A0}\u{A0}≥ 5 \\\\ x\\")
        #expect(split.inclusion == [item("a b c > d"), item("é ≥ 5 \\ x\\")])
    }
}
