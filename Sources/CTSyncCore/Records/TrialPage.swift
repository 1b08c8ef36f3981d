import Foundation

/// Renders a `Trial` as the page `ctsync show` prints: the headings a registry page shows, in plain text for the
/// terminal or in Markdown.
///
/// Sections, each only when the record has something for it: Status and phase; Conditions; Treatments; About
/// (brief summary); Full description; Enrollment ("10 participants in 1 patient group"); Sex; Ages; Volunteers;
/// Inclusion criteria and Exclusion criteria as lists (and Other criteria); Primary purpose; Allocation;
/// Interventional model; Masking (or Observational model and Time perspective); Central trial contact; Study
/// officials; Research sites. Text is wrapped at 80 columns with hanging indents; Markdown is not wrapped.
public enum TrialPage {
    /// The output format.
    public enum Format: String, Sendable, CaseIterable {
        case text
        case markdown
    }

    /// Text lines are wrapped to this width.
    public static let width = 80

    /// The page for `trial`. With `colour` (text only), headings are bold and the status is green for an open
    /// study and red for a stopped one.
    public static func render(_ trial: Trial, format: Format, colour: Bool = false) -> String {
        var page = Builder(format: format, colour: colour && format == .text)
        page.render(trial)
        return page.lines.joined(separator: "\n") + "\n"
    }

    // MARK: - Phrases

    /// "10 participants in 1 patient group", "120 participants in 3 patient groups (estimated)".
    public static func enrollmentSentence(_ enrollment: Trial.Enrollment?, groups: Int) -> String? {
        guard let count = enrollment?.count else { return nil }
        var s = "\(count) participant\(count == 1 ? "" : "s")"
        if groups > 0 { s += " in \(groups) patient group\(groups == 1 ? "" : "s")" }
        if enrollment?.type?.kind == .estimated { s += " (estimated)" }
        return s
    }

    /// "18 years and older", "Up to 30 years", "6 months to 17 years"; nil when there is no limit.
    public static func agesSentence(minimum: Age?, maximum: Age?) -> String? {
        func words(_ age: Age) -> String { age.description.lowercased() }
        switch (minimum, maximum) {
        case let (min?, max?): return "\(words(min)) to \(words(max))"
        case let (min?, nil): return "\(words(min)) and older"
        case let (nil, max?): return "Up to \(words(max))"
        case (nil, nil): return nil
        }
    }

    /// "Lucia Silla, MD, PhD".
    static func displayName(_ contact: Contact) -> String {
        let name = contact.name ?? "(no name)"
        return contact.degrees.isEmpty ? name : "\(name), \(contact.degrees.joined(separator: ", "))"
    }

    /// "Lucia Silla, MD · lucia@example.org · 555-0100 ext. 12".
    static func contactLine(_ contact: Contact, withRole: Bool) -> String {
        var parts = [displayName(contact)]
        if withRole, let role = contact.role { parts[0] = "\(role.label): \(parts[0])" }
        if let affiliation = contact.affiliation { parts.append(affiliation) }
        if let email = contact.email {
            parts.append(contact.emailValid == false ? "\(email) (not a valid address)" : email)
        }
        if let phone = contact.phone {
            parts.append(contact.phoneExt.map { "\(phone) ext. \($0)" } ?? phone)
        }
        return parts.joined(separator: " · ")
    }

    /// "Children's Hospital Los Angeles — Los Angeles, California 90027, United States (Recruiting)".
    static func siteLine(_ site: Trial.Location, withCountry: Bool) -> String {
        var place = [site.city, site.state].compactMap { $0 }.joined(separator: ", ")
        if let zip = site.zip { place += place.isEmpty ? zip : " \(zip)" }
        if withCountry, let country = site.country { place += place.isEmpty ? country : ", \(country)" }
        var line = site.facility ?? "(no facility name)"
        if !place.isEmpty { line += " — \(place)" }
        if let status = site.status { line += " (\(status.label))" }
        return line
    }
}

