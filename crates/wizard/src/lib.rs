//! smartkey's core: the bank's procedures (PROCEDURE.md) as a pure state machine, and
//! the words the rest of smartkey uses for tokens, PINs, keys, requests and texts.
//!
//! [`Wizard::handle`] takes an [`Input`] (a person's answer, a token inserted or
//! removed, an effect's outcome) and returns the [`Effect`]s the runtime must carry
//! out; [`Wizard::screen`] describes what the person sees now. Nothing here does I/O,
//! reads a clock or draws a random number: today's date and everything the token and
//! the bank say come in as inputs or constructor arguments, so that any run can be
//! journalled, replayed and tested step by step.
//!
//! The shape is The Elm Architecture; the discipline that of a TLS handshake: each
//! bank step is a type holding what it needs ([`Step`]), every transition is explicit,
//! and failures are data ([`FailureKind`]) that a screen words in either language.
//!
//! Flows and steps (each step's logic in one module):
//! - [`new_flow`]: N2.1-N2.7, a first certificate;
//! - [`renew_flow`]: R2.1-R2.8, the renewal onto a Rutoken ECP 2.0;
//! - [`save_flow`]: N2.9-N2.10 and R2.10-R2.12, saving from the e-mailed link;
//! - [`destroy_flow`]: R2.13, destroying the old key, guarded;
//! - [`ended`]: the last screens (N2.8, R2.9, N2.11, and every way a flow can stop).
//!
//! PINs: a PIN arrives in an [`Answer`] inside a [`Pin`](crate::pin::Pin), goes
//! straight into one [`Effect`] and is gone. No PIN is kept in [`Facts`], a [`Screen`],
//! a `Debug` output or a journal ([`secret`]); the wizard never tries a PIN by itself.
//!
//! Driving the new flow (the runtime does this in its loop: each effect's outcome comes
//! back as an input):
//! ```
//! use smartkey_i18n::{Catalogue, Lang};
//! use smartkey_wizard::*;
//!
//! let bank = BankInfo {
//!     agent_id: 6184,
//!     name: "АО НОКССБАНК".into(),
//!     operations_email: Some("dbo@nokss.ru".into()),
//!     support_phone: Some("8-800-200-999-7".into()),
//!     support_email: None,
//!     online_bank_url: None,
//!     key_types: vec![KeyType::Rsa2048],
//! };
//! let start = Start {
//!     session: "K7Q2".into(),
//!     today: CivilDate::new(2025, 3, 14).unwrap(),
//!     banks: vec![bank],
//!     bank: Some(6184),
//!     pending: Vec::new(),
//!     draft: None,
//!     cities: CityIndex::default(),
//!     warnings: Vec::new(),
//! };
//! let (mut wizard, effects) = Wizard::new_flow(start);
//! assert!(matches!(effects[..], [Effect::ListTokens]));
//!
//! // The runtime lists the tokens; the person presses "Fill in the application".
//! let token = TokenView {
//!     serial: "0A1B2C3D".into(),
//!     model: "Rutoken ECP 2.0".into(),
//!     label: "Рутокен".into(),
//!     user_pin: PinState::FACTORY,
//!     admin_pin: PinState::FACTORY,
//!     pin_lengths: PinLengths::RUTOKEN,
//!     keys: Vec::new(),
//! };
//! wizard.handle(Input::Token(Presence::Present(vec![token])));
//! wizard.handle(Input::Person(Answer::Next));
//!
//! let screen = wizard.screen();
//! assert_eq!(screen.code.as_str(), "N2.2");
//! assert_eq!(Catalogue::new(Lang::Ru).text(&screen.title), "Вставьте смарт-ключ");
//! assert_eq!(Catalogue::new(Lang::En).text(&screen.title), "Insert the smart key");
//! ```

pub mod applicant;
pub mod cities;
pub mod codes;
pub mod date;
pub mod destroy_flow;
pub mod document;
pub mod effect;
pub mod ended;
pub mod facts;
pub mod field;
pub mod input;
pub mod model;
pub mod msg;
pub mod new_flow;
pub mod parts;
pub mod pin;
pub mod problems;
pub mod renew_flow;
pub mod save_flow;
pub mod screen;
pub mod secret;

use serde::{Deserialize, Serialize};

pub use applicant::{Applicant, ApplicantErrors, ApplicantKind, Field, FieldError, ValidApplicant};
pub use cities::{City, CityIndex, CityListError};
pub use codes::{FlowKind, StepCode};
pub use date::CivilDate;
pub use document::{Document, DocumentKind};
pub use effect::{Effect, RequestPlan};
pub use ended::Ending;
pub use facts::Facts;
pub use field::FieldId;
pub use input::{
    Answer, BankAnswer, Failure, FailureKind, Input, IssuedCertificate, Operation, Outcome,
    Presence,
};
pub use model::{
    BankInfo, CertificateView, Contacts, Der, FormDraft, KeptCertificate, KeyRef, KeyType, KeyView,
    PendingRecord, PickupRef, PinState, RequestKind, TokenView, TransactionId, Tries,
};
pub use msg::{Msg, Probe};
pub use pin::{
    FACTORY_ADMIN_PIN, FACTORY_USER_PIN, MIN_NEW_PIN_LEN, NewPin, Pin, PinLengths, PinPolicyError,
    PinRole, Weakness, check_new_pin, weakness,
};
pub use problems::{FieldProblem, PinProblem};
pub use screen::{
    Action, ActionKind, Level, Notice, Progress, Screen, TokenLine, TokenMark, Widget,
};

