//! A link's state: what one round of evidence, or the lack of it, says about a link.

crate::states! {
    /// A link's state over a stretch of time (issue 24): `up` when replies came back
    /// within the thresholds, `degraded` when loss or latency was above them (or one
    /// side lost everything while the other got replies), `down` when every probe of
    /// every side with evidence was lost, `unknown` when no side has evidence.
    pub enum LinkState {
        Up = "up",
        Degraded = "degraded",
        Down = "down",
        Unknown = "unknown",
    }
}
