//! N2.3: the application form, every field the bank asks for, checked as it is typed,
//! then reviewed as a whole ("check everything again, then Next").
//!
//! A field shows its problem once it was edited, and every problem shows once Next was
//! pressed. The form goes on only when [`Applicant::validate`] accepts it; the city
//! comes from the list (typed first letters, then a suggestion picked), KIO stays empty
//! as the bank says.

use serde::{Deserialize, Serialize};

use crate::applicant::Applicant;
use crate::cities::CityIndex;
use crate::codes::FlowKind;
use crate::codes::StepCode;
use crate::effect::Effect;
use crate::facts::{Cx, Facts};
use crate::field::FieldId;
use crate::input::{Answer, Input};
use crate::model::{FormDraft, KeyType};
use crate::msg::Msg;
use crate::parts::checks;
use crate::problems::FieldProblem;
use crate::screen::{Action, ActionKind, Level, Notice, Screen, Widget};
use crate::{Next, Step};

use super::{NewStep, Order, pins};

/// The longest text a field keeps; more is cut off.
const FIELD_MAX: usize = 512;
/// How many cities are suggested at once.
const SUGGESTIONS: usize = 8;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormStep {
    /// The bank's agentId.
    pub agent_id: u32,
    /// The token chosen at N2.2.
    pub token: String,
    pub key_type: KeyType,
    pub applicant: Applicant,
    /// Fields edited at least once: their problems show.
    pub touched: Vec<FieldId>,
    /// Next was pressed: every problem shows.
    pub submitted: bool,
    /// The whole form is shown for a last check.
    pub review: bool,
    /// Problems the final check found beyond the field checks.
    pub final_problems: Vec<(FieldId, FieldProblem)>,
    /// Filled in from the draft an earlier run left (until the person edits it).
    #[serde(default)]
    pub restored: bool,
}

/// The form's text fields.
const TEXT_FIELDS: [FieldId; 10] = [
    FieldId::Surname,
    FieldId::GivenName,
    FieldId::Patronymic,
    FieldId::Organization,
    FieldId::Inn,
    FieldId::Document,
    FieldId::City,
    FieldId::Address,
    FieldId::Phone,
    FieldId::Email,
];

/// The key types the bank issues (the form's first field).
fn key_types(facts: &Facts) -> Vec<KeyType> {
    match &facts.bank {
        Some(b) if !b.key_types.is_empty() => b.key_types.clone(),
        _ => vec![KeyType::Rsa2048],
    }
}

fn suggestions<'c>(cities: &'c CityIndex, typed: &str) -> Vec<&'c crate::cities::City> {
    cities.search(typed, SUGGESTIONS)
}

impl FormStep {
    pub fn new(token: String, agent_id: u32, key_type: KeyType) -> FormStep {
        FormStep {
            agent_id,
            token,
            key_type,
            applicant: Applicant {
                legal_entity: true,
                country: "RU".into(),
                ..Applicant::default()
            },
            touched: Vec::new(),
            submitted: false,
            review: false,
            final_problems: Vec::new(),
            restored: false,
        }
    }

    /// The form as an earlier run left it: every field typed shows its problems.
    pub fn restored(token: String, draft: &FormDraft) -> FormStep {
        let mut step = FormStep::new(token, draft.agent_id, draft.key_type);
        step.applicant = draft.applicant.clone();
        step.restored = true;
        for field in TEXT_FIELDS {
            if step.text_mut(field).is_some_and(|t| !t.is_empty()) {
                step.touched.push(field);
            }
        }
        step
    }

    /// What is typed so far, to keep (no PIN is on this form).
    pub fn draft(&self) -> FormDraft {
        FormDraft {
            agent_id: self.agent_id,
            key_type: self.key_type,
            applicant: self.applicant.clone(),
        }
    }

    /// Stays, keeping the form as it now is.
    fn changed(mut self) -> Next {
        self.restored = false;
        let effect = Effect::SaveDraft(self.draft());
        (Step::New(NewStep::Form(self)), vec![effect])
    }

