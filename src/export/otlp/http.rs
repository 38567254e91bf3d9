//! One OTLP/HTTP request: a blocking POST of a protobuf body.
//!
//! ureq sets up TLS (rustls, the platform's certificate verifier) only when it
//! first connects to an https:// URL, so nothing here costs anything until a
//! span is actually sent.

use std::time::Duration;

use super::settings::Endpoint;

/// How a request ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sent {
    /// A 2xx.
    Accepted,
    /// A status worth retrying (429, 5xx), with the server's Retry-After.
    Retry {
        status: u16,
        after: Option<Duration>,
    },
    /// 413: the batch is too large.
    TooLarge,
    /// Another status: retrying will not help.
    Rejected { status: u16, body: String },
    /// No answer: the connection failed or timed out.
    Failed(String),
}

/// POSTs `body` to the endpoint, waiting at most `timeout` in all.
pub fn post(endpoint: &Endpoint, body: &[u8], timeout: Duration) -> Sent {
    let tls = ureq::tls::TlsConfig::builder()
        .root_certs(ureq::tls::RootCerts::PlatformVerifier)
        .build();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .max_redirects(0)
        .tls_config(tls)
        .user_agent(concat!("promptrun/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let mut request = agent
        .post(&endpoint.url)
        .header("content-type", "application/x-protobuf");
    for (name, value) in &endpoint.headers {
        request = request.header(name.as_str(), value.as_str());
    }
    let mut response = match request.send(body) {
        Ok(response) => response,
        Err(err) => return Sent::Failed(describe(&err)),
    };
    let status = response.status().as_u16();
    match status {
        200..=299 => Sent::Accepted,
        413 => Sent::TooLarge,
        429 | 500..=599 => Sent::Retry {
            status,
            after: response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs),
        },
        _ => {
            let body = response
                .body_mut()
                .with_config()
                .limit(512)
                .read_to_string()
                .unwrap_or_default();
            Sent::Rejected {
                status,
                body: body.trim().chars().take(200).collect(),
            }
        }
    }
}

fn describe(err: &ureq::Error) -> String {
    match err {
        ureq::Error::Timeout(_) => "timed out".to_string(),
        ureq::Error::Io(io) => io.to_string(),
        other => other.to_string(),
    }
}
