//! Русские тексты, по возможности словами инструкций банка.

use smartkey_wizard::{
    CivilDate, FailureKind, FieldId, FieldProblem, KeyType, PinProblem, PinRole, Tries, Weakness,
};

use smartkey_wizard::Msg;

/// Форма слова для числа: 1 попытка, 2 попытки, 5 попыток.
fn plural<'a>(n: u64, one: &'a str, few: &'a str, many: &'a str) -> &'a str {
    let (n10, n100) = (n % 10, n % 100);
    if n10 == 1 && n100 != 11 {
        one
    } else if (2..=4).contains(&n10) && !(12..=14).contains(&n100) {
        few
    } else {
        many
    }
}

fn count(n: u64, one: &str, few: &str, many: &str) -> String {
    format!("{n} {}", plural(n, one, few, many))
}

fn date(d: CivilDate) -> String {
    format!("{:02}.{:02}.{:04}", d.day(), d.month(), d.year())
}

fn maybe_date(d: Option<CivilDate>) -> String {
    d.map_or_else(|| "—".to_string(), date)
}

fn pin(role: PinRole) -> &'static str {
    match role {
        PinRole::User => "PIN-код",
        PinRole::Admin => "PIN-код администратора",
    }
}

fn default_pin(role: PinRole) -> &'static str {
    match role {
        PinRole::User => "12345678",
        PinRole::Admin => "87654321",
    }
}

fn key_type(k: KeyType) -> &'static str {
    match k {
        KeyType::Rsa2048 => "Смарт-ключ (RSA)",
        KeyType::Gost2012_256 => "Смарт-ключ (ГОСТ Р 34.10-2012, 256 бит)",
        KeyType::Gost2012_512 => "Смарт-ключ (ГОСТ Р 34.10-2012, 512 бит)",
    }
}

fn tries(t: Tries) -> String {
    match t {
        Tries::Exactly(0) => "Попыток не осталось.".into(),
        Tries::Exactly(n) => format!(
            "{} {}.",
            plural(u64::from(n), "Осталась", "Осталось", "Осталось"),
            count(u64::from(n), "попытка", "попытки", "попыток")
        ),
        Tries::FinalTry => "Осталась последняя попытка.".into(),
        Tries::Low => "Осталось мало попыток.".into(),
        Tries::Unknown => "Смарт-ключ не сообщает, сколько попыток осталось.".into(),
    }
}

fn field(f: FieldId) -> &'static str {
    match f {
        FieldId::KeyType => "Тип ключа",
        FieldId::Surname => "Фамилия",
        FieldId::GivenName => "Имя",
        FieldId::Patronymic => "Отчество",
        FieldId::LegalEntity => "Я получаю сертификат как юридическое лицо",
        FieldId::Organization => "Наименование организации",
        FieldId::Inn => "ИНН",
        FieldId::Kio => "КИО",
        FieldId::Document => "Документ, на основании которого действует",
        FieldId::Country => "Страна",
        FieldId::City => "Город",
        FieldId::Address => "Адрес",
        FieldId::Phone => "Телефон",
        FieldId::Email => "E-mail",
        FieldId::SerialTail => "Последние символы серийного номера",
        FieldId::Pin => "PIN-код",
        FieldId::CurrentPin => "Текущий PIN-код",
        FieldId::NewPin => "Новый PIN-код",
        FieldId::RepeatPin => "Новый PIN-код ещё раз",
        FieldId::PaymentWentThrough => {
            "Платёжное поручение, подписанное новым ключом, успешно прошло"
        }
    }
}

fn field_problem(f: FieldId, p: &FieldProblem) -> String {
    match p {
        FieldProblem::Required => format!("Поле «{}» обязательно для заполнения.", field(f)),
        FieldProblem::NameCharacters => {
            "Допустимы только буквы, дефис, апостроф, точка и пробел.".into()
        }
        FieldProblem::TooLong { max } => format!(
            "Слишком длинно: не больше {}.",
            count(u64::from(*max), "символа", "символов", "символов")
        ),
        FieldProblem::InnNotDigits => "ИНН состоит только из цифр.".into(),
        FieldProblem::InnLength { got } => format!(
            "В ИНН 10 цифр (организация) или 12 (физическое лицо, ИП), а введено {}.",
            count(u64::from(*got), "цифра", "цифры", "цифр")
        ),
        FieldProblem::InnCheckDigit => {
            "Контрольная цифра ИНН не сходится: в номере опечатка. Сверьте его с документами."
                .into()
        }
        FieldProblem::InnNeedsLegalEntity => {
            "ИНН из 10 цифр принадлежит организации: отметьте «Я получаю сертификат как \
             юридическое лицо» или введите ИНН физического лица из 12 цифр."
                .into()
        }
        FieldProblem::Abbreviated => {
            "Для индивидуального предпринимателя пишется полностью, без сокращений: \
             «Индивидуальный предприниматель Фамилия Имя Отчество»."
                .into()
        }
        FieldProblem::SoleProprietorName { expected } => format!(
            "Для индивидуального предпринимателя наименование заполняется по шаблону, полностью \
             без сокращений: «{expected}»."
        ),
        FieldProblem::ProprietorNameWithCompanyInn => {
            "Наименование указывает на индивидуального предпринимателя, а ИНН из 10 цифр — \
             организации. У ИП ИНН из 12 цифр."
                .into()
        }
        FieldProblem::Country => "Выберите «Россия».".into(),
        FieldProblem::CityNotInList => {
            "Такого города нет в списке: начните набирать название и выберите город из \
             подсказок."
                .into()
        }
        FieldProblem::Phone => {
            "Укажите стационарный телефон с кодом города или мобильный, например \
             +7 495 123-45-67."
                .into()
        }
        FieldProblem::Email => {
            "Адрес e-mail указан неверно. Он должен быть правильным: на него придёт ссылка для \
             сохранения сертификата."
                .into()
        }
        FieldProblem::Other { detail } => format!("Поле не прошло проверку: {detail}"),
    }
}

