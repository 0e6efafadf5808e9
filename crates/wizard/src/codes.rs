//! The bank's step codes, in one table: the numbers of the bank's own instructions, shown
//! on every screen so that a support agent and a client on the phone say the same thing
//! ("you are at step 2.4"). `N` steps are the new-certificate instruction, `R` steps the
//! renewal onto a Rutoken ECP 2.0. Each step's logic lives in the module its doc names.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Which flow a screen, and a step code, belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowKind {
    /// A first certificate (N2.1-N2.7).
    New,
    /// The renewal onto a Rutoken ECP 2.0 (R2.1-R2.8).
    Renew,
    /// Saving the certificate from the e-mailed link (N2.9-N2.10, R2.10-R2.12).
    Save,
    /// Destroying the old key after the renewal (R2.13).
    DestroyOldKey,
}

/// A step of the bank's procedure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum StepCode {
    /// Start the request for the bank (`new_flow::bank`).
    #[serde(rename = "N2.1")]
    N2_1,
    /// Insert the smart key; only one (`new_flow::token`).
    #[serde(rename = "N2.2")]
    N2_2,
    /// The application form (`new_flow::form`).
    #[serde(rename = "N2.3")]
    N2_3,
    /// Change the default PIN (`new_flow::pins`).
    #[serde(rename = "N2.4")]
    N2_4,
    /// Change the default admin PIN (`new_flow::pins`).
    #[serde(rename = "N2.5")]
    N2_5,
    /// The new PIN; the key pair and the request (`new_flow::key`).
    #[serde(rename = "N2.6")]
    N2_6,
    /// The application document to sign and e-mail (`new_flow::document`).
    #[serde(rename = "N2.7")]
    N2_7,
    /// Waiting for the bank's e-mail; the 2-day and 3-day rules (`ended`).
    #[serde(rename = "N2.8")]
    N2_8,
    /// Save the certificate from the link (`save_flow::new_kind`).
    #[serde(rename = "N2.9")]
    N2_9,
    /// The acceptance act to print (`save_flow::new_kind`).
    #[serde(rename = "N2.10")]
    N2_10,
    /// Bring the signed papers to the bank (`ended`).
    #[serde(rename = "N2.11")]
    N2_11,
    /// Insert the current key carrier (`renew_flow::old_token`).
    #[serde(rename = "R2.1")]
    R2_1,
    /// The current PIN (`renew_flow::current`).
    #[serde(rename = "R2.2")]
    R2_2,
    /// The current certificate (`renew_flow::current`).
    #[serde(rename = "R2.3")]
    R2_3,
    /// Phone and e-mail; swap to the new Rutoken ECP 2.0 (`renew_flow::contacts`).
    #[serde(rename = "R2.4")]
    R2_4,
    /// Change the new token's default PIN (`renew_flow::pins`).
    #[serde(rename = "R2.5")]
    R2_5,
    /// Change the new token's default admin PIN (`renew_flow::pins`).
    #[serde(rename = "R2.6")]
    R2_6,
    /// The new PIN; the GOST key pair (`renew_flow::key`).
    #[serde(rename = "R2.7")]
    R2_7,
    /// Swap back; the request signed with the old key and sent (`renew_flow::swap_back`).
    #[serde(rename = "R2.8")]
    R2_8,
    /// Waiting for the bank's e-mail (`ended`).
    #[serde(rename = "R2.9")]
    R2_9,
    /// Sign the acceptance act with the old key (`save_flow::renewal_kind`).
    #[serde(rename = "R2.10")]
    R2_10,
    /// Save the certificate onto the new token (`save_flow::renewal_kind`).
    #[serde(rename = "R2.11")]
    R2_11,
    /// Check the new certificate (`save_flow::renewal_kind`).
    #[serde(rename = "R2.12")]
    R2_12,
    /// Destroy the old key, guarded (`destroy_flow`).
    #[serde(rename = "R2.13")]
    R2_13,
}

