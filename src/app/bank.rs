//! The bank's side of the runtime: one CMP conversation per transaction, kept from the
//! request's building (on the token) through sending, polling and the acceptance act,
//! and every exchange bounded in time.

use std::collections::HashMap;
use std::time::Duration;

use cmp::client::Url;
use cmp::{CertReqMsg, PkiHeader, PkiMessage};
use x509_cert::name::Name;

use crate::bank::BankProfile;
use crate::enroll::{self, Answer, BankEndpoint, ClientOptions, Issued, PickupLink, Transaction};
use smartkey_wizard::{BankAnswer, FailureKind, IssuedCertificate, PickupRef, TransactionId};

use super::failure;

/// The longest one exchange may take, beyond the HTTP client's own limits.
const EXCHANGE_TIMEOUT: Duration = Duration::from_secs(45);
/// How long a pickup keeps asking a bank that is still issuing, as it asks to be asked.
const PICKUP_PATIENCE: Duration = Duration::from_secs(30);

/// How long to wait before asking again a bank that said "ask after `check_after`", when
/// `left` of the pickup's patience remains: at least a second (a bank that says "now" is
/// not asked in a tight loop), at most [`cmp::MAX_CHECK_AFTER`], and `None` when the wait
/// would outlast the patience. Computed on durations, never by adding the bank's number
/// to the clock, so no answer can overflow it.
fn wait_to_ask_again(check_after: Duration, left: Duration) -> Option<Duration> {
    let wait = check_after.clamp(Duration::from_secs(1), cmp::MAX_CHECK_AFTER);
    (wait < left).then_some(wait)
}

/// What is known of one transaction.
#[derive(Default)]
pub struct Conversation {
    pub agent_id: u32,
    /// Set once the first message is built (or the pickup resumed it).
    pub transaction: Option<Transaction>,
    /// The first message, built and signed, waiting to be sent.
    pub outgoing: Option<PkiMessage>,
    /// R2.7's half of a renewal: the new key's proof and the header it will go under.
    pub renewal: Option<(CertReqMsg, PkiHeader)>,
    /// The certificate the bank issued, for the acceptance act.
    pub issued: Option<Issued>,
}

/// The banks the runtime may talk to and the conversations under way.
pub struct BankSide {
    banks: Vec<BankProfile>,
    options: ClientOptions,
    conversations: HashMap<TransactionId, Conversation>,
}

impl BankSide {
    pub fn new(banks: Vec<BankProfile>) -> BankSide {
        BankSide {
            banks,
            options: ClientOptions::default(),
            conversations: HashMap::new(),
        }
    }

    fn profile(&self, agent_id: u32) -> Result<&BankProfile, FailureKind> {
        self.banks
            .iter()
            .find(|b| b.agent_id == agent_id)
            .ok_or_else(|| FailureKind::BankUnreachable {
                detail: format!("smartkey has no profile for the bank with agentId {agent_id}"),
            })
    }

    /// The bank's CA endpoint, trusting the profile's anchor.
    pub fn endpoint(&self, agent_id: u32) -> Result<BankEndpoint, FailureKind> {
        let profile = self.profile(agent_id)?;
        let (certs, roots) = match &profile.trust_anchor {
            Some(t) => (t.certificates().to_vec(), t.certificates_der().to_vec()),
            None => (Vec::new(), Vec::new()),
        };
        BankEndpoint::new(&profile.ca_url, &agent_id.to_string(), certs)
            .map(|e| e.with_tls_roots(roots))
            .map_err(|e| FailureKind::BankUnreachable {
                detail: e.to_string(),
            })
    }

    /// The name requests to `agent_id` are addressed to.
    pub fn recipient(&self, agent_id: u32) -> Result<Name, FailureKind> {
        Ok(self.endpoint(agent_id)?.recipient())
    }

    pub fn conversation(&mut self, id: &TransactionId) -> &mut Conversation {
        self.conversations.entry(id.clone()).or_default()
    }

    pub fn get(&self, id: &TransactionId) -> Option<&Conversation> {
        self.conversations.get(id)
    }

    async fn exchange(
        &self,
        agent_id: u32,
        transaction: &mut Transaction,
        message: &PkiMessage,
    ) -> Result<Answer, FailureKind> {
        let client = self
            .endpoint(agent_id)?
            .client(&self.options)
            .map_err(|e| failure::bank(&e))?;
        match tokio::time::timeout(EXCHANGE_TIMEOUT, client.exchange(transaction, message)).await {
            Ok(Ok(answer)) => Ok(answer),
            Ok(Err(e)) => Err(failure::bank(&e)),
            Err(_) => Err(failure::timeout(EXCHANGE_TIMEOUT.as_secs())),
        }
    }

    /// Sends the request built for `id` (N2.6, R2.8).
    pub async fn send(&mut self, id: &TransactionId) -> Result<BankAnswer, FailureKind> {
        let c = self.conversations.get(id);
        let (agent_id, mut transaction, message) = match c {
            Some(Conversation {
                agent_id,
                transaction: Some(t),
                outgoing: Some(m),
                ..
            }) => (*agent_id, t.clone(), m.clone()),
            _ => return Err(FailureKind::UnknownRequest),
        };
        let answer = self.exchange(agent_id, &mut transaction, &message).await;
        self.settle(id, transaction, answer)
    }

    /// Asks the bank about a request (N2.9, R2.10), waiting a little while it issues.
    pub async fn poll(&mut self, pickup: &PickupRef) -> Result<BankAnswer, FailureKind> {
        self.poll_within(pickup, PICKUP_PATIENCE).await
    }

