//! Every id has a text in both languages, none empty, none dropping an argument.

use std::collections::BTreeSet;

use super::{Catalogue, Lang};
use smartkey_wizard::Msg;
use smartkey_wizard::{
    CivilDate, FailureKind, FieldId, FieldProblem, KeyType, PinProblem, PinRole, Tries, Weakness,
};

fn day() -> CivilDate {
    CivilDate::new(2025, 3, 14).expect("a valid date")
}

fn s(text: &str) -> String {
    text.to_string()
}

fn failure_kinds() -> Vec<FailureKind> {
    vec![
        FailureKind::WrongPin {
            role: PinRole::User,
            tries: Tries::Exactly(2),
        },
        FailureKind::PinLocked {
            role: PinRole::Admin,
        },
        FailureKind::PinRefused {
            role: PinRole::User,
        },
        FailureKind::TokenRemoved,
        FailureKind::KeyNotOnToken,
        FailureKind::TokenFull,
        FailureKind::Device {
            detail: s("CKR_DEVICE_ERROR"),
        },
        FailureKind::BankUnreachable {
            detail: s("timed out"),
        },
        FailureKind::BankAnswerInvalid {
            detail: s("bad signature"),
        },
        FailureKind::BankRejected {
            reasons: vec![s("ИНН не совпадает")],
        },
        FailureKind::LinkExpired,
        FailureKind::RequestExpired,
        FailureKind::UnknownRequest,
        FailureKind::Storage {
            detail: s("disk full"),
        },
    ]
}

fn field_problems() -> Vec<FieldProblem> {
    vec![
        FieldProblem::Required,
        FieldProblem::NameCharacters,
        FieldProblem::TooLong { max: 64 },
        FieldProblem::InnNotDigits,
        FieldProblem::InnLength { got: 9 },
        FieldProblem::InnCheckDigit,
        FieldProblem::InnNeedsLegalEntity,
        FieldProblem::Abbreviated,
        FieldProblem::SoleProprietorName {
            expected: s("Индивидуальный предприниматель Иванов Иван Иванович"),
        },
        FieldProblem::ProprietorNameWithCompanyInn,
        FieldProblem::Country,
        FieldProblem::CityNotInList,
        FieldProblem::Phone,
        FieldProblem::Email,
        FieldProblem::Other { detail: s("odd") },
    ]
}

fn pin_problems() -> Vec<PinProblem> {
    vec![
        PinProblem::TooShort { min: 6 },
        PinProblem::TooLong { max: 32 },
        PinProblem::SameAsOld,
        PinProblem::FactoryDefault,
        PinProblem::Weak {
            weakness: Weakness::Repeated,
        },
        PinProblem::Weak {
            weakness: Weakness::Sequence,
        },
        PinProblem::Weak {
            weakness: Weakness::KeyboardRun,
        },
        PinProblem::Weak {
            weakness: Weakness::Common,
        },
        PinProblem::Mismatch,
        PinProblem::BadCharacters,
    ]
}

const FIELDS: [FieldId; 20] = [
    FieldId::KeyType,
    FieldId::Surname,
    FieldId::GivenName,
    FieldId::Patronymic,
    FieldId::LegalEntity,
    FieldId::Organization,
    FieldId::Inn,
    FieldId::Kio,
    FieldId::Document,
    FieldId::Country,
    FieldId::City,
    FieldId::Address,
    FieldId::Phone,
    FieldId::Email,
    FieldId::SerialTail,
    FieldId::Pin,
    FieldId::CurrentPin,
    FieldId::NewPin,
    FieldId::RepeatPin,
    FieldId::PaymentWentThrough,
];

