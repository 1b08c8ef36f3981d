import Foundation

extension Trial {
    /// Normalizes an API v2 study object (`GET /api/v2/studies/{nctId}` shape).
    ///
    /// Tolerant of absence: only `protocolSection.identificationModule.nctId` is required, so partial and
    /// field-projected records normalize. Strict on types: a string where a number belongs is a `RecordError` naming
    /// the NCT id and the JSON path (`protocolSection.designModule.enrollmentInfo.count`). Unknown enum values are
    /// kept as sent, never an error. `null` reads as absent.
    public init(v2 study: JSONValue) throws(RecordError) {
        try self.init(v2: study, indexOnly: false)
    }

    /// With `indexOnly: true`, the parts the search document never reads are type-checked but not built: the
    /// eligibility criteria are not split (inclusion, exclusion and other criteria stay empty) and contacts are not
    /// normalized (central contacts, officials and the sites' contacts stay empty). Every other field, and whether
    /// it throws, is as `init(v2:)` gives it. The splitter was half of normalizing a study, contacts a tenth.
    init(v2 study: JSONValue, indexOnly: Bool) throws(RecordError) {
        let contacts = !indexOnly
        guard case .object = study else {
            throw RecordError(nctId: nil, path: "", reason: "a study must be a JSON object, not \(study.typeName)")
        }
        let anonymous = V2Node(document: study, nctId: nil)
        let protocolSection = try anonymous.at("protocolSection")
        guard protocolSection.isPresent else {
            throw protocolSection.error("missing: this is not an API v2 study object")
        }
        let idNode = try protocolSection.at("identificationModule").at("nctId")
        guard let idText = try idNode.string() else { throw idNode.error("missing") }
        guard let id = NCTID(idText) else { throw idNode.error("not an NCT id: \(V2Node.quote(idText))") }

        let root = V2Node(document: study, nctId: id.rawValue)
        let p = try root.at("protocolSection")
        self.init(nctId: id.rawValue)

        // MARK: Identification
        let ident = try p.at("identificationModule")
        nctIdAliases = try ident.at("nctIdAliases").strings()
        orgStudyId = try ident.at("orgStudyIdInfo").at("id").text()
        briefTitle = try ident.at("briefTitle").text()
        officialTitle = try ident.at("officialTitle").text()
        acronym = try ident.at("acronym").text()

        // MARK: Status
        let status = try p.at("statusModule")
        overallStatus = try status.at("overallStatus").registryValue()
        lastKnownStatus = try status.at("lastKnownStatus").registryValue()
        whyStopped = try status.at("whyStopped").text()
        startDate = try status.at("startDateStruct").dateStruct()
        primaryCompletionDate = try status.at("primaryCompletionDateStruct").dateStruct()
        completionDate = try status.at("completionDateStruct").dateStruct()
        statusVerifiedDate = try status.at("statusVerifiedDate").date()
        firstPosted = try status.at("studyFirstPostDateStruct").dateStruct()
        lastUpdatePosted = try status.at("lastUpdatePostDateStruct").dateStruct()
        let resultsSection = try root.at("resultsSection")
        hasResults = try root.at("hasResults").bool() ?? resultsSection.isPresent

        // MARK: Sponsor
        let sponsors = try p.at("sponsorCollaboratorsModule")
        let lead = try sponsors.at("leadSponsor")
        if lead.isPresent { sponsor = try Trial.sponsor(lead) }
        for node in try sponsors.at("collaborators").elements() {
            collaborators.append(try Trial.sponsor(node))
        }

        // MARK: Conditions
        let conditionsModule = try p.at("conditionsModule")
        conditions = Trial.distinctTrimmed(try conditionsModule.at("conditions").strings())
        keywords = Trial.distinctTrimmed(try conditionsModule.at("keywords").strings())
        let browse = try root.at("derivedSection").at("conditionBrowseModule")
        meshTerms = try Trial.meshTerms(browse.at("meshes"))
        meshAncestors = try Trial.meshTerms(browse.at("ancestors"))

        // MARK: Description
        let description = try p.at("descriptionModule")
        briefSummary = try description.at("briefSummary").text()
        detailedDescription = try description.at("detailedDescription").text()

        // MARK: Arms and interventions
        let armsModule = try p.at("armsInterventionsModule")
        for node in try armsModule.at("interventions").elements() {
            interventions.append(Intervention(
                type: try node.at("type").registryValue(),
                name: try node.at("name").text(),
                description: try node.at("description").text(),
                otherNames: try node.at("otherNames").strings(),
                armGroupLabels: try node.at("armGroupLabels").strings()))
        }
        for node in try armsModule.at("armGroups").elements() {
            arms.append(ArmGroup(
                label: try node.at("label").text(),
                type: try node.at("type").registryValue(),
                description: try node.at("description").text(),
                interventionNames: try node.at("interventionNames").strings()))
        }

        // MARK: Design
        let designModule = try p.at("designModule")
        studyType = try designModule.at("studyType").registryValue()
        patientRegistry = try designModule.at("patientRegistry").bool()
        for node in try designModule.at("phases").elements() {
            guard let text = try node.string() else { continue }
            phases.append(RegistryValue(rawValue: text))
        }
        let info = try designModule.at("designInfo")
        design.allocation = try info.at("allocation").registryValue()
        design.interventionModel = try info.at("interventionModel").registryValue()
        design.interventionModelDescription = try info.at("interventionModelDescription").text()
        design.primaryPurpose = try info.at("primaryPurpose").registryValue()
        design.observationalModel = try info.at("observationalModel").registryValue()
        design.timePerspective = try info.at("timePerspective").registryValue()
        let masking = try info.at("maskingInfo")
        design.masking = try masking.at("masking").registryValue()
        design.maskingDescription = try masking.at("maskingDescription").text()
        for node in try masking.at("whoMasked").elements() {
            if let text = try node.string() { design.whoMasked.append(RegistryValue(rawValue: text)) }
        }
        let enrollmentInfo = try designModule.at("enrollmentInfo")
        if enrollmentInfo.isPresent {
            let count = try enrollmentInfo.at("count").int()
            let type: RegistryValue<DateType>? = try enrollmentInfo.at("type").registryValue()
            if count != nil || type != nil { enrollment = Enrollment(count: count, type: type) }
        }

        // MARK: Eligibility
        let elig = try p.at("eligibilityModule")
        eligibility.sex = try elig.at("sex").registryValue()
        eligibility.genderBased = try elig.at("genderBased").bool()
        eligibility.minimumAge = try elig.at("minimumAge").age()
        eligibility.maximumAge = try elig.at("maximumAge").age()
        eligibility.healthyVolunteers = try elig.at("healthyVolunteers").bool()
        for node in try elig.at("stdAges").elements() {
            if let text = try node.string() { eligibility.stdAges.append(RegistryValue(rawValue: text)) }
        }
        eligibility.studyPopulation = try elig.at("studyPopulation").text()
        let criteria = try elig.at("eligibilityCriteria").text()
        if !indexOnly { eligibility.setCriteria(criteria) }

        // MARK: Contacts and locations
        let contactsModule = try p.at("contactsLocationsModule")
        for node in try contactsModule.at("centralContacts").elements() {
            if let contact = try Trial.contact(node, building: contacts) { centralContacts.append(contact) }
        }
        for node in try contactsModule.at("overallOfficials").elements() {
            if let contact = try Trial.contact(node, building: contacts) { overallOfficials.append(contact) }
        }
        for node in try contactsModule.at("locations").elements() {
            var location = Location(
                facility: try node.at("facility").text(),
                city: try node.at("city").text(),
                state: try node.at("state").text(),
                zip: try node.at("zip").text(),
                country: try node.at("country").text(),
                status: try node.at("status").registryValue())
            let geo = try node.at("geoPoint")
            if geo.isPresent, let lat = try geo.at("lat").double(), let lon = try geo.at("lon").double() {
                location.geoPoint = GeoPoint(lat: lat, lon: lon)
            }
            for node in try node.at("contacts").elements() {
                if let contact = try Trial.contact(node, building: contacts) { location.contacts.append(contact) }
            }
            locations.append(location)
        }
    }

