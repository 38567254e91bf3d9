//! When and where spans go: `export` in the config, `PROMPTRUN_OTLP` and the
//! standard `OTEL_EXPORTER_OTLP_*` variables.

use serde::Deserialize;

/// When runs are exported.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExportMode {
    /// Never (the default).
    #[default]
    Off,
    /// One span per run, sent as the run ends.
    OnExit,
    /// Only `promptrun export` sends, in batches.
    Batch,
}

/// `export` in the router config.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ExportConfig {
    /// `off` (default), `on-exit` or `batch`; `PROMPTRUN_OTLP` overrides it.
    pub mode: ExportMode,
    /// Add Langfuse's prompt attributes (`langfuse.observation.prompt.name`/`.version`).
    pub langfuse: bool,
}

/// The export mode in force: `PROMPTRUN_OTLP` (`on-exit`, `batch`, `off`),
/// else `export.mode` in the config. Off whenever PROMPTRUN_NO_LOG,
/// DO_NOT_TRACK or `OTEL_SDK_DISABLED=true` says so. The OTLP endpoint
/// variables alone never turn it on. Reads two or three variables, nothing else.
pub fn mode(config: Option<&crate::config::RouterConfig>) -> Result<ExportMode, String> {
    let chosen = match std::env::var("PROMPTRUN_OTLP") {
        Ok(value) => match value.trim() {
            "on-exit" => ExportMode::OnExit,
            "batch" => ExportMode::Batch,
            "off" | "" | "0" | "false" | "no" => ExportMode::Off,
            other => {
                return Err(format!(
                    "PROMPTRUN_OTLP={other} is not one of on-exit, batch, off"
                ));
            }
        },
        Err(_) => config.map_or(ExportMode::Off, |c| c.export.mode),
    };
    if chosen == ExportMode::Off
        || crate::record::run_recorder::disabled_by_env()
        || std::env::var("OTEL_SDK_DISABLED").is_ok_and(|v| v.trim().eq_ignore_ascii_case("true"))
    {
        return Ok(ExportMode::Off);
    }
    Ok(chosen)
}

/// Where and how spans are sent, from the standard OTLP variables.
#[derive(Debug, Clone, PartialEq)]
pub struct Endpoint {
    /// The traces URL.
    pub url: String,
    /// Extra request headers (percent-decoded).
    pub headers: Vec<(String, String)>,
    /// The request timeout, when the environment sets one.
    pub timeout: Option<std::time::Duration>,
    /// Resource attributes, `service.name` first.
    pub resource: Vec<(String, String)>,
}

/// The default OTLP/HTTP traces URL.
pub const DEFAULT_URL: &str = "http://localhost:4318/v1/traces";

impl Endpoint {
    /// Reads `OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT`, `…_HEADERS`, `…_TIMEOUT`,
    /// `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES`.
    pub fn from_env() -> Result<Self, String> {
        Self::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
    }