/// One or more examples of every id, covering each branch of the texts.
fn examples() -> Vec<Msg> {
    let (u, a) = (PinRole::User, PinRole::Admin);
    let mut all = vec![
        Msg::Plain {
            text: s("ООО Ромашка"),
        },
        Msg::Date { date: day() },
        Msg::YesNo { yes: true },
        Msg::YesNo { yes: false },
        Msg::CountryRussia,
        Msg::ActionNext,
        Msg::ActionBack,
        Msg::ActionCancel,
        Msg::ActionRetry,
        Msg::ActionConfirm,
        Msg::ActionOk,
        Msg::ActionClose,
        Msg::ActionUpdate,
        Msg::ActionFillApplication,
        Msg::ActionNewApplicationAnyway,
        Msg::ActionAllCorrect,
        Msg::ActionCorrect,
        Msg::ActionSaveCertificate,
        Msg::ActionSignAct,
        Msg::ActionAskAgain,
        Msg::ActionContinueRequest,
        Msg::ActionDestroy,
        Msg::BankChoice {
            name: s("АО НОКССБАНК"),
            agent_id: 6184,
        },
        Msg::BankChosen {
            name: s("АО НОКССБАНК"),
            agent_id: 6184,
        },
        Msg::ChooseBank,
        Msg::NoBanks,
        Msg::CallSupport {
            contact: Some(s("8-800-200-999-7")),
        },
        Msg::CallSupport { contact: None },
        Msg::PendingFound { count: 1 },
        Msg::PendingFound { count: 3 },
        Msg::PendingExplain,
        Msg::PendingChoice {
            created: day(),
            subject: s("Иванов Иван"),
            serial: s("0A1B2C3D"),
        },
        Msg::InsertOneToken,
        Msg::InsertTokenSerial {
            serial: s("0A1B2C3D"),
        },
        Msg::InsertNewEcp2,
        Msg::InsertOldToken,
        Msg::InsertTokenWithKey {
            serial: s("0A1B2C3D"),
        },
        Msg::InsertTokenWithKeyUnknown,
        Msg::InsertBothTokens,
        Msg::SeveralTokens { count: 2 },
        Msg::TokenChoice {
            model: s("Rutoken ECP 2.0"),
            serial: s("0A1B2C3D"),
            label: s("Бухгалтерия"),
        },
        Msg::TokenChoice {
            model: s("Rutoken ECP 2.0"),
            serial: s("0A1B2C3D"),
            label: String::new(),
        },
        Msg::FieldSerialTail { count: 4 },
        Msg::SerialTailHint {
            model: s("Rutoken ECP 2.0"),
            serial: s("0A1B2C3D"),
        },
        Msg::SerialTailMismatch {
            serial: s("0A1B2C3D"),
        },
        Msg::WrongTokenSerial {
            expected: s("0A1B2C3D"),
        },
        Msg::OldTokenInsteadOfNew,
        Msg::NewTokenInsteadOfOld {
            serial: s("0A1B2C3D"),
        },
        Msg::NotEcp2 {
            model: s("Rutoken Lite"),
        },
        Msg::SeveralNewTokens,
        Msg::KeyNotOnThisToken {
            serial: s("0A1B2C3D"),
        },
        Msg::KeyNotOnThisTokenUnknown,
        Msg::NoCurrentCertificateHere,
        Msg::TokenPinLocked {
            serial: s("0A1B2C3D"),
        },
        Msg::NoCertificateOnToken {
            serial: s("0A1B2C3D"),
        },
        Msg::DoNotRemoveToken,
        Msg::TokenRemovedRepeat,
        Msg::KeepPinsSafe,
        Msg::NewPinRules { min: 6 },
        Msg::CheckingPin,
        Msg::PinEmpty,
        Msg::FieldPinLogin,
        Msg::FieldNewPinLogin,
        Msg::FieldCurrentPinLogin,
        Msg::FieldOldPinLogin,
        Msg::NewTitle,
        Msg::NewIntro,
        Msg::InsertTokenTitle,
        Msg::InsertTokenReceived,
        Msg::OnlyOneToken,
        Msg::RightCarrierWarning,
        Msg::FormTitle,
        Msg::FormIntro,
        Msg::FormDraftRestored,
        Msg::FormReview,
        Msg::FormHasProblems { count: 5 },
        Msg::HintOwnerName,
        Msg::HintLegalEntity,
        Msg::HintOrganization,
        Msg::HintInn,
        Msg::HintKio,
        Msg::HintDocument,
        Msg::HintCity,
        Msg::HintAddress,
        Msg::HintPhone,
        Msg::HintEmail,
        Msg::NewPinTitle,
        Msg::NewPinExplain,
        Msg::RenewPinTitle,
        Msg::RenewKeyExplain,
        Msg::LeftoverKeys { count: 1 },
        Msg::LeftoverKeys { count: 2 },
        Msg::ReuseKey {
            key_id: s("a1b2c3d4"),
        },
        Msg::DeleteLeftoversAndGenerate { count: 1 },
        Msg::KeepLeftoversAndGenerate,
        Msg::KeyWillBeReused {
            key_id: s("a1b2c3d4"),
        },
        Msg::DeletingLeftovers,
        Msg::BuildingRequest,
        Msg::SigningRequest,
        Msg::SendingRequest,
        Msg::RecordingRequest,
        Msg::ApplicationTitle,
        Msg::ApplicationSignAndSend {
            operations_email: Some(s("dbo@nokss.ru")),
        },
        Msg::ApplicationSignAndSend {
            operations_email: None,
        },
        Msg::BankWaitsForScan {
            operations_email: Some(s("dbo@nokss.ru")),
        },
        Msg::SavingDocument,
        Msg::DocumentSavedAt {
            location: s("заявление.pdf"),
        },
        Msg::DocApplicationTitle,
        Msg::DocActTitle,
        Msg::DocToken,
        Msg::DocRequestNumber,
        Msg::DocOwner,
        Msg::DocCertificateSerial,
        Msg::DocIssuer,
        Msg::DocValidFrom,
        Msg::DocValidUntil,
        Msg::DocKeyFingerprint,
        Msg::DocSignOwner,
        Msg::DocSignHead,
        Msg::DocSignBank,
        Msg::DocStamp,
        Msg::RenewTitle,
        Msg::RenewIntro,
        Msg::CurrentPinTitle,
        Msg::CurrentPinExplain,
        Msg::CurrentCertificateTitle,
        Msg::ChooseCertificate,
        Msg::CertificateChoice {
            owner: Some(s("Иванов Иван")),
            organization: Some(s("ООО Ромашка")),
            valid_until: Some(day()),
        },
        Msg::CertificateSummary {
            owner: Some(s("Иванов Иван")),
            organization: None,
            serial: s("01ab"),
            valid_from: None,
            valid_until: Some(day()),
        },
        Msg::DaysLeft { days: -3 },
        Msg::DaysLeft { days: 0 },
        Msg::DaysLeft { days: 21 },
        Msg::ExpiresSoon { days: 12 },
        Msg::ContactsTitle,
        Msg::ContactsExplain,
        Msg::SwapToNewTitle,
        Msg::SwapToNew,
        Msg::SwapBackTitle,
        Msg::SwapBack,
        Msg::SaveTitle,
        Msg::SaveIntro {
            transaction: s("0a1b2c…7e8f9a"),
        },
        Msg::AskingBank,
        Msg::KeepingCertificate,
        Msg::NotIssuedYet,
        Msg::BankSays {
            words: vec![s("ждём заявление")],
        },
        Msg::AskAgainAfter { minutes: Some(30) },
        Msg::AskAgainAfter { minutes: None },
        Msg::WhichFlowTitle,
        Msg::WhichFlowExplain,
        Msg::LooksLikeRenewal {
            serial: s("0A1B2C3D"),
        },
        Msg::ThisIsNew,
        Msg::ThisIsRenewal,
        Msg::SaveCertificateTitle,
        Msg::SaveNewExplain,
        Msg::SaveRenewedExplain,
        Msg::SavingCertificate,
        Msg::SigningAct,
        Msg::VerifyingCertificate,
        Msg::SignActTitle,
        Msg::SignActExplain,
        Msg::OldKeyMissing,
        Msg::CertificateSavedOk,
        Msg::ActTitle,
        Msg::PrintActTwice,
        Msg::CheckTitle,
        Msg::DestroyTitle,
        Msg::DestroyExplain,
        Msg::DestroyNeedBoth,
        Msg::DestroyCandidate {
            owner: Some(s("Иванов Иван")),
            old_serial: s("11111111"),
            old_valid_until: Some(day()),
            new_serial: s("22222222"),
            new_valid_until: None,
        },
        Msg::DestroyOnlyAfterPayment,
        Msg::DestroyIrreversible {
            serial: s("11111111"),
        },
        Msg::DestroyingKey,
        Msg::SentTitle,
        Msg::SentNewWhatNext {
            operations_email: Some(s("dbo@nokss.ru")),
        },
        Msg::SentRenewalWhatNext,
        Msg::LinkEmail,
        Msg::TwoAndThreeDayRules,
        Msg::SaveCommandHint,
        Msg::SavedTitle,
        Msg::BringPapers,
        Msg::LoginOnline {
            url: Some(s("https://online.nokss.ru/f2b")),
        },
        Msg::LoginOnline { url: None },
        Msg::UnplugAfterWork,
        Msg::CheckValidityOnline {
            url: Some(s("https://online.nokss.ru/f2b")),
        },
        Msg::DestroyOldKeyLater,
        Msg::OldKeyDestroyedTitle,
        Msg::OldKeyDestroyed,
        Msg::CancelledTitle,
        Msg::CancelledNothingLost,
        Msg::RejectedTitle,
        Msg::RejectedReasons {
            reasons: vec![s("нет подписанного заявления")],
        },
        Msg::RejectedReasons { reasons: vec![] },
        Msg::LinkExpiredTitle,
        Msg::LinkExpiredWhat,
        Msg::RequestExpiredTitle,
        Msg::RequestExpiredWhat,
        Msg::UnknownRequestTitle,
        Msg::UnknownRequestWhat,
        Msg::NeverArrivedTitle,
        Msg::NeverArrivedWhat,
        Msg::RequestSentAgain,
        Msg::CertificateExpiredTitle,
        Msg::CertificateExpiredWhat,
        Msg::AnotherSmartkeyRunning { pid: Some(4242) },
        Msg::AnotherSmartkeyRunning { pid: None },
        Msg::PreflightWarning {
            check: "Virtual machine".into(),
            summary: "this is a virtual machine (kvm)".into(),
            advice: Some("pass the USB token through".into()),
        },
        Msg::PreflightWarning {
            check: "Operating system".into(),
            summary: "an old kernel".into(),
            advice: None,
        },
    ];
    for role in [u, a] {
        all.extend([
            Msg::PinUnsafeTitle { role },
            Msg::PinUnsafe { role },
            Msg::PinChangeHow { role },
            Msg::FieldCurrentPin { role },
            Msg::FieldNewPin { role },
            Msg::FieldRepeatPin { role },
            Msg::DefaultPinHint { role },
            Msg::ChangingPin { role },
            Msg::WrongPinLastTry { role },
            Msg::PinRefusedByToken { role },
            Msg::PinLockedTitle { role },
            Msg::PinLockedWhat { role },
        ]);
        for tries in [
            Tries::Exactly(0),
            Tries::Exactly(1),
            Tries::Exactly(3),
            Tries::Exactly(5),
            Tries::FinalTry,
            Tries::Low,
            Tries::Unknown,
        ] {
            all.push(Msg::WrongPin { role, tries });
        }
        for problem in pin_problems() {
            all.push(Msg::PinPolicy { role, problem });
        }
    }
    for key_type in [
        KeyType::Rsa2048,
        KeyType::Gost2012_256,
        KeyType::Gost2012_512,
    ] {
        all.push(Msg::KeyTypeName { key_type });
        all.push(Msg::GeneratingKey { key_type });
    }
    for kind in failure_kinds() {
        all.push(Msg::Failed { kind });
    }
    for field in FIELDS {
        all.push(Msg::FieldLabel { field });
        for problem in field_problems() {
            all.push(Msg::FieldProblem { field, problem });
        }
    }
    all
}

