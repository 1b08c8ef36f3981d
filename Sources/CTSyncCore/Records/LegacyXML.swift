import CLibXML2
import Foundation

/// Reads a legacy `<clinical_study>` record (the AllPublicXML archive format, schema public.xsd) into a `Trial`.
///
/// The only file that imports libxml2. Each document is parsed on its own parser context
/// (`xmlNewParserCtxt` + `xmlCtxtReadMemory`), so errors come from that context (`xmlCtxtGetLastError`) with
/// libxml2's code, message and line, and nothing is printed.
///
/// Untrusted input: no network (`XML_PARSE_NONET`), no DTD loading and no entity substitution (neither
/// `XML_PARSE_DTDLOAD` nor `XML_PARSE_NOENT`). Before libxml2 sees the bytes, a document over `maximumSize`, one
/// that is not UTF-8, and one whose DOCTYPE has an internal subset (where entities are declared: XXE, "billion
/// laughs") are rejected. After parsing, elements nested deeper than `maximumDepth` are rejected.
///
/// Legacy values map to v2 ones: "Active, not recruiting" → `ACTIVE_NOT_RECRUITING`, "Phase 1/Phase 2" →
/// `[PHASE1, PHASE2]`, "March 27, 2018" with `type="Anticipated"` → `2018-03-27` `ESTIMATED`, "18 Years" and
/// "N/A" ages, "Double (Participant, Investigator)" masking, `last_name` "Name, MD" contacts, and so on.
public enum LegacyXML {
    /// Documents larger than this (8 MiB) are rejected before parsing; the largest real record is under 1 MiB.
    public static let maximumSize = 8 * 1024 * 1024
    /// Elements nested deeper than this are rejected; real records nest about ten deep.
    public static let maximumDepth = 64

