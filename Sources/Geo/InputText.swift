/// Text from input files quoted for an error message: control characters
/// (C0, DEL, C1), line and paragraph separators and bidi controls are
/// escaped as `\u{…}`, and long text is cut, so a hostile value cannot
/// forge log lines or hide the rest of a message.
public enum InputText {
    public static func quoted(_ s: some StringProtocol, limit: Int = 80) -> String {
        "\"" + escaped(s, limit: limit) + "\""
    }

    public static func escaped(_ s: some StringProtocol, limit: Int = 80) -> String {
        var out = ""
        var n = 0
        for u in s.unicodeScalars {
            if n >= limit { out += "…"; break }
            n += 1
            switch u.value {
            case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069:
                out += "\\u{" + String(u.value, radix: 16, uppercase: true) + "}"
            case 0x5C:
                out += "\\\\"
            default:
                out.unicodeScalars.append(u)
            }
        }
        return out
    }
}
