import CTSyncCore
import Foundation

// `ctsync-bench criteria`: CriteriaSplitter.split alone over every distinct criteria text of the real records
// (v2 `eligibilityCriteria` and legacy XML `<criteria><textblock>`), in texts and megabytes per second. Also
// prints a fingerprint of the splits (item count and text length), so a change to the splitter that should
// not change its output can be checked in a release build as well.

/// Every distinct criteria text under `directory`: v2 files first, then legacy XML, each in path order.
func criteriaTexts(_ directory: URL) throws -> [String] {
    var seen = Set<String>()
    var texts: [String] = []
    func add(_ text: String?) {
        if let text, seen.insert(text).inserted { texts.append(text) }
    }
    for data in load(directory, ["v2", "pages", "history"], ".json") {
        for study in studies(in: try JSONParser.parse(data)) {
            add(study[path: "protocolSection.eligibilityModule.eligibilityCriteria"]?.stringValue)
        }
    }
    for data in load(directory, ["legacy-xml", "history"], ".xml") {
        add(String(data: data, encoding: .utf8).flatMap(xmlCriteriaText))
    }
    return texts
}

/// The `<criteria><textblock>` of a legacy XML record, entities decoded.
func xmlCriteriaText(_ xml: String) -> String? {
    guard let criteria = xml.range(of: "<criteria>"),
          let open = xml.range(of: "<textblock>", range: criteria.upperBound..<xml.endIndex),
          let close = xml.range(of: "</textblock>", range: open.upperBound..<xml.endIndex) else { return nil }
    var text = String(xml[open.upperBound..<close.lowerBound])
    for (entity, character) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&apos;", "'"), ("&#xD;", "\r"),
                                ("&amp;", "&")] {
        text = text.replacingOccurrences(of: entity, with: character)
    }
    return text
}

func runCriteriaBenchmark(records: URL, rounds: Int, repeats: Int) throws {
    let texts = try criteriaTexts(records)
    let bytes = texts.reduce(0) { $0 + $1.utf8.count }
    print("records: \(records.path)")
    print("\(texts.count) distinct criteria texts (\(bytes / 1024) KiB)")
    print("median of \(rounds) rounds, each over every text \(repeats) time\(repeats == 1 ? "" : "s")")

    var items = 0
    var characters = 0
    func count(_ list: [CriteriaItem]) {
        for item in list {
            items += 1
            characters += item.text.utf8.count
            count(item.subItems)
        }
    }
    for text in texts {
        let split = CriteriaSplitter.split(text)
        count(split.inclusion + split.exclusion + split.other)
    }

    var checksum = 0
    let seconds = median(rounds: rounds) {
        for _ in 0..<repeats {
            for text in texts { checksum &+= CriteriaSplitter.split(text).inclusion.count }
        }
    }
    let count = Double(texts.count * repeats)
    print("")
    print("CriteriaSplitter.split  \(format(count / seconds)) texts/s  "
          + String(format: "%8.2f MB/s  %8.1f µs/text", Double(bytes * repeats) / seconds / 1e6, seconds / count * 1e6))
    print("fingerprint: \(items) items, \(characters) bytes of item text (checksum \(checksum))")
}