// MARK: - Builder

extension TrialPage {
    /// Accumulates the page's lines in one format.
    fileprivate struct Builder {
        let format: Format
        let colour: Bool
        var lines: [String] = []

        init(format: Format, colour: Bool) {
            self.format = format
            self.colour = colour
        }

        var markdown: Bool { format == .markdown }

        // MARK: Blocks

        mutating func title(_ trial: Trial) {
            let title = trial.briefTitle ?? "(no title)"
            if markdown {
                lines.append("# \(trial.nctId): \(title)")
                if let official = trial.officialTitle, official != title {
                    lines.append("")
                    lines.append("*\(official)*")
                }
            } else {
                lines.append(bold(trial.nctId))
                lines.append(contentsOf: wrap(title, first: "", rest: ""))
                if let official = trial.officialTitle, official != title {
                    lines.append("")
                    lines.append(contentsOf: wrap("Official title: \(official)", first: "", rest: "  "))
                }
            }
        }

        mutating func heading(_ text: String) {
            lines.append("")
            if markdown {
                lines.append("## \(text)")
            } else {
                lines.append(bold(text))
                lines.append(String(repeating: "─", count: text.count))
            }
            lines.append("")
        }

        /// A "Label: value" line; the values of one block line up in text.
        mutating func field(_ label: String, _ value: String?, valueColour: String? = nil) {
            guard let value, !value.isEmpty else { return }
            if markdown {
                lines.append("- **\(label):** \(value)")
            } else {
                let prefix = (label + ":").padding(toLength: 21, withPad: " ", startingAt: 0)
                var wrapped = wrap(value, first: prefix, rest: String(repeating: " ", count: 21))
                if colour, let valueColour, !wrapped.isEmpty {
                    wrapped[0] = prefix + "\u{1B}[\(valueColour)m" + String(wrapped[0].dropFirst(prefix.count)) + "\u{1B}[0m"
                }
                lines.append(contentsOf: wrapped)
            }
        }

        /// A sentence or short value on its own.
        mutating func line(_ text: String) {
            lines.append(contentsOf: markdown ? [text] : wrap(text, first: "", rest: ""))
        }

        /// A bullet at a nesting level (0 = top).
        mutating func bullet(_ text: String, level: Int = 0) {
            let indent = String(repeating: "  ", count: level)
            if markdown {
                lines.append("\(indent)- \(text)")
            } else {
                lines.append(contentsOf: wrap(text, first: indent + "- ", rest: indent + "  "))
            }
        }

        mutating func criteria(_ items: [CriteriaItem], level: Int = 0) {
            for item in items {
                bullet(item.text, level: level)
                criteria(item.subItems, level: level + 1)
            }
        }

        /// Free text: paragraphs and CommonMark-ish lists, line breaks kept.
        mutating func prose(_ text: String) {
            var previousBlank = true
            for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
                let line = raw.replacingOccurrences(of: "\t", with: "    ")
                if line.isBlank {
                    if !previousBlank { lines.append("") }
                    previousBlank = true
                    continue
                }
                previousBlank = false
                if markdown {
                    lines.append(String(line))
                    continue
                }
                let indent = line.prefix(while: { $0 == " " }).count
                let body = TrialPage.unescaped(line.dropFirst(indent))
                let marker = TrialPage.listMarker(Substring(body))
                let first = String(repeating: " ", count: indent)
                let rest = String(repeating: " ", count: indent + marker)
                lines.append(contentsOf: wrap(body, first: first, rest: rest))
            }
            while lines.last == "" { lines.removeLast() }
        }

        // MARK: Text helpers

        func bold(_ text: String) -> String {
            colour ? "\u{1B}[1m\(text)\u{1B}[0m" : text
        }