    // MARK: - Parts

    private static func sponsor(_ node: V2Node) throws(RecordError) -> Sponsor {
        Sponsor(name: try node.at("name").text(), agencyClass: try node.at("class").registryValue())
    }

    private static func meshTerms(_ node: V2Node) throws(RecordError) -> [MeshTerm] {
        var out: [MeshTerm] = []
        for element in try node.elements() {
            guard let term = try element.at("term").text() else { continue }
            out.append(MeshTerm(id: try element.at("id").text(), term: term))
        }
        return out
    }

    /// The contact at `node`, its fields type-checked; without `building`, only checked (nil).
    private static func contact(_ node: V2Node, building: Bool) throws(RecordError) -> Contact? {
        let name = try node.at("name").string()
        let role: RegistryValue<ContactRole>? = try node.at("role").registryValue()
        let affiliation = try node.at("affiliation").string()
        let email = try node.at("email").string()
        let phone = try node.at("phone").string()
        let phoneExt = try node.at("phoneExt").string()
        guard building else { return nil }
        return Contact(name: name, role: role, affiliation: affiliation, email: email, phone: phone, phoneExt: phoneExt)
    }
}

// MARK: - V2Node

/// A value in a v2 document and its path, with typed reads that fail naming the NCT id and the path.
///
/// An absent member and `null` both read as nil; a value of the wrong JSON type is an error.
///
/// The path is only spelled out when an error names it: each object or array whose members are read links to the
/// one it is in (`PathStep`), so that reading a study makes no path strings at all (spelling out the path of every
/// object read, such as `protocolSection.contactsLocationsModule.locations[17]`, was a tenth of normalizing it).
private struct V2Node {
    let value: JSONValue?
    let nctId: String?
    /// The object or array this node is in; nil for the document itself.
    private let container: PathStep?
    /// The member name in `container`, for a member.
    private let key: String?
    /// The element's index in `container`, for an element; negative otherwise.
    private let index: Int
    /// This node as a container, made with the node when it is an object (its members are read from it); other
    /// nodes make one only when something is read from them (an absent member's members, an array's elements).
    private let step: PathStep?

