//! The `arsenic sim` configuration: virtual interfaces and the filters that feed them (TOML).

use crate::replay::FilterSpec;
use serde::Deserialize;
use std::path::Path;
use thiserror::Error;

/// The embedded default configuration (`testbenches/configs/default.toml`).
pub const DEFAULT_CONFIG: &str = include_str!("../configs/default.toml");

/// Errors of a configuration.
#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{what}: {detail}")]
    Syntax { what: String, detail: String },
    #[error("{what}: {detail}")]
    Invalid { what: String, detail: String },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    vi: Vec<ViDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ViDef {
    id: u16,
    name: String,
    #[serde(default)]
    filters: Vec<FilterDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FilterDef {
    expr: String,
    #[serde(default)]
    priority: u16,
}

/// A virtual interface of the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vi {
    pub id: u16,
    pub name: String,
}

/// A parsed, checked configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimConfigFile {
    pub vis: Vec<Vi>,
    pub filters: Vec<FilterSpec>,
}

impl SimConfigFile {
    /// Reads a configuration file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&text, &path.display().to_string())
    }

    /// Parses configuration text; `what` names it in errors.
    pub fn parse(text: &str, what: &str) -> Result<Self, ConfigError> {
        let f: File = toml::from_str(text).map_err(|e| ConfigError::Syntax {
            what: what.into(),
            detail: e.to_string(),
        })?;
        let invalid = |detail: String| ConfigError::Invalid {
            what: what.into(),
            detail,
        };
        let mut vis = Vec::new();
        let mut filters = Vec::new();
        for v in f.vi {
            let last = arsenic_interface::params::VI_COUNT - 1;
            if v.id == 0 || v.id as usize > last {
                return Err(invalid(format!(
                    "VI `{}`: id {} is not a user VI of the card; use 1..={last} (0 is the OS's default VI)",
                    v.name, v.id
                )));
            }
            if vis.iter().any(|o: &Vi| o.id == v.id) {
                return Err(invalid(format!("VI id {} is defined twice", v.id)));
            }
            if v.name.is_empty()
                || !v
                    .name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                return Err(invalid(format!(
                    "VI {}: name `{}` must be letters, digits, '-' or '_'",
                    v.id, v.name
                )));
            }
            if vis.iter().any(|o: &Vi| o.name == v.name) {
                return Err(invalid(format!("VI name `{}` is used twice", v.name)));
            }
            for fd in v.filters {
                let expr = arsenic_filters::parse(&fd.expr).map_err(|e| {
                    invalid(format!("VI `{}`, filter:\n{}", v.name, e.render(&fd.expr)))
                })?;
                arsenic_filters::compile(&expr)
                    .map_err(|e| invalid(format!("VI `{}`, filter `{}`: {e}", v.name, fd.expr)))?;
                filters.push(FilterSpec {
                    expr: fd.expr,
                    vi: v.id,
                    priority: fd.priority,
                });
            }
            vis.push(Vi {
                id: v.id,
                name: v.name,
            });
        }
        Ok(SimConfigFile { vis, filters })
    }

    /// The embedded default.
    pub fn default_config() -> Self {
        Self::parse(DEFAULT_CONFIG, "embedded default config")
            .expect("the embedded config is valid")
    }

    /// The name of VI `id` (`os` for 0).
    pub fn vi_name(&self, id: u16) -> Option<&str> {
        if id == 0 {
            return Some("os");
        }
        self.vis
            .iter()
            .find(|v| v.id == id)
            .map(|v| v.name.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_parses() {
        let c = SimConfigFile::default_config();
        assert_eq!(c.vis.len(), 4);
        assert_eq!(c.filters.len(), 5);
    }

    #[test]
    fn bad_configs_say_what_is_wrong() {
        let e = SimConfigFile::parse("[[vi]]\nid = 0\nname = \"x\"\n", "t").unwrap_err();
        assert!(e.to_string().contains("id 0 is not a user VI"), "{e}");
        let e = SimConfigFile::parse("[[vi]]\nid = 1024\nname = \"x\"\n", "t").unwrap_err();
        assert!(e.to_string().contains("use 1..=1023"), "{e}");
        let e = SimConfigFile::parse(
            "[[vi]]\nid = 1\nname = \"a\"\n[[vi]]\nid = 1\nname = \"b\"\n",
            "t",
        )
        .unwrap_err();
        assert!(e.to_string().contains("defined twice"), "{e}");
        let e = SimConfigFile::parse(
            "[[vi]]\nid = 1\nname = \"a\"\nfilters = [{ expr = \"tcp port http\" }]\n",
            "t",
        )
        .unwrap_err();
        assert!(e.to_string().contains("^^^^"), "{e}");
        let e = SimConfigFile::parse(
            "[[vi]]\nid = 1\nname = \"a\"\nfilters = [{ expr = \"tcp[200] = 1\" }]\n",
            "t",
        )
        .unwrap_err();
        assert!(e.to_string().contains("cannot express"), "{e}");
        let e = SimConfigFile::parse("[[vi]]\nid = 1\nnmae = \"a\"\n", "t").unwrap_err();
        assert!(matches!(e, ConfigError::Syntax { .. }), "{e}");
        let e = SimConfigFile::parse("[[vi]\n", "t").unwrap_err();
        assert!(matches!(e, ConfigError::Syntax { .. }), "{e}");
    }
}
