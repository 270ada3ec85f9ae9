//! MAC vendors from the IEEE registries (MA-L, MA-M, MA-S and IAB), built into the
//! binary as `oui.tsv.gz` (46,320 prefixes, 0.5 MB; refresh it with
//! `scripts/refresh-oui.py`, see its header). The table is unpacked only while a
//! discovery runs and dropped afterwards.

use std::io::Read;

static TABLE: &[u8] = include_bytes!("oui.tsv.gz");

/// The unpacked table: prefixes by length (6, 7 or 9 hex digits) → vendor.
pub struct Oui {
    text: String,
    /// (prefix value, hex digits, start, end of the name in `text`), sorted.
    index: Vec<(u64, u8, u32, u32)>,
}

impl Oui {
    /// Unpacks the built-in table.
    pub fn load() -> Result<Self, String> {
        let mut text = String::new();
        flate2::read::GzDecoder::new(TABLE)
            .read_to_string(&mut text)
            .map_err(|e| format!("the built-in OUI table is damaged: {e}"))?;
        let mut index = Vec::with_capacity(50_000);
        let mut pos = 0u32;
        for line in text.split_inclusive('\n') {
            let len = line.len() as u32;
            if let Some((p, name)) = line.trim_end().split_once('\t') {
                if let Ok(v) = u64::from_str_radix(p, 16) {
                    let start = pos + p.len() as u32 + 1;
                    index.push((v, p.len() as u8, start, start + name.len() as u32));
                }
            }
            pos += len;
        }
        index.sort_unstable();
        Ok(Self { text, index })
    }

    /// How many prefixes the table holds.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.index.len()
    }

    /// The vendor of `mac` (`aa:bb:cc:dd:ee:ff`), longest prefix first; None when the
    /// prefix is not assigned, private, or the MAC is locally administered.
    pub fn vendor(&self, mac: &str) -> Option<&str> {
        let hex: String = mac.chars().filter(char::is_ascii_hexdigit).collect();
        if hex.len() != 12 {
            return None;
        }
        let v = u64::from_str_radix(&hex, 16).ok()?;
        if (v >> 40) & 0x02 != 0 {
            return None; // locally administered: no vendor
        }
        for digits in [9u8, 7, 6] {
            let prefix = v >> (4 * (12 - u32::from(digits)));
            if let Ok(i) = self
                .index
                .binary_search_by(|e| (e.0, e.1).cmp(&(prefix, digits)))
            {
                let (_, _, s, e) = self.index[i];
                return Some(&self.text[s as usize..e as usize]);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_vendors_by_the_longest_prefix() {
        let o = Oui::load().unwrap();
        assert!(o.len() > 40_000, "{}", o.len());
        assert_eq!(o.vendor("00:00:0c:12:34:56"), Some("Cisco Systems, Inc"));
        assert_eq!(
            o.vendor("B8-27-EB-00-00-01"),
            Some("Raspberry Pi Foundation")
        );
        // an MA-M block inside the IEEE's own MA-L
        assert_eq!(o.vendor("20:85:93:b0:00:01"), Some("IOG Products LLC"));
        // a locally administered MAC (as veth pairs have) has no vendor
        assert_eq!(o.vendor("02:42:ac:11:00:02"), None);
        assert_eq!(o.vendor("not a mac"), None);
    }
}
