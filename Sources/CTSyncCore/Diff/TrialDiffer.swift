import Foundation

/// The semantic differ: two normalized versions of a study in, field-level changes out. A pure function.
///
/// Lists are matched by identity — a contact by name, a site by facility and city, an intervention by type and
/// name, a criterion by text similarity — so one inserted criterion is one addition, not every later item
/// changed. Reordering a list whose order carries no meaning, white-space-only edits and derived MeSH
/// re-indexing are `noise`. Whatever changed outside the model is reported too, as JSON Patch operations
/// (`TrialDiffer.patch`), so no change goes unreported.
public enum TrialDiffer {
    /// The changes from `old` to `new`, model fields first, in a stable order.
    public static func diff(_ old: Trial, _ new: Trial) -> [Change] {
        var out: [Change] = []
        var d = Differ(out: [])
        d.scalars(old, new)
        d.enrollment(old.enrollment, new.enrollment)
        d.criteria("eligibility.inclusion", "Inclusion criterion", old.eligibility.inclusion, new.eligibility.inclusion)
        d.criteria("eligibility.exclusion", "Exclusion criterion", old.eligibility.exclusion, new.eligibility.exclusion)
        d.criteria("eligibility.otherCriteria", "Eligibility note", old.eligibility.otherCriteria, new.eligibility.otherCriteria)
        d.keyed("interventions", "Intervention", .major, .other, old.interventions, new.interventions) {
            "\($0.type?.rawValue ?? ""): \($0.name ?? "")"
        }
        d.keyed("arms", "Arm", .minor, .other, old.arms, new.arms) { $0.label ?? "" }
        d.keyed("centralContacts", "Central contact", .minor, .contacts, old.centralContacts, new.centralContacts) { $0.name ?? "" }
        d.keyed("overallOfficials", "Overall official", .minor, .contacts, old.overallOfficials, new.overallOfficials) { $0.name ?? "" }
        d.keyed("locations", "Site", .minor, .sites, old.locations, new.locations) {
            [$0.facility, $0.city].compactMap { $0 }.joined(separator: ", ")
        }
        d.keyed("collaborators", "Collaborator", .minor, .other, old.collaborators, new.collaborators) { $0.name ?? "" }
        d.strings("conditions", "Condition", .minor, old.conditions, new.conditions)
        d.strings("keywords", "Keyword", .minor, old.keywords, new.keywords)
        d.strings("nctIdAliases", "Alias", .minor, old.nctIdAliases, new.nctIdAliases)
        d.setLike("meshTerms", "MeSH terms", .noise, .other, old.meshTerms, new.meshTerms)
        d.setLike("meshAncestors", "MeSH ancestors", .noise, .other, old.meshAncestors, new.meshAncestors)
        out = d.out
        return out
    }

    /// The model changes plus JSON Patch operations for what changed outside the model, for two v2 documents.
    /// Documents that do not normalize are compared as JSON alone.
    public static func diff(v2 old: JSONValue, _ new: JSONValue) -> [Change] {
        var changes: [Change] = []
        if let a = try? Trial(v2: old), let b = try? Trial(v2: new) { changes = diff(a, b) }
        return changes + patch(old, new)
    }

    /// The detector the store runs when it stores a new version.
    public static let detector = ChangeDetector { old, new in diff(v2: old, new) }

    // MARK: - Outside the model

    /// RFC 6902 operations (`add`, `remove`, `replace`, with the old value) for every JSON path that changed and
    /// that the model does not cover; the change's path is the JSON Pointer.
    public static func patch(_ old: JSONValue, _ new: JSONValue) -> [Change] {
        JSONDiff.diff(old, new).filter { !Coverage.covers($0.path) }.map { c in
            let pointer = Coverage.pointer(c.path)
            let (significance, category) = Coverage.classify(c.path)
            let op: String
            let kind: Change.Kind
            switch c.kind {
            case .added: op = "add"; kind = .added
            case .removed: op = "remove"; kind = .removed
            case .changed: op = "replace"; kind = .changed
            }
            return Change(path: pointer, kind: kind, old: c.old, new: c.new, significance: significance,
                          category: category, text: "\(op) \(pointer)" + Text.fromTo(c.old, c.new))
        }
    }
}