#[test]
fn the_examples_cover_every_id() {
    let ids: BTreeSet<&str> = examples().iter().map(Msg::id).collect();
    assert_eq!(
        ids.len(),
        Msg::COUNT,
        "ids without an example: add them to examples()"
    );
}

#[test]
fn every_text_exists_in_both_languages_and_is_not_empty() {
    for msg in examples() {
        for lang in [Lang::Ru, Lang::En] {
            let text = Catalogue::new(lang).text(&msg);
            assert!(!text.trim().is_empty(), "{lang:?} {msg:?} is empty");
            assert!(
                !text.contains("{"),
                "{lang:?} {msg:?} left a placeholder: {text}"
            );
        }
    }
}

#[test]
fn no_rendering_drops_an_argument() {
    for msg in examples() {
        for lang in [Lang::Ru, Lang::En] {
            let text = Catalogue::new(lang).text(&msg);
            for arg in msg.probes() {
                assert!(
                    text.contains(&arg),
                    "{lang:?} {msg:?} does not show {arg:?}: {text}"
                );
            }
        }
    }
}

#[test]
fn russian_is_the_default_and_speaks_russian() {
    assert_eq!(Catalogue::default().lang(), Lang::Ru);
    let cyrillic = |t: &str| {
        t.chars()
            .any(|c| ('а'..='я').contains(&c.to_lowercase().next().unwrap_or(c)))
    };
    for msg in examples() {
        let ru = Catalogue::new(Lang::Ru).text(&msg);
        let plain = matches!(
            msg,
            Msg::Plain { .. }
                | Msg::Date { .. }
                | Msg::BankChoice { .. }
                | Msg::TokenChoice { .. }
                // The bank's own form says "E-mail".
                | Msg::FieldLabel {
                    field: FieldId::Email
                }
        );
        if !plain {
            assert!(cyrillic(&ru), "{msg:?} has no Russian: {ru}");
            assert_ne!(
                ru,
                Catalogue::new(Lang::En).text(&msg),
                "{msg:?} is not translated"
            );
        }
    }
}

