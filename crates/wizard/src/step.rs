//! [`Step`]: where the wizard is. One variant per flow, each flow an enum of the bank's
//! steps with the state each needs; `Ended` once a flow is over.

use serde::{Deserialize, Serialize};

use super::cities::CityIndex;
use super::codes::StepCode;
use super::destroy_flow::DestroyStep;
use super::effect::Effect;
use super::ended::{Ended, Ending};
use super::facts::{Cx, Facts};
use super::input::Input;
use super::new_flow::NewStep;
use super::renew_flow::RenewStep;
use super::save_flow::SaveStep;
use super::screen::{FlowKind, Screen};

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
}