    /// Asks the bank about a request once, without waiting for it to issue
    /// (`smartkey status`).
    pub async fn ask(&mut self, pickup: &PickupRef) -> Result<BankAnswer, FailureKind> {
        self.poll_within(pickup, Duration::ZERO).await
    }

    async fn poll_within(
        &mut self,
        pickup: &PickupRef,
        patience: Duration,
    ) -> Result<BankAnswer, FailureKind> {
        let id = &pickup.transaction;
        let mut transaction = match self
            .conversations
            .get(id)
            .and_then(|c| c.transaction.clone())
        {
            Some(t) => t,
            None => {
                let profile = self.profile(pickup.agent_id)?;
                let bytes = hex::decode(&id.0).map_err(|_| FailureKind::UnknownRequest)?;
                let base =
                    Url::parse(&profile.ca_url).map_err(|e| FailureKind::BankUnreachable {
                        detail: e.to_string(),
                    })?;
                let link = PickupLink::new(base, &pickup.agent_id.to_string(), &bytes)
                    .map_err(|_| FailureKind::UnknownRequest)?;
                let recipient = self.recipient(pickup.agent_id)?;
                let prepared = enroll::pickup(&link, recipient).map_err(|e| {
                    FailureKind::BankAnswerInvalid {
                        detail: e.to_string(),
                    }
                })?;
                prepared.transaction
            }
        };
        let deadline = tokio::time::Instant::now() + patience;
        loop {
            let message = transaction
                .poll_req()
                .map_err(|e| FailureKind::BankAnswerInvalid {
                    detail: e.to_string(),
                })?;
            let answer = self
                .exchange(pickup.agent_id, &mut transaction, &message)
                .await;
            if let Ok(Answer::Waiting {
                check_after: Some(check_after),
                ..
            }) = &answer
            {
                let left = deadline.saturating_duration_since(tokio::time::Instant::now());
                if let Some(wait) = wait_to_ask_again(*check_after, left) {
                    tokio::time::sleep(wait).await;
                    continue;
                }
            }
            let c = self.conversation(id);
            c.agent_id = pickup.agent_id;
            return self.settle(id, transaction, answer);
        }
    }

    /// Keeps the transaction's new state and turns the answer into the wizard's words.
    fn settle(
        &mut self,
        id: &TransactionId,
        transaction: Transaction,
        answer: Result<Answer, FailureKind>,
    ) -> Result<BankAnswer, FailureKind> {
        let c = self.conversation(id);
        c.transaction = Some(transaction);
        match answer? {
            Answer::Waiting {
                check_after,
                reason,
            } => Ok(BankAnswer::Waiting {
                check_after_secs: check_after.map(|d| d.as_secs()),
                reason,
            }),
            Answer::Issued(issued) => {
                let view = IssuedCertificate {
                    certificate: crate::pki::certificate_view(&issued.certificate),
                    implicit_confirm: issued.implicit_confirm,
                };
                c.issued = Some(*issued);
                Ok(BankAnswer::Issued(Box::new(view)))
            }
            // The person reads the bank's own words in either language; the status
            // and failure codes only when the bank gave no words.
            Answer::Rejected(status) => Ok(BankAnswer::Rejected {
                reasons: vec![
                    status
                        .status_string
                        .as_ref()
                        .map(|text| text.join(" "))
                        .filter(|words| !words.trim().is_empty())
                        .unwrap_or_else(|| status.to_string()),
                ],
            }),
            Answer::Confirmed => Err(FailureKind::BankAnswerInvalid {
                detail: "the bank confirmed an acceptance that was not sent".into(),
            }),
        }
    }

    /// Sends the signed acceptance act and expects the bank's confirmation.
    pub async fn confirm(
        &mut self,
        id: &TransactionId,
        message: PkiMessage,
    ) -> Result<(), FailureKind> {
        let (agent_id, mut transaction) = match self.conversations.get(id) {
            Some(Conversation {
                agent_id,
                transaction: Some(t),
                ..
            }) => (*agent_id, t.clone()),
            _ => return Err(FailureKind::UnknownRequest),
        };
        let answer = self.exchange(agent_id, &mut transaction, &message).await?;
        self.conversation(id).transaction = Some(transaction);
        match answer {
            Answer::Confirmed => Ok(()),
            other => Err(FailureKind::BankAnswerInvalid {
                detail: format!("the bank did not confirm the act: {other:?}"),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_huge_check_after_ends_the_pickup_instead_of_overflowing_the_clock() {
        let patience = PICKUP_PATIENCE;
        assert_eq!(wait_to_ask_again(Duration::MAX, patience), None);
        assert_eq!(
            wait_to_ask_again(Duration::from_secs(u64::MAX / 2), patience),
            None
        );
        // Even a patience longer than any bank's wait never waits beyond the bound.
        assert_eq!(
            wait_to_ask_again(Duration::MAX, Duration::MAX),
            Some(cmp::MAX_CHECK_AFTER)
        );
    }

    #[test]
    fn ordinary_waits_within_the_patience() {
        let patience = PICKUP_PATIENCE;
        assert_eq!(
            wait_to_ask_again(Duration::from_secs(5), patience),
            Some(Duration::from_secs(5))
        );
        assert_eq!(
            wait_to_ask_again(Duration::ZERO, patience),
            Some(Duration::from_secs(1))
        );
        assert_eq!(wait_to_ask_again(Duration::from_secs(30), patience), None);
        assert_eq!(
            wait_to_ask_again(Duration::from_secs(1), Duration::ZERO),
            None
        );
    }
}
