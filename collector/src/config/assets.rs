//! `[assets]` of collector.toml: the asset register (issue 27).

use serde::Deserialize;

use crate::period::Span;

/// `[assets]`: when an asset counts as gone, and who may record what discovery cannot
/// know (asset tag, responsible person, location, procurement year, notes).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssetSettings {
    /// A server whose agent has not reported for this long is "not seen since" its
    /// last report (a LAN device is not seen since it left its site's newest
    /// diagram), e.g. `7d`.
    #[serde(default = "default_absent_after")]
    pub absent_after: Span,
    /// Whether an agency's own users may record the attributes of their agency's
    /// assets (and import them); administrators always may.
    #[serde(default)]
    pub agency_users_edit: bool,
}

impl Default for AssetSettings {
    fn default() -> Self {
        Self {
            absent_after: default_absent_after(),
            agency_users_edit: false,
        }
    }
}

fn default_absent_after() -> Span {
    Span::new("7d")
}

impl AssetSettings {
    /// Every problem, each naming its key and what is valid.
    pub fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        if !self
            .absent_after
            .secs()
            .is_some_and(|s| (3600..=365 * 86400).contains(&s))
        {
            p.push(format!(
                "assets.absent_after = {:?}: must be a duration from \"1h\" to \"365d\", like \"7d\"",
                self.absent_after.as_str()
            ));
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_after_is_checked() {
        assert!(AssetSettings::default().problems().is_empty());
        for bad in ["0s", "30m", "400d", "soon"] {
            let s = AssetSettings {
                absent_after: Span::new(bad),
                ..AssetSettings::default()
            };
            let p = s.problems();
            assert_eq!(p.len(), 1, "{bad}");
            assert!(
                p[0].contains("assets.absent_after") && p[0].contains("\"7d\""),
                "{p:?}"
            );
        }
    }
}