    /// Parses and normalizes one `<clinical_study>` document.
    ///
    /// Errors are `RecordError`s naming the NCT id (when the bytes contain one) and the element path
    /// (`clinical_study/enrollment`) or the line libxml2 stopped at.
    public static func parse(_ data: Data) throws(RecordError) -> Trial {
        let sniffed = sniffNCTId(data)
        func fail(_ path: String, _ reason: String) -> RecordError {
            RecordError(nctId: sniffed, path: path, reason: reason)
        }
        guard !data.isEmpty else { throw fail("", "empty document") }
        guard data.count <= maximumSize else {
            throw fail("", "the document is \(data.count) bytes, over the \(maximumSize / 1_048_576) MiB limit for legacy XML")
        }
        if let problem = prologProblem(data) { throw fail("", problem) }

        _ = libraryReady
        guard let context = xmlNewParserCtxt() else { throw fail("", "libxml2 could not create a parser context") }
        defer { xmlFreeParserCtxt(context) }
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)
        let parsed: xmlDocPtr? = data.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return nil }
            return xmlCtxtReadMemory(context, base.assumingMemoryBound(to: CChar.self), Int32(raw.count),
                                     "clinical_study.xml", nil, options)
        }
        guard let document = parsed else {
            guard let error = xmlCtxtGetLastError(context) else { throw fail("", "not well-formed XML") }
            let message = error.pointee.message.map { String(cString: $0) }?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? "unknown error"
            throw fail("line \(error.pointee.line)", "not well-formed XML: \(message) (libxml2 error \(error.pointee.code))")
        }
        defer { xmlFreeDoc(document) }
        if let subset = document.pointee.intSubset, subset.pointee.entities != nil {
            throw fail("", "the DOCTYPE declares entities, which untrusted XML may not do")
        }
        guard let rootNode = xmlDocGetRootElement(document) else { throw fail("", "no root element") }
        if let tooDeep = firstElementDeeperThan(maximumDepth, from: rootNode) {
            throw fail("line \(xmlGetLineNo(tooDeep))", "elements nested deeper than \(maximumDepth)")
        }
        let root = Element(rootNode)
        guard root.is("clinical_study") else {
            throw fail("", "the root element is <\(root.name)>, not <clinical_study>")
        }
        return try Reader(nctId: sniffed).trial(root)
    }

    /// libxml2's one-time initialisation, run before the first parse.
    private static let libraryReady: Void = xmlInitParser()

    // MARK: - Before parsing

    /// The text of the first `<nct_id>` element, found in the bytes so that even a broken document's errors can
    /// name it.
    static func sniffNCTId(_ data: Data) -> String? {
        guard let start = data.range(of: Data("<nct_id>".utf8)) else { return nil }
        let tail = data[start.upperBound...].prefix(40)
        guard let end = tail.firstIndex(of: UInt8(ascii: "<")) else { return nil }
        return NCTID(String(decoding: data[start.upperBound..<end], as: UTF8.self))?.rawValue
    }

    /// Why the document may not be parsed, judging from its prolog (what comes before the root element): not UTF-8,
    /// or a DOCTYPE with an internal subset. Nil when it may.
    public static func prologProblem(_ data: Data) -> String? {
        let bytes = [UInt8](data.prefix(64 * 1024))
        if bytes.starts(with: [0xFE, 0xFF]) || bytes.starts(with: [0xFF, 0xFE]) || bytes.first == 0
            || (bytes.count > 1 && bytes[1] == 0) {
            return "the document is not UTF-8 (legacy records are UTF-8)"
        }
        var i = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        func starts(_ s: String) -> Bool {
            let u = Array(s.utf8)
            return i + u.count <= bytes.count && Array(bytes[i..<(i + u.count)]) == u
        }
        func skip(past terminator: String) -> Bool {
            let u = Array(terminator.utf8)
            var j = i
            while j + u.count <= bytes.count {
                if Array(bytes[j..<(j + u.count)]) == u { i = j + u.count; return true }
                j += 1
            }
            return false
        }
        while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x09, 0x0A, 0x0D:
                i += 1
            case UInt8(ascii: "<"):
                if starts("<?") {
                    if !skip(past: "?>") { return nil }
                } else if starts("<!--") {
                    if !skip(past: "-->") { return nil }
                } else if starts("<!DOCTYPE") {
                    var quote: UInt8?
                    while i < bytes.count {
                        let b = bytes[i]
                        if let q = quote {
                            if b == q { quote = nil }
                        } else if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") {
                            quote = b
                        } else if b == UInt8(ascii: "[") {
                            return "the document has a DOCTYPE with an internal subset; entity declarations are not accepted in untrusted XML"
                        } else if b == UInt8(ascii: ">") {
                            break
                        }
                        i += 1
                    }
                    i += 1
                } else {
                    return nil  // the root element: libxml2 takes it from here
                }
            default:
                return nil  // not XML; libxml2 will say so
            }
        }
        return nil
    }

    /// The first element nested deeper than `limit` (the root is at depth 1), walking without recursion.
    private static func firstElementDeeperThan(_ limit: Int, from root: xmlNodePtr) -> xmlNodePtr? {
        var current: xmlNodePtr? = root
        var depth = 1
        outer: while let node = current {
            if node.pointee.type == XML_ELEMENT_NODE {
                if depth > limit { return node }
                if let child = node.pointee.children {
                    current = child
                    depth += 1
                    continue
                }
            }
            var n = node
            while n != root {
                if let next = n.pointee.next {
                    current = next
                    continue outer
                }
                guard let parent = n.pointee.parent else { break outer }
                n = parent
                depth -= 1
            }
            break
        }
        return nil
    }
}

// MARK: - Element

/// A read-only view of a libxml2 element node, valid while its document lives.
private struct Element {
    let node: xmlNodePtr

    init(_ node: xmlNodePtr) {
        self.node = node
    }

    var name: String { String(cString: node.pointee.name) }

    func `is`(_ name: String) -> Bool { xmlStrEqual(node.pointee.name, name) != 0 }

    /// The child elements called `name`, in order.
    func children(_ name: String) -> [Element] {
        var out: [Element] = []
        var child = node.pointee.children
        while let c = child {
            if c.pointee.type == XML_ELEMENT_NODE, xmlStrEqual(c.pointee.name, name) != 0 { out.append(Element(c)) }
            child = c.pointee.next
        }
        return out
    }

    /// The first child element called `name`.
    func child(_ name: String) -> Element? {
        var child = node.pointee.children
        while let c = child {
            if c.pointee.type == XML_ELEMENT_NODE, xmlStrEqual(c.pointee.name, name) != 0 { return Element(c) }
            child = c.pointee.next
        }
        return nil
    }

    /// The element's own text and CDATA, untrimmed. Entity references are never expanded.
    var rawText: String {
        var out = ""
        var child = node.pointee.children
        while let c = child {
            if c.pointee.type == XML_TEXT_NODE || c.pointee.type == XML_CDATA_SECTION_NODE, let content = c.pointee.content {
                out += String(cString: content)
            }
            child = c.pointee.next
        }
        return out
    }

