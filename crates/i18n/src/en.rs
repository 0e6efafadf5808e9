//! English texts.

use smartkey_wizard::{
    CivilDate, FailureKind, FieldId, FieldProblem, KeyType, PinProblem, PinRole, Tries, Weakness,
};

use smartkey_wizard::Msg;

fn count(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

fn date(d: CivilDate) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS
        .get(usize::from(d.month()).wrapping_sub(1))
        .copied()
        .unwrap_or("?");
    format!("{} {month} {}", d.day(), d.year())
}

fn maybe_date(d: Option<CivilDate>) -> String {
    d.map_or_else(|| "—".to_string(), date)
}

fn pin(role: PinRole) -> &'static str {
    match role {
        PinRole::User => "PIN",
        PinRole::Admin => "admin PIN",
    }
}

fn key_type(k: KeyType) -> &'static str {
    match k {
        KeyType::Rsa2048 => "Smart key (RSA)",
        KeyType::Gost2012_256 => "Smart key (GOST R 34.10-2012, 256-bit)",
        KeyType::Gost2012_512 => "Smart key (GOST R 34.10-2012, 512-bit)",
    }
}

fn tries(t: Tries) -> String {
    match t {
        Tries::Exactly(0) => "No tries are left.".into(),
        Tries::Exactly(n) => format!("{} left.", count(u64::from(n), "try", "tries")),
        Tries::FinalTry => "One try is left.".into(),
        Tries::Low => "Only a few tries are left.".into(),
        Tries::Unknown => "The smart key does not say how many tries are left.".into(),
    }
}

fn field(f: FieldId) -> &'static str {
    match f {
        FieldId::KeyType => "Key type",
        FieldId::Surname => "Surname",
        FieldId::GivenName => "Given name",
        FieldId::Patronymic => "Patronymic",
        FieldId::LegalEntity => "I receive the certificate as a legal entity",
        FieldId::Organization => "Organisation",
        FieldId::Inn => "INN",
        FieldId::Kio => "KIO",
        FieldId::Document => "Acting on the basis of",
        FieldId::Country => "Country",
        FieldId::City => "City",
        FieldId::Address => "Address",
        FieldId::Phone => "Phone",
        FieldId::Email => "E-mail",
        FieldId::SerialTail => "Last characters of the serial number",
        FieldId::Pin => "PIN",
        FieldId::CurrentPin => "Current PIN",
        FieldId::NewPin => "New PIN",
        FieldId::RepeatPin => "New PIN again",
        FieldId::PaymentWentThrough => "A payment order signed with the new key went through",
    }
}

fn field_problem(f: FieldId, p: &FieldProblem) -> String {
    match p {
        FieldProblem::Required => format!("\"{}\" is required.", field(f)),
        FieldProblem::NameCharacters => {
            "Only letters, hyphens, apostrophes, dots and spaces are allowed.".into()
        }
        FieldProblem::TooLong { max } => {
            format!(
                "Too long: at most {}.",
                count(u64::from(*max), "character", "characters")
            )
        }
        FieldProblem::InnNotDigits => "An INN holds digits only.".into(),
        FieldProblem::InnLength { got } => format!(
            "An INN has 10 digits (an organisation) or 12 (a person or sole proprietor), not {got}."
        ),
        FieldProblem::InnCheckDigit => {
            "The INN's check digit does not match: a digit is mistyped. Copy it again from the \
             registration documents."
                .into()
        }
        FieldProblem::InnNeedsLegalEntity => {
            "A 10-digit INN belongs to an organisation: tick \"I receive the certificate as a \
             legal entity\", or give the person's 12-digit INN."
                .into()
        }
        FieldProblem::Abbreviated => {
            "A sole proprietor writes it in full, with no abbreviations: \"Индивидуальный \
             предприниматель Surname Name Patronymic\"."
                .into()
        }
        FieldProblem::SoleProprietorName { expected } => format!(
            "For a sole proprietor the name follows the pattern, in full, with no \
             abbreviations: \"{expected}\"."
        ),
        FieldProblem::ProprietorNameWithCompanyInn => {
            "The name is a sole proprietor's, but a 10-digit INN is an organisation's. A sole \
             proprietor's INN has 12 digits."
                .into()
        }
        FieldProblem::Country => "Choose Russia.".into(),
        FieldProblem::CityNotInList => {
            "This city is not in the list: type the first letters and pick the city from the \
             suggestions."
                .into()
        }
        FieldProblem::Phone => {
            "Give a landline with its city code or a mobile number, for example +7 495 123-45-67."
                .into()
        }
        FieldProblem::Email => {
            "This is not a valid e-mail address. It must be right: the link to save the \
             certificate is sent there."
                .into()
        }
        FieldProblem::Other { detail } => format!("The field was refused: {detail}"),
    }
}

