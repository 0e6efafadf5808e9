//! CMP over HTTP (RFC 9811, which replaces RFC 6712): one POST per message, body and
//! answer of type `application/pkixcmp`, with bounded time and size so that a slow or
//! hostile server can neither hang the wizard nor fill its memory.

use std::time::Duration;

use reqwest::Url;
use reqwest::header::{CONTENT_TYPE, HeaderValue};

/// The media type of a DER-encoded PKIMessage (RFC 9811 section 3.4).
pub const PKIXCMP: &str = "application/pkixcmp";

/// Limits and trust for talking to the bank's CA.
#[derive(Clone, Debug)]
pub struct ClientOptions {
    /// Longest time one exchange (connect, send, answer) may take.
    pub timeout: Duration,
    /// Longest time to establish the connection.
    pub connect_timeout: Duration,
    /// Largest answer accepted; a CMP answer with one certificate is a few kilobytes.
    pub max_response_bytes: usize,
    /// Extra TLS trust anchors (DER), e.g. the bank's own root, added to the system's.
    pub tls_roots: Vec<Vec<u8>>,
    /// Trust only `tls_roots`, not the system's store.
    pub tls_roots_only: bool,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            max_response_bytes: 256 * 1024,
            tls_roots: Vec::new(),
            tls_roots_only: false,
        }
    }
}

/// Why a message did not get through, in words that say what to try.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// The HTTP client could not be set up (e.g. a TLS root that is not a certificate).
    #[error("the connection to the bank could not be prepared: {0}")]
    Setup(String),
    /// Nothing answered at the address.
    #[error(
        "the bank's server at {host} cannot be reached; check the internet connection and try again"
    )]
    Unreachable {
        /// Host and port tried.
        host: String,
    },
    /// The server's TLS certificate was not accepted.
    #[error(
        "the bank's server at {host} did not prove its identity (its TLS certificate is not trusted); do not go on, and call the bank's support"
    )]
    Tls {
        /// Host and port tried.
        host: String,
    },
    /// No complete answer in time.
    #[error("the bank's server did not answer in time; try again in a few minutes")]
    Timeout,
    /// An HTTP status other than success, without a CMP answer.
    #[error("the bank's server answered with HTTP status {status}{}", text_suffix(.text))]
    Status {
        /// The HTTP status code.
        status: u16,
        /// The start of the server's text, if it sent text.
        text: String,
    },
    /// A success without a CMP answer.
    #[error(
        "the bank's server answered with something other than a CMP message ({content_type}); the address may be wrong"
    )]
    NotCmp {
        /// The content type received.
        content_type: String,
    },
    /// The answer exceeded the limit.
    #[error("the bank's answer is larger than {limit} bytes and was not read to the end")]
    TooLarge {
        /// The limit.
        limit: usize,
    },
    /// The connection broke while reading.
    #[error("the connection to the bank broke while its answer was being read; try again")]
    Broken,
}

fn text_suffix(text: &str) -> String {
    if text.is_empty() {
        String::new()
    } else {
        format!(": \"{text}\"")
    }
}

/// One CMP endpoint reached over HTTP(S).
#[derive(Clone, Debug)]
pub struct HttpTransport {
    http: reqwest::Client,
    url: Url,
    max_response_bytes: usize,
}

impl HttpTransport {
    /// A transport to `url` with `options`.
    pub fn new(url: Url, options: &ClientOptions) -> Result<Self, TransportError> {
        // reqwest is built without a default crypto provider; ring is the one we ship.
        // Installing fails only when the program already chose one, which is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut roots = Vec::with_capacity(options.tls_roots.len());
        for der in &options.tls_roots {
            roots.push(
                reqwest::Certificate::from_der(der)
                    .map_err(|e| TransportError::Setup(e.to_string()))?,
            );
        }
        let mut builder = reqwest::Client::builder()
            .timeout(options.timeout)
            .connect_timeout(options.connect_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("smartkey-cmp/", env!("CARGO_PKG_VERSION")));
        builder = if options.tls_roots_only {
            builder.tls_certs_only(roots)
        } else {
            builder.tls_certs_merge(roots)
        };
        let http = builder
            .build()
            .map_err(|e| TransportError::Setup(e.to_string()))?;
        Ok(Self {
            http,
            url,
            max_response_bytes: options.max_response_bytes,
        })
    }

    /// The endpoint's address.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// Posts one DER message and returns the DER answer. An answer of type
    /// `application/pkixcmp` is returned whatever the HTTP status, because a CA sends
    /// its CMP `error` messages with 4xx/5xx codes too.
    pub async fn post(&self, der: Vec<u8>) -> Result<Vec<u8>, TransportError> {
        let mut response = self
            .http
            .post(self.url.clone())
            .header(CONTENT_TYPE, HeaderValue::from_static(PKIXCMP))
            .body(der)
            .send()
            .await
            .map_err(|e| self.classify(&e))?;
        let status = response.status();
        let is_cmp = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case(PKIXCMP));
        if let Some(length) = response.content_length()
            && length > self.max_response_bytes as u64
        {
            return Err(TransportError::TooLarge {
                limit: self.max_response_bytes,
            });
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| self.classify(&e))? {
            if body.len() + chunk.len() > self.max_response_bytes {
                return Err(TransportError::TooLarge {
                    limit: self.max_response_bytes,
                });
            }
            body.extend_from_slice(&chunk);
        }
        if is_cmp {
            return Ok(body);
        }
        if !status.is_success() {
            return Err(TransportError::Status {
                status: status.as_u16(),
                text: printable_start(&body),
            });
        }
        Err(TransportError::NotCmp {
            content_type: response
                .headers()
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("no content type")
                .chars()
                .take(80)
                .collect(),
        })
    }

    fn host(&self) -> String {
        let host = self.url.host_str().unwrap_or("?");
        match self.url.port_or_known_default() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        }
    }

    fn classify(&self, error: &reqwest::Error) -> TransportError {
        if error.is_timeout() {
            return TransportError::Timeout;
        }
        if is_tls_error(error) {
            return TransportError::Tls { host: self.host() };
        }
        if error.is_connect() {
            return TransportError::Unreachable { host: self.host() };
        }
        TransportError::Broken
    }
}

/// Whether a TLS handshake failure is somewhere in the error's chain. hyper wraps it in
/// `io::Error`s, whose `source()` skips the wrapped error, so those are opened by hand.
fn is_tls_error(error: &reqwest::Error) -> bool {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(err) = current {
        if err.downcast_ref::<rustls::Error>().is_some() {
            return true;
        }
        current = match err.downcast_ref::<std::io::Error>() {
            Some(io) => io
                .get_ref()
                .map(|inner| inner as &(dyn std::error::Error + 'static)),
            None => err.source(),
        };
    }
    false
}

/// The first line of a text answer, without control characters, at most 160 characters,
/// so that whatever a server sends cannot garble the terminal.
fn printable_start(body: &[u8]) -> String {
    String::from_utf8_lossy(body)
        .lines()
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control())
        .take(160)
        .collect()
}