    /// The text trimmed; nil when empty.
    var text: String? {
        let t = rawText.trimmedWhitespace()
        return t.isEmpty ? nil : t
    }

    func attribute(_ name: String) -> String? {
        guard let value = xmlGetProp(node, name) else { return nil }
        defer { cxml_free(value) }
        let t = String(cString: value).trimmedWhitespace()
        return t.isEmpty ? nil : t
    }

    var line: Int { Int(xmlGetLineNo(node)) }
}

// MARK: - Reader

/// Maps a `<clinical_study>` element to a `Trial`, naming the NCT id and element path in its errors.
private struct Reader {
    var nctId: String?

    func fail(_ path: String, _ reason: String) -> RecordError {
        RecordError(nctId: nctId, path: path, reason: reason)
    }

    func trial(_ study: Element) throws(RecordError) -> Trial {
        let idInfo = study.child("id_info")
        guard let idText = idInfo?.child("nct_id")?.text else {
            throw fail("clinical_study/id_info/nct_id", "missing")
        }
        guard let id = NCTID(idText) else {
            throw fail("clinical_study/id_info/nct_id", "not an NCT id: \"\(idText.prefix(40))\"")
        }
        let reader = Reader(nctId: id.rawValue)
        return try reader.read(study, id: id)
    }

