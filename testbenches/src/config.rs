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
    tx: Option<TxDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TxDef {
    weight: Option<u16>,
    rate_mbps: Option<f64>,
    burst_bytes: Option<u32>,
    filter: Option<String>,
    pcap: Option<String>,
    generate: Option<GenDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GenDef {
    size: usize,
    count: usize,
    rate_mbps: Option<f64>,
}

/// What a VI sends.
#[derive(Debug, Clone, PartialEq)]
pub enum TxSource {
    /// The frames of a capture, in order (FCS not included in the capture).
    Pcap(std::path::PathBuf),
    /// `count` UDP frames of `size` octets on the wire (FCS included) from the VI's own
    /// addresses ([`crate::txwork::generated`]), offered at `rate_mbps` (as fast as the
    /// card takes them if absent).
    Generate {
        size: usize,
        count: usize,
        rate_mbps: Option<f64>,
    },
}

/// A VI's transmit side: its schedule, its transmit filter, what it sends.
#[derive(Debug, Clone, PartialEq)]
pub struct TxSpec {
    pub vi: u16,
    /// Deficit-round-robin weight (1..=42).
    pub weight: u16,
    /// Token-bucket rate in Mb/s and burst in bytes.
    pub shaping: Option<(f64, u32)>,
    /// The transmit filter the VI's frames must match; `None`: unrestricted.
    pub filter: Option<String>,
    pub source: Option<TxSource>,
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
#[derive(Debug, Clone, PartialEq)]
pub struct SimConfigFile {
    pub vis: Vec<Vi>,
    pub filters: Vec<FilterSpec>,
    /// Transmit sides of the VIs that have one.
    pub tx: Vec<TxSpec>,
}

impl SimConfigFile {
    /// Reads a configuration file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
            path: path.display().to_string(),
            source,
        })?;
        let mut c = Self::parse(&text, &path.display().to_string())?;
        // Captures named in the file are relative to it.
        let dir = path.parent().unwrap_or(Path::new("."));
        for t in &mut c.tx {
            if let Some(TxSource::Pcap(p)) = &mut t.source {
                if p.is_relative() {
                    *p = dir.join(&*p);
                }
            }
        }
        Ok(c)
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
        let mut tx = Vec::new();
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
            if let Some(t) = v.tx {
                tx.push(tx_spec(v.id, &v.name, t).map_err(invalid)?);
            }
            vis.push(Vi {
                id: v.id,
                name: v.name,
            });
        }
        Ok(SimConfigFile { vis, filters, tx })
    }

    /// The transmit side of VI `id`, if it has one.
    pub fn tx_of(&self, id: u16) -> Option<&TxSpec> {
        self.tx.iter().find(|t| t.vi == id)
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

fn tx_spec(vi: u16, name: &str, t: TxDef) -> Result<TxSpec, String> {
    let weight = t.weight.unwrap_or(1);
    if !(1..=42).contains(&weight) {
        return Err(format!("VI `{name}`, tx: weight {weight} is not 1..=42"));
    }
    let positive = |what: &str, r: f64| {
        if r > 0.0 && r.is_finite() {
            Ok(r)
        } else {
            Err(format!(
                "VI `{name}`, tx: {what} must be a positive number of Mb/s"
            ))
        }
    };
    let shaping = match (t.rate_mbps, t.burst_bytes) {
        (Some(r), b) => Some((positive("rate_mbps", r)?, b.unwrap_or(16_000))),
        (None, Some(_)) => {
            return Err(format!(
                "VI `{name}`, tx: burst_bytes without rate_mbps (the burst belongs to a rate)"
            ))
        }
        (None, None) => None,
    };
    if let Some(f) = &t.filter {
        let expr = arsenic_filters::parse(f)
            .map_err(|e| format!("VI `{name}`, transmit filter:\n{}", e.render(f)))?;
        arsenic_filters::compile(&expr)
            .map_err(|e| format!("VI `{name}`, transmit filter `{f}`: {e}"))?;
    }
    let source = match (t.pcap, t.generate) {
        (Some(_), Some(_)) => {
            return Err(format!(
                "VI `{name}`, tx: give either pcap or generate, not both"
            ))
        }
        (Some(p), None) => Some(TxSource::Pcap(p.into())),
        (None, Some(g)) => {
            if !(64..=1518).contains(&g.size) {
                return Err(format!(
                    "VI `{name}`, tx.generate: size {} is not a frame size on the wire, 64..=1518 (FCS included)",
                    g.size
                ));
            }
            if g.count == 0 {
                return Err(format!(
                    "VI `{name}`, tx.generate: count must be at least 1"
                ));
            }
            if let Some(r) = g.rate_mbps {
                positive("generate.rate_mbps", r)?;
            }
            Some(TxSource::Generate {
                size: g.size,
                count: g.count,
                rate_mbps: g.rate_mbps,
            })
        }
        (None, None) => None,
    };
    Ok(TxSpec {
        vi,
        weight,
        shaping,
        filter: t.filter,
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_parses() {
        let c = SimConfigFile::default_config();
        assert_eq!(c.vis.len(), 6);
        assert_eq!(c.filters.len(), 5);
        assert_eq!(c.tx.len(), 2, "two senders");
        assert!(c
            .tx_of(5)
            .is_some_and(|t| t.filter.is_some() && t.weight == 2));
        assert!(c.tx_of(6).is_some_and(|t| t.shaping == Some((100.0, 6000))));
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
        let tx = |body: &str| {
            SimConfigFile::parse(
                &format!("[[vi]]\nid = 1\nname = \"a\"\n[vi.tx]\n{body}\n"),
                "t",
            )
        };
        let e = tx("weight = 0").unwrap_err();
        assert!(e.to_string().contains("weight 0"), "{e}");
        let e = tx("generate = { size = 20, count = 1 }").unwrap_err();
        assert!(e.to_string().contains("64..=1518"), "{e}");
        let e = tx("pcap = \"a.pcap\"\ngenerate = { size = 64, count = 1 }").unwrap_err();
        assert!(e.to_string().contains("not both"), "{e}");
        let e = tx("burst_bytes = 100").unwrap_err();
        assert!(e.to_string().contains("without rate_mbps"), "{e}");
        let e = tx("filter = \"tcp[200] = 1\"").unwrap_err();
        assert!(e.to_string().contains("cannot express"), "{e}");
        let e = tx("rate_mbps = -3.0").unwrap_err();
        assert!(e.to_string().contains("positive"), "{e}");
        let c = tx(
            "weight = 3\nrate_mbps = 100.0\nfilter = \"udp\"\ngenerate = { size = 64, count = 5 }",
        )
        .unwrap();
        assert_eq!(
            c.tx_of(1),
            Some(&TxSpec {
                vi: 1,
                weight: 3,
                shaping: Some((100.0, 16_000)),
                filter: Some("udp".into()),
                source: Some(TxSource::Generate {
                    size: 64,
                    count: 5,
                    rate_mbps: None
                }),
            })
        );
    }
}
