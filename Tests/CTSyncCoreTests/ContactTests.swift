import CTSyncCore
import Testing

/// Names split from degrees, roles, e-mails.
@Suite struct ContactTests {
    @Test(arguments: [
        ("Lucia Silla, MD, PhD", "Lucia Silla", ["MD", "PhD"]),
        ("Corinne Summers, MD", "Corinne Summers", ["MD"]),
        ("Adriana Balduzzi, MD PhD", "Adriana Balduzzi", ["MD", "PhD"]),
        ("Boris Draznin, M.D., Ph.D.", "Boris Draznin", ["M.D.", "Ph.D."]),
        ("Jing Pan, MD/PhD", "Jing Pan", ["MD", "PhD"]),
        ("Cheng Qian, MD，PhD", "Cheng Qian", ["MD", "PhD"]),
        ("Edna S Costa, N.D.; M.Sc.", "Edna S Costa", ["N.D.", "M.Sc."]),
        ("Yasmin Schmid, Dr. med.", "Yasmin Schmid", ["Dr. med."]),
        ("Cedric Gollion, Medical Doctor", "Cedric Gollion", ["Medical Doctor"]),
        ("Jiong HU, M.D.,", "Jiong HU", ["M.D."]),
        ("Arslan Mr Senior Lecturer (Biostatistics), M.Phil", "Arslan Mr Senior Lecturer (Biostatistics)", ["M.Phil"]),
        // Not degrees: kept whole, as the name.
        ("Study Director", "Study Director", []),
        ("Li Junling doctor", "Li Junling doctor", []),
        ("Daniel Egan, Site 111", "Daniel Egan, Site 111", []),
        ("Global Clinical Registry (GCR, 1452)", "Global Clinical Registry (GCR, 1452)", []),
        ("Janssen Research & Development, LLC Clinical Trial", "Janssen Research & Development, LLC Clinical Trial", []),
    ])
    func splitsDegreesOffNames(raw: String, name: String, degrees: [String]) {
        let split = Contact.splitName(raw)
        #expect(split.name == name)
        #expect(split.degrees == degrees)
    }

    @Test func validEMailsAreLowerCasedAndInvalidOnesKeptAndFlagged() {
        let valid = Contact(name: "A", role: .known(.contact), email: " CBDCIntake@SeattleChildrens.org ")
        #expect(valid.email == "cbdcintake@seattlechildrens.org")
        #expect(valid.emailValid == true)
        let invalid = Contact(name: "B", role: nil, email: "rschott@strasbourg@unicancer.fr")
        #expect(invalid.email == "rschott@strasbourg@unicancer.fr")
        #expect(invalid.emailValid == false)
        let none = Contact(name: "C", role: nil, email: "  ")
        #expect(none.email == nil)
        #expect(none.emailValid == nil)
    }

    @Test(arguments: ["a@b.co", "first.last+tag@mail.example.org", "o'neil@x-y.com"])
    func acceptsAddresses(_ address: String) {
        #expect(Contact.isValidEmail(address))
    }

    @Test(arguments: ["https://www.withpower.com/contact-us@withpower.com", "a@b", "a@@b.com", ".a@b.com", "a..b@c.com",
                      "a@-b.com", "a@b.c0m", "a b@c.com", "", "@b.com"])
    func rejectsNonAddresses(_ address: String) {
        #expect(!Contact.isValidEmail(address))
    }

    @Test func phoneAndExtensionAreKeptAsGiven() {
        let c = Contact(name: "Trial Transparency", role: .known(.contact), phone: "（021）6877 3638", phoneExt: "3708")
        #expect(c.phone == "（021）6877 3638")
        #expect(c.phoneExt == "3708")
    }

    @Test(arguments: [
        ("Principal Investigator", ContactRole.principalInvestigator), ("Sub-Investigator", .subInvestigator),
        ("Study Chair", .studyChair), ("Study Director", .studyDirector), ("Contact", .contact),
    ])
    func legacyRolesNormalize(label: String, role: ContactRole) {
        #expect(RegistryValue<ContactRole>(legacyLabel: label) == .known(role))
    }
}
