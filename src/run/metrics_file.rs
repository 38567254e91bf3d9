//! Custom metrics: `name=value` lines a command appends to $PROMPTRUN_METRICS_FILE.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The most warnings one run prints about bad metric lines.
const MAX_WARNINGS: usize = 5;

/// Where a run's command may write its metrics: in a directory only this user
/// can enter ($XDG_RUNTIME_DIR, else promptrun's 0700 state directory), so the
/// file needs no creating beforehand. Only without either is it created in the
/// shared temporary directory, empty, 0600 and exclusively, so no other user
/// can read or plant it.
pub fn file_for(run_id: &str, state_dir: Option<&Path>) -> PathBuf {
    let name = format!("promptrun-{run_id}.metrics");
    let private = std::env::var_os("XDG_RUNTIME_DIR")
        .map(PathBuf::from)
        .filter(|dir| dir.is_absolute() && dir.is_dir())
        .or_else(|| state_dir.filter(|dir| dir.is_dir()).map(Path::to_path_buf));
    if let Some(dir) = private {
        return dir.join(name);
    }
    use std::os::unix::fs::OpenOptionsExt;
    let path = std::env::temp_dir().join(name);
    let _ = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path);
    path
}

/// The metric names whose value is text, not a number: what the command says
/// it called (`model=gpt-4o`, `provider=openai`).
pub const TEXT_NAMES: [&str; 2] = ["model", "provider"];

/// The longest text value kept (model names are short; anything longer is a mistake).
const MAX_TEXT: usize = 200;

/// Parsed metrics and one warning per line that is not `name=number` (or
/// `model=text` / `provider=text`).
#[derive(Debug, Default, PartialEq)]
pub struct Metrics {
    pub values: BTreeMap<String, f64>,
    /// `model=` as the command reported it.
    pub model: Option<String>,
    /// `provider=` as the command reported it.
    pub provider: Option<String>,
    pub warnings: Vec<String>,
}

/// A text value as kept: trimmed, non-empty, printable, at most [`MAX_TEXT`] characters.
fn text_value(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty() && value.chars().count() <= MAX_TEXT && !value.chars().any(char::is_control))
        .then(|| value.to_string())
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
        if let Some((name, value)) = line.split_once('=')
            && TEXT_NAMES.contains(&name.trim())
            && let Some(text) = text_value(value)
        {
            match name.trim() {
                "model" => metrics.model = Some(text),
                _ => metrics.provider = Some(text),
            }
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
                "{}:{}: ignored metric line `{}` (expected name=number, or model=/provider= text)",
                origin.display(),
                index + 1,
                line.chars().take(80).collect::<String>()
            )),
        }
    }
    metrics
}

/// The most a metrics file may hold: far more than any list of numbers needs.
pub const MAX_METRICS_BYTES: u64 = 1 << 20;

/// Reads and removes the metrics file, if the command wrote one. It is read only
/// as a regular file, not through a symlink, without blocking on a FIFO, and up
/// to [`MAX_METRICS_BYTES`]; anything else is one warning naming the file.
pub fn collect(path: &Path) -> Metrics {
    use crate::files::open::{Links, read_regular};
    let bytes = match read_regular(path, Links::Refuse, MAX_METRICS_BYTES) {
        Ok((bytes, _)) => bytes,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Metrics::default(),
        Err(err) => {
            let _ = std::fs::remove_file(path);
            return Metrics {
                warnings: vec![format!(
                    "ignored the metrics file {}: {err}",
                    path.display()
                )],
                ..Metrics::default()
            };
        }
    };
    let _ = std::fs::remove_file(path);
    let mut metrics = parse(
        &String::from_utf8_lossy(&bytes),
        Path::new("$PROMPTRUN_METRICS_FILE"),
    );
    if metrics.warnings.len() > MAX_WARNINGS {
        let more = metrics.warnings.len() - MAX_WARNINGS;
        metrics.warnings.truncate(MAX_WARNINGS);
        metrics
            .warnings
            .push(format!("... and {more} more ignored metric lines"));
    }
    metrics
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
        assert_eq!((metrics.model, metrics.provider), (None, None));
    }

    #[test]
    fn model_and_provider_are_text_beside_the_numbers() {
        let text = "model=gpt-4o\nprovider = openai \ninput_tokens=1200\nmodel=gpt-4o-mini\nmodel=\nother=text\ncost_usd=0.0002\n";
        let metrics = parse(text, Path::new("m"));
        assert_eq!(metrics.model.as_deref(), Some("gpt-4o-mini"));
        assert_eq!(metrics.provider.as_deref(), Some("openai"));
        assert_eq!(metrics.values["input_tokens"], 1200.0);
        assert_eq!(metrics.values["cost_usd"], 0.0002);
        assert!(!metrics.values.contains_key("model"));
        // An empty model and text under any other name are still mistakes.
        assert_eq!(metrics.warnings.len(), 2, "{:?}", metrics.warnings);
        assert!(metrics.warnings[0].contains("`model=`"));
        assert!(metrics.warnings[1].contains("`other=text`"));
    }

    #[test]
    fn overlong_or_control_text_is_refused() {
        let long = format!("model={}\nprovider=a\u{7}b\n", "x".repeat(201));
        let metrics = parse(&long, Path::new("m"));
        assert_eq!((metrics.model, metrics.provider), (None, None));
        assert_eq!(metrics.warnings.len(), 2);
    }
}