fn pin_problem(role: PinRole, p: &PinProblem) -> String {
    let what = pin(role);
    match p {
        PinProblem::TooShort { min } => format!(
            "Новый {what} слишком короткий: нужно не меньше {}.",
            count(u64::from(*min), "символа", "символов", "символов")
        ),
        PinProblem::TooLong { max } => format!(
            "Новый {what} слишком длинный: не больше {}.",
            count(u64::from(*max), "символа", "символов", "символов")
        ),
        PinProblem::SameAsOld => format!("Новый {what} совпадает с текущим: придумайте другой."),
        PinProblem::FactoryDefault => format!(
            "Новый {what} совпадает с заводским (12345678 или 87654321), его легко угадать: \
             придумайте другой."
        ),
        PinProblem::Weak { weakness } => {
            let why = match weakness {
                Weakness::Repeated => {
                    "в нём повторяется одна цифра или группа (как 111111 или 121212)"
                }
                Weakness::Sequence => "его цифры или буквы идут подряд (как 123456 или 654321)",
                Weakness::KeyboardRun => "это ряд соседних клавиш (как qwerty)",
                Weakness::Common => "он из числа самых распространённых, их пробуют первыми",
            };
            format!("Новый {what} легко угадать: {why}. Придумайте другой.")
        }
        PinProblem::Mismatch => {
            format!("Новый {what} введён два раза по-разному: введите его ещё раз, одинаково.")
        }
        PinProblem::BadCharacters => format!(
            "Новый {what} может содержать только латинские буквы, цифры и знаки препинания, \
             без пробелов."
        ),
    }
}

fn failure(k: &FailureKind) -> String {
    match k {
        FailureKind::WrongPin { role, tries: t } => {
            format!("Неверный {}. {}", pin(*role), tries(*t))
        }
        FailureKind::PinLocked { role } => format!("{} заблокирован.", pin(*role)),
        FailureKind::PinRefused { role } => format!(
            "Смарт-ключ не принял новый {}: он слишком простой или содержит недопустимые \
             символы. Придумайте другой.",
            pin(*role)
        ),
        FailureKind::TokenRemoved => {
            "Смарт-ключ был извлечён во время операции. Вставьте его снова и повторите: \
             на нём ничего не потеряно."
                .into()
        }
        FailureKind::KeyNotOnToken => {
            "Ключа этого сертификата нет на вставленном смарт-ключе.".into()
        }
        FailureKind::TokenFull => {
            "На смарт-ключе не хватает памяти. Обратитесь в поддержку банка.".into()
        }
        FailureKind::Device { detail } => format!(
            "Смарт-ключ сообщил об ошибке ({detail}). Извлеките его, вставьте снова и повторите."
        ),
        FailureKind::BankUnreachable { detail } => format!(
            "Не удалось связаться с банком ({detail}). Проверьте подключение к интернету и \
             повторите."
        ),
        FailureKind::BankAnswerInvalid { detail } => format!(
            "Ответ банка не прошёл проверку ({detail}). Повторите позже; если ошибка \
             повторится, обратитесь в поддержку банка."
        ),
        FailureKind::BankRejected { reasons } => {
            format!("Банк отклонил запрос: {}", reasons.join("; "))
        }
        FailureKind::LinkExpired => {
            "Ссылка устарела: установить сертификат нужно в течение 2 дней с момента получения \
             ссылки."
                .into()
        }
        FailureKind::RequestExpired => {
            "Сертификат был выдан более 3 дней назад и не установлен.".into()
        }
        FailureKind::UnknownRequest => "Банк не знает запроса по этой ссылке.".into(),
        FailureKind::Storage { detail } => format!("Не удалось сохранить файл ({detail})."),
    }
}

fn or_bank(email: &Option<String>) -> String {
    email
        .as_deref()
        .map_or_else(|| "адрес, указанный банком".to_string(), str::to_string)
}