use destroy_flow::DestroyStep;
use ended::Ended;
use facts::Cx;
use new_flow::NewStep;
use renew_flow::RenewStep;
use save_flow::SaveStep;

/// What a flow starts with.
#[derive(Debug, Clone)]
pub struct Start {
    /// A short code shown in the header of every screen, for support on the phone.
    pub session: String,
    /// Today, as the runtime's clock says.
    pub today: CivilDate,
    /// The banks to choose from.
    pub banks: Vec<BankInfo>,
    /// The bank given (by agentId), if any.
    pub bank: Option<u32>,
    /// Requests known to wait at a bank (the local records).
    pub pending: Vec<PendingRecord>,
    /// The N2.3 form as typed in an earlier run that never sent its request.
    pub draft: Option<FormDraft>,
    /// The city list of the application form (N2.3); empty leaves the city free text.
    pub cities: CityIndex,
    /// What the preflight before the flow warns of ([`Msg::PreflightWarning`]), shown at
    /// the flow's first step (N2.1, R2.1).
    pub warnings: Vec<Msg>,
}

/// The wizard: which flow, where in it, and what is known so far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Wizard {
    flow: FlowKind,
    step: Step,
    facts: Facts,
    /// Not journalled: given again with [`Wizard::set_cities`] after reading one back.
    #[serde(skip)]
    cities: CityIndex,
}

impl Wizard {
    fn begin(
        start: Start,
        flow: FlowKind,
        step: impl FnOnce(&Facts) -> (Step, Vec<Effect>),
    ) -> (Wizard, Vec<Effect>) {
        let bank = start
            .bank
            .and_then(|id| start.banks.iter().find(|b| b.agent_id == id).cloned())
            .or_else(|| match start.banks.as_slice() {
                [only] => Some(only.clone()),
                _ => None,
            });
        let facts = Facts {
            session: start.session,
            today: start.today,
            banks: start.banks,
            bank,
            tokens: Vec::new(),
            seen: Vec::new(),
            pending: start.pending,
            draft: start.draft,
            warnings: start.warnings,
        };
        let (step, mut effects) = step(&facts);
        effects.insert(0, Effect::ListTokens);
        let wizard = Wizard {
            flow,
            step,
            facts,
            cities: start.cities,
        };
        (wizard, effects)
    }

    /// The new-certificate flow (N2.1-N2.7).
    pub fn new_flow(start: Start) -> (Wizard, Vec<Effect>) {
        Self::begin(start, FlowKind::New, |facts| {
            (Step::New(NewStep::start(facts)), Vec::new())
        })
    }

    /// The renewal onto a Rutoken ECP 2.0 (R2.1-R2.8).
    pub fn renew_flow(start: Start) -> (Wizard, Vec<Effect>) {
        Self::begin(start, FlowKind::Renew, |facts| {
            (Step::Renew(RenewStep::start(facts)), Vec::new())
        })
    }

    /// Saving the certificate of an e-mailed link (N2.9-N2.10, R2.10-R2.12). The
    /// local record of the link's request, if among `start.pending`, tells which flow
    /// the request came from, and holds the certificate once it was fetched.
    pub fn save_flow(link: PickupRef, mut start: Start) -> (Wizard, Vec<Effect>) {
        start.bank = Some(link.agent_id);
        let record = start
            .pending
            .iter()
            .find(|p| p.agent_id == link.agent_id && p.transaction == link.transaction)
            .cloned();
        // A certificate whose act the bank already confirmed is finished from the copy
        // kept on this computer: nothing is left to ask or sign.
        let kept = record
            .as_ref()
            .filter(|r| r.accepted())
            .and_then(|r| r.kept.clone());
        let (mut wizard, effects) = Self::begin(start, FlowKind::Save, |_| match kept {
            Some(kept) => SaveStep::issued(
                link.clone(),
                record,
                IssuedCertificate {
                    certificate: kept.certificate,
                    implicit_confirm: false,
                },
            ),
            None => SaveStep::fetch(link.clone(), record),
        });
        if wizard.facts.bank.is_none() {
            wizard.facts.bank = Some(BankInfo::unknown(link.agent_id));
        }
        (wizard, effects)
    }

    /// Destroying the old key after a renewal (R2.13).
    pub fn destroy_old_key_flow(start: Start) -> (Wizard, Vec<Effect>) {
        Self::begin(start, FlowKind::DestroyOldKey, |_| {
            (Step::DestroyOldKey(DestroyStep::start()), Vec::new())
        })
    }

    /// Gives the city list again after the wizard was read back from a journal.
    pub fn set_cities(&mut self, cities: CityIndex) {
        self.cities = cities;
    }