    private func read(_ s: Element, id: NCTID) throws(RecordError) -> Trial {
        var t = Trial(nctId: id.rawValue)

        // MARK: Identification
        let idInfo = s.child("id_info")
        t.nctIdAliases = idInfo?.children("nct_alias").compactMap(\.text) ?? []
        t.orgStudyId = idInfo?.child("org_study_id")?.text
        t.briefTitle = s.child("brief_title")?.text
        t.officialTitle = s.child("official_title")?.text
        t.acronym = s.child("acronym")?.text

        // MARK: Status
        t.overallStatus = s.child("overall_status")?.text.flatMap { OverallStatus(legacyLabel: $0) }
        t.lastKnownStatus = s.child("last_known_status")?.text.flatMap { OverallStatus(legacyLabel: $0) }
        t.whyStopped = s.child("why_stopped")?.text
        t.startDate = try date(s, "start_date")
        t.primaryCompletionDate = try date(s, "primary_completion_date")
        t.completionDate = try date(s, "completion_date")
        t.statusVerifiedDate = try date(s, "verification_date")
        // Records from before August 2017 have only `firstreceived_date` and `lastchanged_date`: those are
        // submission dates, not posting dates, so they are not used for these.
        t.firstPosted = try date(s, "study_first_posted")
        t.lastUpdatePosted = try date(s, "last_update_posted")
        t.hasResults = s.child("clinical_results") != nil

        // MARK: Sponsor
        if let sponsors = s.child("sponsors") {
            if let lead = sponsors.child("lead_sponsor") { t.sponsor = sponsor(lead) }
            t.collaborators = sponsors.children("collaborator").map(sponsor)
        }

        // MARK: Conditions
        t.conditions = Trial.distinctTrimmed(s.children("condition").map(\.rawText))
        t.keywords = Trial.distinctTrimmed(s.children("keyword").map(\.rawText))
        t.meshTerms = s.child("condition_browse")?.children("mesh_term").compactMap(\.text)
            .map { Trial.MeshTerm(id: nil, term: $0) } ?? []

        // MARK: Description
        t.briefSummary = s.child("brief_summary")?.child("textblock").flatMap { LegacyText.paragraphs($0.rawText) }
        t.detailedDescription = s.child("detailed_description")?.child("textblock")
            .flatMap { LegacyText.paragraphs($0.rawText) }

        // MARK: Arms and interventions
        for element in s.children("intervention") {
            t.interventions.append(Trial.Intervention(
                type: element.child("intervention_type")?.text.flatMap { RegistryValue(legacyLabel: $0) },
                name: element.child("intervention_name")?.text,
                description: element.child("description").flatMap { LegacyText.paragraphs($0.rawText) },
                otherNames: element.children("other_name").compactMap(\.text),
                armGroupLabels: element.children("arm_group_label").compactMap(\.text)))
        }
        for element in s.children("arm_group") {
            let label = element.child("arm_group_label")?.text
            // The XML lists an arm's interventions on the interventions; v2 lists them on the arm too.
            let names = label.map { l in t.interventions.filter { $0.armGroupLabels.contains(l) }.map(\.qualifiedName) }
            t.arms.append(Trial.ArmGroup(
                label: label,
                type: element.child("arm_group_type")?.text.flatMap { RegistryValue(legacyLabel: $0) },
                description: element.child("description").flatMap { LegacyText.paragraphs($0.rawText) },
                interventionNames: names ?? []))
        }

        // MARK: Design
        if let typeText = s.child("study_type")?.text {
            let (type, registry) = LegacyXML.studyType(typeText)
            t.studyType = type
            t.patientRegistry = registry
        }
        if let phaseText = s.child("phase")?.text {
            t.phases = LegacyXML.phases(phaseText)
            // Until 2018 observational records said "N/A"; v2 (and later XML) give them no phase at all.
            if t.studyType?.kind == .observational, t.phases == [.known(.na)] { t.phases = [] }
        }
        if let info = s.child("study_design_info") {
            readDesign(fields: { info.child($0)?.text }, into: &t.design)
            t.design.interventionModelDescription = info.child("intervention_model_description")?.text
            t.design.maskingDescription = info.child("masking_description")?.text
        } else if let summary = s.child("study_design")?.text {
            // Before 2017: one line, "Allocation: Randomized, Intervention Model: Parallel Assignment, …".
            let fields = LegacyXML.studyDesignFields(summary)
            readDesign(fields: { fields[$0] }, into: &t.design)
        }
        if let element = s.child("enrollment"), let countText = element.text {
            guard let count = Int(countText), count >= 0 else {
                throw fail("clinical_study/enrollment", "expected a whole number, found \"\(countText.prefix(40))\"")
            }
            t.enrollment = Trial.Enrollment(count: count,
                                            type: element.attribute("type").flatMap { RegistryValue(legacyLabel: $0) })
        }

        // MARK: Eligibility
        if let e = s.child("eligibility") {
            t.eligibility.sex = e.child("gender")?.text.flatMap { RegistryValue(legacyLabel: $0) }
            t.eligibility.genderBased = e.child("gender_based")?.text.map { $0.lowercased() == "yes" }
            t.eligibility.minimumAge = try age(e, "minimum_age")
            t.eligibility.maximumAge = try age(e, "maximum_age")
            t.eligibility.healthyVolunteers = e.child("healthy_volunteers")?.text.map(LegacyXML.acceptsHealthyVolunteers)
            t.eligibility.stdAges = Trial.Eligibility.standardAges(minimum: t.eligibility.minimumAge,
                                                                   maximum: t.eligibility.maximumAge)
            t.eligibility.studyPopulation = e.child("study_pop")?.child("textblock")
                .flatMap { LegacyText.paragraphs($0.rawText) }
            t.eligibility.setCriteria(e.child("criteria")?.child("textblock").flatMap { LegacyText.dedented($0.rawText) })
        }

        // MARK: Contacts and locations
        t.overallOfficials = s.children("overall_official").map { contact($0, defaultRole: nil) }
        t.centralContacts = (s.children("overall_contact") + s.children("overall_contact_backup"))
            .map { contact($0, defaultRole: .known(.contact)) }
        for element in s.children("location") {
            let facility = element.child("facility")
            let address = facility?.child("address")
            var location = Trial.Location(
                facility: facility?.child("name")?.text,
                city: address?.child("city")?.text,
                state: address?.child("state")?.text,
                zip: address?.child("zip")?.text,
                country: address?.child("country")?.text,
                status: element.child("status")?.text.flatMap { OverallStatus(legacyLabel: $0) })
            location.contacts = (element.children("contact") + element.children("contact_backup"))
                .map { contact($0, defaultRole: .known(.contact)) }
                + element.children("investigator").map { contact($0, defaultRole: nil) }
            t.locations.append(location)
        }
        return t
    }

    // MARK: - Parts

    private func date(_ parent: Element, _ name: String) throws(RecordError) -> PartialDate? {
        guard let element = parent.child(name), let text = element.text else { return nil }
        if text.lowercased() == "unknown" { return nil }
        let type = element.attribute("type").flatMap { RegistryValue<DateType>(legacyLabel: $0) }
        guard let date = PartialDate(legacy: text, type: type) else {
            throw fail("clinical_study/\(name)", "expected a date such as \"March 27, 2018\", found \"\(text.prefix(40))\"")
        }
        return date
    }

    private func age(_ eligibility: Element, _ name: String) throws(RecordError) -> Age? {
        guard let text = eligibility.child(name)?.text else { return nil }
        let folded = RegistryValue<Sex>.fold(text)
        if folded == "N_A" || folded == "NONE" || folded == "NO_LIMIT" { return nil }
        guard let age = Age(text: text) else {
            throw fail("clinical_study/eligibility/\(name)", "expected an age such as \"18 Years\", found \"\(text.prefix(40))\"")
        }
        return age
    }

