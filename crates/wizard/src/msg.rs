//! [`Msg`]: every text of every screen, error and hint, as an id with its arguments.
//! Screens hold these; the catalogues (smartkey-i18n) word them in Russian or English. One enum
//! for all texts, so that a text cannot be missing in one language: the compiler checks
//! both renderings cover every id.

use serde::{Deserialize, Serialize};

use crate::{
    CertificateView, CivilDate, FailureKind, FieldId, FieldProblem, KeyType, PinProblem, PinRole,
    Tries,
};

/// What a message argument shows verbatim in every language (for the check that no
/// rendering drops an argument).
pub trait Probe {
    fn probe(&self) -> Vec<String>;
}

impl Probe for String {
    fn probe(&self) -> Vec<String> {
        vec![self.clone()]
    }
}

impl Probe for Option<String> {
    fn probe(&self) -> Vec<String> {
        self.iter().cloned().collect()
    }
}

/// A number shown as it is (a process ID).
impl Probe for Option<u32> {
    fn probe(&self) -> Vec<String> {
        self.iter().map(u32::to_string).collect()
    }
}

impl Probe for Vec<String> {
    fn probe(&self) -> Vec<String> {
        self.clone()
    }
}

macro_rules! no_probe {
    ($($t:ty),*) => {
        $(impl Probe for $t {
            fn probe(&self) -> Vec<String> {
                Vec::new()
            }
        })*
    };
}

no_probe!(
    u32,
    i64,
    bool,
    Option<u64>,
    CivilDate,
    Option<CivilDate>,
    FailureKind,
    FieldId,
    FieldProblem,
    KeyType,
    PinRole,
    PinProblem,
    Tries
);

