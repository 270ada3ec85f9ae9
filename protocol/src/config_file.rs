//! Loading the agent's and the collector's config files the same way: read, parse
//! strictly, then list every problem of the values at once. The parser is passed in
//! (both use TOML), so this crate stays free of it.

use std::path::{Path, PathBuf};

/// A config file that cannot be used, with every problem found.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The file is not valid TOML or has unknown keys or wrong types.
    #[error("config file {path} is not valid: {message}")]
    Parse { path: PathBuf, message: String },
    /// Keys with invalid values; each line names the key, the value and what is valid.
    #[error("config file {path} has {} problem(s):\n  - {}", .problems.len(), .problems.join("\n  - "))]
    Invalid {
        path: PathBuf,
        problems: Vec<String>,
    },
}

/// Parses `text` with `parse`, then fails with every problem `problems` finds; `path` is
/// only used in messages.
pub fn parse_config<T>(
    text: &str,
    path: &Path,
    parse: impl FnOnce(&str) -> Result<T, String>,
    problems: impl FnOnce(&T) -> Vec<String>,
) -> Result<T, ConfigError> {
    let cfg = parse(text).map_err(|message| ConfigError::Parse {
        path: path.to_owned(),
        message,
    })?;
    let problems = problems(&cfg);
    if problems.is_empty() {
        Ok(cfg)
    } else {
        Err(ConfigError::Invalid {
            path: path.to_owned(),
            problems,
        })
    }
}

/// Reads `path` and [`parse_config`]s it.
pub fn load_config<T>(
    path: &Path,
    parse: impl FnOnce(&str) -> Result<T, String>,
    problems: impl FnOnce(&T) -> Vec<String>,
) -> Result<T, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_owned(),
        source,
    })?;
    parse_config(&text, path, parse, problems)
}

/// A configuration value that must be one of a set (or parse some other way), read as
/// it was written: the text is kept for messages, the value is parsed once. Text that
/// does not parse is kept too, so that the file's validation can name the key, the
/// value and what is valid (a parse error would stop at the first); nothing uses a
/// value that failed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed<T> {
    text: String,
    value: Option<T>,
}

impl<T: std::str::FromStr> Parsed<T> {
    pub fn new(text: impl Into<String>) -> Self {
        let text = text.into();
        let value = text.parse().ok();
        Self { text, value }
    }
}

impl<T> Parsed<T> {
    /// The value, if the text is one.
    pub fn get(&self) -> Option<&T> {
        self.value.as_ref()
    }

    /// As written.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl<T: std::str::FromStr> From<&str> for Parsed<T> {
    fn from(s: &str) -> Self {
        Self::new(s)
    }
}

impl<T> std::fmt::Display for Parsed<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl<'de, T: std::str::FromStr> serde::Deserialize<'de> for Parsed<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Self::new)
    }
}

impl<T> serde::Serialize for Parsed<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}