fn pin_problem(role: PinRole, p: &PinProblem) -> String {
    let what = pin(role);
    match p {
        PinProblem::TooShort { min } => format!(
            "The new {what} is too short: use at least {}.",
            count(u64::from(*min), "character", "characters")
        ),
        PinProblem::TooLong { max } => format!(
            "The new {what} is too long: use at most {}.",
            count(u64::from(*max), "character", "characters")
        ),
        PinProblem::SameAsOld => {
            format!("The new {what} is the same as the current one: choose a different one.")
        }
        PinProblem::FactoryDefault => format!(
            "The new {what} is a factory default (12345678 or 87654321), which anyone can guess: \
             choose another."
        ),
        PinProblem::Weak { weakness } => {
            let why = match weakness {
                Weakness::Repeated => {
                    "it repeats one character or a group of them (like 111111 or 121212)"
                }
                Weakness::Sequence => {
                    "its digits or letters follow each other (like 123456 or 654321)"
                }
                Weakness::KeyboardRun => "it is a row of neighbouring keys (like qwerty)",
                Weakness::Common => "it is one of the commonest PINs, which are tried first",
            };
            format!("The new {what} is easy to guess: {why}. Choose another.")
        }
        PinProblem::Mismatch => {
            format!("The two entries of the new {what} differ: type it again, the same both times.")
        }
        PinProblem::BadCharacters => format!(
            "The new {what} may hold only Latin letters, digits and punctuation, with no spaces."
        ),
    }
}

fn failure(k: &FailureKind) -> String {
    match k {
        FailureKind::WrongPin { role, tries: t } => format!("Wrong {}. {}", pin(*role), tries(*t)),
        FailureKind::PinLocked { role } => format!("The {} is locked.", pin(*role)),
        FailureKind::PinRefused { role } => format!(
            "The smart key refused the new {}: it is too simple or has characters it does not \
             take. Choose another.",
            pin(*role)
        ),
        FailureKind::TokenRemoved => {
            "The smart key was removed during the operation. Insert it again and repeat: \
             nothing on it was lost."
                .into()
        }
        FailureKind::KeyNotOnToken => {
            "The key of this certificate is not on the inserted smart key.".into()
        }
        FailureKind::TokenFull => {
            "The smart key is out of memory. Call your bank's support.".into()
        }
        FailureKind::Device { detail } => format!(
            "The smart key reported an error ({detail}). Take it out, insert it again and repeat."
        ),
        FailureKind::BankUnreachable { detail } => format!(
            "The bank could not be reached ({detail}). Check the Internet connection and repeat."
        ),
        FailureKind::BankAnswerInvalid { detail } => format!(
            "The bank's answer did not pass the checks ({detail}). Repeat later; if it happens \
             again, call your bank's support."
        ),
        FailureKind::BankRejected { reasons } => {
            format!("The bank rejected the request: {}", reasons.join("; "))
        }
        FailureKind::LinkExpired => {
            "The link has expired: the certificate must be saved within 2 days of receiving the \
             link."
                .into()
        }
        FailureKind::RequestExpired => {
            "The certificate was issued more than 3 days ago and never saved.".into()
        }
        FailureKind::UnknownRequest => "The bank does not know the request of this link.".into(),
        FailureKind::Storage { detail } => format!("The file could not be saved ({detail})."),
    }
}

fn or_bank(email: &Option<String>) -> String {
    email
        .as_deref()
        .map_or_else(|| "the address your bank gave".to_string(), str::to_string)
}