    fn text_mut(&mut self, field: FieldId) -> Option<&mut String> {
        let a = &mut self.applicant;
        Some(match field {
            FieldId::Surname => &mut a.surname,
            FieldId::GivenName => &mut a.given_name,
            FieldId::Patronymic => &mut a.patronymic,
            FieldId::Organization => &mut a.organization,
            FieldId::Inn => &mut a.inn,
            FieldId::Document => &mut a.document,
            FieldId::City => &mut a.city,
            FieldId::Address => &mut a.address,
            FieldId::Phone => &mut a.phone,
            FieldId::Email => &mut a.email,
            _ => return None,
        })
    }

    fn touch(&mut self, field: FieldId) {
        if !self.touched.contains(&field) {
            self.touched.push(field);
        }
        self.final_problems.retain(|(f, _)| *f != field);
    }

    fn stay(self) -> Next {
        (Step::New(NewStep::Form(self)), Vec::new())
    }

    pub fn handle(mut self, input: Input, cx: &mut Cx<'_>) -> Next {
        let Input::Person(answer) = input else {
            return self.stay();
        };
        if self.review {
            return match answer {
                Answer::Next => pins::first(
                    Order {
                        agent_id: self.agent_id,
                        token: self.token,
                        key_type: self.key_type,
                        applicant: self.applicant,
                    },
                    cx.facts,
                ),
                Answer::Back => {
                    self.review = false;
                    self.stay()
                }
                _ => self.stay(),
            };
        }
        match answer {
            Answer::Edit { field, value } => {
                let value: String = value.chars().take(FIELD_MAX).collect();
                match self.text_mut(field) {
                    Some(text) if *text != value => {
                        *text = value;
                        self.touch(field);
                        self.changed()
                    }
                    _ => self.stay(),
                }
            }
            Answer::Tick {
                field: FieldId::LegalEntity,
                on,
            } => {
                self.applicant.legal_entity = on;
                self.touch(FieldId::LegalEntity);
                self.changed()
            }
            Answer::Select {
                field: FieldId::KeyType,
                index,
            } => match key_types(cx.facts).get(index) {
                Some(k) => {
                    self.key_type = *k;
                    self.changed()
                }
                None => self.stay(),
            },
            Answer::Select {
                field: FieldId::Country,
                index: 0,
            } => {
                self.applicant.country = "RU".into();
                self.touch(FieldId::Country);
                self.changed()
            }
            Answer::Select {
                field: FieldId::City,
                index,
            } => {
                let picked = suggestions(cx.cities, &self.applicant.city)
                    .get(index)
                    .map(|c| c.name.clone());
                match picked {
                    Some(name) => {
                        self.applicant.city = name;
                        self.touch(FieldId::City);
                        self.changed()
                    }
                    None => self.stay(),
                }
            }
            Answer::Next => {
                self.submitted = true;
                self.final_problems.clear();
                if !checks::form(&self.applicant, cx.cities).is_empty() {
                    return self.stay();
                }
                match self.applicant.validate() {
                    Ok(valid) => {
                        let mut applicant = valid.applicant().clone();
                        if let Some(city) = cx.cities.find(&applicant.city) {
                            applicant.city = city.name.clone();
                        }
                        self.applicant = applicant;
                        self.review = true;
                    }
                    Err(errors) => {
                        self.final_problems = errors
                            .0
                            .iter()
                            .map(|e| {
                                (
                                    checks::field_id(e.field).unwrap_or(FieldId::Organization),
                                    FieldProblem::Other {
                                        detail: e.to_string(),
                                    },
                                )
                            })
                            .collect();
                    }
                }
                self.stay()
            }
            Answer::Back => (Step::New(NewStep::token_keeping(self)), Vec::new()),
            _ => self.stay(),
        }
    }

