//! Custom metrics: `name=value` lines a command appends to $PROMPTRUN_METRICS_FILE.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Where a run's command may write its metrics.
pub fn file_for(run_id: &str) -> PathBuf {
    let dir = std::env::var_os("XDG_RUNTIME_DIR")
        .map(PathBuf::from)
        .filter(|dir| dir.is_dir())
        .unwrap_or_else(std::env::temp_dir);
    dir.join(format!("promptrun-{run_id}.metrics"))
}

/// Parsed metrics and one warning per line that is not `name=number`.
#[derive(Debug, Default, PartialEq)]
pub struct Metrics {
    pub values: BTreeMap<String, f64>,
    pub warnings: Vec<String>,
}

/// Parses metric lines. Later lines for the same name win. Blank lines and
/// `#` comments are skipped.
pub fn parse(text: &str, origin: &Path) -> Metrics {
    let mut metrics = Metrics::default();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let parsed = line.split_once('=').and_then(|(name, value)| {
            let name = name.trim();
            let valid_name = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
            let value: f64 = value.trim().parse().ok().filter(|v: &f64| v.is_finite())?;
            valid_name.then(|| (name.to_string(), value))
        });
        match parsed {
            Some((name, value)) => {
                metrics.values.insert(name, value);
            }
            None => metrics.warnings.push(format!(
                "{}:{}: ignored metric line `{}` (expected name=number)",
                origin.display(),
                index + 1,
                line.chars().take(80).collect::<String>()
            )),
        }
    }
    metrics
}

/// Reads and removes the metrics file, if the command wrote one.
pub fn collect(path: &Path) -> Metrics {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(_) => return Metrics::default(),
    };
    let _ = std::fs::remove_file(path);
    parse(&String::from_utf8_lossy(&bytes), path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_lines_are_kept_and_others_warned() {
        let text = "tokens_in=120\n tokens_out = 45 \n# comment\n\ncost_usd=0.0031\nbad line\nname=abc\n=3\ntokens_in=121\nx=NaN\n";
        let metrics = parse(text, Path::new("m"));
        assert_eq!(metrics.values.len(), 3);
        assert_eq!(metrics.values["tokens_in"], 121.0);
        assert_eq!(metrics.values["tokens_out"], 45.0);
        assert_eq!(metrics.values["cost_usd"], 0.0031);
        assert_eq!(metrics.warnings.len(), 4, "{:?}", metrics.warnings);
        assert!(metrics.warnings[0].starts_with("m:6: "));
    }
}
