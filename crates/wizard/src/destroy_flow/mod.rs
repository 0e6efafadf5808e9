//! R2.13: "After the first payment order signed with the new key has gone through,
//! destroy the old key." A flow of its own, guarded, never automatic:
//! - only an old key whose owner has a newer certificate on ANOTHER token is offered
//!   (the wizard must have seen both tokens; one after the other is fine);
//! - two explicit confirmations: that a payment signed with the new key went through,
//!   then the old carrier's serial typed again;
//! - the old carrier's PIN, and only then the key (and its certificate) is deleted.

use serde::{Deserialize, Serialize};

use crate::codes::FlowKind;
use crate::codes::StepCode;
use crate::date::CivilDate;
use crate::effect::Effect;
use crate::ended::Ending;
use crate::facts::{Cx, Facts};
use crate::field::FieldId;
use crate::input::{Answer, Input, Operation, Outcome, Presence};
use crate::model::{CertificateView, KeyRef, KeyView, SERIAL_TAIL_LEN, confirms_serial};
use crate::msg::Msg;
use crate::parts::key::failure_notice;
use crate::parts::pins::{PinEntry, PinNotice, PinStep};
use crate::screen::{Action, ActionKind, Level, Notice, Progress, Screen, TokenMark, Widget};
use crate::{Next, Step};

/// An old key that may go: its certificate has a successor on another token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    pub old_key: KeyRef,
    pub old_certificate: CertificateView,
    pub new_token: String,
    pub new_certificate: CertificateView,
}

/// Whether `new` replaces `old`: the same subject from the same bank (issuer), another
/// certificate, issued later (to the second where both say when; a renewal may come the
/// same day), else valid later.
fn replaces(new: &CertificateView, old: &CertificateView) -> bool {
    let later = match (
        new.issued_at,
        old.issued_at,
        new.valid_until,
        old.valid_until,
    ) {
        (Some(n), Some(o), _, _) => n > o,
        (_, _, Some(n), Some(o)) => n > o,
        _ => matches!((new.valid_from, old.valid_from), (Some(n), Some(o)) if n > o),
    };
    new.same_subject(old) && new.issuer == old.issuer && new.serial != old.serial && later
}

/// Whether the certificate stored with `key` can take over from the old one today: it is
/// valid now and it is the certificate of this very key (its public key is the key's).
/// Only then is the old key safe to destroy.
fn usable_successor(key: &KeyView, new: &CertificateView, today: CivilDate) -> bool {
    let valid = matches!(
        (new.valid_from, new.valid_until),
        (Some(from), Some(until)) if from <= today && today <= until
    );
    let own_key = key.public_key.is_some() && key.public_key == new.public_key;
    valid && own_key
}

/// Every old key of the tokens seen whose certificate was replaced by one on another
/// token, paired by the certificates themselves: the successor renews the old one
/// ([`replaces`]) and is usable on its token now ([`usable_successor`]).
pub fn candidates(facts: &Facts) -> Vec<Candidate> {
    let mut found = Vec::new();
    for old_token in &facts.seen {
        for (key, cert) in old_token.certified_keys() {
            let successor = facts
                .seen
                .iter()
                .filter(|t| t.serial != old_token.serial)
                .find_map(|t| {
                    t.certified_keys()
                        .find(|(k, c)| replaces(c, cert) && usable_successor(k, c, facts.today))
                        .map(|(_, c)| (t.serial.clone(), c.clone()))
                });
            if let Some((new_token, new_certificate)) = successor {
                found.push(Candidate {
                    old_key: KeyRef {
                        serial: old_token.serial.clone(),
                        key_id: key.id.clone(),
                    },
                    old_certificate: cert.clone(),
                    new_token,
                    new_certificate,
                });
            }
        }
    }
    found
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "phase", rename_all = "snake_case")]
pub enum DestroyStep {
    /// Which old key.
    Find {
        selected: Option<usize>,
    },
    /// First confirmation: a payment signed with the new key went through.
    ConfirmPayment {
        target: Candidate,
        ticked: bool,
    },
    /// Second confirmation: the old carrier's serial typed again.
    ConfirmDestroy {
        target: Candidate,
        typed: String,
        mismatch: bool,
    },
    Pin {
        target: Candidate,
        entry: PinEntry,
    },
    Deleting {
        target: Candidate,
    },
}