// MARK: - The walk

private struct Differ {
    var out: [Change]

    mutating func add(_ path: String, _ kind: Change.Kind, _ old: JSONValue?, _ new: JSONValue?,
                      _ significance: Change.Significance, _ category: Change.Category, _ text: String) {
        out.append(Change(path: path, kind: kind, old: old, new: new, significance: significance, category: category, text: text))
    }

    /// One field: added, removed or changed; white-space-only edits of text are noise.
    mutating func field<T: Encodable & Equatable>(_ path: String, _ label: String, _ a: T?, _ b: T?,
                                                   _ significance: Change.Significance, _ category: Change.Category,
                                                   show: (T) -> String) {
        guard a != b else { return }
        let (x, y) = (a.map { Text.json($0) }, b.map { Text.json($0) })
        switch (a, b) {
        case (nil, let v?): add(path, .added, nil, y, significance, category, "\(label) added: \(show(v))")
        case (let u?, nil): add(path, .removed, x, nil, significance, category, "\(label) removed: \(show(u))")
        case (let u?, let v?):
            if let s = u as? String, let t = v as? String, Text.squeezed(s) == Text.squeezed(t) {
                add(path, .changed, x, y, .noise, category, "\(label): white space only")
            } else {
                add(path, .changed, x, y, significance, category, "\(label): \(show(u)) → \(show(v))")
            }
        default: break
        }
    }

