import Foundation

/// An RFC 4287 Atom feed of an alert's changes, newest first, rewritten whole on every delivery.
public enum AtomFeed {
    /// Entries kept in the file: the newest ones.
    public static let maximumEntries = 200

    public static func render(alert: Alert, changes: [LoggedChange], updated: String) -> String {
        var x = """
            <?xml version="1.0" encoding="utf-8"?>
            <feed xmlns="http://www.w3.org/2005/Atom">
              <id>tag:ctsync,2026:alert/\(escape(alert.name))</id>
              <title>ctsync: \(escape(alert.name)) (watch \(escape(alert.watch)))</title>
              <updated>\(escape(updated))</updated>
              <author><name>ctsync</name></author>
              <generator version="\(CTSyncVersion.string)">ctsync</generator>

            """
        for c in changes.prefix(maximumEntries) {
            let link = "https://clinicaltrials.gov/study/\(c.nctId)"
            x += """
                  <entry>
                    <id>tag:ctsync,2026:alert/\(escape(alert.name))/change/\(c.id)</id>
                    <title>\(escape("\(c.nctId): \(c.change.text)"))</title>
                    <updated>\(escape(c.detectedAt))</updated>
                    <link rel="alternate" href="\(escape(link))"/>
                    <category term="\(c.change.category.rawValue)"/>
                    <category term="\(c.change.significance.rawValue)"/>
                    <summary>\(escape(summary(c)))</summary>
                  </entry>

                """
        }
        x += "</feed>\n"
        return x
    }

    private static func summary(_ c: LoggedChange) -> String {
        var s = "\(c.change.text) [\(c.change.path), \(c.change.significance.rawValue)]"
        if let from = c.fromVersion, let to = c.toVersion { s += " — versions \(from) → \(to)" }
        return s
    }

    /// Escapes text for XML character data and attribute values; drops characters XML 1.0 cannot hold.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF: continue
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