    /// The document itself (its path is empty).
    init(document value: JSONValue?, nctId: String?) {
        self.init(child: value, container: nil, key: nil, index: -1, nctId: nctId)
    }

    /// A member or element of `container`.
    private init(child value: JSONValue?, container: PathStep?, key: String?, index: Int, nctId: String?) {
        self.value = value
        self.nctId = nctId
        self.container = container
        self.key = key
        self.index = index
        if case .object? = value {
            step = PathStep(parent: container, key: key, index: index)
        } else {
            step = nil
        }
    }

    /// This node as the container of what is read from it.
    private var ownStep: PathStep { step ?? PathStep(parent: container, key: key, index: index) }

    /// `protocolSection.designModule.enrollmentInfo.count`, `…locations[3]`.
    var path: String { ownStep.path }

    /// False for an absent member or `null`.
    var isPresent: Bool {
        guard let value else { return false }
        if case .null = value { return false }
        return true
    }

    func error(_ reason: String) -> RecordError {
        RecordError(nctId: nctId, path: path, reason: reason)
    }

    private func mismatch(_ expected: String) -> RecordError {
        let found = value.map { "\($0.typeName) \(V2Node.excerpt($0))" } ?? "nothing"
        return error("expected \(expected), found \(found)")
    }

    static func quote(_ text: String) -> String {
        let short = text.count > 40 ? text.prefix(40) + "…" : Substring(text)
        return "\"\(short)\""
    }

