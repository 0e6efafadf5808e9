//! The client side of CMP over HTTP: sends the messages of a [`Transaction`], believes
//! only answers that belong to it and carry the bank's protection, and waits for a
//! decision the way the bank asks (RFC 9483 section 4.4: `checkAfter`).
//!
//! Available with the `client` feature; the rest of the crate does no I/O.

mod http;
mod link;
mod trust;

use std::time::Duration;

use der::Encode;
/// The URL type the client takes, re-exported so callers use the same version.
pub use reqwest::Url;

pub use http::{ClientOptions, HttpTransport, PKIXCMP, TransportError};
pub use link::{LinkError, PickupLink, cmp_endpoint};
pub use trust::{ResponseTrust, TrustError};

use crate::build::BuildError;
use crate::checks::{self, ResponseError};
use crate::message::{PkiMessage, ReceiveError, Received};
use crate::protection::{Protect, ProtectionError};
use crate::transaction::{Answer, Issued, Transaction};

/// Why an exchange with the bank failed. Each variant's text says what happened in
/// words for the person at the keyboard; callers that speak other languages match on
/// the variants.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The message did not get through, or no usable answer came back.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The answer is not a CMP message, or not in DER.
    #[error("the bank's answer could not be read (it is not a valid CMP message)")]
    Malformed(#[source] ReceiveError),
    /// The answer does not belong to our request, or is an error from the bank.
    #[error(transparent)]
    Response(#[from] ResponseError),
    /// The answer's protection is missing or not from the bank.
    #[error(transparent)]
    Untrusted(#[from] TrustError),
    /// Our own message could not be built.
    #[error(transparent)]
    Build(#[from] BuildError),
    /// Our own message could not be protected (e.g. the token refused to sign).
    #[error("the request could not be signed: {0}")]
    Protect(#[source] ProtectionError),
    /// The bank answered the acceptance with something other than a confirmation.
    #[error("the bank did not confirm that the certificate was accepted; try saving it again")]
    NotConfirmed,
    /// The message could not be encoded.
    #[error("the request could not be encoded: {0}")]
    Encode(#[source] der::Error),
}

/// A client for one bank's CMP endpoint.
#[derive(Debug)]
pub struct CmpClient {
    transport: HttpTransport,
    trust: ResponseTrust,
}

impl CmpClient {
    /// A client for the endpoint `url` (see [`cmp_endpoint`]), believing answers
    /// protected as `trust` says.
    pub fn new(
        url: Url,
        trust: ResponseTrust,
        options: &ClientOptions,
    ) -> Result<Self, ClientError> {
        Ok(Self {
            transport: HttpTransport::new(url, options)?,
            trust,
        })
    }

    /// The endpoint's address.
    pub fn url(&self) -> &Url {
        self.transport.url()
    }

    /// Sends `request`, which the caller has built and protected, as part of
    /// `transaction`, and returns what the checked, trusted answer means.
    pub async fn exchange(
        &self,
        transaction: &mut Transaction,
        request: &PkiMessage,
    ) -> Result<Answer, ClientError> {
        let der = request.to_der().map_err(ClientError::Encode)?;
        let answer = self.transport.post(der).await?;
        let response = Received::from_der(&answer).map_err(ClientError::Malformed)?;
        // An answer to another request is reported as such whoever signed it; only then
        // is its protection checked, and only a trusted answer may move the transaction on.
        checks::check_version(&response)?;
        checks::check_transaction_id(request, &response)?;
        checks::check_recip_nonce(request, &response)?;
        self.trust.verify(&response)?;
        Ok(transaction.answer(request, &response)?)
    }

    /// Sends one `pollReq`, protected by `protection`.
    pub async fn poll(
        &self,
        transaction: &mut Transaction,
        protection: &(dyn Protect + Sync),
    ) -> Result<Answer, ClientError> {
        let mut request = transaction.poll_req()?;
        protection
            .protect(&mut request)
            .map_err(ClientError::Protect)?;
        self.exchange(transaction, &request).await
    }

    /// Polls until the bank decides or `patience` runs out, waiting as long as the bank's
    /// `checkAfter` says between polls. `on_wait` is told each wait before it starts (for
    /// a progress display). Returns the last answer: `Waiting` when patience ran out.
    pub async fn poll_until_decided(
        &self,
        transaction: &mut Transaction,
        protection: &(dyn Protect + Sync),
        patience: Duration,
        on_wait: &mut (dyn FnMut(Duration) + Send),
    ) -> Result<Answer, ClientError> {
        let deadline = tokio::time::Instant::now() + patience;
        let mut wait = Duration::ZERO;
        loop {
            if !wait.is_zero() {
                let left = deadline.saturating_duration_since(tokio::time::Instant::now());
                if wait > left {
                    return Ok(Answer::Waiting {
                        check_after: Some(wait),
                        reason: Vec::new(),
                    });
                }
                on_wait(wait);
                tokio::time::sleep(wait).await;
            }
            match self.poll(transaction, protection).await? {
                Answer::Waiting { check_after, .. } => {
                    // A bank that says "now" is asked again after a second, not at once.
                    wait = check_after.unwrap_or_default().max(Duration::from_secs(1));
                }
                decided => return Ok(decided),
            }
        }
    }

    /// Sends the `certConf` accepting `issued` (signing the acceptance act, N2.9/R2.10)
    /// and expects the bank's `pkiConf`.
    pub async fn confirm(
        &self,
        transaction: &mut Transaction,
        issued: &Issued,
        protection: &(dyn Protect + Sync),
    ) -> Result<(), ClientError> {
        let mut request = transaction.cert_conf(issued)?;
        protection
            .protect(&mut request)
            .map_err(ClientError::Protect)?;
        match self.exchange(transaction, &request).await? {
            Answer::Confirmed => Ok(()),
            _ => Err(ClientError::NotConfirmed),
        }
    }
}