impl StepCode {
    /// Every code, in the bank's order.
    pub const ALL: [StepCode; 24] = [
        StepCode::N2_1,
        StepCode::N2_2,
        StepCode::N2_3,
        StepCode::N2_4,
        StepCode::N2_5,
        StepCode::N2_6,
        StepCode::N2_7,
        StepCode::N2_8,
        StepCode::N2_9,
        StepCode::N2_10,
        StepCode::N2_11,
        StepCode::R2_1,
        StepCode::R2_2,
        StepCode::R2_3,
        StepCode::R2_4,
        StepCode::R2_5,
        StepCode::R2_6,
        StepCode::R2_7,
        StepCode::R2_8,
        StepCode::R2_9,
        StepCode::R2_10,
        StepCode::R2_11,
        StepCode::R2_12,
        StepCode::R2_13,
    ];

    /// The steps a run of `flow` can show, in the bank's order: its own steps and the
    /// last screen it ends on. `Save` holds both kinds of pickup (N2.9-N2.11 for a first
    /// certificate, R2.10-R2.12 for a renewal; [`StepCode::is_renewal`] tells them
    /// apart); `new` and `renew` started again with a request waiting go on as `Save`.
    /// The fault tests are generated from these lists, so a new step is listed here.
    pub fn of_flow(flow: FlowKind) -> &'static [StepCode] {
        match flow {
            FlowKind::New => &[
                StepCode::N2_1,
                StepCode::N2_2,
                StepCode::N2_3,
                StepCode::N2_4,
                StepCode::N2_5,
                StepCode::N2_6,
                StepCode::N2_7,
                StepCode::N2_8,
            ],
            FlowKind::Renew => &[
                StepCode::R2_1,
                StepCode::R2_2,
                StepCode::R2_3,
                StepCode::R2_4,
                StepCode::R2_5,
                StepCode::R2_6,
                StepCode::R2_7,
                StepCode::R2_8,
                StepCode::R2_9,
            ],
            FlowKind::Save => &[
                StepCode::N2_9,
                StepCode::N2_10,
                StepCode::N2_11,
                StepCode::R2_10,
                StepCode::R2_11,
                StepCode::R2_12,
            ],
            FlowKind::DestroyOldKey => &[StepCode::R2_13],
        }
    }

    /// Whether the step belongs to the renewal's instruction (R) rather than the new
    /// certificate's (N).
    pub fn is_renewal(self) -> bool {
        self.as_str().starts_with('R')
    }

    /// The code as the bank writes it: "N2.4", "R2.13".
    pub fn as_str(self) -> &'static str {
        match self {
            StepCode::N2_1 => "N2.1",
            StepCode::N2_2 => "N2.2",
            StepCode::N2_3 => "N2.3",
            StepCode::N2_4 => "N2.4",
            StepCode::N2_5 => "N2.5",
            StepCode::N2_6 => "N2.6",
            StepCode::N2_7 => "N2.7",
            StepCode::N2_8 => "N2.8",
            StepCode::N2_9 => "N2.9",
            StepCode::N2_10 => "N2.10",
            StepCode::N2_11 => "N2.11",
            StepCode::R2_1 => "R2.1",
            StepCode::R2_2 => "R2.2",
            StepCode::R2_3 => "R2.3",
            StepCode::R2_4 => "R2.4",
            StepCode::R2_5 => "R2.5",
            StepCode::R2_6 => "R2.6",
            StepCode::R2_7 => "R2.7",
            StepCode::R2_8 => "R2.8",
            StepCode::R2_9 => "R2.9",
            StepCode::R2_10 => "R2.10",
            StepCode::R2_11 => "R2.11",
            StepCode::R2_12 => "R2.12",
            StepCode::R2_13 => "R2.13",
        }
    }
}

impl fmt::Display for StepCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_uses_the_banks_spelling() {
        for code in StepCode::ALL {
            let json = serde_json::to_string(&code).expect("serialises");
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            let back: StepCode = serde_json::from_str(&json).expect("reads back");
            assert_eq!(back, code);
        }
    }

    #[test]
    fn every_code_belongs_to_exactly_one_flow_in_the_banks_order() {
        let flows = [
            FlowKind::New,
            FlowKind::Renew,
            FlowKind::Save,
            FlowKind::DestroyOldKey,
        ];
        for code in StepCode::ALL {
            let owners: Vec<_> = flows
                .iter()
                .filter(|f| StepCode::of_flow(**f).contains(&code))
                .collect();
            assert_eq!(owners.len(), 1, "{code} is in {owners:?}");
        }
        for flow in flows {
            let steps = StepCode::of_flow(flow);
            assert!(steps.windows(2).all(|w| w[0] < w[1]), "{flow:?}: {steps:?}");
        }
    }
}
