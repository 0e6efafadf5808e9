//! The bank's certification authority: does it answer at the address of the bank
//! profile, within a bounded time, over TLS that verifies? Any HTTP answer counts (the
//! CA's root page may well be a 404): the point is that the path to it is open and that
//! it proves who it is. An `http://` CA is a warning: nothing on the way is encrypted.
//!
//! TLS is rustls with the ring provider. With a trust anchor in the profile, the CA's
//! certificate must chain to it and to nothing else; without one, the system's roots
//! decide (through rustls-platform-verifier).

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::BankChoice;
use super::Facts;
use super::report::{CheckId, Finding, Verdict};
use crate::bank::BankProfile;

/// How long the CA may take to answer, connection included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// What was found.
#[derive(Debug, Clone, Serialize)]
pub struct CaFacts {
    pub agent_id: u32,
    pub bank: String,
    pub url: String,
    pub encrypted: bool,
    /// What the TLS certificate is checked against.
    pub trust: &'static str,
    pub answered: bool,
    pub http_status: Option<u16>,
    pub elapsed_ms: u64,
    pub error: Option<String>,
}

/// Why no TLS client could be made for the check.
#[derive(Debug, thiserror::Error)]
pub enum TlsSetupError {
    #[error("{0}")]
    Protocols(rustls::Error),
    #[error("the profile's trust anchor is not usable: {0}")]
    Anchor(rustls::Error),
    #[error("the system's TLS roots cannot be used: {0}")]
    SystemRoots(rustls::Error),
    #[error("{0}")]
    Client(reqwest::Error),
}

/// A rustls client configuration trusting `profile`'s anchor, or the system's roots.
pub fn tls_config(profile: &BankProfile) -> Result<rustls::ClientConfig, TlsSetupError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(TlsSetupError::Protocols)?;
    let config = match &profile.trust_anchor {
        Some(anchor) => {
            let mut roots = rustls::RootCertStore::empty();
            for der in anchor.certificates_der() {
                roots
                    .add(rustls::pki_types::CertificateDer::from(der.clone()))
                    .map_err(TlsSetupError::Anchor)?;
            }
            builder.with_root_certificates(roots).with_no_client_auth()
        }
        None => {
            use rustls_platform_verifier::BuilderVerifierExt;
            builder
                .with_platform_verifier()
                .map_err(TlsSetupError::SystemRoots)?
                .with_no_client_auth()
        }
    };
    Ok(config)
}

/// The rustls error inside `err`, looking through nested `std::io::Error`s (which hide
/// what they wrap from `source()`).
fn tls_error<'a>(mut err: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    loop {
        if let Some(tls) = err.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        let io = err.downcast_ref::<std::io::Error>()?;
        err = io.get_ref()?;
    }
}

/// Why a request failed: the innermost error (the outer ones only repeat the address),
/// and whether it was TLS that refused.
fn explain(e: &reqwest::Error) -> (String, bool) {
    let mut innermost: &(dyn std::error::Error + 'static) = e;
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if let Some(tls) = tls_error(err) {
            return (format!("TLS: {tls}"), true);
        }
        innermost = err;
        source = err.source();
    }
    (innermost.to_string(), false)
}

/// Asks the CA of `profile`, within `timeout`.
pub fn probe(profile: &BankProfile, timeout: Duration) -> Finding {
    let mut facts = CaFacts {
        agent_id: profile.agent_id,
        bank: profile.name.clone(),
        url: profile.ca_url.clone(),
        encrypted: profile.ca_is_encrypted(),
        trust: match (&profile.trust_anchor, profile.ca_is_encrypted()) {
            (_, false) => "nothing (not encrypted)",
            (Some(_), true) => "the bank profile's trust anchor",
            (None, true) => "the system's roots",
        },
        answered: false,
        http_status: None,
        elapsed_ms: 0,
        error: None,
    };
    let contact = profile.support_contact();
    let fail = |facts: CaFacts, summary: String, advice: String| {
        Finding::new(CheckId::Ca, Verdict::Fail, summary)
            .detail(format!("{} (agentId {})", profile.name, profile.agent_id))
            .advice(advice)
            .facts(Facts::Ca(facts))
    };
    let client = tls_config(profile).and_then(|tls| {
        reqwest::blocking::Client::builder()
            .tls_backend_preconfigured(tls)
            .connect_timeout(
                timeout
                    .min(Duration::from_secs(5))
                    .max(Duration::from_millis(1)),
            )
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("smartkey/", env!("CARGO_PKG_VERSION"), " (check)"))
            .build()
            .map_err(TlsSetupError::Client)
    });
    let client = match client {
        Ok(c) => c,
        Err(e) => {
            let e = e.to_string();
            facts.error = Some(e.clone());
            return fail(
                facts,
                format!(
                    "the connection to {} cannot be prepared: {e}",
                    profile.ca_url
                ),
                "fix the bank profile's trust anchor, or ask the bank for the right one".into(),
            );
        }
    };
    let started = Instant::now();
    let result = client.get(&profile.ca_url).send();
    facts.elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    match result {
        Ok(response) => {
            facts.answered = true;
            facts.http_status = Some(response.status().as_u16());
            let took = format!(
                "answered in {} ms (HTTP {})",
                facts.elapsed_ms,
                response.status().as_u16()
            );
            let finding = if facts.encrypted {
                Finding::new(
                    CheckId::Ca,
                    Verdict::Ok,
                    format!("{} {took}, TLS verified", profile.ca_url),
                )
                .detail(format!("TLS certificate checked against {}", facts.trust))
            } else {
                Finding::new(
                    CheckId::Ca,
                    Verdict::Warn,
                    format!("{} {took}, but not encrypted (http://)", profile.ca_url),
                )
                .advice("anyone on the network path can read and change what goes to this CA; use its https:// address unless this is a local test CA")
            };
            finding
                .detail(format!("{} (agentId {})", profile.name, profile.agent_id))
                .facts(Facts::Ca(facts))
        }
        Err(e) => {
            let (why, tls) = explain(&e);
            facts.error = Some(why.clone());
            if tls {
                fail(
                    facts,
                    format!("{} did not prove its identity ({why})", profile.ca_url),
                    format!(
                        "do not send anything to it; this can be a wrong address, a wrong trust anchor, or someone in the middle: call {contact}"
                    ),
                )
            } else if e.is_timeout() {
                fail(
                    facts,
                    format!(
                        "{} did not answer within {} s",
                        profile.ca_url,
                        timeout.as_secs()
                    ),
                    format!(
                        "check the internet connection, proxy and firewall, then run the check again; if it persists, call {contact}"
                    ),
                )
            } else {
                fail(
                    facts,
                    format!("{} does not answer ({why})", profile.ca_url),
                    format!(
                        "check the internet connection, proxy and firewall, then run the check again; if it persists, call {contact}"
                    ),
                )
            }
        }
    }
}

/// Checks the chosen bank's CA.
pub fn check(bank: &BankChoice, timeout: Duration) -> Finding {
    match bank {
        BankChoice::NotChosen => Finding::skipped(
            CheckId::Ca,
            "not checked: no bank chosen (give --bank AGENTID, SMARTKEY_BANK, or `bank` in config.toml; `smartkey banks` lists them)",
        ),
        BankChoice::Problem { agent_id, reason } => Finding::new(
            CheckId::Ca,
            Verdict::Fail,
            format!("bank {agent_id}: {reason}"),
        )
        .advice("choose a bank that `smartkey banks` lists, or fix its profile file"),
        BankChoice::Chosen(profile) => probe(profile, timeout),
    }
}