macro_rules! messages {
    ($( $(#[doc = $doc:literal])* $name:ident $({ $($field:ident : $ty:ty),* $(,)? })? ),* $(,)?) => {
        /// A text, by id, with its arguments.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(tag = "id", rename_all = "snake_case")]
        pub enum Msg {
            $( $(#[doc = $doc])* $name $({ $($field: $ty),* })? ),*
        }

        impl Msg {
            /// How many ids there are.
            pub const COUNT: usize = [$(stringify!($name)),*].len();

            /// The id's name, stable across languages ("PinUnsafe").
            pub fn id(&self) -> &'static str {
                match self {
                    $( Msg::$name { .. } => stringify!($name) ),*
                }
            }

            /// The arguments every rendering must show verbatim.
            #[allow(unused_mut)]
            pub fn probes(&self) -> Vec<String> {
                match self {
                    $( Msg::$name $({ $($field),* })? => {
                        let mut v: Vec<String> = Vec::new();
                        $($( v.extend(Probe::probe($field)); )*)?
                        v
                    } ),*
                }
            }
        }
    };
}

messages! {
    /// Text given as is (document values, names).
    Plain { text: String },
    Date { date: CivilDate },
    YesNo { yes: bool },
    KeyTypeName { key_type: KeyType },
    CountryRussia,

    // Actions.
    ActionNext,
    ActionBack,
    ActionCancel,
    ActionRetry,
    ActionConfirm,
    ActionOk,
    ActionClose,
    ActionUpdate,
    ActionFillApplication,
    ActionNewApplicationAnyway,
    ActionAllCorrect,
    ActionCorrect,
    ActionSaveCertificate,
    ActionSignAct,
    ActionAskAgain,
    ActionContinueRequest,
    ActionDestroy,

    // Banks.
    BankChoice { name: String, agent_id: u32 },
    BankChosen { name: String, agent_id: u32 },
    ChooseBank,
    NoBanks,
    CallSupport { contact: Option<String> },

    // Requests already waiting.
    PendingFound { count: u32 },
    PendingExplain,
    PendingChoice { created: CivilDate, subject: String, serial: String },

    // Tokens.
    InsertOneToken,
    InsertTokenSerial { serial: String },
    InsertNewEcp2,
    InsertOldToken,
    InsertTokenWithKey { serial: String },
    InsertTokenWithKeyUnknown,
    InsertBothTokens,
    SeveralTokens { count: u32 },
    TokenChoice { model: String, serial: String, label: String },
    FieldSerialTail { count: u32 },
    SerialTailHint { model: String, serial: String },
    SerialTailMismatch { serial: String },
    WrongTokenSerial { expected: String },
    OldTokenInsteadOfNew,
    NewTokenInsteadOfOld { serial: String },
    NotEcp2 { model: String },
    SeveralNewTokens,
    KeyNotOnThisToken { serial: String },
    KeyNotOnThisTokenUnknown,
    NoCurrentCertificateHere,
    TokenPinLocked { serial: String },
    NoCertificateOnToken { serial: String },
    DoNotRemoveToken,
    TokenRemovedRepeat,

    // PINs.
    PinUnsafeTitle { role: PinRole },
    PinUnsafe { role: PinRole },
    PinChangeHow { role: PinRole },
    KeepPinsSafe,
    FieldCurrentPin { role: PinRole },
    FieldNewPin { role: PinRole },
    FieldRepeatPin { role: PinRole },
    DefaultPinHint { role: PinRole },
    NewPinRules { min: u32 },
    ChangingPin { role: PinRole },
    CheckingPin,
    PinPolicy { role: PinRole, problem: PinProblem },
    WrongPin { role: PinRole, tries: Tries },
    WrongPinLastTry { role: PinRole },
    PinEmpty,
    PinRefusedByToken { role: PinRole },
    FieldPinLogin,
    FieldNewPinLogin,
    FieldCurrentPinLogin,
    FieldOldPinLogin,

    // Failures.
    Failed { kind: FailureKind },

    // N2.1-N2.3
    NewTitle,
    NewIntro,
    InsertTokenTitle,
    InsertTokenReceived,
    OnlyOneToken,
    RightCarrierWarning,
    FormTitle,
    FormIntro,
    FormDraftRestored,
    FormReview,
    FormHasProblems { count: u32 },
    FieldLabel { field: FieldId },
    FieldProblem { field: FieldId, problem: FieldProblem },
    HintOwnerName,
    HintLegalEntity,
    HintOrganization,
    HintInn,
    HintKio,
    HintDocument,
    HintCity,
    HintAddress,
    HintPhone,
    HintEmail,

    // N2.6, R2.7: keys and requests.
    NewPinTitle,
    NewPinExplain,
    RenewPinTitle,
    RenewKeyExplain,
    LeftoverKeys { count: u32 },
    ReuseKey { key_id: String },
    DeleteLeftoversAndGenerate { count: u32 },
    KeepLeftoversAndGenerate,
    KeyWillBeReused { key_id: String },
    DeletingLeftovers,
    GeneratingKey { key_type: KeyType },
    BuildingRequest,
    SigningRequest,
    SendingRequest,
    RecordingRequest,

    // N2.7: the application.
    ApplicationTitle,
    ApplicationSignAndSend { operations_email: Option<String> },
    BankWaitsForScan { operations_email: Option<String> },
    SavingDocument,
    DocumentSavedAt { location: String },

    // Documents.
    DocApplicationTitle,
    DocActTitle,
    DocToken,
    DocRequestNumber,
    DocOwner,
    DocCertificateSerial,
    DocIssuer,
    DocValidFrom,
    DocValidUntil,
    DocKeyFingerprint,
    DocSignOwner,
    DocSignHead,
    DocSignBank,
    DocStamp,

    // R2.1-R2.4, R2.8: the renewal.
    RenewTitle,
    RenewIntro,
    CurrentPinTitle,
    CurrentPinExplain,
    CurrentCertificateTitle,
    ChooseCertificate,
    CertificateChoice { owner: Option<String>, organization: Option<String>, valid_until: Option<CivilDate> },
    CertificateSummary {
        owner: Option<String>,
        organization: Option<String>,
        serial: String,
        valid_from: Option<CivilDate>,
        valid_until: Option<CivilDate>,
    },
    DaysLeft { days: i64 },
    ExpiresSoon { days: i64 },
    ContactsTitle,
    ContactsExplain,
    SwapToNewTitle,
    SwapToNew,
    SwapBackTitle,
    SwapBack,

    // Saving from the link.
    SaveTitle,
    SaveIntro { transaction: String },
    AskingBank,
    KeepingCertificate,
    NotIssuedYet,
    BankSays { words: Vec<String> },
    AskAgainAfter { minutes: Option<u64> },
    WhichFlowTitle,
    WhichFlowExplain,
    LooksLikeRenewal { serial: String },
    ThisIsNew,
    ThisIsRenewal,
    SaveCertificateTitle,
    SaveNewExplain,
    SaveRenewedExplain,
    SavingCertificate,
    SigningAct,
    VerifyingCertificate,
    SignActTitle,
    SignActExplain,
    OldKeyMissing,
    CertificateSavedOk,
    ActTitle,
    PrintActTwice,
    CheckTitle,

    // R2.13
    DestroyTitle,
    DestroyExplain,
    DestroyNeedBoth,
    DestroyCandidate {
        owner: Option<String>,
        old_serial: String,
        old_valid_until: Option<CivilDate>,
        new_serial: String,
        new_valid_until: Option<CivilDate>,
    },
    DestroyOnlyAfterPayment,
    DestroyIrreversible { serial: String },
    DestroyingKey,

    // Endings.
    SentTitle,
    SentNewWhatNext { operations_email: Option<String> },
    SentRenewalWhatNext,
    LinkEmail,
    TwoAndThreeDayRules,
    SaveCommandHint,
    SavedTitle,
    BringPapers,
    LoginOnline { url: Option<String> },
    UnplugAfterWork,
    CheckValidityOnline { url: Option<String> },
    DestroyOldKeyLater,
    OldKeyDestroyedTitle,
    OldKeyDestroyed,
    CancelledTitle,
    CancelledNothingLost,
    PinLockedTitle { role: PinRole },
    PinLockedWhat { role: PinRole },
    RejectedTitle,
    RejectedReasons { reasons: Vec<String> },
    LinkExpiredTitle,
    LinkExpiredWhat,
    RequestExpiredTitle,
    RequestExpiredWhat,
    UnknownRequestTitle,
    UnknownRequestWhat,
    NeverArrivedTitle,
    NeverArrivedWhat,
    /// A request recorded here that the bank did not have was sent again, as kept.
    RequestSentAgain,
    CertificateExpiredTitle,
    CertificateExpiredWhat,

    // The command line.
    /// A second wizard command on the same state directory, refused before it does
    /// anything; `pid` is the running one's.
    AnotherSmartkeyRunning { pid: Option<u32> },
    /// A warning of the preflight run before the flow (N2.1, R2.1): which check, what it
    /// found, and what to do. The check's own words come from the preflight.
    PreflightWarning {
        check: String,
        summary: String,
        advice: Option<String>,
    },
}

impl Msg {
    /// A certificate's details in one message.
    pub fn certificate_summary(cert: &CertificateView) -> Msg {
        Msg::CertificateSummary {
            owner: cert.owner.clone(),
            organization: cert.organization.clone(),
            serial: cert.serial.clone(),
            valid_from: cert.valid_from,
            valid_until: cert.valid_until,
        }
    }
}