pub(super) fn text(m: &Msg) -> String {
    match m {
        Msg::Plain { text } => text.clone(),
        Msg::Date { date: d } => date(*d),
        Msg::YesNo { yes } => if *yes { "Yes" } else { "No" }.into(),
        Msg::KeyTypeName { key_type: k } => key_type(*k).into(),
        Msg::CountryRussia => "Russia".into(),

        Msg::ActionNext => "Next".into(),
        Msg::ActionBack => "Back".into(),
        Msg::ActionCancel => "Cancel".into(),
        Msg::ActionRetry => "Try again".into(),
        Msg::ActionConfirm => "Confirm".into(),
        Msg::ActionOk => "OK".into(),
        Msg::ActionClose => "Close".into(),
        Msg::ActionUpdate => "Update".into(),
        Msg::ActionFillApplication => "Fill in the application".into(),
        Msg::ActionNewApplicationAnyway => "Fill in a new application anyway".into(),
        Msg::ActionAllCorrect => "All correct, next".into(),
        Msg::ActionCorrect => "Correct it".into(),
        Msg::ActionSaveCertificate => "Save certificate".into(),
        Msg::ActionSignAct => "Sign the acceptance act".into(),
        Msg::ActionAskAgain => "Check again".into(),
        Msg::ActionContinueRequest => "Continue with this request".into(),
        Msg::ActionDestroy => "Destroy the old key".into(),

        Msg::BankChoice { name, agent_id } => format!("{name} (agentId {agent_id})"),
        Msg::BankChosen { name, agent_id } => format!("Bank: {name} (agentId {agent_id})."),
        Msg::ChooseBank => "Choose the bank you receive the certificate from.".into(),
        Msg::NoBanks => {
            "No bank is configured. Name a bank profile file (--banks) or call your bank's \
             support."
                .into()
        }
        Msg::CallSupport { contact: Some(c) } => format!("Your bank's support: {c}."),
        Msg::CallSupport { contact: None } => "Call your bank's support.".into(),

        Msg::PendingFound { count: n } => format!(
            "{} of yours already {} at the bank.",
            count(u64::from(*n), "request", "requests"),
            if *n == 1 { "waits" } else { "wait" }
        ),
        Msg::PendingExplain => {
            "Continue with the request to see where it stands and to save its certificate once \
             the bank issues it. A new application means a new key pair and a second request \
             to the bank: choose it only if you no longer need this request."
                .into()
        }
        Msg::PendingChoice {
            created,
            subject,
            serial,
        } => format!(
            "Request of {}: {subject}, smart key no. {serial}",
            date(*created)
        ),

        Msg::InsertOneToken => "Insert the smart key into a USB port.".into(),
        Msg::InsertTokenSerial { serial } => format!("Insert smart key no. {serial}."),
        Msg::InsertNewEcp2 => "Insert the new Rutoken ECP 2.0.".into(),
        Msg::InsertOldToken => "Insert the current (old) key carrier.".into(),
        Msg::InsertTokenWithKey { serial } => {
            format!("Insert smart key no. {serial}: it holds this certificate's key.")
        }
        Msg::InsertTokenWithKeyUnknown => {
            "Insert the smart key the request for this certificate was made on.".into()
        }
        Msg::InsertBothTokens => {
            "Insert the new Rutoken ECP 2.0 and the old key carrier, one after the other.".into()
        }
        Msg::SeveralTokens { count: n } => format!(
            "{} are inserted. Remove the other smart keys and tokens, or choose the right one \
             and confirm its serial number.",
            count(u64::from(*n), "smart key", "smart keys")
        ),
        Msg::TokenChoice {
            model,
            serial,
            label,
        } => {
            if label.is_empty() {
                format!("{model} no. {serial}")
            } else {
                format!("{model} no. {serial} \"{label}\"")
            }
        }
        Msg::FieldSerialTail { count: n } => format!(
            "Last {} of the serial number",
            count(u64::from(*n), "character", "characters")
        ),
        Msg::SerialTailHint { model, serial } => format!(
            "Make sure this is the right carrier ({model} no. {serial}) and type the last \
             characters of its number."
        ),
        Msg::SerialTailMismatch { serial } => {
            format!("This does not match number {serial}. Check and type it again.")
        }
        Msg::WrongTokenSerial { expected } => {
            format!("This is not the right smart key. Smart key no. {expected} is needed.")
        }
        Msg::OldTokenInsteadOfNew => {
            "This is the current (old) key. Remove it and insert the new Rutoken ECP 2.0.".into()
        }
        Msg::NewTokenInsteadOfOld { serial } => format!(
            "This is the new Rutoken ECP 2.0. Remove it and insert the current smart key \
             no. {serial}."
        ),
        Msg::NotEcp2 { model } => format!(
            "This is not a Rutoken ECP 2.0 ({model}). The new certificate needs a Rutoken ECP 2.0."
        ),
        Msg::SeveralNewTokens => {
            "Several new carriers are inserted. Leave only one new Rutoken ECP 2.0.".into()
        }
        Msg::KeyNotOnThisToken { serial } => format!(
            "This smart key does not hold the key of this certificate. Insert smart key \
             no. {serial}, the one the request was made on."
        ),
        Msg::KeyNotOnThisTokenUnknown => {
            "This smart key does not hold the key of this certificate. Insert the smart key the \
             request was made on."
                .into()
        }
        Msg::NoCurrentCertificateHere => {
            "This carrier holds no current certificate of this owner. Insert the current (old) \
             key carrier."
                .into()
        }
        Msg::TokenPinLocked { serial } => {
            format!("The PIN of smart key no. {serial} is locked: it cannot be used.")
        }
        Msg::NoCertificateOnToken { serial } => format!(
            "Smart key no. {serial} holds no certificate. Insert the current key carrier, whose \
             certificate is being renewed."
        ),
        Msg::DoNotRemoveToken => "Do not remove the smart key until this is done.".into(),
        Msg::TokenRemovedRepeat => {
            "The smart key was removed. Insert it again and repeat: nothing on it was lost.".into()
        }

        Msg::PinUnsafeTitle { role } => format!("The {} is potentially unsafe", pin(*role)),
        Msg::PinUnsafe { role } => format!(
            "The current {} is potentially unsafe. It must be changed to a new one.",
            pin(*role)
        ),
        Msg::PinChangeHow {
            role: PinRole::User,
        } => "In the first field enter the default PIN, 12345678, then make up, enter and confirm \
             a new PIN. It is the PIN you will log in with from now on."
            .into(),
        Msg::PinChangeHow {
            role: PinRole::Admin,
        } => "In the first field enter the default admin PIN, 87654321, then make up, enter \
              and confirm a new admin PIN."
            .into(),
        Msg::KeepPinsSafe => "Keep your PINs where nobody else can reach them!".into(),
        Msg::FieldCurrentPin { role } => format!("Current {}", pin(*role)),
        Msg::FieldNewPin { role } => format!("New {}", pin(*role)),
        Msg::FieldRepeatPin { role } => format!("New {} again", pin(*role)),
        Msg::DefaultPinHint {
            role: PinRole::User,
        } => "Default: 12345678".into(),
        Msg::DefaultPinHint {
            role: PinRole::Admin,
        } => "Default: 87654321".into(),
        Msg::NewPinRules { min } => format!(
            "At least {}: Latin letters, digits, punctuation. Not 12345678 or 87654321.",
            count(u64::from(*min), "character", "characters")
        ),
        Msg::ChangingPin { role } => format!("Changing the {}…", pin(*role)),
        Msg::CheckingPin => "Checking the PIN…".into(),
        Msg::PinPolicy { role, problem } => pin_problem(*role, problem),
        Msg::WrongPin { role, tries: t } => format!(
            "Wrong {}. {} Check the keyboard layout and Caps Lock.",
            pin(*role),
            tries(*t)
        ),
        Msg::WrongPinLastTry { role } => format!(
            "Careful: one try is left. One more wrong entry locks the {}.",
            pin(*role)
        ),
        Msg::PinEmpty => "Enter the PIN.".into(),
        Msg::PinRefusedByToken { role } => format!(
            "The smart key refused the new {}: it is too simple or has characters it does not \
             take. Choose another.",
            pin(*role)
        ),
        Msg::FieldPinLogin => "PIN".into(),
        Msg::FieldNewPinLogin => "New PIN".into(),
        Msg::FieldCurrentPinLogin => "Current PIN".into(),
        Msg::FieldOldPinLogin => "PIN of the current smart key".into(),

        Msg::Failed { kind } => failure(kind),

        Msg::NewTitle => "Certificate request".into(),
        Msg::NewIntro => {
            "The wizard takes you through the request for an Internet-Bank certificate: the key \
             is made on the smart key and never leaves it."
                .into()
        }
        Msg::InsertTokenTitle => "Insert the smart key".into(),
        Msg::InsertTokenReceived => {
            "Insert the smart key you received at the bank into a USB port; the new key will be \
             saved onto it."
                .into()
        }
        Msg::OnlyOneToken => "Be sure to remove all other smart keys and tokens.".into(),
        Msg::RightCarrierWarning => {
            "Make sure it is the right carrier! Especially if this computer is used with the \
             client systems of several banks, or the company has several certificates with \
             different signing rights!"
                .into()
        }
        Msg::FormTitle => "Certificate application".into(),
        Msg::FormDraftRestored => {
            "The application is filled in as you left it last time. Check it and go on.".into()
        }
        Msg::FormIntro => "Fill in every required field very carefully!".into(),
        Msg::FormReview => "Check every field once more, then choose Next.".into(),
        Msg::FormHasProblems { count: n } => format!(
            "The application has {}: correct the marked fields.",
            count(u64::from(*n), "mistake", "mistakes")
        ),
        Msg::FieldLabel { field: f } => field(*f).into(),
        Msg::FieldProblem { field: f, problem } => field_problem(*f, problem),
        Msg::HintOwnerName => {
            "The full name of the authorised person who will own the certificate: the person \
             with signing rights on the bank's signature card, or with limited rights by a power \
             of attorney."
                .into()
        }
        Msg::HintLegalEntity => "Tick this.".into(),
        Msg::HintOrganization => {
            "Your organisation's name. A sole proprietor writes \"Индивидуальный \
             предприниматель Surname Name Patronymic\" in full, with no abbreviations."
                .into()
        }
        Msg::HintInn => "Your organisation's INN: 10 digits, 12 for a sole proprietor.".into(),
        Msg::HintKio => "KIO: leave empty.".into(),
        Msg::HintDocument => "For example: charter, power of attorney.".into(),
        Msg::HintCity => {
            "The city where you actually are: type its first letters and pick it from the list."
                .into()
        }
        Msg::HintAddress => "Your organisation's legal address.".into(),
        Msg::HintPhone => "A landline with its city code, or a mobile.".into(),
        Msg::HintEmail => {
            "The link to save the certificate is sent there, and later the expiry notices.".into()
        }

        Msg::NewPinTitle => "Enter the NEW PIN".into(),
        Msg::NewPinExplain => {
            "Once the PIN is entered, the key pair is made on the smart key, and the request is \
             signed and sent to the bank."
                .into()
        }
        Msg::RenewPinTitle => "Enter the PIN".into(),
        Msg::RenewKeyExplain => {
            "Enter the PIN of the new Rutoken ECP 2.0: a GOST R 34.10-2012 key is made on it and \
             the request formed."
                .into()
        }
        Msg::LeftoverKeys { count: n } => format!(
            "The smart key holds {} without a certificate, made by this program before (the \
             work was interrupted). Choose what to do with {}.",
            count(u64::from(*n), "key", "keys"),
            if *n == 1 { "it" } else { "them" }
        ),
        Msg::ReuseKey { key_id } => format!("Use the existing key {key_id}"),
        Msg::DeleteLeftoversAndGenerate { count: n } => format!(
            "Delete {} and make a new one",
            if *n == 1 { "it" } else { "them" }
        ),
        Msg::KeepLeftoversAndGenerate => "Leave them and make a new key".into(),
        Msg::KeyWillBeReused { key_id } => {
            format!("The key already made, {key_id}, will be used: no second key is made.")
        }
        Msg::DeletingLeftovers => "Deleting the keys left by the interrupted work…".into(),
        Msg::GeneratingKey { key_type: k } => format!(
            "Making the key pair on the smart key ({}). This can take up to a minute…",
            key_type(*k)
        ),
        Msg::BuildingRequest => "Forming the request and signing it on the smart key…".into(),
        Msg::SigningRequest => "Signing the request with the current smart key…".into(),
        Msg::SendingRequest => "Sending the request to the bank…".into(),
        Msg::RecordingRequest => "Keeping a record of the request on this computer…".into(),

        Msg::ApplicationTitle => "Certificate application".into(),
        Msg::ApplicationSignAndSend { operations_email } => format!(
            "Sign this document, stamp it (if you have a stamp) and e-mail a scan to the bank: \
             {}.",
            or_bank(operations_email)
        ),
        Msg::BankWaitsForScan { operations_email } => format!(
            "The bank processes the request only after the signed, scanned certificate \
             application has arrived at its e-mail ({})!",
            or_bank(operations_email)
        ),
        Msg::SavingDocument => "Saving the document for printing…".into(),
        Msg::DocumentSavedAt { location } => format!("The document is saved: {location}"),

        Msg::DocApplicationTitle => {
            "Application for an electronic signature verification key certificate".into()
        }
        Msg::DocActTitle => {
            "Acceptance act of an electronic signature verification key certificate".into()
        }
        Msg::DocToken => "Key carrier".into(),
        Msg::DocRequestNumber => "Request number".into(),
        Msg::DocOwner => "Certificate owner".into(),
        Msg::DocCertificateSerial => "Certificate serial number".into(),
        Msg::DocIssuer => "Issuer".into(),
        Msg::DocValidFrom => "Valid from".into(),
        Msg::DocValidUntil => "Valid until".into(),
        Msg::DocKeyFingerprint => "Verification key fingerprint (SHA-256)".into(),
        Msg::DocSignOwner => "Certificate owner: ____________ / ____________ /".into(),
        Msg::DocSignHead => "Head of the organisation: ____________ / ____________ /".into(),
        Msg::DocSignBank => "For the bank: ____________ / ____________ /".into(),
        Msg::DocStamp => "Stamp".into(),

        Msg::RenewTitle => "Certificate renewal".into(),
        Msg::RenewIntro => {
            "The wizard issues a GOST R 34.10-2012 certificate on a new Rutoken ECP 2.0 to \
             replace the current one."
                .into()
        }
        Msg::CurrentPinTitle => "Enter the current PIN".into(),
        Msg::CurrentPinExplain => {
            "Enter the PIN of the current (old) smart key and choose Next: your current \
             certificate's details follow."
                .into()
        }
        Msg::CurrentCertificateTitle => "Your current certificate".into(),
        Msg::ChooseCertificate => {
            "The carrier holds several certificates. Choose the one being renewed.".into()
        }
        Msg::CertificateChoice {
            owner,
            organization,
            valid_until,
        } => format!(
            "{}{}, valid until {}",
            owner.as_deref().unwrap_or("—"),
            organization
                .as_deref()
                .map(|o| format!(", {o}"))
                .unwrap_or_default(),
            maybe_date(*valid_until)
        ),
        Msg::CertificateSummary {
            owner,
            organization,
            serial,
            valid_from,
            valid_until,
        } => format!(
            "Owner: {}\nOrganisation: {}\nSerial number: {serial}\nValid: {} to {}",
            owner.as_deref().unwrap_or("—"),
            organization.as_deref().unwrap_or("—"),
            maybe_date(*valid_from),
            maybe_date(*valid_until)
        ),
        Msg::DaysLeft { days } if *days < 0 => format!(
            "It expired {} ago.",
            count(days.unsigned_abs(), "day", "days")
        ),
        Msg::DaysLeft { days: 0 } => "Today is its last day of validity.".into(),
        Msg::DaysLeft { days } => format!(
            "{} of validity left.",
            count(days.unsigned_abs(), "day", "days")
        ),
        Msg::ExpiresSoon { days } => format!(
            "The certificate expires soon (in {}).",
            count(days.unsigned_abs(), "day", "days")
        ),
        Msg::ContactsTitle => "Check your contacts".into(),
        Msg::ContactsExplain => {
            "Check that the phone number and the e-mail address are current (the link to save \
             the new certificate goes to that address) and choose Update."
                .into()
        }
        Msg::SwapToNewTitle => "Change of key carrier".into(),
        Msg::SwapToNew => {
            "Remove the current (old) key, insert the new Rutoken ECP 2.0 and choose OK.".into()
        }
        Msg::SwapBackTitle => "Signing the request with the current key".into(),
        Msg::SwapBack => {
            "Remove the Rutoken ECP 2.0, insert the current smart key, choose OK and enter the \
             current smart key's PIN. The request is then sent to the bank for confirmation."
                .into()
        }

        Msg::SaveTitle => "Saving the certificate".into(),
        Msg::SaveIntro { transaction } => format!("Request no. {transaction}."),
        Msg::AskingBank => "Asking the bank about the request…".into(),
        Msg::KeepingCertificate => "Keeping a copy of the certificate on this computer…".into(),
        Msg::RequestSentAgain => "Sending the request was interrupted last time, and the bank did \
             not get it. The same request has been sent again: no new key or application is needed."
            .into(),
        Msg::NotIssuedYet => "The bank has not issued the certificate for this request yet.".into(),
        Msg::BankSays { words } => format!("The bank says: {}", words.join("; ")),
        Msg::AskAgainAfter { minutes: Some(m) } if *m > 0 => format!(
            "Check again in {} at the earliest.",
            count(*m, "minute", "minutes")
        ),
        Msg::AskAgainAfter { .. } => {
            "Check again later: the bank usually confirms a request within 3 working hours.".into()
        }
        Msg::WhichFlowTitle => "Which certificate is this?".into(),
        Msg::WhichFlowExplain => {
            "This computer has no record of this request. Say whether this is your first \
             certificate or the renewal of a current one: it decides which key signs the \
             acceptance act."
                .into()
        }
        Msg::LooksLikeRenewal { serial } => format!(
            "Smart key no. {serial} holds a current certificate of the same owner: this looks \
             like a renewal."
        ),
        Msg::ThisIsNew => "A first certificate (a new client)".into(),
        Msg::ThisIsRenewal => "The renewal of a current certificate".into(),
        Msg::SaveCertificateTitle => "Saving the certificate".into(),
        Msg::SaveNewExplain => {
            "Insert the smart key the request was made on, choose Save certificate and enter \
             the PIN."
                .into()
        }
        Msg::SaveRenewedExplain => {
            "Insert the new Rutoken ECP 2.0, choose Save certificate and enter the PIN.".into()
        }
        Msg::SavingCertificate => "Saving the certificate onto the smart key…".into(),
        Msg::SigningAct => "Signing the acceptance act…".into(),
        Msg::VerifyingCertificate => "Checking the saved certificate…".into(),
        Msg::SignActTitle => "Signing the acceptance act".into(),
        Msg::SignActExplain => {
            "Insert the current (old) key and choose Sign the acceptance act: the act is signed \
             with the current key."
                .into()
        }
        Msg::OldKeyMissing => {
            "This carrier does not hold the current key the request was signed with. Insert the \
             carrier with the current certificate."
                .into()
        }
        Msg::CertificateSavedOk => "The certificate is saved onto the smart key.".into(),
        Msg::ActTitle => "Acceptance act".into(),
        Msg::PrintActTwice => {
            "Print the acceptance act in two copies; the certificate owner signs them.".into()
        }
        Msg::CheckTitle => "Checking the new certificate".into(),

        Msg::DestroyTitle => "Destroying the old key".into(),
        Msg::DestroyExplain => {
            "Once the first payment order signed with the new key has gone through, destroy the \
             old key! The wizard deletes the old key only after two confirmations of yours, and \
             only when the new certificate is on another carrier."
                .into()
        }
        Msg::DestroyNeedBoth => {
            "The wizard has not yet seen the old key together with a new certificate on \
             another carrier. Insert the new Rutoken ECP 2.0 and the old carrier, one after the \
             other."
                .into()
        }
        Msg::DestroyCandidate {
            owner,
            old_serial,
            old_valid_until,
            new_serial,
            new_valid_until,
        } => format!(
            "{}: the old key on carrier no. {old_serial} (certificate until {}), the new \
             certificate on carrier no. {new_serial} (until {})",
            owner.as_deref().unwrap_or("—"),
            maybe_date(*old_valid_until),
            maybe_date(*new_valid_until)
        ),
        Msg::DestroyOnlyAfterPayment => {
            "Confirm that the first payment order signed with the new key went through. Until \
             then the old key must not be destroyed."
                .into()
        }
        Msg::DestroyIrreversible { serial } => format!(
            "The old key and its certificate on carrier no. {serial} will be destroyed. This \
             cannot be undone."
        ),
        Msg::DestroyingKey => "Destroying the old key…".into(),

        Msg::SentTitle => "The request is sent to the bank".into(),
        Msg::SentNewWhatNext { operations_email } => format!(
            "Sign the application, stamp it (if you have a stamp) and e-mail a scan to the bank: \
             {}. The bank processes the request only after that.",
            or_bank(operations_email)
        ),
        Msg::SentRenewalWhatNext => {
            "The bank will confirm the request (usually within 3 working hours).".into()
        }
        Msg::LinkEmail => {
            "Once the request is processed, an e-mail from noreply@faktura.ru with the subject \
             \"Сертификат для работы в Интернет-Банке\" brings a link to save the certificate."
                .into()
        }
        Msg::TwoAndThreeDayRules => {
            "The certificate must be saved onto the smart key within 2 days of receiving the \
             link. If saving failed and the certificate was issued more than 3 days ago, the \
             whole procedure starts again, and the client pays for the replacement by the \
             bank's tariffs."
                .into()
        }
        Msg::SaveCommandHint => {
            "To save the certificate, run smartkey save with the link from the e-mail.".into()
        }
        Msg::SavedTitle => "The certificate is saved".into(),
        Msg::BringPapers => {
            "Bring the signed and stamped papers to the bank's operations department: the \
             certificate application and the acceptance act. The certificate is activated only \
             after the bank has checked them."
                .into()
        }
        Msg::LoginOnline { url: Some(u) } => format!("Log in to the online bank at {u}"),
        Msg::LoginOnline { url: None } => "Log in at your bank's online bank address.".into(),
        Msg::UnplugAfterWork => "When you are done, unplug the smart key.".into(),
        Msg::CheckValidityOnline { url } => format!(
            "Log in to the online bank{} and check the certificate's validity under Security → \
             Update certificate.",
            url.as_deref()
                .map(|u| format!(" ({u})"))
                .unwrap_or_default()
        ),
        Msg::DestroyOldKeyLater => {
            "Once the first payment order signed with the new key has gone through, destroy the \
             old key (smartkey, step R2.13)."
                .into()
        }
        Msg::OldKeyDestroyedTitle => "The old key is destroyed".into(),
        Msg::OldKeyDestroyed => {
            "The old key and its certificate are deleted from the carrier. Work with the new \
             Rutoken ECP 2.0."
                .into()
        }
        Msg::CancelledTitle => "Stopped".into(),
        Msg::CancelledNothingLost => {
            "Nothing is lost: what is on the smart key and at the bank stays. Start the wizard \
             again and it continues where you stopped."
                .into()
        }
        Msg::PinLockedTitle { role } => format!("The {} is locked", pin(*role)),
        Msg::PinLockedWhat {
            role: PinRole::User,
        } => "The PIN is locked after too many wrong entries. The admin PIN can unlock it; if \
             you do not have it, call your bank's support."
            .into(),
        Msg::PinLockedWhat {
            role: PinRole::Admin,
        } => format!(
            "The {} is locked after too many wrong entries. The smart key cannot be unlocked \
             without the bank.",
            pin(PinRole::Admin)
        ),
        Msg::RejectedTitle => "The bank rejected the request".into(),
        Msg::RejectedReasons { reasons } if reasons.is_empty() => "The bank gave no reason.".into(),
        Msg::RejectedReasons { reasons } => format!("Reason: {}", reasons.join("; ")),
        Msg::LinkExpiredTitle => "The link has expired".into(),
        Msg::LinkExpiredWhat => {
            "The certificate must be saved within 2 days of receiving the link, and that time \
             has passed. Ask the bank to send the link again and save the certificate from the \
             new link."
                .into()
        }
        Msg::RequestExpiredTitle => "The time to save the certificate is over".into(),
        Msg::RequestExpiredWhat => {
            "The certificate was issued more than 3 days ago and never saved. The whole \
             procedure starts again (a new request), and the client pays for the replacement \
             of the electronic signature by the bank's tariffs."
                .into()
        }
        Msg::UnknownRequestTitle => "Request not found".into(),
        Msg::UnknownRequestWhat => {
            "The bank does not know the request of this link. Check that the whole link was \
             copied from the e-mail."
                .into()
        }
        Msg::NeverArrivedTitle => "The request never reached the bank".into(),
        Msg::NeverArrivedWhat => {
            "Sending the request was interrupted, and the bank did not get it. Start the wizard \
             again and fill in the application: the key already made on the smart key is \
             offered again, and the form as you typed it is kept."
                .into()
        }
        Msg::CertificateExpiredTitle => "The certificate has expired".into(),
        Msg::CertificateExpiredWhat => {
            "The certificate has expired: it cannot be renewed. Get a new certificate \
             (smartkey new) or contact the bank."
                .into()
        }
        Msg::AnotherSmartkeyRunning { pid } => format!(
            "Another smartkey is running{}. Let it finish or close it, then start smartkey \
             again.",
            pid.map(|p| format!(" (PID {p})")).unwrap_or_default()
        ),
        Msg::PreflightWarning {
            check,
            summary,
            advice,
        } => match advice {
            Some(advice) => {
                format!("Checked before the start. {check}: {summary}. What to do: {advice}")
            }
            None => format!("Checked before the start. {check}: {summary}."),
        },
    }
}
