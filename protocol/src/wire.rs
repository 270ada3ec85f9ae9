//! Strings that come from the wire (SNMP, LLDP, reverse DNS, DMI, backup file names)
//! made safe to report: the agent passes every such string through [`wire_string`] or
//! [`wire_bytes`] where it enters, so that one odd device on the LAN cannot get the
//! report refused (issue 20, finding 7), break a log line or reorder text on screen.

/// Longest string the agent reports from the wire, in bytes: below the collector's
/// default `max_string_bytes` (256), which counts bytes too.
pub const MAX_WIRE_STRING_BYTES: usize = 255;

/// What an unsafe character becomes.
const REPLACEMENT: char = char::REPLACEMENT_CHARACTER;

/// Whether `c` must not be reported as is: C0 and C1 control characters and DEL
/// (`char::is_control`), the line and paragraph separators (U+2028, U+2029: a line
/// break to many log viewers), and the bidirectional embeddings, overrides and isolates
/// (U+202A–U+202E, U+2066–U+2069), which reorder the text shown after them
/// (CVE-2021-42574, "Trojan Source"); and the noncharacters (U+FDD0–U+FDEF and the
/// last two code points of every plane, U+FFFE, U+FFFF, U+1FFFE ...), which Unicode
/// reserves for internal use: XML 1.0 forbids U+FFFE and U+FFFF (one in an LLDP port
/// description made the LAN diagram's SVG unparsable) and HTML5 calls each a parse
/// error (issue 20, hostile-LAN suite).
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        || is_noncharacter(c)
}

/// Whether `c` is a Unicode noncharacter (Unicode §23.7): U+FDD0–U+FDEF, or a code
/// point ending in FFFE or FFFF.
pub fn is_noncharacter(c: char) -> bool {
    matches!(c, '\u{FDD0}'..='\u{FDEF}') || (c as u32) & 0xFFFE == 0xFFFE
}

/// `s` with every unsafe character (see [`is_unsafe_char`]) replaced by U+FFFD, and cut
/// to at most `max_bytes` bytes at a character boundary.
pub fn wire_string(s: &str, max_bytes: usize) -> String {
    let mut out = String::with_capacity(s.len().min(max_bytes));
    for c in s.chars() {
        let c = if is_unsafe_char(c) { REPLACEMENT } else { c };
        if out.len() + c.len_utf8() > max_bytes {
            break;
        }
        out.push(c);
    }
    out
}

/// `s` with every unsafe character (see [`is_unsafe_char`]) replaced by U+FFFD, not
/// cut: the collector's rule for a string an agent older than [`wire_string`] sent
/// (the collector refuses control characters; the rest is replaced one for one).
pub fn replace_unsafe_chars(s: &mut String) {
    if s.chars().any(is_unsafe_char) {
        *s = s
            .chars()
            .map(|c| if is_unsafe_char(c) { REPLACEMENT } else { c })
            .collect();
    }
}

/// [`wire_string`] of bytes: invalid UTF-8 is replaced by U+FFFD first.
pub fn wire_bytes(b: &[u8], max_bytes: usize) -> String {
    wire_string(&String::from_utf8_lossy(b), max_bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_name_is_kept() {
        assert_eq!(wire_string("core-sw.dinkes", 255), "core-sw.dinkes");
        assert_eq!(wire_string("Küche Jakarta 🖧", 255), "Küche Jakarta 🖧");
    }

    #[test]
    fn control_characters_are_replaced() {
        assert_eq!(wire_string("core\tsw", 255), "core\u{FFFD}sw");
        assert_eq!(
            wire_string("a\nb\rc\0d\u{7f}e\u{85}f\u{9b}g", 255),
            "a\u{FFFD}b\u{FFFD}c\u{FFFD}d\u{FFFD}e\u{FFFD}f\u{FFFD}g"
        );
        assert!(!wire_string("x\u{1b}[31mred", 255).contains('\u{1b}'));
    }

    #[test]
    fn bidi_overrides_and_line_separators_are_replaced() {
        assert_eq!(wire_string("sw\u{202E}1gnp.exe", 255), "sw\u{FFFD}1gnp.exe");
        for c in [
            '\u{202A}', '\u{202D}', '\u{2066}', '\u{2069}', '\u{2028}', '\u{2029}',
        ] {
            assert_eq!(wire_string(&format!("a{c}b"), 255), "a\u{FFFD}b", "{c:?}");
        }
        // the marks that only set a direction are harmless and kept
        assert_eq!(wire_string("a\u{200F}b", 255), "a\u{200F}b");
    }

    /// The hostile-LAN suite: an LLDP port description ending in U+FFFE reached the
    /// SVG export, which no XML parser then read.
    #[test]
    fn noncharacters_are_replaced() {
        for c in [
            '\u{FFFE}',
            '\u{FFFF}',
            '\u{FDD0}',
            '\u{FDEF}',
            '\u{1FFFE}',
            '\u{10FFFF}',
        ] {
            assert_eq!(wire_string(&format!("p{c}1"), 255), "p\u{FFFD}1", "{c:?}");
        }
        assert_eq!(wire_bytes(b"@SUM(1)\xef\xbf\xbe", 255), "@SUM(1)\u{FFFD}");
        // their neighbours are ordinary characters
        for c in ['\u{FDCF}', '\u{FDF0}', '\u{FFFD}', '\u{1FFFD}'] {
            assert_eq!(
                wire_string(&format!("p{c}1"), 255),
                format!("p{c}1"),
                "{c:?}"
            );
        }
    }

    #[test]
    fn replaced_in_place_and_never_cut() {
        let mut s = format!("{}\u{202E}x\u{FFFF}", "y".repeat(300));
        replace_unsafe_chars(&mut s);
        assert_eq!(s, format!("{}\u{FFFD}x\u{FFFD}", "y".repeat(300)));
        let mut plain = "sw-01 Küche".to_owned();
        replace_unsafe_chars(&mut plain);
        assert_eq!(plain, "sw-01 Küche");
    }

    #[test]
    fn clipped_at_a_character_boundary() {
        assert_eq!(wire_string(&"x".repeat(300), 255).len(), 255);
        // 'é' is two bytes: five of them do not fit in 9
        assert_eq!(wire_string("ééééé", 9), "éééé");
        // a replacement is three bytes and counts as such
        assert_eq!(wire_string("ab\t", 4), "ab");
        assert_eq!(wire_string("", 0), "");
    }

    #[test]
    fn invalid_utf8_is_replaced() {
        assert_eq!(wire_bytes(b"sw\xff1", 255), "sw\u{FFFD}1");
        assert_eq!(wire_bytes(b"\xc3", 255), "\u{FFFD}");
        assert_eq!(wire_bytes(b"ok\t", 255), "ok\u{FFFD}");
    }
}
