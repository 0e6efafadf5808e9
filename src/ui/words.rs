//! The few words of the renderers' own chrome (flow names, notice levels, key names, the
//! line-mode help) in Russian and English. The catalogue words what the wizard says;
//! these are what the frame around it says, kept here so that the wizard's catalogue
//! stays about the bank's procedure.

use smartkey_i18n::Lang;
use smartkey_wizard::{FlowKind, Level};

/// The renderers' words in one language.
#[derive(Debug)]
pub struct Words {
    pub session: &'static str,
    pub flow_new: &'static str,
    pub flow_renew: &'static str,
    pub flow_save: &'static str,
    pub flow_destroy: &'static str,
    pub info: &'static str,
    pub warning: &'static str,
    pub danger: &'static str,
    pub error: &'static str,
    pub empty: &'static str,
    pub required: &'static str,
    pub read_only: &'static str,
    pub suggestions: &'static str,
    /// "{min}-{max} characters, typed hidden".
    pub pin_lengths: &'static str,
    pub choose: &'static str,
    pub tokens: &'static str,
    pub chosen: &'static str,
    pub wrong: &'static str,
    pub document: &'static str,
    pub agent: &'static str,
    pub awaiting: &'static str,
    pub progress: &'static str,
    pub actions: &'static str,
    pub fields: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    /// Line mode's own commands, for the help.
    pub line_help: &'static str,
    /// Line mode: a hidden PIN prompt whose screen stopped asking for the PIN (the token
    /// was pulled, say); what is typed there is thrown away.
    pub pin_dropped: &'static str,
    /// Shown instead of the screen when the terminal is too small.
    pub too_small: &'static str,
    pub key_field: &'static str,
    pub key_choose: &'static str,
    pub key_scroll: &'static str,
    pub key_tick: &'static str,
    pub key_pick: &'static str,
}

const RU: Words = Words {
    session: "сессия",
    flow_new: "Новый сертификат",
    flow_renew: "Перевыпуск",
    flow_save: "Сохранение сертификата",
    flow_destroy: "Уничтожение старого ключа",
    info: "К СВЕДЕНИЮ",
    warning: "ВНИМАНИЕ",
    danger: "ОПАСНО",
    error: "ОШИБКА",
    empty: "(пусто)",
    required: "обязательно",
    read_only: "не изменяется",
    suggestions: "Варианты",
    pin_lengths: "от {min} до {max} символов, ввод скрыт",
    choose: "Выберите",
    tokens: "Вставлены",
    chosen: "выбран",
    wrong: "не тот",
    document: "Документ",
    agent: "agentId",
    awaiting: "Ожидание",
    progress: "Выполняется",
    actions: "Действия",
    fields: "Поля",
    yes: "да",
    no: "нет",
    line_help: "Команды: Enter или «далее» — дальше; «назад»; «отмена»; «повтор»; «да» — подтвердить; \
число — выбрать пункт списка; «поле=значение» или «:поле значение» — заполнить поле \
(у поля с вариантами число выбирает вариант); «pin» — ввести PIN (ввод скрыт, PIN не \
пишется в строке команды); «помощь»; «выход».",
    pin_dropped: "PIN-код здесь больше не нужен: нажмите Enter, чтобы продолжить (набранное не сохраняется).",
    too_small: "Увеличьте окно: нужно не меньше 40×10 символов.",
    key_field: "перейти",
    key_choose: "выбрать",
    key_scroll: "прокрутка",
    key_tick: "отметить",
    key_pick: "вариант",
};

const EN: Words = Words {
    session: "session",
    flow_new: "New certificate",
    flow_renew: "Renewal",
    flow_save: "Saving the certificate",
    flow_destroy: "Destroying the old key",
    info: "NOTE",
    warning: "WARNING",
    danger: "DANGER",
    error: "ERROR",
    empty: "(empty)",
    required: "required",
    read_only: "read-only",
    suggestions: "Suggestions",
    pin_lengths: "{min} to {max} characters, typed hidden",
    choose: "Choose",
    tokens: "Inserted",
    chosen: "chosen",
    wrong: "not this one",
    document: "Document",
    agent: "agentId",
    awaiting: "Waiting for",
    progress: "Working",
    actions: "Actions",
    fields: "Fields",
    yes: "yes",
    no: "no",
    line_help: "Commands: Enter or \"next\" to go on; \"back\"; \"cancel\"; \"retry\"; \"yes\" to confirm; \
a number picks an entry of the list; \"field=value\" or \":field value\" fills a field \
(for a field with suggestions a number picks one); \"pin\" to type a PIN (hidden, never \
on the command line); \"help\"; \"quit\".",
    pin_dropped: "The PIN is no longer asked for here: press Enter to go on (what is typed is thrown away).",
    too_small: "Please make the window larger: at least 40×10 characters.",
    key_field: "move",
    key_choose: "choose",
    key_scroll: "scroll",
    key_tick: "tick",
    key_pick: "suggestion",
};

impl Words {
    pub fn of(lang: Lang) -> &'static Words {
        match lang {
            Lang::Ru => &RU,
            Lang::En => &EN,
        }
    }

    pub fn flow(&self, flow: FlowKind) -> &'static str {
        match flow {
            FlowKind::New => self.flow_new,
            FlowKind::Renew => self.flow_renew,
            FlowKind::Save => self.flow_save,
            FlowKind::DestroyOldKey => self.flow_destroy,
        }
    }

    pub fn level(&self, level: Level) -> &'static str {
        match level {
            Level::Info => self.info,
            Level::Warning => self.warning,
            Level::Danger => self.danger,
            Level::Error => self.error,
        }
    }

    /// What a PIN field takes, with its lengths filled in.
    pub fn pin_lengths(&self, min: impl std::fmt::Display, max: impl std::fmt::Display) -> String {
        self.pin_lengths
            .replace("{min}", &min.to_string())
            .replace("{max}", &max.to_string())
    }
}