    mutating func scalars(_ a: Trial, _ b: Trial) {
        field("overallStatus", "Overall status", a.overallStatus, b.overallStatus, .major, .status) { $0.label }
        field("lastKnownStatus", "Last known status", a.lastKnownStatus, b.lastKnownStatus, .major, .status) { $0.label }
        field("whyStopped", "Why stopped", a.whyStopped, b.whyStopped, .major, .status) { Text.short($0) }
        if Set(a.phases) != Set(b.phases) {
            let show = { (p: [RegistryValue<Phase>]) in p.isEmpty ? "none" : p.map(\.label).joined(separator: ", ") }
            add("phases", .changed, Text.json(a.phases), Text.json(b.phases), .major, .other,
                "Phases: \(show(a.phases)) → \(show(b.phases))")
        } else if a.phases != b.phases {
            add("phases", .changed, Text.json(a.phases), Text.json(b.phases), .noise, .other, "Phases reordered")
        }
        date("startDate", "Start date", a.startDate, b.startDate)
        date("primaryCompletionDate", "Primary completion date", a.primaryCompletionDate, b.primaryCompletionDate)
        date("completionDate", "Completion date", a.completionDate, b.completionDate)
        field("hasResults", "Results posted", a.hasResults, b.hasResults, .major, .results) { $0 ? "yes" : "no" }
        field("eligibility.sex", "Sex", a.eligibility.sex, b.eligibility.sex, .major, .criteria) { $0.label }
        field("eligibility.minimumAge", "Minimum age", a.eligibility.minimumAge, b.eligibility.minimumAge, .major, .criteria) { "\($0)" }
        field("eligibility.maximumAge", "Maximum age", a.eligibility.maximumAge, b.eligibility.maximumAge, .major, .criteria) { "\($0)" }
        field("eligibility.healthyVolunteers", "Healthy volunteers", a.eligibility.healthyVolunteers,
              b.eligibility.healthyVolunteers, .major, .criteria) { $0 ? "accepted" : "not accepted" }
        field("eligibility.stdAges", "Age groups", a.eligibility.stdAges, b.eligibility.stdAges, .minor, .criteria) {
            $0.map(\.label).joined(separator: ", ")
        }
        field("eligibility.studyPopulation", "Study population", a.eligibility.studyPopulation,
              b.eligibility.studyPopulation, .minor, .criteria) { Text.short($0) }
        field("eligibility.criteriaUnstructured", "Criteria structure", a.eligibility.criteriaUnstructured,
              b.eligibility.criteriaUnstructured, .noise, .criteria) { $0 ? "unstructured" : "structured" }

        field("briefTitle", "Title", a.briefTitle, b.briefTitle, .minor, .other) { Text.short($0) }
        field("officialTitle", "Official title", a.officialTitle, b.officialTitle, .minor, .other) { Text.short($0) }
        field("acronym", "Acronym", a.acronym, b.acronym, .minor, .other) { $0 }
        field("orgStudyId", "Sponsor's study id", a.orgStudyId, b.orgStudyId, .minor, .other) { $0 }
        field("briefSummary", "Brief summary", a.briefSummary, b.briefSummary, .minor, .other) { Text.short($0) }
        field("detailedDescription", "Detailed description", a.detailedDescription, b.detailedDescription,
              .minor, .other) { Text.short($0) }
        field("sponsor", "Sponsor", a.sponsor, b.sponsor, .minor, .other) { $0.name ?? "?" }
        field("studyType", "Study type", a.studyType, b.studyType, .minor, .other) { $0.label }
        field("patientRegistry", "Patient registry", a.patientRegistry, b.patientRegistry, .minor, .other) { $0 ? "yes" : "no" }
        field("design.allocation", "Allocation", a.design.allocation, b.design.allocation, .minor, .other) { $0.label }
        field("design.interventionModel", "Intervention model", a.design.interventionModel, b.design.interventionModel,
              .minor, .other) { $0.label }
        field("design.interventionModelDescription", "Intervention model description",
              a.design.interventionModelDescription, b.design.interventionModelDescription, .minor, .other) { Text.short($0) }
        field("design.masking", "Masking", a.design.maskingLabel, b.design.maskingLabel, .minor, .other) { $0 }
        field("design.maskingDescription", "Masking description", a.design.maskingDescription,
              b.design.maskingDescription, .minor, .other) { Text.short($0) }
        field("design.primaryPurpose", "Primary purpose", a.design.primaryPurpose, b.design.primaryPurpose,
              .minor, .other) { $0.label }
        field("design.observationalModel", "Observational model", a.design.observationalModel,
              b.design.observationalModel, .minor, .other) { $0.label }
        field("design.timePerspective", "Time perspective", a.design.timePerspective, b.design.timePerspective,
              .minor, .other) { $0.label }
        field("statusVerifiedDate", "Status verified", a.statusVerifiedDate, b.statusVerifiedDate, .minor, .dates) { Text.date($0) }
        field("firstPosted", "First posted", a.firstPosted, b.firstPosted, .minor, .dates) { Text.date($0) }
        field("lastUpdatePosted", "Last update posted", a.lastUpdatePosted, b.lastUpdatePosted, .noise, .dates) { Text.date($0) }
    }

    /// A key date: major, except a type that only appears or disappears on the same date (a format change of the
    /// legacy XML, which NLM made in 2017), which is noise. ESTIMATED → ACTUAL on the same date stays major.
    mutating func date(_ path: String, _ label: String, _ a: PartialDate?, _ b: PartialDate?) {
        guard let a, let b, a.text == b.text, a.type == nil || b.type == nil, a.type != b.type else {
            return field(path, label, a, b, .major, .dates) { Text.date($0) }
        }
        add(path, .changed, Text.json(a), Text.json(b), .noise, .dates, "\(label) type: \(Text.date(a)) → \(Text.date(b))")
    }

    /// "Enrollment: 10 (estimated) → 12 (actual)" as one change.
    mutating func enrollment(_ a: Trial.Enrollment?, _ b: Trial.Enrollment?) {
        guard a != b else { return }
        let show = { (e: Trial.Enrollment?) -> String in
            guard let e, let count = e.count else { return "none" }
            return "\(count)" + (e.type.map { " (\($0.rawValue.lowercased()))" } ?? "")
        }
        let path = a?.count != b?.count ? "enrollment.count" : "enrollment.type"
        add(path, a == nil ? .added : b == nil ? .removed : .changed, a.map(Text.json), b.map(Text.json), .major,
            .enrollment, "Enrollment: \(show(a)) → \(show(b))")
    }

