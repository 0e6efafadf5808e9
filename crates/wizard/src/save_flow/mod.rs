//! Saving the certificate from the e-mailed link (PROCEDURE.md N2.9-N2.10 for a first
//! certificate, R2.10-R2.12 for a renewal). One module per step group:
//! - [`fetch`]: the bank asked about the request (still waiting, refused, expired, or
//!   issued);
//! - [`decide`]: which flow the request came from, which decides the key that signs the
//!   acceptance act (the new key, or the old one in a renewal);
//! - [`new_kind`]: N2.9 and N2.10, saved onto the token with the key, the act signed by
//!   the new key, the act to print;
//! - [`renewal_kind`]: R2.10 to R2.12, the act signed by the old key, the certificate
//!   saved onto the new token, checked.

pub mod act;
pub mod decide;
pub mod fetch;
pub mod new_kind;
pub mod renewal_kind;
pub mod store;

use serde::{Deserialize, Serialize};

use super::codes::StepCode;
use super::ended::Ending;
use super::facts::{Cx, Facts};
use super::input::{FailureKind, Input, IssuedCertificate};
use super::model::{PendingRecord, PickupRef};
use super::screen::Screen;
use crate::{Next, Step};

/// The request being picked up, and its local record when there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pickup {
    pub pickup: PickupRef,
    pub record: Option<PendingRecord>,
}

/// The issued certificate, with where it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issue {
    pub pickup: Pickup,
    pub issued: IssuedCertificate,
}

impl Issue {
    /// No act is to be signed: the bank wants none, or already confirmed it (recorded
    /// with the certificate kept on this computer).
    pub fn act_done(&self) -> bool {
        self.issued.implicit_confirm
            || self
                .pickup
                .record
                .as_ref()
                .and_then(|r| r.kept.as_ref())
                .is_some_and(|k| k.accepted && k.certificate.der == self.issued.certificate.der)
    }

    /// The bank confirmed the act: remembered here and, through the effect returned, in
    /// the request's local record.
    pub fn act_confirmed(&mut self) -> Option<super::effect::Effect> {
        let record = self.pickup.record.as_mut()?;
        let kept = record.kept.get_or_insert_with(|| {
            Box::new(super::model::KeptCertificate {
                certificate: self.issued.certificate.clone(),
                accepted: false,
            })
        });
        kept.accepted = true;
        Some(super::effect::Effect::MarkAccepted {
            transaction: record.transaction.clone(),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum SaveStep {
    /// N2.9 or R2.10: asking the bank.
    Fetch(fetch::FetchStep),
    /// N2.9: which flow this was, asked when no record tells.
    Identify(decide::IdentifyStep),
    /// N2.9
    NewSave(new_kind::SaveNewStep),
    /// N2.10
    NewAct(act::ActStep),
    /// R2.10
    OldAct(renewal_kind::SignActStep),
    /// R2.11
    RenewSave(renewal_kind::SaveRenewedStep),
    /// R2.12
    Check(act::ActStep),
}

impl SaveStep {
    /// Starts with asking the bank about the request of `pickup`.
    pub fn fetch(pickup: PickupRef, record: Option<PendingRecord>) -> Next {
        fetch::FetchStep::start(Pickup { pickup, record })
    }

    /// Goes on with a certificate already issued.
    pub fn issued(
        pickup: PickupRef,
        record: Option<PendingRecord>,
        issued: IssuedCertificate,
    ) -> Next {
        decide::route(Issue {
            pickup: Pickup { pickup, record },
            issued,
        })
    }

    pub fn code(&self) -> StepCode {
        match self {
            SaveStep::Fetch(s) => s.code(),
            SaveStep::Identify(_) | SaveStep::NewSave(_) => StepCode::N2_9,
            SaveStep::NewAct(s) | SaveStep::Check(s) => s.code(),
            SaveStep::OldAct(_) => StepCode::R2_10,
            SaveStep::RenewSave(_) => StepCode::R2_11,
        }
    }

    pub fn is_busy(&self) -> bool {
        match self {
            SaveStep::Fetch(s) => s.is_busy(),
            SaveStep::Identify(_) => false,
            SaveStep::NewSave(s) => s.is_busy(),
            SaveStep::NewAct(s) => s.is_busy(),
            SaveStep::OldAct(s) => s.is_busy(),
            SaveStep::RenewSave(s) => s.is_busy(),
            SaveStep::Check(s) => s.is_busy(),
        }
    }

    pub fn handle(self, input: Input, cx: &mut Cx<'_>) -> Next {
        let facts = &mut *cx.facts;
        match self {
            SaveStep::Fetch(s) => s.handle(input),
            SaveStep::Identify(s) => s.handle(input),
            SaveStep::NewSave(s) => s.handle(input, facts),
            SaveStep::NewAct(s) => s.handle(input, facts),
            SaveStep::OldAct(s) => s.handle(input, facts),
            SaveStep::RenewSave(s) => s.handle(input, facts),
            SaveStep::Check(s) => s.handle(input, facts),
        }
    }

    pub fn screen(&self, facts: &Facts) -> Screen {
        match self {
            SaveStep::Fetch(s) => s.screen(facts),
            SaveStep::Identify(s) => s.screen(facts),
            SaveStep::NewSave(s) => s.screen(facts),
            SaveStep::NewAct(s) => s.screen(facts),
            SaveStep::OldAct(s) => s.screen(facts),
            SaveStep::RenewSave(s) => s.screen(facts),
            SaveStep::Check(s) => s.screen(facts),
        }
    }
}

/// The bank's refusals that end a pickup: each has its own words and its own way on.
pub fn final_refusal(kind: &FailureKind) -> Option<Ending> {
    match kind {
        FailureKind::LinkExpired => Some(Ending::LinkExpired),
        FailureKind::RequestExpired => Some(Ending::RequestExpired),
        FailureKind::UnknownRequest => Some(Ending::UnknownRequest),
        FailureKind::BankRejected { reasons } => Some(Ending::Rejected {
            reasons: reasons.clone(),
        }),
        _ => None,
    }
}

/// Ends the pickup at `at` with `ending`.
pub fn end(at: StepCode, ending: Ending) -> Next {
    Step::end(at, super::codes::FlowKind::Save, ending)
}