pub(super) fn text(m: &Msg) -> String {
    match m {
        Msg::Plain { text } => text.clone(),
        Msg::Date { date: d } => date(*d),
        Msg::YesNo { yes } => if *yes { "Да" } else { "Нет" }.into(),
        Msg::KeyTypeName { key_type: k } => key_type(*k).into(),
        Msg::CountryRussia => "Россия".into(),

        Msg::ActionNext => "Далее".into(),
        Msg::ActionBack => "Назад".into(),
        Msg::ActionCancel => "Отмена".into(),
        Msg::ActionRetry => "Повторить".into(),
        Msg::ActionConfirm => "Подтвердить".into(),
        Msg::ActionOk => "ОК".into(),
        Msg::ActionClose => "Закрыть".into(),
        Msg::ActionUpdate => "Обновить".into(),
        Msg::ActionFillApplication => "Заполнить заявление".into(),
        Msg::ActionNewApplicationAnyway => "Всё равно заполнить новое заявление".into(),
        Msg::ActionAllCorrect => "Всё верно, далее".into(),
        Msg::ActionCorrect => "Исправить".into(),
        Msg::ActionSaveCertificate => "Сохранить сертификат".into(),
        Msg::ActionSignAct => "Подписать акт приёма-передачи".into(),
        Msg::ActionAskAgain => "Проверить снова".into(),
        Msg::ActionContinueRequest => "Продолжить с этим запросом".into(),
        Msg::ActionDestroy => "Уничтожить старый ключ".into(),

        Msg::BankChoice { name, agent_id } => format!("{name} (agentId {agent_id})"),
        Msg::BankChosen { name, agent_id } => format!("Банк: {name} (agentId {agent_id})."),
        Msg::ChooseBank => "Выберите банк, в котором вы получаете сертификат.".into(),
        Msg::NoBanks => {
            "Не задан ни один банк. Укажите файл профилей банков (--banks) или обратитесь в \
             поддержку банка."
                .into()
        }
        Msg::CallSupport { contact: Some(c) } => {
            format!("Телефон службы технической поддержки Клиентов Банка: {c}.")
        }
        Msg::CallSupport { contact: None } => {
            "Обратитесь в службу технической поддержки вашего банка.".into()
        }

        Msg::PendingFound { count: 1 } => "В банке уже ожидает ваш запрос.".into(),
        Msg::PendingFound { count: n } => format!("В банке уже ожидают ваши запросы: {n}."),
        Msg::PendingExplain => {
            "Продолжите с запросом, чтобы узнать его состояние и сохранить сертификат, когда \
             банк его выдаст. Новое заявление означает новую пару ключей и второй запрос в \
             банк: выбирайте его, только если этот запрос вам больше не нужен."
                .into()
        }
        Msg::PendingChoice {
            created,
            subject,
            serial,
        } => format!(
            "Запрос от {}: {subject}, смарт-ключ № {serial}",
            date(*created)
        ),

        Msg::InsertOneToken => "Вставьте смарт-ключ в USB-разъём компьютера.".into(),
        Msg::InsertTokenSerial { serial } => format!("Вставьте смарт-ключ № {serial}."),
        Msg::InsertNewEcp2 => "Вставьте в компьютер новый ключ Рутокен ЭЦП 2.0.".into(),
        Msg::InsertOldToken => "Вставьте действующий (устаревший) ключевой носитель.".into(),
        Msg::InsertTokenWithKey { serial } => {
            format!("Вставьте смарт-ключ № {serial}: на нём ключ этого сертификата.")
        }
        Msg::InsertTokenWithKeyUnknown => {
            "Вставьте смарт-ключ, на котором создавался запрос на этот сертификат.".into()
        }
        Msg::InsertBothTokens => {
            "Вставьте по очереди новый Рутокен ЭЦП 2.0 и старый ключевой носитель.".into()
        }
        Msg::SeveralTokens { count: n } => format!(
            "Вставлено {}. Извлеките лишние смарт-ключи/токены или выберите нужный и \
             подтвердите его серийный номер.",
            count(u64::from(*n), "смарт-ключ", "смарт-ключа", "смарт-ключей")
        ),
        Msg::TokenChoice {
            model,
            serial,
            label,
        } => {
            if label.is_empty() {
                format!("{model} № {serial}")
            } else {
                format!("{model} № {serial} «{label}»")
            }
        }
        Msg::FieldSerialTail { count: n } => format!(
            "Последние {} серийного номера",
            count(u64::from(*n), "символ", "символа", "символов")
        ),
        Msg::SerialTailHint { model, serial } => format!(
            "Убедитесь, что выбран нужный носитель ({model} № {serial}), и введите последние \
             символы его номера."
        ),
        Msg::SerialTailMismatch { serial } => {
            format!("Не совпадает с номером {serial}. Проверьте и введите ещё раз.")
        }
        Msg::WrongTokenSerial { expected } => {
            format!("Это не тот смарт-ключ. Нужен смарт-ключ № {expected}.")
        }
        Msg::OldTokenInsteadOfNew => {
            "Вставлен текущий (устаревший) ключ. Удалите его и вставьте новый ключ Рутокен ЭЦП \
             2.0."
                .into()
        }
        Msg::NewTokenInsteadOfOld { serial } => format!(
            "Вставлен новый Рутокен ЭЦП 2.0. Удалите его и вставьте текущий смарт-ключ \
             № {serial}."
        ),
        Msg::NotEcp2 { model } => format!(
            "Это не Рутокен ЭЦП 2.0 ({model}). Для нового сертификата нужен Рутокен ЭЦП 2.0."
        ),
        Msg::SeveralNewTokens => {
            "Вставлено несколько новых носителей. Оставьте только один новый Рутокен ЭЦП 2.0."
                .into()
        }
        Msg::KeyNotOnThisToken { serial } => format!(
            "На этом смарт-ключе нет ключа этого сертификата. Вставьте смарт-ключ № {serial}, \
             на котором создавался запрос."
        ),
        Msg::KeyNotOnThisTokenUnknown => {
            "На этом смарт-ключе нет ключа этого сертификата. Вставьте смарт-ключ, на котором \
             создавался запрос."
                .into()
        }
        Msg::NoCurrentCertificateHere => {
            "На этом носителе нет действующего сертификата этого владельца. Вставьте текущий \
             (устаревший) ключевой носитель."
                .into()
        }
        Msg::TokenPinLocked { serial } => {
            format!("PIN-код смарт-ключа № {serial} заблокирован: им нельзя воспользоваться.")
        }
        Msg::NoCertificateOnToken { serial } => format!(
            "На смарт-ключе № {serial} нет сертификата. Вставьте действующий ключевой \
             носитель, сертификат которого обновляется."
        ),
        Msg::DoNotRemoveToken => "Не извлекайте смарт-ключ до окончания операции.".into(),
        Msg::TokenRemovedRepeat => {
            "Смарт-ключ был извлечён. Вставьте его снова и повторите: на нём ничего не \
             потеряно."
                .into()
        }

        Msg::PinUnsafeTitle { role } => format!("{} потенциально небезопасен", pin(*role)),
        Msg::PinUnsafe { role } => format!(
            "Текущий {} потенциально небезопасен. Необходимо сменить его на новый.",
            pin(*role)
        ),
        Msg::PinChangeHow {
            role: PinRole::User,
        } => "В первом поле введите PIN-код по умолчанию: 12345678, затем придумайте, введите и \
             подтвердите новый PIN-код. В дальнейшем Вы будете его вводить при входе."
            .into(),
        Msg::PinChangeHow {
            role: PinRole::Admin,
        } => "В первом поле введите PIN-код администратора по умолчанию: 87654321, затем \
              придумайте, введите и подтвердите новый PIN-код администратора."
            .into(),
        Msg::KeepPinsSafe => "Храните PIN-коды в недоступном для посторонних лиц месте!".into(),
        Msg::FieldCurrentPin { role } => format!("Текущий {}", pin(*role)),
        Msg::FieldNewPin { role } => format!("Новый {}", pin(*role)),
        Msg::FieldRepeatPin { role } => format!("Новый {} ещё раз", pin(*role)),
        Msg::DefaultPinHint { role } => format!("По умолчанию: {}", default_pin(*role)),
        Msg::NewPinRules { min } => format!(
            "Не меньше {}: латинские буквы, цифры, знаки препинания. Не 12345678 и не \
             87654321.",
            count(u64::from(*min), "символа", "символов", "символов")
        ),
        Msg::ChangingPin { role } => format!("Меняем {}…", pin(*role)),
        Msg::CheckingPin => "Проверяем PIN-код…".into(),
        Msg::PinPolicy { role, problem } => pin_problem(*role, problem),
        Msg::WrongPin { role, tries: t } => {
            format!(
                "Неверный {}. {} Проверьте раскладку клавиатуры и Caps Lock.",
                pin(*role),
                tries(*t)
            )
        }
        Msg::WrongPinLastTry { role } => format!(
            "Внимание: осталась последняя попытка. Ещё один неверный ввод заблокирует {}.",
            pin(*role)
        ),
        Msg::PinEmpty => "Введите PIN-код.".into(),
        Msg::PinRefusedByToken { role } => format!(
            "Смарт-ключ не принял новый {}: он слишком простой или содержит недопустимые \
             символы. Придумайте другой.",
            pin(*role)
        ),
        Msg::FieldPinLogin => "PIN-код".into(),
        Msg::FieldNewPinLogin => "Новый PIN-код".into(),
        Msg::FieldCurrentPinLogin => "Текущий PIN-код".into(),
        Msg::FieldOldPinLogin => "PIN-код текущего смарт-ключа".into(),

        Msg::Failed { kind } => failure(kind),

        Msg::NewTitle => "Запрос на получение сертификата".into(),
        Msg::NewIntro => "Мастер проведёт вас через создание запроса на сертификат для работы в \
             Интернет-Банке: ключ создаётся на смарт-ключе и никогда его не покидает."
            .into(),
        Msg::InsertTokenTitle => "Вставьте смарт-ключ".into(),
        Msg::InsertTokenReceived => {
            "Вставьте в USB-разъём компьютера смарт-ключ, полученный ранее в Банке, для \
             сохранения на него нового ключа."
                .into()
        }
        Msg::OnlyOneToken => "Обязательно извлеките/отключите лишние смарт-ключи/токены.".into(),
        Msg::RightCarrierWarning => {
            "Обратите внимание, что в компьютер вставлен именно тот носитель! Особенно если на \
             компьютере работают с системами Банк-Клиент различных Банков или организация \
             имеет несколько сертификатов с разными правами подписи!"
                .into()
        }
        Msg::FormTitle => "Заявление на выдачу сертификата".into(),
        Msg::FormDraftRestored => {
            "Заявление заполнено так, как вы оставили его в прошлый раз. Проверьте его и \
             продолжайте."
                .into()
        }
        Msg::FormIntro => {
            "Очень внимательно заполните все обязательные поля для получения сертификата!".into()
        }
        Msg::FormReview => {
            "Ещё раз проверьте правильность заполнения полей и выберите «Далее».".into()
        }
        Msg::FormHasProblems { count: n } => format!(
            "В заявлении {} — исправьте отмеченные поля.",
            count(u64::from(*n), "ошибка", "ошибки", "ошибок")
        ),
        Msg::FieldLabel { field: f } => field(*f).into(),
        Msg::FieldProblem { field: f, problem } => field_problem(*f, problem),
        Msg::HintOwnerName => {
            "ФИО уполномоченного лица — владельца сертификата: лица с правом подписи по \
             банковской карточке или с ограниченными правами по доверенности."
                .into()
        }
        Msg::HintLegalEntity => "Установите эту отметку.".into(),
        Msg::HintOrganization => {
            "Наименование вашей организации. Индивидуальный предприниматель пишет \
             «Индивидуальный предприниматель Фамилия Имя Отчество» полностью, без сокращений."
                .into()
        }
        Msg::HintInn => "ИНН вашей организации: 10 цифр, у ИП — 12.".into(),
        Msg::HintKio => "КИО — не заполнять.".into(),
        Msg::HintDocument => "Например: Устав, доверенность.".into(),
        Msg::HintCity => {
            "Город вашего фактического расположения: наберите первые буквы и выберите из \
             списка."
                .into()
        }
        Msg::HintAddress => "Юридический адрес вашей организации.".into(),
        Msg::HintPhone => "Стационарный (с кодом города) или мобильный.".into(),
        Msg::HintEmail => {
            "На него придёт ссылка для сохранения сертификата, а позже — уведомления об \
             истечении срока его действия."
                .into()
        }

        Msg::NewPinTitle => "Введите НОВЫЙ PIN-код".into(),
        Msg::NewPinExplain => {
            "После ввода PIN-кода на смарт-ключе будет создана ключевая пара, запрос будет \
             подписан и отправлен в Банк."
                .into()
        }
        Msg::RenewPinTitle => "Введите PIN-код".into(),
        Msg::RenewKeyExplain => {
            "Введите PIN-код нового Рутокен ЭЦП 2.0: на нём будет создан ключ ГОСТ Р 34.10-2012 \
             и сформирован запрос."
                .into()
        }
        Msg::LeftoverKeys { count: n } => format!(
            "На смарт-ключе {} без сертификата, созданн{} этой программой раньше (работа была \
             прервана). Выберите, что с {} сделать.",
            count(u64::from(*n), "ключ", "ключа", "ключей"),
            plural(u64::from(*n), "ый", "ых", "ых"),
            plural(u64::from(*n), "ним", "ними", "ними")
        ),
        Msg::ReuseKey { key_id } => format!("Использовать имеющийся ключ {key_id}"),
        Msg::DeleteLeftoversAndGenerate { count: n } => format!(
            "Удалить {} и создать новый",
            plural(u64::from(*n), "его", "их", "их")
        ),
        Msg::KeepLeftoversAndGenerate => "Оставить как есть и создать новый ключ".into(),
        Msg::KeyWillBeReused { key_id } => {
            format!("Будет использован уже созданный ключ {key_id}: второй ключ не создаётся.")
        }
        Msg::DeletingLeftovers => "Удаляем ключи, оставшиеся от прерванной работы…".into(),
        Msg::GeneratingKey { key_type: k } => format!(
            "Создаём ключевую пару на смарт-ключе ({}). Это может занять до минуты…",
            key_type(*k)
        ),
        Msg::BuildingRequest => "Формируем и подписываем запрос на смарт-ключе…".into(),
        Msg::SigningRequest => "Подписываем запрос ключом текущего смарт-ключа…".into(),
        Msg::SendingRequest => "Отправляем запрос в Банк…".into(),
        Msg::RecordingRequest => "Сохраняем сведения о запросе на этом компьютере…".into(),

        Msg::ApplicationTitle => "Заявление на выдачу сертификата".into(),
        Msg::ApplicationSignAndSend { operations_email } => format!(
            "Данный документ необходимо подписать, поставить печать (при наличии) и отправить \
             скан на электронную почту Банка: {}.",
            or_bank(operations_email)
        ),
        Msg::BankWaitsForScan { operations_email } => format!(
            "Запрос будет обработан Банком только после того, как на электронную почту Банка \
             ({}) поступит отсканированное и подписанное Заявление на выдачу Сертификата \
             ключа проверки электронной подписи!",
            or_bank(operations_email)
        ),
        Msg::SavingDocument => "Сохраняем документ для печати…".into(),
        Msg::DocumentSavedAt { location } => format!("Документ сохранён: {location}"),

        Msg::DocApplicationTitle => {
            "Заявление на выдачу Сертификата ключа проверки электронной подписи".into()
        }
        Msg::DocActTitle => {
            "Акт приёма-передачи Сертификата ключа проверки электронной подписи".into()
        }
        Msg::DocToken => "Ключевой носитель".into(),
        Msg::DocRequestNumber => "Номер запроса".into(),
        Msg::DocOwner => "Владелец сертификата".into(),
        Msg::DocCertificateSerial => "Серийный номер сертификата".into(),
        Msg::DocIssuer => "Издатель".into(),
        Msg::DocValidFrom => "Действителен с".into(),
        Msg::DocValidUntil => "Действителен по".into(),
        Msg::DocKeyFingerprint => "Отпечаток ключа проверки (SHA-256)".into(),
        Msg::DocSignOwner => "Владелец сертификата: ____________ / ____________ /".into(),
        Msg::DocSignHead => "Руководитель организации: ____________ / ____________ /".into(),
        Msg::DocSignBank => "Представитель Банка: ____________ / ____________ /".into(),
        Msg::DocStamp => "М.П.".into(),

        Msg::RenewTitle => "Обновление сертификата".into(),
        Msg::RenewIntro => {
            "Мастер выпустит сертификат ГОСТ Р 34.10-2012 на новом ключе Рутокен ЭЦП 2.0 взамен \
             действующего."
                .into()
        }
        Msg::CurrentPinTitle => "Введите текущий PIN-код".into(),
        Msg::CurrentPinExplain => {
            "Введите PIN-код текущего (устаревшего) смарт-ключа и нажмите «Далее»: откроются \
             сведения о вашем текущем сертификате."
                .into()
        }
        Msg::CurrentCertificateTitle => "Ваш текущий сертификат".into(),
        Msg::ChooseCertificate => {
            "На носителе несколько сертификатов. Выберите тот, который обновляется.".into()
        }
        Msg::CertificateChoice {
            owner,
            organization,
            valid_until,
        } => format!(
            "{}{}, действителен по {}",
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
            "Владелец: {}\nОрганизация: {}\nСерийный номер: {serial}\nСрок действия: с {} по {}",
            owner.as_deref().unwrap_or("—"),
            organization.as_deref().unwrap_or("—"),
            maybe_date(*valid_from),
            maybe_date(*valid_until)
        ),
        Msg::DaysLeft { days } if *days < 0 => format!(
            "Срок действия истёк {} назад.",
            count(days.unsigned_abs(), "день", "дня", "дней")
        ),
        Msg::DaysLeft { days: 0 } => "Сегодня последний день срока действия.".into(),
        Msg::DaysLeft { days } => format!(
            "До окончания срока действия {} {}.",
            plural(days.unsigned_abs(), "остался", "осталось", "осталось"),
            count(days.unsigned_abs(), "день", "дня", "дней")
        ),
        Msg::ExpiresSoon { days } => format!(
            "Срок действия сертификата скоро истекает (через {}).",
            count(days.unsigned_abs(), "день", "дня", "дней")
        ),
        Msg::ContactsTitle => "Проверьте контактные данные".into(),
        Msg::ContactsExplain => {
            "Проверьте актуальность номера телефона и адреса электронной почты (на указанный \
             адрес придёт ссылка для сохранения нового сертификата) и нажмите «Обновить»."
                .into()
        }
        Msg::SwapToNewTitle => "Замена ключевого носителя".into(),
        Msg::SwapToNew => {
            "Удалите текущий (устаревший) ключ, вставьте в компьютер новый ключ Рутокен ЭЦП 2.0 \
             и нажмите «ОК»."
                .into()
        }
        Msg::SwapBackTitle => "Подпись запроса текущим ключом".into(),
        Msg::SwapBack => {
            "Удалите Рутокен ЭЦП 2.0, вставьте в компьютер текущий смарт-ключ, нажмите «ОК» и \
             введите PIN-код текущего смарт-ключа. Сформированный запрос автоматически \
             передаётся в банк для подтверждения."
                .into()
        }

        Msg::SaveTitle => "Сохранение сертификата".into(),
        Msg::SaveIntro { transaction } => format!("Запрос № {transaction}."),
        Msg::AskingBank => "Запрашиваем состояние запроса в Банке…".into(),
        Msg::KeepingCertificate => "Сохраняем копию сертификата на этом компьютере…".into(),
        Msg::RequestSentAgain => {
            "Отправка запроса в прошлый раз была прервана, и банк его не получил. \
             Запрос отправлен снова, тот же самый: новый ключ и новое заявление не нужны."
                .into()
        }
        Msg::NotIssuedYet => "Банк ещё не выдал сертификат по этому запросу.".into(),
        Msg::BankSays { words } => format!("Банк сообщает: {}", words.join("; ")),
        Msg::AskAgainAfter { minutes: Some(m) } if *m > 0 => format!(
            "Проверьте снова не раньше чем через {}.",
            count(*m, "минуту", "минуты", "минут")
        ),
        Msg::AskAgainAfter { .. } => {
            "Проверьте снова позже: обычно Банк подтверждает запрос в течение 3 рабочих часов."
                .into()
        }
        Msg::WhichFlowTitle => "Какой это сертификат?".into(),
        Msg::WhichFlowExplain => {
            "На этом компьютере нет сведений об этом запросе. Укажите, первый ли это ваш \
             сертификат или обновление действующего: от этого зависит, каким ключом \
             подписывается акт приёма-передачи."
                .into()
        }
        Msg::LooksLikeRenewal { serial } => format!(
            "На смарт-ключе № {serial} есть действующий сертификат того же владельца: похоже, \
             это обновление."
        ),
        Msg::ThisIsNew => "Первый сертификат (новый клиент)".into(),
        Msg::ThisIsRenewal => "Обновление действующего сертификата".into(),
        Msg::SaveCertificateTitle => "Сохранение сертификата".into(),
        Msg::SaveNewExplain => {
            "Вставьте смарт-ключ, на котором создавался запрос, нажмите «Сохранить \
             сертификат» и введите PIN-код."
                .into()
        }
        Msg::SaveRenewedExplain => {
            "Вставьте в компьютер новый ключ Рутокен ЭЦП 2.0, нажмите «Сохранить сертификат» \
             и введите PIN-код."
                .into()
        }
        Msg::SavingCertificate => "Сохраняем сертификат на смарт-ключ…".into(),
        Msg::SigningAct => "Подписываем акт приёма-передачи…".into(),
        Msg::VerifyingCertificate => "Проверяем сохранённый сертификат…".into(),
        Msg::SignActTitle => "Подпись акта приёма-передачи".into(),
        Msg::SignActExplain => {
            "Установите текущий (устаревший) ключ и нажмите «Подписать акт приёма-передачи»: \
             акт подписывается текущим ключом."
                .into()
        }
        Msg::OldKeyMissing => {
            "На этом носителе нет текущего ключа, которым подписывался запрос. Вставьте \
             носитель с действующим сертификатом."
                .into()
        }
        Msg::CertificateSavedOk => "Сертификат успешно сохранён на смарт-ключ.".into(),
        Msg::ActTitle => "Акт приёма-передачи".into(),
        Msg::PrintActTwice => {
            "Распечатайте акт приёма-передачи в двух экземплярах; на актах ставится подпись \
             владельца сертификата."
                .into()
        }
        Msg::CheckTitle => "Проверка нового сертификата".into(),

        Msg::DestroyTitle => "Уничтожение старого ключа".into(),
        Msg::DestroyExplain => {
            "После успешного прохождения первого платёжного поручения, подписанного новым \
             ключом, уничтожьте старый ключ! Мастер удаляет старый ключ только после двух \
             ваших подтверждений и только если новый сертификат находится на другом носителе."
                .into()
        }
        Msg::DestroyNeedBoth => {
            "Мастер пока не видел старого ключа вместе с новым сертификатом на другом \
             носителе. Вставьте по очереди новый Рутокен ЭЦП 2.0 и старый носитель."
                .into()
        }
        Msg::DestroyCandidate {
            owner,
            old_serial,
            old_valid_until,
            new_serial,
            new_valid_until,
        } => format!(
            "{}: старый ключ на носителе № {old_serial} (сертификат по {}), новый сертификат на \
             носителе № {new_serial} (по {})",
            owner.as_deref().unwrap_or("—"),
            maybe_date(*old_valid_until),
            maybe_date(*new_valid_until)
        ),
        Msg::DestroyOnlyAfterPayment => {
            "Подтвердите, что первое платёжное поручение, подписанное новым ключом, успешно \
             прошло. До этого старый ключ уничтожать нельзя."
                .into()
        }
        Msg::DestroyIrreversible { serial } => format!(
            "Старый ключ и его сертификат на носителе № {serial} будут уничтожены. Отменить \
             это невозможно."
        ),
        Msg::DestroyingKey => "Уничтожаем старый ключ…".into(),

        Msg::SentTitle => "Запрос отправлен в Банк".into(),
        Msg::SentNewWhatNext { operations_email } => format!(
            "Подпишите заявление, поставьте печать (при наличии) и отправьте скан на \
             электронную почту Банка: {}. Банк обработает запрос только после этого.",
            or_bank(operations_email)
        ),
        Msg::SentRenewalWhatNext => {
            "Запрос будет подтверждён Банком (обычно в течение 3 рабочих часов).".into()
        }
        Msg::LinkEmail => {
            "После обработки запроса на указанную вами электронную почту поступит письмо от \
             noreply@faktura.ru с темой «Сертификат для работы в Интернет-Банке», содержащее \
             ссылку для сохранения сертификата."
                .into()
        }
        Msg::TwoAndThreeDayRules => {
            "Установить сертификат на смарт-ключ необходимо в течение 2-х дней с момента \
             получения ссылки. Если установка не удалась, а сертификат был выдан более 3-х \
             дней назад, процедура производится заново, а Клиент оплачивает стоимость замены \
             электронной подписи согласно действующим Тарифам Банка."
                .into()
        }
        Msg::SaveCommandHint => {
            "Чтобы сохранить сертификат, запустите smartkey save и укажите ссылку из письма.".into()
        }
        Msg::SavedTitle => "Сертификат сохранён".into(),
        Msg::BringPapers => {
            "Передайте в Операционный отдел Банка комплект подписанных документов с \
             проставленной печатью: Заявление на выдачу Сертификата ключа проверки \
             электронной подписи и Акт приёма-передачи. Только после получения и проверки \
             этих документов сертификат будет активирован."
                .into()
        }
        Msg::LoginOnline { url: Some(u) } => {
            format!("Для входа в систему воспользуйтесь прямой ссылкой: {u}")
        }
        Msg::LoginOnline { url: None } => {
            "Для входа в систему воспользуйтесь адресом Интернет-Банка вашего банка.".into()
        }
        Msg::UnplugAfterWork => {
            "По завершении работы в системе не забудьте отключить смарт-ключ.".into()
        }
        Msg::CheckValidityOnline { url } => format!(
            "Зайдите в систему{} и проверьте срок действия сертификата в разделе \
             «Безопасность» → «Обновление сертификата».",
            url.as_deref()
                .map(|u| format!(" ({u})"))
                .unwrap_or_default()
        ),
        Msg::DestroyOldKeyLater => {
            "После успешного прохождения первого платёжного поручения, подписанного новым \
             ключом, уничтожьте старый ключ (smartkey, шаг R2.13)."
                .into()
        }
        Msg::OldKeyDestroyedTitle => "Старый ключ уничтожен".into(),
        Msg::OldKeyDestroyed => {
            "Старый ключ и его сертификат удалены с носителя. Работайте с новым ключом \
             Рутокен ЭЦП 2.0."
                .into()
        }
        Msg::CancelledTitle => "Работа прервана".into(),
        Msg::CancelledNothingLost => {
            "Ничего не потеряно: то, что уже есть на смарт-ключе и в Банке, сохранено. \
             Запустите мастер снова — он продолжит с того места, где вы остановились."
                .into()
        }
        Msg::PinLockedTitle { role } => format!("{} заблокирован", pin(*role)),
        Msg::PinLockedWhat {
            role: PinRole::User,
        } => "PIN-код заблокирован после нескольких неверных попыток. Разблокировать его можно \
             PIN-кодом администратора; если он вам неизвестен, обратитесь в поддержку банка."
            .into(),
        Msg::PinLockedWhat {
            role: PinRole::Admin,
        } => "PIN-код администратора заблокирован после нескольких неверных попыток. Без \
              помощи банка разблокировать смарт-ключ нельзя."
            .into(),
        Msg::RejectedTitle => "Банк отклонил запрос".into(),
        Msg::RejectedReasons { reasons } if reasons.is_empty() => "Банк не указал причину.".into(),
        Msg::RejectedReasons { reasons } => format!("Причина: {}", reasons.join("; ")),
        Msg::LinkExpiredTitle => "Ссылка устарела".into(),
        Msg::LinkExpiredWhat => {
            "Установить сертификат нужно в течение 2 дней с момента получения ссылки, а этот \
             срок прошёл. Попросите Банк прислать ссылку повторно и сохраните сертификат по \
             новой ссылке."
                .into()
        }
        Msg::RequestExpiredTitle => "Срок установки сертификата истёк".into(),
        Msg::RequestExpiredWhat => {
            "Сертификат был выдан более 3-х дней назад и не установлен. Процедуру нужно пройти \
             заново (новый запрос), а Клиент оплачивает стоимость замены электронной подписи \
             согласно действующим Тарифам Банка."
                .into()
        }
        Msg::UnknownRequestTitle => "Запрос не найден".into(),
        Msg::UnknownRequestWhat => {
            "Банк не знает запроса по этой ссылке. Проверьте, что ссылка скопирована из письма \
             полностью."
                .into()
        }
        Msg::NeverArrivedTitle => "Запрос не дошёл до банка".into(),
        Msg::NeverArrivedWhat => {
            "Отправка запроса была прервана, и банк его не получил. Запустите мастер снова и \
             заполните заявление: ключ, уже созданный на смарт-ключе, будет предложен снова, \
             а заполненное заявление сохранено."
                .into()
        }
        Msg::CertificateExpiredTitle => "Сертификат уже истёк".into(),
        Msg::CertificateExpiredWhat => {
            "Срок действия сертификата истёк: обновить его нельзя. Получите новый сертификат \
             (smartkey new) или обратитесь в Банк."
                .into()
        }
        Msg::AnotherSmartkeyRunning { pid } => format!(
            "Уже работает другой smartkey{}. Дождитесь, пока он закончит, или закройте его, \
             затем запустите smartkey снова.",
            pid.map(|p| format!(" (PID {p})")).unwrap_or_default()
        ),
        Msg::PreflightWarning {
            check,
            summary,
            advice,
        } => match advice {
            Some(advice) => {
                format!("Проверка перед началом. {check}: {summary}. Что сделать: {advice}")
            }
            None => format!("Проверка перед началом. {check}: {summary}."),
        },
    }
}