    /// The only way the state changes: takes one input, returns the effects to run, in
    /// order.
    pub fn handle(&mut self, input: Input) -> Vec<Effect> {
        if let Input::Token(presence) = &input {
            self.facts.observe(presence);
        }
        if matches!(input, Input::Person(Answer::Cancel))
            && !self.step.is_busy()
            && !self.is_finished()
        {
            let at = self.code();
            let (step, effects) = Step::end(at, self.step.flow(), Ending::Cancelled);
            self.step = step;
            return effects;
        }
        let placeholder = Step::Ended(ended::Ended {
            at: self.code(),
            flow: self.flow,
            ending: Ending::Cancelled,
        });
        let step = std::mem::replace(&mut self.step, placeholder);
        let mut cx = Cx {
            facts: &mut self.facts,
            cities: &self.cities,
        };
        let (step, effects) = step.handle(input, &mut cx);
        self.step = step;
        self.flow = self.step.flow();
        effects
    }

    /// What the person sees now.
    pub fn screen(&self) -> Screen {
        let mut screen = self.step.screen(&self.facts, &self.cities);
        if !self.step.is_busy() && !self.is_finished() {
            screen.actions.push(Action {
                kind: ActionKind::Cancel,
                label: crate::msg::Msg::ActionCancel,
            });
        }
        screen
    }

    /// The bank's code of the current step.
    pub fn code(&self) -> StepCode {
        self.step.code()
    }

    pub fn flow(&self) -> FlowKind {
        self.flow
    }

    pub fn step(&self) -> &Step {
        &self.step
    }

    pub fn facts(&self) -> &Facts {
        &self.facts
    }

    /// How the flow ended, once it has.
    pub fn ending(&self) -> Option<&Ending> {
        match &self.step {
            Step::Ended(e) => Some(&e.ending),
            _ => None,
        }
    }

    pub fn is_finished(&self) -> bool {
        self.ending().is_some()
    }

    /// An effect is under way (the screen shows progress, nothing to answer).
    pub fn is_busy(&self) -> bool {
        self.step.is_busy()
    }
}

/// [`Step`]: where the wizard is. One variant per flow, each flow an enum of the bank's
/// steps with the state each needs; `Ended` once a flow is over. It lives here, above the
/// flows, because every flow leads into it and it leads into every flow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "flow", content = "step", rename_all = "snake_case")]
pub enum Step {
    New(NewStep),
    Renew(RenewStep),
    Save(SaveStep),
    DestroyOldKey(DestroyStep),
    Ended(Ended),
}

/// The step after an input, and the effects to run.
pub type Next = (Step, Vec<Effect>);

impl Step {
    pub fn flow(&self) -> FlowKind {
        match self {
            Step::New(_) => FlowKind::New,
            Step::Renew(_) => FlowKind::Renew,
            Step::Save(_) => FlowKind::Save,
            Step::DestroyOldKey(_) => FlowKind::DestroyOldKey,
            Step::Ended(e) => e.flow,
        }
    }

    pub fn code(&self) -> StepCode {
        match self {
            Step::New(s) => s.code(),
            Step::Renew(s) => s.code(),
            Step::Save(s) => s.code(),
            Step::DestroyOldKey(_) => StepCode::R2_13,
            Step::Ended(e) => e.at,
        }
    }

    /// An effect is under way: the person waits, and cannot cancel in the middle.
    pub fn is_busy(&self) -> bool {
        match self {
            Step::New(s) => s.is_busy(),
            Step::Renew(s) => s.is_busy(),
            Step::Save(s) => s.is_busy(),
            Step::DestroyOldKey(s) => s.is_busy(),
            Step::Ended(_) => false,
        }
    }

    pub fn handle(self, input: Input, cx: &mut Cx<'_>) -> Next {
        match self {
            Step::New(s) => s.handle(input, cx),
            Step::Renew(s) => s.handle(input, cx),
            Step::Save(s) => s.handle(input, cx),
            Step::DestroyOldKey(s) => s.handle(input, cx),
            ended @ Step::Ended(_) => (ended, Vec::new()),
        }
    }

    pub fn screen(&self, facts: &Facts, cities: &CityIndex) -> Screen {
        match self {
            Step::New(s) => s.screen(facts, cities),
            Step::Renew(s) => s.screen(facts),
            Step::Save(s) => s.screen(facts),
            Step::DestroyOldKey(s) => s.screen(facts),
            Step::Ended(e) => e.screen(facts),
        }
    }

    /// The flow ends here, with the effects that close it.
    pub fn end(at: StepCode, flow: FlowKind, ending: Ending) -> Next {
        (
            Step::Ended(Ended {
                at,
                flow,
                ending: ending.clone(),
            }),
            vec![Effect::Finish(ending)],
        )
    }

    /// The pickup of a request recorded earlier (N2.9, R2.11): where a waiting request
    /// offered again at N2.1 or R2.1 leads.
    pub(crate) fn pickup(record: PendingRecord) -> Next {
        SaveStep::fetch(record.pickup(), Some(record))
    }
}