        /// Word-wraps `text` to the page width, `first` before the first line and `rest` before the others.
        func wrap(_ text: String, first: String, rest: String) -> [String] {
            var out: [String] = []
            var current = first
            var currentCount = first.count
            var empty = true
            for word in text.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
                let n = word.count
                if !empty, currentCount + 1 + n > TrialPage.width {
                    out.append(current)
                    current = rest
                    currentCount = rest.count
                    empty = true
                }
                if !empty {
                    current += " "
                    currentCount += 1
                }
                current += word
                currentCount += n
                empty = false
            }
            if !empty || out.isEmpty { out.append(current) }
            return out
        }
    }

    /// CommonMark text for the terminal: a backslash before ASCII punctuation (`\[`, `\<`) is dropped.
    fileprivate static func unescaped<S: StringProtocol>(_ text: S) -> String {
        guard text.contains("\\") else { return String(text) }
        var out = ""
        var pendingBackslash = false
        for ch in text {
            if pendingBackslash {
                if !(ch.isASCII && ch.isPunctuation || ch.isASCII && ch.isSymbol) { out.append("\\") }
                out.append(ch)
                pendingBackslash = false
            } else if ch == "\\" {
                pendingBackslash = true
            } else {
                out.append(ch)
            }
        }
        if pendingBackslash { out.append("\\") }
        return out
    }

    /// The width of a list marker at the start of a line ("* ", "- ", "12. ", "a) "), or 0.
    fileprivate static func listMarker(_ line: Substring) -> Int {
        if let first = line.first, "*-+•".contains(first), line.dropFirst().first == " " { return 2 }
        let token = line.prefix(while: { $0 != " " })
        guard token.count >= 2, token.count <= 5, let last = token.last, last == "." || last == ")",
              token.dropLast().allSatisfy({ $0.isNumber || $0.isLetter }), line.count > token.count else { return 0 }
        return token.count + 1
    }
}

// MARK: - Sections