    /// Criteria matched by text: equal texts pair first, then the most similar (word overlap at least one half).
    mutating func criteria(_ path: String, _ label: String, _ a: [CriteriaItem], _ b: [CriteriaItem]) {
        let (pairs, removed, added) = Matching.bySimilarity(a.map(Text.flat), b.map(Text.flat))
        for (i, j) in pairs where a[i] != b[j] {
            let (x, y) = (Text.flat(a[i]), Text.flat(b[j]))
            let noise = Text.squeezed(x) == Text.squeezed(y)
            add("\(path)[\(j)]", .changed, Text.json(a[i]), Text.json(b[j]), noise ? .noise : .major, .criteria,
                noise ? "\(label) \(j + 1): white space only" : "\(label) changed: \(Text.short(x)) → \(Text.short(y))")
        }
        for i in removed {
            add("\(path)[\(i)]", .removed, Text.json(a[i]), nil, .major, .criteria, "\(label) removed: \(Text.short(Text.flat(a[i])))")
        }
        for j in added {
            add("\(path)[\(j)]", .added, nil, Text.json(b[j]), .major, .criteria, "\(label) added: \(Text.short(Text.flat(b[j])))")
        }
        if removed.isEmpty, added.isEmpty, pairs.contains(where: { $0.0 != $0.1 }), pairs.allSatisfy({ a[$0.0] == b[$0.1] }) {
            add(path, .changed, nil, nil, .noise, .criteria, "\(label)s reordered")
        }
    }

    /// Items matched by a key (name, facility and city, …); their fields compared one by one.
    mutating func keyed<T: Encodable & Equatable>(_ path: String, _ label: String, _ significance: Change.Significance,
                                                   _ category: Change.Category, _ a: [T], _ b: [T], key: (T) -> String) {
        let ka = Matching.uniqueKeys(a.map(key)), kb = Matching.uniqueKeys(b.map(key))
        let ia = Dictionary(uniqueKeysWithValues: zip(ka, a)), ib = Dictionary(uniqueKeysWithValues: zip(kb, b))
        for (k, u) in zip(ka, a) {
            guard let v = ib[k] else {
                add("\(path)[\(k)]", .removed, Text.json(u), nil, significance, category, "\(label) removed: \(k)")
                continue
            }
            guard u != v, case .object(let x) = Text.json(u), case .object(let y) = Text.json(v) else { continue }
            for field in Set(x.keys).union(y.keys).sorted() where x[field] != y[field] {
                let (o, n) = (x[field].flatMap(Text.nonNull), y[field].flatMap(Text.nonNull))
                let kind: Change.Kind = o == nil ? .added : n == nil ? .removed : .changed
                let words = Text.words(field)
                var sig = significance
                if case .string(let s)? = o, case .string(let t)? = n, Text.squeezed(s) == Text.squeezed(t) { sig = .noise }
                add("\(path)[\(k)].\(field)", kind, o, n, sig, category, "\(label) \(k) \(words): \(Text.show(o)) → \(Text.show(n))")
            }
        }
        for (k, v) in zip(kb, b) where ia[k] == nil {
            add("\(path)[\(k)]", .added, nil, Text.json(v), significance, category, "\(label) added: \(k)")
        }
        if ka != kb, Set(ka) == Set(kb), zip(ka, a).allSatisfy({ ib[$0.0] == $0.1 }) {
            add(path, .changed, nil, nil, .noise, category, "\(label)s reordered")
        }
    }