#[test]
fn russian_uses_the_banks_words_and_plurals() {
    let ru = Catalogue::new(Lang::Ru);
    assert_eq!(
        ru.text(&Msg::PinUnsafeTitle {
            role: PinRole::User
        }),
        "PIN-код потенциально небезопасен"
    );
    assert!(
        ru.text(&Msg::SwapToNew)
            .starts_with("Удалите текущий (устаревший) ключ")
    );
    assert!(
        ru.text(&Msg::SwapBack)
            .starts_with("Удалите Рутокен ЭЦП 2.0")
    );
    let tries = |n| {
        ru.text(&Msg::WrongPin {
            role: PinRole::User,
            tries: Tries::Exactly(n),
        })
    };
    assert!(tries(1).contains("Осталась 1 попытка"));
    assert!(tries(3).contains("Осталось 3 попытки"));
    assert!(tries(5).contains("Осталось 5 попыток"));
    assert!(tries(11).contains("Осталось 11 попыток"));
    assert!(tries(21).contains("Осталась 21 попытка"));
    assert_eq!(ru.text(&Msg::Date { date: day() }), "14.03.2025");
    assert_eq!(
        Catalogue::new(Lang::En).text(&Msg::Date { date: day() }),
        "14 Mar 2025"
    );
}

#[test]
fn messages_round_trip_through_serde() {
    for msg in examples() {
        let json = serde_json::to_string(&msg).expect("serialises");
        let back: Msg = serde_json::from_str(&json).expect("reads back");
        assert_eq!(back, msg);
    }
}