    private func sponsor(_ element: Element) -> Trial.Sponsor {
        Trial.Sponsor(name: element.child("agency")?.text,
                      agencyClass: element.child("agency_class")?.text.flatMap { RegistryValue(legacyLabel: $0) })
    }

    /// A contact or investigator: `first_name`, `middle_name`, `last_name` ("Name, MD"), `degrees`, `role`,
    /// `affiliation`, `phone`, `phone_ext`, `email`.
    private func contact(_ element: Element, defaultRole: RegistryValue<ContactRole>?) -> Contact {
        let parts = ["first_name", "middle_name", "last_name"].compactMap { element.child($0)?.text }
        let degrees = element.child("degrees")?.text.map { Contact.splitName("x, " + $0).degrees } ?? []
        return Contact(name: parts.isEmpty ? nil : parts.joined(separator: " "),
                       degrees: degrees,
                       role: element.child("role")?.text.flatMap { RegistryValue(legacyLabel: $0) } ?? defaultRole,
                       affiliation: element.child("affiliation")?.text,
                       email: element.child("email")?.text,
                       phone: element.child("phone")?.text,
                       phoneExt: element.child("phone_ext")?.text)
    }

    private func readDesign(fields: (String) -> String?, into design: inout Trial.Design) {
        design.allocation = fields("allocation").flatMap { RegistryValue(legacyLabel: $0) }
        design.interventionModel = fields("intervention_model").flatMap { RegistryValue(legacyLabel: $0) }
        design.primaryPurpose = fields("primary_purpose").flatMap { RegistryValue(legacyLabel: $0) }
        design.observationalModel = fields("observational_model").flatMap { RegistryValue(legacyLabel: $0) }
        design.timePerspective = fields("time_perspective").flatMap { RegistryValue(legacyLabel: $0) }
        if let masking = fields("masking") {
            (design.masking, design.whoMasked) = LegacyXML.masking(masking)
        }
    }
}

// MARK: - Legacy values

extension LegacyXML {
    /// "Phase 1/Phase 2" → `[PHASE1, PHASE2]`; "N/A" → `[NA]`; "Early Phase 1" → `[EARLY_PHASE1]`.
    static func phases(_ text: String) -> [RegistryValue<Phase>] {
        let folded = RegistryValue<Phase>.fold(text)
        if folded == "N_A" || folded == "NOT_APPLICABLE" { return [.known(.na)] }
        return text.split(separator: "/").compactMap { RegistryValue(legacyLabel: String($0)) }
    }

    /// "Observational [Patient Registry]" → `OBSERVATIONAL` with `patientRegistry` true; "N/A" (redacted) → nil.
    static func studyType(_ text: String) -> (RegistryValue<StudyType>?, Bool?) {
        var label = text
        var registry: Bool?
        if let bracket = text.firstIndex(of: "[") {
            label = String(text[..<bracket])
            registry = text[bracket...].lowercased().contains("patient registry")
        }
        if RegistryValue<StudyType>.fold(label) == "N_A" { return (nil, nil) }
        let type = RegistryValue<StudyType>(legacyLabel: label)
        if registry == nil, type?.kind == .observational { registry = false }
        return (type, registry)
    }