    /// Plain strings (conditions, keywords): each added or removed one; a new order alone is noise.
    mutating func strings(_ path: String, _ label: String, _ significance: Change.Significance, _ a: [String], _ b: [String]) {
        let fold = { (s: String) in s.lowercased() }
        let sa = Set(a.map(fold)), sb = Set(b.map(fold))
        for s in a where !sb.contains(fold(s)) {
            add("\(path)[\(s)]", .removed, .string(s), nil, significance, .other, "\(label) removed: \(s)")
        }
        for s in b where !sa.contains(fold(s)) {
            add("\(path)[\(s)]", .added, nil, .string(s), significance, .other, "\(label) added: \(s)")
        }
        if sa == sb, a != b {
            let spellingOnly = a.count == b.count && a.map(fold) == b.map(fold)
            add(path, .changed, Text.json(a), Text.json(b), spellingOnly ? significance : .noise, .other,
                spellingOnly ? "\(label)s respelled" : "\(label)s reordered")
        }
    }

    /// A list whose changes are all of one significance (derived MeSH terms).
    mutating func setLike<T: Encodable & Hashable>(_ path: String, _ label: String, _ significance: Change.Significance,
                                                    _ category: Change.Category, _ a: [T], _ b: [T]) {
        guard a != b else { return }
        let sa = Set(a), sb = Set(b)
        let text = sa == sb ? "\(label) reordered" : "\(label): \(sa.subtracting(sb).count) removed, \(sb.subtracting(sa).count) added"
        add(path, .changed, Text.json(a), Text.json(b), significance, category, text)
    }
}

// MARK: - Matching

enum Matching {
    /// Pairs equal texts first, then the most similar remaining ones (Jaccard word overlap ≥ 0.5); the rest are
    /// removed (old indices) or added (new indices).
    static func bySimilarity(_ a: [String], _ b: [String]) -> ([(Int, Int)], [Int], [Int]) {
        var pairs: [(Int, Int)] = []
        var freeA = Set(a.indices), freeB = Set(b.indices)
        for i in a.indices {
            if let j = b.indices.first(where: { freeB.contains($0) && b[$0] == a[i] }) {
                pairs.append((i, j)); freeA.remove(i); freeB.remove(j)
            }
        }
        let wa = a.map(words), wb = b.map(words)
        var candidates: [(Double, Int, Int)] = []
        for i in freeA {
            for j in freeB {
                let inter = wa[i].intersection(wb[j]).count
                let union = wa[i].union(wb[j]).count
                let score = union == 0 ? 0 : Double(inter) / Double(union)
                if score >= 0.5 { candidates.append((score, i, j)) }
            }
        }
        for (_, i, j) in candidates.sorted(by: { ($0.0, -$0.1, -$0.2) > ($1.0, -$1.1, -$1.2) })
        where freeA.contains(i) && freeB.contains(j) {
            pairs.append((i, j)); freeA.remove(i); freeB.remove(j)
        }
        return (pairs.sorted { $0.1 < $1.1 }, freeA.sorted(), freeB.sorted())
    }

    static func words(_ s: String) -> Set<String> {
        Set(s.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init))
    }

    /// Keys made unique by numbering repeats: "Study Director", "Study Director #2".
    static func uniqueKeys(_ keys: [String]) -> [String] {
        var used = Set<String>()
        return keys.map { k in
            var candidate = k
            var n = 1
            while used.contains(candidate) {
                n += 1
                candidate = "\(k) #\(n)"
            }
            used.insert(candidate)
            return candidate
        }
    }
}

// MARK: - Text

enum Text {
    static func json<T: Encodable>(_ value: T) -> JSONValue {
        let encoder = JSONEncoder()
        guard let data = try? encoder.encode(value), let v = try? JSONParser.parse(data) else { return .null }
        return v
    }

    static func nonNull(_ v: JSONValue) -> JSONValue? {
        if case .null = v { return nil }
        if case .array(let a) = v, a.isEmpty { return nil }
        return v
    }

    static func flat(_ item: CriteriaItem) -> String {
        ([item.text] + item.subItems.map(flat)).joined(separator: " ")
    }