    pub fn screen(&self, facts: &Facts, cities: &CityIndex) -> Screen {
        let mut screen = facts.screen(StepCode::N2_3, FlowKind::New, Msg::FormTitle);
        let problems = if self.review {
            Vec::new()
        } else {
            let mut p = checks::form(&self.applicant, cities);
            p.extend(self.final_problems.iter().cloned());
            p
        };
        let shown = |field: FieldId| {
            if self.submitted || self.touched.contains(&field) {
                problems
                    .iter()
                    .find(|(f, _)| *f == field)
                    .map(|(_, p)| Msg::FieldProblem {
                        field,
                        problem: p.clone(),
                    })
            } else {
                None
            }
        };
        let read_only = self.review;
        let a = &self.applicant;
        let text = |id: FieldId, value: &str, required: bool, hint: Option<Msg>| Widget::Text {
            id,
            label: Msg::FieldLabel { field: id },
            value: value.to_string(),
            required,
            read_only,
            error: shown(id),
            hint,
            suggestions: Vec::new(),
        };
        let types = key_types(facts);
        let city_suggestions = if read_only || cities.find(&a.city).is_some() {
            Vec::new()
        } else {
            suggestions(cities, &a.city)
                .into_iter()
                .map(|c| match &c.region {
                    Some(r) if *r != c.name => format!("{} ({r})", c.name),
                    _ => c.name.clone(),
                })
                .collect()
        };
        screen.fields = vec![
            Widget::Options {
                id: FieldId::KeyType,
                label: Msg::FieldLabel {
                    field: FieldId::KeyType,
                },
                options: types
                    .iter()
                    .map(|k| Msg::KeyTypeName { key_type: *k })
                    .collect(),
                selected: types.iter().position(|k| *k == self.key_type),
            },
            text(FieldId::Surname, &a.surname, true, Some(Msg::HintOwnerName)),
            text(FieldId::GivenName, &a.given_name, true, None),
            text(FieldId::Patronymic, &a.patronymic, false, None),
            Widget::Checkbox {
                id: FieldId::LegalEntity,
                label: Msg::FieldLabel {
                    field: FieldId::LegalEntity,
                },
                checked: a.legal_entity,
                hint: Some(Msg::HintLegalEntity),
            },
            text(
                FieldId::Organization,
                &a.organization,
                a.legal_entity,
                Some(Msg::HintOrganization),
            ),
            text(FieldId::Inn, &a.inn, true, Some(Msg::HintInn)),
            Widget::Text {
                id: FieldId::Kio,
                label: Msg::FieldLabel {
                    field: FieldId::Kio,
                },
                value: String::new(),
                required: false,
                read_only: true,
                error: None,
                hint: Some(Msg::HintKio),
                suggestions: Vec::new(),
            },
            text(
                FieldId::Document,
                &a.document,
                true,
                Some(Msg::HintDocument),
            ),
            Widget::Options {
                id: FieldId::Country,
                label: Msg::FieldLabel {
                    field: FieldId::Country,
                },
                options: vec![Msg::CountryRussia],
                selected: (a.country == "RU").then_some(0),
            },
            Widget::Text {
                id: FieldId::City,
                label: Msg::FieldLabel {
                    field: FieldId::City,
                },
                value: a.city.clone(),
                required: true,
                read_only,
                error: shown(FieldId::City),
                hint: Some(Msg::HintCity),
                suggestions: city_suggestions,
            },
            text(FieldId::Address, &a.address, true, Some(Msg::HintAddress)),
            text(FieldId::Phone, &a.phone, true, Some(Msg::HintPhone)),
            text(FieldId::Email, &a.email, true, Some(Msg::HintEmail)),
        ];
        if self.review {
            screen.body.push(Msg::FormReview);
            screen.actions.push(Action {
                kind: ActionKind::Next,
                label: Msg::ActionAllCorrect,
            });
            screen.actions.push(Action {
                kind: ActionKind::Back,
                label: Msg::ActionCorrect,
            });
        } else {
            screen.body.push(Msg::FormIntro);
            if self.restored {
                screen.notice = Some(Notice::new(Level::Info, Msg::FormDraftRestored));
            }
            if self.submitted && !problems.is_empty() {
                screen.notice = Some(Notice::new(
                    Level::Error,
                    Msg::FormHasProblems {
                        count: u32::try_from(problems.len()).unwrap_or(u32::MAX),
                    },
                ));
            }
            screen.actions.push(Action {
                kind: ActionKind::Next,
                label: Msg::ActionNext,
            });
            screen.actions.push(Action {
                kind: ActionKind::Back,
                label: Msg::ActionBack,
            });
        }
        screen
    }
}