    /// As [`Endpoint::from_env`], from any variable lookup.
    pub fn from_lookup(env: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let protocol = env("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL")
            .or_else(|| env("OTEL_EXPORTER_OTLP_PROTOCOL"));
        if let Some(protocol) = protocol.filter(|p| p.trim() != "http/protobuf") {
            return Err(format!(
                "OTEL_EXPORTER_OTLP_PROTOCOL={protocol}: promptrun sends OTLP over http/protobuf only"
            ));
        }
        let url = match (
            env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"),
            env("OTEL_EXPORTER_OTLP_ENDPOINT"),
        ) {
            (Some(traces), _) => traces.trim().to_string(),
            (None, Some(base)) => format!("{}/v1/traces", base.trim().trim_end_matches('/')),
            (None, None) => DEFAULT_URL.to_string(),
        };
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(format!(
                "the OTLP endpoint `{url}` is not an http:// or https:// URL"
            ));
        }
        let headers = env("OTEL_EXPORTER_OTLP_TRACES_HEADERS")
            .or_else(|| env("OTEL_EXPORTER_OTLP_HEADERS"))
            .map(|text| pairs(&text))
            .unwrap_or_default();
        let timeout = match env("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT")
            .or_else(|| env("OTEL_EXPORTER_OTLP_TIMEOUT"))
        {
            Some(ms) => Some(std::time::Duration::from_millis(
                ms.trim()
                    .parse()
                    .map_err(|_| format!("OTEL_EXPORTER_OTLP_TIMEOUT={ms} is not milliseconds"))?,
            )),
            None => None,
        };
        let mut attributes = env("OTEL_RESOURCE_ATTRIBUTES")
            .map(|text| pairs(&text))
            .unwrap_or_default();
        let service = env("OTEL_SERVICE_NAME")
            .or_else(|| {
                attributes
                    .iter()
                    .find(|(k, _)| k == "service.name")
                    .map(|(_, v)| v.clone())
            })
            .unwrap_or_else(|| "promptrun".to_string());
        attributes.retain(|(k, _)| k != "service.name");
        let mut resource = vec![("service.name".to_string(), service)];
        resource.extend(attributes);
        Ok(Endpoint {
            url,
            headers,
            timeout,
            resource,
        })
    }
}

/// `k=v,k2=v2` as the OTel spec writes headers and resource attributes,
/// each key and value trimmed and percent-decoded; malformed entries skipped.
pub fn pairs(text: &str) -> Vec<(String, String)> {
    text.split(',')
        .filter_map(|pair| {
            let (key, value) = pair.split_once('=')?;
            let key = percent_decode(key.trim());
            (!key.is_empty()).then(|| (key, percent_decode(value.trim())))
        })
        .collect()
}

/// Decodes `%XX` escapes; anything else is kept as it is.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((hi * 16 + lo) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint(vars: &[(&str, &str)]) -> Result<Endpoint, String> {
        Endpoint::from_lookup(|name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn the_standard_variables_are_honoured() {
        assert_eq!(endpoint(&[]).unwrap().url, DEFAULT_URL);
        let e = endpoint(&[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "https://collector:4318/"),
            (
                "OTEL_EXPORTER_OTLP_HEADERS",
                "Authorization=Basic%20abc%3D, x-team = ml",
            ),
            ("OTEL_EXPORTER_OTLP_TIMEOUT", "2500"),
            (
                "OTEL_RESOURCE_ATTRIBUTES",
                "service.name=old,deployment.environment=ci%2Fa",
            ),
            ("OTEL_SERVICE_NAME", "evals"),
        ])
        .unwrap();
        assert_eq!(e.url, "https://collector:4318/v1/traces");
        assert_eq!(
            e.headers,
            [
                ("Authorization".to_string(), "Basic abc=".to_string()),
                ("x-team".to_string(), "ml".to_string())
            ]
        );
        assert_eq!(e.timeout, Some(std::time::Duration::from_millis(2500)));
        assert_eq!(
            e.resource,
            [
                ("service.name".to_string(), "evals".to_string()),
                ("deployment.environment".to_string(), "ci/a".to_string())
            ]
        );
        let traces = endpoint(&[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://a:4318"),
            ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://b:9999/custom"),
            ("OTEL_EXPORTER_OTLP_TRACES_HEADERS", "k=v"),
            ("OTEL_EXPORTER_OTLP_HEADERS", "ignored=1"),
        ])
        .unwrap();
        assert_eq!(traces.url, "http://b:9999/custom");
        assert_eq!(traces.headers, [("k".to_string(), "v".to_string())]);
        assert!(endpoint(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318")]).is_err());
        assert!(endpoint(&[("OTEL_EXPORTER_OTLP_TIMEOUT", "1s")]).is_err());
        assert_eq!(percent_decode("100%"), "100%");
        assert!(endpoint(&[("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")]).is_err());
        assert!(endpoint(&[("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")]).is_ok());
    }
}
