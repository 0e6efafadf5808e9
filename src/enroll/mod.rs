//! Requests to the bank's CA, in the bank's steps: the new client's request (N2.6), the
//! renewal signed with the old key (R2.8), the pickup from the e-mailed link (N2.9,
//! R2.11) and the acceptance act (N2.9, R2.10).
//!
//! Messages are built and signed here (on the token, through [`TokenSigner`]) and sent by
//! the caller with [`cmp::client::CmpClient::exchange`]: token calls block and belong
//! on a worker thread, network calls are async and belong on the runtime, and keeping
//! the two apart lets the runtime put each where it belongs.
//!
//! [`TokenSigner`]: crate::token::TokenSigner

mod bank;
mod request;

pub use bank::{BankEndpoint, EndpointError};
pub use request::{
    EnrollError, Prepared, acceptance, certifies_requested_key, contact_pairs, initial_request,
    kept_request, new_request, new_transaction_id, pickup, renewal_header, renewal_proof,
    renewal_request, requested_key, sign_renewal,
};

pub use cmp::client::{ClientError, ClientOptions, CmpClient, PickupLink, ResponseTrust};
pub use cmp::{Answer, CertReqMsg, Issued, Transaction, Utf8Pairs};

/// The bank and transaction of a parsed link, in the core's words; `None` when the
/// link's bank number does not fit an agentId.
pub fn pickup_ref(link: &PickupLink) -> Option<smartkey_wizard::PickupRef> {
    Some(smartkey_wizard::PickupRef {
        agent_id: link.agent_id().parse().ok()?,
        transaction: smartkey_wizard::TransactionId::from_bytes(link.transaction_id()),
    })
}