    static func squeezed(_ s: String) -> String {
        s.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    static func short(_ s: String, _ limit: Int = 120) -> String {
        let t = squeezed(s)
        return t.count > limit ? String(t.prefix(limit - 1)) + "…" : t
    }

    static func date(_ d: PartialDate) -> String {
        d.longText + (d.type.map { " (\($0.rawValue.lowercased()))" } ?? "")
    }

    static func show(_ v: JSONValue?) -> String {
        guard let v else { return "none" }
        if case .string(let s) = v { return short(s, 80) }
        return short(v.compactString(), 80)
    }

    static func fromTo(_ a: JSONValue?, _ b: JSONValue?) -> String {
        switch (a, b) {
        case (nil, let y?): return ": \(show(y))"
        case (let x?, nil): return " (was \(show(x)))"
        default: return ": \(show(a)) → \(show(b))"
        }
    }

    /// "phoneExt" → "phone ext", "email" → "e-mail".
    static func words(_ key: String) -> String {
        if key == "email" { return "e-mail" }
        var out = ""
        for ch in key {
            if ch.isUppercase { out += " " + ch.lowercased() } else { out.append(ch) }
        }
        return out
    }
}

// MARK: - What the model covers

enum Coverage {
    /// v2 paths the `Trial` reads; a change under one of them is reported through the model.
    static let prefixes: [String] = [
        "protocolSection.identificationModule.nctId", "protocolSection.identificationModule.nctIdAliases",
        "protocolSection.identificationModule.orgStudyIdInfo.id", "protocolSection.identificationModule.briefTitle",
        "protocolSection.identificationModule.officialTitle", "protocolSection.identificationModule.acronym",
        "protocolSection.statusModule.overallStatus", "protocolSection.statusModule.lastKnownStatus",
        "protocolSection.statusModule.whyStopped", "protocolSection.statusModule.startDateStruct",
        "protocolSection.statusModule.primaryCompletionDateStruct", "protocolSection.statusModule.completionDateStruct",
        "protocolSection.statusModule.statusVerifiedDate", "protocolSection.statusModule.studyFirstPostDateStruct",
        "protocolSection.statusModule.lastUpdatePostDateStruct",
        "protocolSection.sponsorCollaboratorsModule.leadSponsor", "protocolSection.sponsorCollaboratorsModule.collaborators",
        "protocolSection.conditionsModule", "protocolSection.descriptionModule", "protocolSection.armsInterventionsModule",
        "protocolSection.designModule.studyType", "protocolSection.designModule.patientRegistry",
        "protocolSection.designModule.phases", "protocolSection.designModule.designInfo",
        "protocolSection.designModule.enrollmentInfo", "protocolSection.eligibilityModule",
        "protocolSection.contactsLocationsModule", "derivedSection.conditionBrowseModule.meshes",
        "derivedSection.conditionBrowseModule.ancestors", "hasResults",
    ]

    static func covers(_ path: String) -> Bool {
        prefixes.contains { path == $0 || path.hasPrefix($0 + ".") || path.hasPrefix($0 + "[") }
    }

    /// Significance and category of a change outside the model, by where it is.
    static func classify(_ path: String) -> (Change.Significance, Change.Category) {
        if path.hasPrefix("derivedSection.") { return (.noise, .other) }
        if path.hasPrefix("resultsSection") { return (.minor, .results) }
        if path.hasPrefix("protocolSection.statusModule.") { return (.minor, .dates) }
        return (.minor, .other)
    }

    /// `protocolSection.locations[3].status` → `/protocolSection/locations/3/status` (RFC 6901 escapes).
    static func pointer(_ path: String) -> String {
        var tokens: [String] = []
        for part in path.split(separator: ".", omittingEmptySubsequences: false) {
            var s = String(part)
            var indices: [String] = []
            while s.hasSuffix("]"), let open = s.lastIndex(of: "[") {
                indices.insert(String(s[s.index(after: open)..<s.index(before: s.endIndex)]), at: 0)
                s = String(s[..<open])
            }
            tokens.append(s)
            tokens += indices
        }
        return "/" + tokens.map { $0.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1") }
            .joined(separator: "/")
    }
}