    private static func excerpt(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): return quote(s)
        case .array(let a): return "of \(a.count) element\(a.count == 1 ? "" : "s")"
        case .object: return "{…}"
        default: return value.compactString()
        }
    }

    // MARK: - Navigation

    /// The member `key` of this object (absent when this node is absent); an error when this is not an object.
    func at(_ key: String) throws(RecordError) -> V2Node {
        switch value {
        case .object(let members)?:
            return V2Node(child: members[key], container: step, key: key, index: -1, nctId: nctId)
        case nil, .null?:
            return V2Node(child: nil, container: ownStep, key: key, index: -1, nctId: nctId)
        default: throw mismatch("an object")
        }
    }

    /// The elements of this array, with their indexes in the path; empty when absent.
    func elements() throws(RecordError) -> Elements {
        guard isPresent else { return Elements(items: [], container: nil, nctId: nctId) }
        guard case .array(let items)? = value else { throw mismatch("an array") }
        return Elements(items: items, container: items.isEmpty ? nil : ownStep, nctId: nctId)
    }

    /// An array's elements as nodes, made one at a time as they are read.
    struct Elements: Sequence {
        let items: [JSONValue]
        let container: PathStep?
        let nctId: String?

        func makeIterator() -> Iterator { Iterator(elements: self) }

        struct Iterator: IteratorProtocol {
            let elements: Elements
            var position = 0

            mutating func next() -> V2Node? {
                guard position < elements.items.count else { return nil }
                defer { position += 1 }
                return V2Node(child: elements.items[position], container: elements.container, key: nil,
                              index: position, nctId: elements.nctId)
            }
        }
    }

    // MARK: - Scalars

    func string() throws(RecordError) -> String? {
        guard isPresent else { return nil }
        guard case .string(let s)? = value else { throw mismatch("a string") }
        return s
    }

    /// A string trimmed of surrounding white space; nil when absent or empty.
    func text() throws(RecordError) -> String? {
        guard let s = try string() else { return nil }
        let t = s.trimmedWhitespace()
        return t.isEmpty ? nil : t
    }

    func strings() throws(RecordError) -> [String] {
        guard isPresent else { return [] }
        guard case .array(let items)? = value else { throw mismatch("an array") }
        var out: [String] = []
        out.reserveCapacity(items.count)
        for (n, item) in items.enumerated() {
            switch item {
            case .string(let s): out.append(s)
            case .null: continue
            default:
                throw V2Node(child: item, container: ownStep, key: nil, index: n, nctId: nctId).mismatch("a string")
            }
        }
        return out
    }

    /// A whole number (`10` or `10.0`).
    func int() throws(RecordError) -> Int? {
        guard isPresent else { return nil }
        guard let v = value?.intValue else {
            if case .double? = value { throw mismatch("a whole number") }
            throw mismatch("a number")
        }
        return v
    }

    func double() throws(RecordError) -> Double? {
        guard isPresent else { return nil }
        switch value {
        case .int(let i)?: return Double(i)
        case .double(let d)?: return d
        default: throw mismatch("a number")
        }
    }

    func bool() throws(RecordError) -> Bool? {
        guard isPresent else { return nil }
        guard case .bool(let b)? = value else { throw mismatch("true or false") }
        return b
    }

    // MARK: - Registry values

    /// An enum value; an unknown one is kept raw.
    func registryValue<Kind: RegistryVocabulary>() throws(RecordError) -> RegistryValue<Kind>? {
        guard let s = try text() else { return nil }
        return RegistryValue(rawValue: s)
    }

    /// A `yyyy`, `yyyy-MM` or `yyyy-MM-dd` string.
    func date(type: RegistryValue<DateType>? = nil) throws(RecordError) -> PartialDate? {
        guard let s = try text() else { return nil }
        guard let date = PartialDate(iso: s, type: type) else {
            throw error("expected a date (yyyy, yyyy-MM or yyyy-MM-dd), found \(V2Node.quote(s))")
        }
        return date
    }

    /// A `{date, type}` object.
    func dateStruct() throws(RecordError) -> PartialDate? {
        guard isPresent else { return nil }
        let type: RegistryValue<DateType>? = try at("type").registryValue()
        return try at("date").date(type: type)
    }

    /// An age limit such as "18 Years".
    func age() throws(RecordError) -> Age? {
        guard let s = try text() else { return nil }
        guard let age = Age(text: s) else {
            throw error("expected an age such as \"18 Years\", found \(V2Node.quote(s))")
        }
        return age
    }
}

/// One step of a `V2Node`'s path: the member `key` or element `index` of `parent` (neither for the document).
private final class PathStep {
    let parent: PathStep?
    let key: String?
    let index: Int

    init(parent: PathStep?, key: String?, index: Int) {
        self.parent = parent
        self.key = key
        self.index = index
    }

    /// `protocolSection.designModule`, `…locations[3]`; empty for the document.
    var path: String {
        var steps: [PathStep] = []
        var next: PathStep? = self
        while let step = next {
            steps.append(step)
            next = step.parent
        }
        var out = ""
        for step in steps.reversed() {
            if let key = step.key {
                out = out.isEmpty ? key : out + "." + key
            } else if step.index >= 0 {
                out += "[\(step.index)]"
            }
        }
        return out
    }
}