    /// "Double (Participant, Investigator)" → `DOUBLE` masking `[PARTICIPANT, INVESTIGATOR]`; "None (Open Label)",
    /// "Open Label" and "No masking" → `NONE`; the older "Double Blind (Subject, Caregiver)" reads the same way.
    static func masking(_ text: String) -> (RegistryValue<DesignMasking>?, [RegistryValue<WhoMasked>]) {
        var head = text
        var who: [RegistryValue<WhoMasked>] = []
        if let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")"), open < close {
            head = String(text[..<open])
            let inside = text[text.index(after: open)..<close]
            let folded = RegistryValue<WhoMasked>.fold(String(inside))
            if folded != "OPEN_LABEL" {
                who = inside.split(separator: ",").compactMap { RegistryValue<WhoMasked>(legacyLabel: String($0)) }
            } else if head.trimmingCharacters(in: .whitespaces).isEmpty {
                head = String(inside)
            }
        }
        var masking = RegistryValue<DesignMasking>(legacyLabel: head)
        if masking == nil { masking = RegistryValue<DesignMasking>(legacyLabel: text) }
        if masking?.kind == DesignMasking.none { who = [] }
        return (masking, who)
    }

    /// "No" → false; "Accepts Healthy Volunteers" or "Yes" → true.
    static func acceptsHealthyVolunteers(_ text: String) -> Bool {
        let t = text.lowercased()
        return t == "yes" || (t.contains("accepts") && !t.contains("not") && !t.contains("no "))
    }

    /// Splits the pre-2017 one-line design ("Allocation: Randomized, Intervention Model: Parallel Assignment,
    /// Masking: Double Blind (Subject, Investigator), Primary Purpose: Treatment") into the newer element names.
    static func studyDesignFields(_ text: String) -> [String: String] {
        let keys = ["Allocation": "allocation", "Intervention Model": "intervention_model", "Masking": "masking",
                    "Primary Purpose": "primary_purpose", "Observational Model": "observational_model",
                    "Time Perspective": "time_perspective", "Endpoint Classification": "endpoint_classification"]
        var marks: [(range: Range<String.Index>, key: String)] = []
        for (label, key) in keys {
            var searchFrom = text.startIndex
            while let r = text.range(of: label + ":", range: searchFrom..<text.endIndex) {
                marks.append((r, key))
                searchFrom = r.upperBound
            }
        }
        marks.sort { $0.range.lowerBound < $1.range.lowerBound }
        var fields: [String: String] = [:]
        for (n, mark) in marks.enumerated() {
            let end = n + 1 < marks.count ? marks[n + 1].range.lowerBound : text.endIndex
            var value = text[mark.range.upperBound..<end].trimmingCharacters(in: .whitespaces)
            if value.hasSuffix(",") { value.removeLast() }
            fields[mark.key] = value.trimmingCharacters(in: .whitespaces)
        }
        return fields
    }
}

// MARK: - LegacyText

/// The legacy text blocks: indented by the XML, hard-wrapped at about 80 columns, paragraphs split by blank lines.
enum LegacyText {
    /// The lines without their common indentation and without blank lines at either end; nil when empty.
    static func dedented(_ text: String) -> String? {
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .map { $0.contains("\t") ? $0.replacingOccurrences(of: "\t", with: "    ") : String($0) }
        while let first = lines.first, first.allSatisfy(\.isWhitespace) { lines.removeFirst() }
        while let last = lines.last, last.allSatisfy(\.isWhitespace) { lines.removeLast() }
        if lines.isEmpty { return nil }
        let indent = lines.filter { !$0.allSatisfy(\.isWhitespace) }
            .map { $0.prefix(while: { $0 == " " }).count }.min() ?? 0
        return lines.map { line -> String in
            line.allSatisfy(\.isWhitespace) ? "" : String(line.dropFirst(indent)).trimmingTrailingWhitespace()
        }.joined(separator: "\n")
    }

    /// The text as paragraphs separated by one blank line, hard wraps joined with a space; a line that starts a
    /// list item ("- ", "1. ", "a) ") starts a new line.
    static func paragraphs(_ text: String) -> String? {
        guard let dedented = dedented(text) else { return nil }
        var paragraphs: [String] = []
        var current: [String] = []
        func flush() {
            if !current.isEmpty { paragraphs.append(current.joined(separator: "\n")) }
            current = []
        }
        for line in dedented.split(separator: "\n", omittingEmptySubsequences: false) {
            let words = line.split(whereSeparator: \.isWhitespace)
            if words.isEmpty {
                flush()
                continue
            }
            let joined = words.joined(separator: " ")
            if current.isEmpty || startsListItem(joined) {
                current.append(joined)
            } else {
                current[current.count - 1] += " " + joined
            }
        }
        flush()
        return paragraphs.isEmpty ? nil : paragraphs.joined(separator: "\n\n")
    }

    private static func startsListItem(_ line: String) -> Bool {
        guard let first = line.first else { return false }
        if "-*•·".contains(first) { return line.dropFirst().first == " " }
        let marker = line.prefix(while: { $0 != " " })
        guard marker.count >= 2, marker.count <= 5, let last = marker.last, last == "." || last == ")" else { return false }
        let body = marker.dropLast().drop(while: { $0 == "(" })
        return !body.isEmpty && (body.allSatisfy(\.isNumber) || (body.count == 1 && body.allSatisfy(\.isLetter)))
    }
}

extension String {
    fileprivate func trimmingTrailingWhitespace() -> String {
        var s = self
        while let last = s.last, last.isWhitespace { s.removeLast() }
        return s
    }
}
