/// The version of ctsync, as it names itself in its User-Agent and `--version`.
public enum CTSyncVersion {
    public static let string = "0.1.0"
}