fn stay(s: DestroyStep) -> Next {
    (Step::DestroyOldKey(s), Vec::new())
}

fn candidate_msg(c: &Candidate) -> Msg {
    Msg::DestroyCandidate {
        owner: c.old_certificate.owner.clone(),
        old_serial: c.old_key.serial.clone(),
        old_valid_until: c.old_certificate.valid_until,
        new_serial: c.new_token.clone(),
        new_valid_until: c.new_certificate.valid_until,
    }
}

impl DestroyStep {
    pub fn start() -> DestroyStep {
        DestroyStep::Find { selected: None }
    }

    pub fn is_busy(&self) -> bool {
        match self {
            DestroyStep::Pin { entry, .. } => entry.is_busy(),
            DestroyStep::Deleting { .. } => true,
            _ => false,
        }
    }

    pub fn handle(self, input: Input, cx: &mut Cx<'_>) -> Next {
        let facts = &mut *cx.facts;
        match self {
            DestroyStep::Find { selected } => {
                let all = candidates(facts);
                match input {
                    Input::Person(Answer::Choose(i)) if i < all.len() => {
                        stay(DestroyStep::Find { selected: Some(i) })
                    }
                    Input::Person(Answer::Next) => {
                        let pick = match (all.len(), selected) {
                            (1, _) => all.into_iter().next(),
                            (_, Some(i)) => all.into_iter().nth(i),
                            _ => None,
                        };
                        match pick {
                            Some(target) => stay(DestroyStep::ConfirmPayment {
                                target,
                                ticked: false,
                            }),
                            None => stay(DestroyStep::Find { selected }),
                        }
                    }
                    _ => stay(DestroyStep::Find { selected }),
                }
            }
            DestroyStep::ConfirmPayment { target, ticked } => match input {
                Input::Person(Answer::Tick {
                    field: FieldId::PaymentWentThrough,
                    on,
                }) => stay(DestroyStep::ConfirmPayment { target, ticked: on }),
                Input::Person(Answer::Confirm) if ticked => stay(DestroyStep::ConfirmDestroy {
                    target,
                    typed: String::new(),
                    mismatch: false,
                }),
                Input::Person(Answer::Back) => stay(DestroyStep::start()),
                _ => stay(DestroyStep::ConfirmPayment { target, ticked }),
            },
            DestroyStep::ConfirmDestroy {
                target,
                typed,
                mismatch,
            } => match input {
                Input::Person(Answer::Edit {
                    field: FieldId::SerialTail,
                    value,
                }) => stay(DestroyStep::ConfirmDestroy {
                    target,
                    typed: value.chars().take(64).collect(),
                    mismatch: false,
                }),
                Input::Person(Answer::Confirm) => {
                    let serial = &target.old_key.serial;
                    if confirms_serial(&typed, serial) {
                        let entry = PinEntry::new(serial.clone());
                        stay(DestroyStep::Pin { target, entry })
                    } else {
                        stay(DestroyStep::ConfirmDestroy {
                            target,
                            typed,
                            mismatch: true,
                        })
                    }
                }
                Input::Person(Answer::Back) => stay(DestroyStep::ConfirmPayment {
                    target,
                    ticked: false,
                }),
                _ => stay(DestroyStep::ConfirmDestroy {
                    target,
                    typed,
                    mismatch,
                }),
            },
            DestroyStep::Pin { target, mut entry } => match entry.handle(input, facts) {
                PinStep::Stay(effects) => (
                    Step::DestroyOldKey(DestroyStep::Pin { target, entry }),
                    effects,
                ),
                PinStep::Locked(role) => Step::end(
                    StepCode::R2_13,
                    FlowKind::DestroyOldKey,
                    Ending::PinLocked { role },
                ),
                PinStep::Done => {
                    let still_there = facts
                        .token(&target.old_key.serial)
                        .is_some_and(|t| t.key(&target.old_key.key_id).is_some());
                    if !still_there {
                        // Deleted meanwhile by other means: nothing left to do.
                        return Step::end(
                            StepCode::R2_13,
                            FlowKind::DestroyOldKey,
                            Ending::OldKeyDestroyed,
                        );
                    }
                    let effect = Effect::DeleteKey {
                        serial: target.old_key.serial.clone(),
                        key_id: target.old_key.key_id.clone(),
                    };
                    (
                        Step::DestroyOldKey(DestroyStep::Deleting { target }),
                        vec![effect],
                    )
                }
            },
            DestroyStep::Deleting { target } => match input {
                Input::Done(Outcome::KeyDeleted { serial, key_id })
                    if serial == target.old_key.serial && key_id == target.old_key.key_id =>
                {
                    Step::end(
                        StepCode::R2_13,
                        FlowKind::DestroyOldKey,
                        Ending::OldKeyDestroyed,
                    )
                }
                Input::Done(Outcome::Failed(f)) if f.during == Operation::DeleteKey => {
                    let entry =
                        PinEntry::again(target.old_key.serial.clone(), failure_notice(f.kind));
                    stay(DestroyStep::Pin { target, entry })
                }
                Input::Token(Presence::Removed { serial }) if serial == target.old_key.serial => {
                    let entry = PinEntry::again(serial, PinNotice::Removed);
                    stay(DestroyStep::Pin { target, entry })
                }
                _ => stay(DestroyStep::Deleting { target }),
            },
        }
    }