extension TrialPage.Builder {
    mutating func render(_ t: Trial) {
        title(t)

        heading("Status and phase")
        let statusColour: String? = t.overallStatus?.kind.map { kind in
            kind.isOpen ? "32" : ([.terminated, .withdrawn, .suspended, .withheld].contains(kind) ? "31" : "0")
        }
        field("Status", t.overallStatus?.label, valueColour: statusColour)
        field("Last known status", t.lastKnownStatus?.label)
        field("Why stopped", t.whyStopped)
        field("Phase", t.phases.isEmpty ? nil : t.phases.map(\.label).joined(separator: "/"))
        var type = t.studyType?.label
        if t.patientRegistry == true, let base = type { type = "\(base) (patient registry)" }
        field("Study type", type)
        field("Start", t.startDate.map(Self.dateText))
        field("Primary completion", t.primaryCompletionDate.map(Self.dateText))
        field("Completion", t.completionDate.map(Self.dateText))
        field("First posted", t.firstPosted?.text)
        field("Last update posted", t.lastUpdatePosted?.text)
        field("Sponsor", t.sponsor?.name)
        field("Collaborators", t.collaborators.isEmpty ? nil : t.collaborators.compactMap(\.name).joined(separator: "; "))
        field("Results", t.hasResults ? "Submitted" : nil)

        if !t.conditions.isEmpty {
            heading("Conditions")
            for condition in t.conditions { bullet(condition) }
        }

        if !t.interventions.isEmpty {
            heading("Treatments")
            for intervention in t.interventions {
                var text = intervention.qualifiedName
                if !intervention.otherNames.isEmpty {
                    text += " (also called \(intervention.otherNames.joined(separator: ", ")))"
                }
                bullet(text)
            }
        }

        if let summary = t.briefSummary {
            heading("About")
            prose(summary)
        }
        if let description = t.detailedDescription {
            heading("Full description")
            prose(description)
        }

        if let sentence = TrialPage.enrollmentSentence(t.enrollment, groups: t.arms.count) {
            heading("Enrollment")
            line(sentence)
            if !t.arms.isEmpty { lines.append("") }
            for arm in t.arms {
                var text = arm.label ?? "(no label)"
                if let type = arm.type { text += " (\(type.label))" }
                if let description = arm.description {
                    let flat = description.split(whereSeparator: \.isNewline).joined(separator: " ")
                    text += ": " + (markdown ? flat : TrialPage.unescaped(flat))
                }
                bullet(text)
            }
        }

        let e = t.eligibility
        if let sex = e.sex {
            heading("Sex")
            line(sex.label + (e.genderBased == true ? " (based on gender identity)" : ""))
        }
        if let ages = TrialPage.agesSentence(minimum: e.minimumAge, maximum: e.maximumAge) {
            heading("Ages")
            line(ages)
        }
        if let healthy = e.healthyVolunteers {
            heading("Volunteers")
            line(healthy ? "Accepts healthy volunteers" : "Does not accept healthy volunteers")
        }
        if e.criteriaUnstructured {
            heading("Eligibility criteria")
            for item in e.inclusion { prose(item.text) }
        } else {
            if !e.inclusion.isEmpty {
                heading("Inclusion criteria")
                criteria(e.inclusion)
            }
            if !e.exclusion.isEmpty {
                heading("Exclusion criteria")
                criteria(e.exclusion)
            }
        }
        if !e.otherCriteria.isEmpty {
            heading("Other criteria")
            criteria(e.otherCriteria)
        }

        let d = t.design
        if let purpose = d.primaryPurpose {
            heading("Primary purpose")
            line(purpose.label)
        }
        if let allocation = d.allocation {
            heading("Allocation")
            line(allocation.label)
        }
        if let model = d.interventionModel {
            heading("Interventional model")
            line(model.label)
            if let description = d.interventionModelDescription { lines.append(""); prose(description) }
        }
        if let masking = d.maskingLabel {
            heading("Masking")
            line(masking)
            if let description = d.maskingDescription { lines.append(""); prose(description) }
        }
        if let model = d.observationalModel {
            heading("Observational model")
            line(model.label)
        }
        if let perspective = d.timePerspective {
            heading("Time perspective")
            line(perspective.label)
        }

        if !t.centralContacts.isEmpty {
            heading("Central trial contact")
            for contact in t.centralContacts { bullet(TrialPage.contactLine(contact, withRole: false)) }
        }
        if !t.overallOfficials.isEmpty {
            heading("Study officials")
            for official in t.overallOfficials { bullet(TrialPage.contactLine(official, withRole: true)) }
        }

        if !t.locations.isEmpty {
            heading("Research sites")
            renderSites(t.locations)
        }
    }

    /// "2020-09-25 (actual)".
    static func dateText(_ date: PartialDate) -> String {
        guard let type = date.type else { return date.text }
        return "\(date.text) (\(type.label.lowercased()))"
    }

    /// Sites grouped by country, in the order countries first appear, each with its contacts.
    mutating func renderSites(_ sites: [Trial.Location]) {
        var countries: [String] = []
        var byCountry: [String: [Trial.Location]] = [:]
        for site in sites {
            let country = site.country ?? "Country not given"
            if byCountry[country] == nil { countries.append(country) }
            byCountry[country, default: []].append(site)
        }
        let countryCount = countries.count
        line("\(sites.count) site\(sites.count == 1 ? "" : "s")"
             + (countryCount > 1 ? " in \(countryCount) countries" : ""))
        for country in countries {
            let group = byCountry[country]!
            lines.append("")
            if markdown {
                lines.append("### \(country) (\(group.count))")
                lines.append("")
            } else {
                lines.append("\(country) (\(group.count))")
            }
            for site in group {
                bullet(TrialPage.siteLine(site, withCountry: false))
                for contact in site.contacts {
                    bullet(TrialPage.contactLine(contact, withRole: true), level: 1)
                }
            }
        }
    }
}