    pub fn screen(&self, facts: &Facts) -> Screen {
        let mut screen = facts.screen(StepCode::R2_13, FlowKind::DestroyOldKey, Msg::DestroyTitle);
        let back = Action {
            kind: ActionKind::Back,
            label: Msg::ActionBack,
        };
        match self {
            DestroyStep::Find { selected } => {
                screen.body.push(Msg::DestroyExplain);
                let all = candidates(facts);
                if all.is_empty() {
                    screen.body.push(Msg::DestroyNeedBoth);
                    screen.awaiting = Some(Msg::InsertBothTokens);
                } else {
                    screen.choices = all.iter().map(candidate_msg).collect();
                    if all.len() == 1 || selected.is_some_and(|i| i < all.len()) {
                        screen.actions.push(Action {
                            kind: ActionKind::Next,
                            label: Msg::ActionNext,
                        });
                    }
                }
            }
            DestroyStep::ConfirmPayment { target, ticked } => {
                screen.body.push(candidate_msg(target));
                screen.body.push(Msg::DestroyOnlyAfterPayment);
                screen.fields.push(Widget::Checkbox {
                    id: FieldId::PaymentWentThrough,
                    label: Msg::FieldLabel {
                        field: FieldId::PaymentWentThrough,
                    },
                    checked: *ticked,
                    hint: None,
                });
                if *ticked {
                    screen.actions.push(Action {
                        kind: ActionKind::Confirm,
                        label: Msg::ActionConfirm,
                    });
                }
                screen.actions.push(back);
            }
            DestroyStep::ConfirmDestroy {
                target,
                typed,
                mismatch,
                ..
            } => {
                screen.body.push(candidate_msg(target));
                screen.notice = Some(Notice::new(
                    Level::Danger,
                    Msg::DestroyIrreversible {
                        serial: target.old_key.serial.clone(),
                    },
                ));
                let model = facts
                    .seen_token(&target.old_key.serial)
                    .map(|t| t.model.clone())
                    .unwrap_or_default();
                screen.fields.push(Widget::Text {
                    id: FieldId::SerialTail,
                    label: Msg::FieldSerialTail {
                        count: SERIAL_TAIL_LEN as u32,
                    },
                    value: typed.clone(),
                    required: true,
                    read_only: false,
                    error: mismatch.then(|| Msg::SerialTailMismatch {
                        serial: target.old_key.serial.clone(),
                    }),
                    hint: Some(Msg::SerialTailHint {
                        model,
                        serial: target.old_key.serial.clone(),
                    }),
                    suggestions: Vec::new(),
                });
                screen.actions.push(Action {
                    kind: ActionKind::Confirm,
                    label: Msg::ActionDestroy,
                });
                screen.actions.push(back);
            }
            DestroyStep::Pin { target, entry } => {
                screen.body.push(candidate_msg(target));
                entry.show(facts, &mut screen, Msg::FieldOldPinLogin);
            }
            DestroyStep::Deleting { .. } => {
                screen.tokens = facts.token_lines(|_| TokenMark::Chosen);
                screen.progress = Some(Progress::Working {
                    label: Msg::DestroyingKey,
                });
            }
        }
        screen
    }
}

#[cfg(test)]
mod tests {
    use super::{replaces, usable_successor};
    use crate::{CertificateView, CivilDate, Der, KeyType, KeyView};

    fn date(y: i32, m: u8, d: u8) -> CivilDate {
        CivilDate::new(y, m, d).expect("a valid date")
    }

    /// A certificate of one owner from one bank; `key` names its public key.
    fn certificate(serial: &str, from: CivilDate, until: CivilDate, key: &str) -> CertificateView {
        CertificateView {
            subject: "C=RU, CN=Иванов Иван Иванович".into(),
            owner: Some("Иванов Иван Иванович".into()),
            organization: None,
            issuer: "CN=Test CA".into(),
            serial: serial.into(),
            valid_from: Some(from),
            valid_until: Some(until),
            issued_at: None,
            email: None,
            phone: None,
            public_key: Some(format!("fp-{key}")),
            der: Der(serial.as_bytes().to_vec()),
        }
    }

    fn key(id: &str) -> KeyView {
        KeyView {
            id: id.into(),
            label: "smartkey".into(),
            algorithm: Some(KeyType::Gost2012_256),
            public_key: Some(format!("fp-{id}")),
            certificate: None,
        }
    }

    #[test]
    fn only_a_valid_certificate_of_the_same_bank_for_its_own_key_takes_over() {
        let old = certificate("01aa", date(2024, 4, 4), date(2025, 4, 4), "old");
        let new = certificate("02bb", date(2025, 3, 1), date(2026, 3, 1), "new");
        let its_key = key("new");
        let today = date(2025, 3, 14);
        assert!(replaces(&new, &old) && usable_successor(&its_key, &new, today));
        // Another bank's certificate of the same person renews nothing here.
        let mut foreign = new.clone();
        foreign.issuer = "CN=Another bank CA".into();
        assert!(!replaces(&foreign, &old));
        // Not valid yet, or no longer.
        assert!(!usable_successor(&its_key, &new, date(2025, 2, 28)));
        assert!(!usable_successor(&its_key, &new, date(2026, 3, 2)));
        // Stored next to a key that is not its own.
        let other_key = key("zz");
        assert!(!usable_successor(&other_key, &new, today));
        let mut unknown = its_key.clone();
        unknown.public_key = None;
        assert!(!usable_successor(&unknown, &new, today));
    }

    #[test]
    fn a_renewal_issued_the_same_day_replaces_the_old_certificate_and_not_the_reverse() {
        let day = date(2026, 11, 23);
        let until = date(2027, 11, 23);
        let mut old = certificate("01aa", day, until, "old");
        let mut new = certificate("02bb", day, until, "new");
        old.issued_at = Some(1_795_392_000);
        new.issued_at = Some(1_795_392_600);
        assert!(replaces(&new, &old));
        assert!(!replaces(&old, &new));
        assert!(!replaces(&new, &new), "a certificate never replaces itself");
        // Without times, the dates decide: the same day is not later.
        old.issued_at = None;
        assert!(!replaces(&new, &old) && !replaces(&old, &new));
    }
}
