//! The client at the keyboard: reads each screen smartkey prints in line mode and does
//! what the screen asks, by its step code and its words, the way the bank's instruction
//! tells a client to. The person remembers what a client remembers (the PINs chosen,
//! the form's values) and plugs tokens in and out when a screen says so; nothing of the
//! wizard's own state is looked at. At the chosen step the person is interrupted by a
//! [`Fault`].

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::lab::{Lab, NEW, OLD, Wire};
use crate::pty_support::{Key, Term};

/// What happens to the run at the chosen step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The person leaves by the program's own way (`выход`, as F10 in the full screen).
    Quit,
    /// Ctrl-C at the terminal.
    CtrlC,
    /// The system asks the program to stop (SIGTERM).
    Term,
    /// The terminal is closed (SIGHUP).
    Hangup,
    /// The process is killed outright (SIGKILL, as a power cut is to the program).
    Kill,
    /// Killed outright just after the person's last action at the step, while the work
    /// it started runs (the key made, the request sent, the act signed, the certificate
    /// written).
    KillBusy,
    /// The token is pulled out of the reader.
    TokenPulled,
    /// The bank's server is stopped.
    BankDown,
    /// The bank answers with bytes that are not a CMP message.
    BankGarbage,
    /// The bank takes the connection and never answers (the exchange times out).
    BankSilent,
}

impl Fault {
    pub const ALL: [Fault; 10] = [
        Fault::Quit,
        Fault::CtrlC,
        Fault::Term,
        Fault::Hangup,
        Fault::Kill,
        Fault::KillBusy,
        Fault::TokenPulled,
        Fault::BankDown,
        Fault::BankGarbage,
        Fault::BankSilent,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Fault::Quit => "quit",
            Fault::CtrlC => "Ctrl-C",
            Fault::Term => "SIGTERM",
            Fault::Hangup => "SIGHUP",
            Fault::Kill => "SIGKILL",
            Fault::KillBusy => "SIGKILL busy",
            Fault::TokenPulled => "token out",
            Fault::BankDown => "CA down",
            Fault::BankGarbage => "CA garbage",
            Fault::BankSilent => "CA silent",
        }
    }

    /// Whether the fault ends the process at once (the rest is the next run's).
    fn ends_the_run(self) -> bool {
        matches!(
            self,
            Fault::Quit
                | Fault::CtrlC
                | Fault::Term
                | Fault::Hangup
                | Fault::Kill
                | Fault::KillBusy
        )
    }
}

/// What the client types into the N2.3 form.
pub const FORM: [(&str, &str); 9] = [
    ("surname", "Петров"),
    ("given_name", "Пётр"),
    ("patronymic", "Петрович"),
    ("organization", "ООО Василёк"),
    ("inn", "7707083893"),
    ("document", "Устав"),
    ("address", "Невский проспект, д. 1"),
    ("phone", "+7 (812) 300-00-00"),
    ("email", "petrov@example.ru"),
];
pub const CITY: &str = "Санкт-Петербург";
/// The e-mail address the client changes to at R2.4.
pub const NEW_EMAIL: &str = "petr.new@example.org";

const FACTORY_PIN: &str = "12345678";
const FACTORY_ADMIN_PIN: &str = "87654321";

/// A screen as printed, from its header line on.
struct Shown {
    code: String,
    text: String,
}

impl Shown {
    fn lines(&self) -> std::str::Lines<'_> {
        self.text.lines()
    }

    fn starting(&self, prefix: &str) -> Option<&str> {
        self.lines().rev().find_map(|l| l.strip_prefix(prefix))
    }

    fn actions(&self) -> &str {
        self.starting("Действия:").unwrap_or("").trim()
    }

    fn offers(&self, action: &str) -> bool {
        self.actions().contains(action)
    }

    /// The serials of the tokens the screen lists, the selected one marked.
    fn tokens(&self) -> Vec<(String, bool)> {
        self.lines()
            .filter_map(|l| {
                let rest = l.split_once("Rutoken ECP 2.0 № ")?.1;
                let serial: String = rest.chars().take_while(char::is_ascii_hexdigit).collect();
                (serial.len() == 8).then(|| (serial, l.contains("(выбран)")))
            })
            .collect()
    }

    fn selected(&self) -> Option<String> {
        let tokens = self.tokens();
        tokens
            .iter()
            .find(|(_, s)| *s)
            .or_else(|| (tokens.len() == 1).then(|| &tokens[0]))
            .map(|(s, _)| s.clone())
    }
}

/// The serial named after "№ " in `text`.
fn serial_in(text: &str) -> Option<String> {
    let rest = text.split_once("№ ")?.1;
    let serial: String = rest.chars().take_while(char::is_ascii_hexdigit).collect();
    (serial.len() == 8).then_some(serial)
}

/// What the person does on a screen: lines typed first, then the one that leaves it.
struct Plan {
    prep: Vec<String>,
    last: Last,
}

enum Last {
    Line(String),
    /// Enter, then each PIN at its hidden prompt; `change` for the change-PIN form.
    Pins {
        change: bool,
    },
    /// Only this token in the readers.
    Token(String),
    /// The flow's last screen: Enter closes it.
    Close,
    /// The request waits at the bank: nothing more to do today, the person leaves.
    Waiting,
    /// The screen reports an error and offers to try again.
    Error(String),
    /// Nothing the person knows to do.
    Stuck,
}

/// How a run went.
#[derive(Debug)]
pub struct Trip {
    /// The step whose closing screen the person closed, if the flow got there.
    pub closed_at: Option<String>,
    /// Whether the fault was injected.
    pub faulted: bool,
    pub exit: Option<portable_pty::ExitStatus>,
    /// The step codes shown, in order (repeats collapsed).
    pub steps: Vec<String>,
    /// What was wrong, if anything.
    pub problem: Option<String>,
    /// The terminal echoes and reads whole lines again once the program is gone.
    pub terminal_restored: bool,
}

/// The client, with what a client remembers between runs.
#[derive(Debug, Clone, Default)]
pub struct Person {
    /// The user and admin PINs of each token, as last changed by this person.
    pins: BTreeMap<String, (String, String)>,
    /// A PIN change submitted and not yet seen through: serial, admin?, PIN, step.
    changing: Option<(String, bool, String, String)>,
    /// The token that comes first to mind when a screen asks for "the token".
    pub usual: Option<String>,
    /// Whether the certificate being saved renews an earlier one.
    pub renewing: bool,
}

/// Where a trip ends when the bank has not decided yet.
pub const WAITING: &str = "waiting at the bank";

/// How long a screen may take: a bank exchange that times out takes 45 s.
const SCREEN: Duration = Duration::from_secs(90);
const EXIT: Duration = Duration::from_secs(30);
const QUIET: Duration = Duration::from_millis(350);

impl Person {
    pub fn new() -> Person {
        Person {
            usual: Some(OLD.into()),
            ..Person::default()
        }
    }

    fn pin(&self, serial: &str, admin: bool) -> String {
        match (self.pins.get(serial), admin) {
            (Some((u, _)), false) => u.clone(),
            (Some((_, a)), true) => a.clone(),
            (None, false) => FACTORY_PIN.into(),
            (None, true) => FACTORY_ADMIN_PIN.into(),
        }
    }

    /// Every PIN this person chose (none of them may be written anywhere).
    pub fn chosen_pins(&self) -> Vec<String> {
        self.pins
            .values()
            .flat_map(|(u, a)| [u.clone(), a.clone()])
            .filter(|p| p != FACTORY_PIN && p != FACTORY_ADMIN_PIN)
            .collect()
    }

    /// Runs `smartkey ARGS` and does what its screens ask until the flow closes at
    /// `goal`, or until `fault` has been injected at the first screen of its step and
    /// the run is over.
    pub fn run(
        &mut self,
        lab: &mut Lab,
        args: &[String],
        goal: &str,
        fault: Option<(&str, Fault)>,
    ) -> Trip {
        let mut term = lab.smartkey(args).start();
        let mut trip = Trip {
            closed_at: None,
            faulted: false,
            exit: None,
            steps: Vec::new(),
            problem: None,
            terminal_restored: false,
        };
        let mut mark = 0;
        let mut retries = 0;
        // After a fault that leaves the program running: screens left before leaving.
        let mut impaired: Option<u32> = None;
        let mut pulled: Vec<String> = Vec::new();
        // SIGKILL due once the last action is given (Fault::KillBusy).
        let mut kill_when_busy = false;
        for _ in 0..120 {
            let shown = match settle(&mut term, mark) {
                Ok(shown) => shown,
                Err(why) => {
                    // After a fault the program may end by itself; before it, or still
                    // running, that is a problem.
                    if !trip.faulted || term.try_exit().is_none() {
                        trip.problem = Some(why);
                    }
                    break;
                }
            };
            if trip.steps.last() != Some(&shown.code) {
                trip.steps.push(shown.code.clone());
            }
            if let Some((serial, admin, pin, code)) = self.changing.take()
                && code != shown.code
            {
                let entry = self
                    .pins
                    .entry(serial)
                    .or_insert_with(|| (FACTORY_PIN.into(), FACTORY_ADMIN_PIN.into()));
                if admin {
                    entry.1 = pin;
                } else {
                    entry.0 = pin;
                }
            }
            // A hidden PIN prompt left behind by a screen that stopped asking for it:
            // Enter gives the command line back, as the screen says.
            if shown.text.contains("PIN-код здесь больше не нужен") && !term.echoes()
            {
                term.press(Key::Enter);
                std::thread::sleep(QUIET);
            }
            let plan = self.plan(&shown);
            if let Some(left) = impaired.as_mut() {
                // The flow's last screen is closed, not left: the work is done.
                let leave = matches!(plan.last, Last::Token(_) | Last::Error(_) | Last::Stuck);
                if !matches!(plan.last, Last::Close) && (leave || *left == 0) {
                    term.type_line("выход");
                    break;
                }
                *left = left.saturating_sub(1);
            }
            for line in &plan.prep {
                mark = term.mark();
                term.type_line(line);
                if let Err(why) = settle(&mut term, mark) {
                    trip.problem = Some(format!("after typing {line:?}: {why}"));
                    return finish(term, trip);
                }
            }
            if let Some((step, f)) = fault
                && !trip.faulted
                && step == shown.code
            {
                trip.faulted = true;
                // What the program prints from the fault on is the next screen to read.
                mark = term.mark();
                match f {
                    Fault::KillBusy => kill_when_busy = true,
                    Fault::Quit => term.type_line("выход"),
                    Fault::CtrlC => term.press(Key::Ctrl('c')),
                    Fault::Term => term.signal(libc::SIGTERM),
                    Fault::Hangup => term.signal(libc::SIGHUP),
                    Fault::Kill => term.signal(libc::SIGKILL),
                    Fault::TokenPulled => {
                        pulled = lab.inserted();
                        lab.emu(&["remove"]);
                    }
                    Fault::BankDown => lab.stop_bank(),
                    Fault::BankGarbage => lab.set_wire(Wire::Garbage),
                    Fault::BankSilent => lab.set_wire(Wire::Silent),
                }
                if f.ends_the_run() && !kill_when_busy {
                    break;
                }
                impaired = Some(4);
                // A token pulled while the screen waits for one: the person does not
                // put it in, and reads what the program says of it.
                if f == Fault::TokenPulled && matches!(plan.last, Last::Token(_)) {
                    continue;
                }
            } else {
                mark = term.mark();
            }
            match plan.last {
                Last::Line(line) => term.type_line(&line),
                Last::Pins { change } => {
                    if let Err(why) = self.type_pins(&mut term, &shown, change) {
                        trip.problem = Some(why);
                        break;
                    }
                }
                Last::Token(serial) => lab.only(&serial),
                Last::Close => {
                    term.press(Key::Enter);
                    trip.closed_at = Some(shown.code.clone());
                    break;
                }
                Last::Waiting => {
                    term.type_line("выход");
                    trip.closed_at = Some(WAITING.into());
                    break;
                }
                Last::Error(text) => {
                    retries += 1;
                    if retries > 2 {
                        trip.problem = Some(format!("at {}: {text}", shown.code));
                        term.type_line("выход");
                        break;
                    }
                    // A person waits a little before trying again.
                    std::thread::sleep(Duration::from_secs(1));
                    term.type_line("повтор");
                }
                Last::Stuck => {
                    trip.problem =
                        Some(format!("nothing to do at {}:\n{}", shown.code, shown.text));
                    term.type_line("выход");
                    break;
                }
            }
            if kill_when_busy {
                // The moment the work shows (or a second, for a step with none).
                let deadline = Instant::now() + Duration::from_secs(1);
                while !term.text_after(mark).contains("Выполняется:") && Instant::now() < deadline
                {
                    std::thread::sleep(Duration::from_millis(10));
                }
                term.signal(libc::SIGKILL);
                break;
            }
        }
        // The environment comes back as the client would bring it back.
        if !pulled.is_empty() {
            for serial in &pulled {
                lab.emu(&["insert", serial]);
            }
        }
        if trip
            .closed_at
            .as_deref()
            .is_some_and(|at| at != goal && at != WAITING)
            && trip.problem.is_none()
        {
            trip.problem = Some(format!(
                "the flow closed at {:?}, not at {goal}",
                trip.closed_at
            ));
        }
        finish(term, trip)
    }

    fn plan(&self, shown: &Shown) -> Plan {
        let mut prep = Vec::new();
        let text = &shown.text;
        if let Some(wait) = shown.starting("Ожидание:")
            && !shown.offers("[Enter]")
        {
            let tokens: Vec<String> = shown.tokens().into_iter().map(|(s, _)| s).collect();
            let want = if wait.contains("по очереди") {
                if tokens.iter().any(|s| s == NEW) {
                    OLD.to_string()
                } else {
                    NEW.to_string()
                }
            } else if let Some(serial) = serial_in(wait) {
                serial
            } else if wait.contains("создавался запрос") {
                // The client knows where the request was made: the new token of a renewal.
                if self.renewing { NEW } else { OLD }.to_string()
            } else if wait.contains("новый ключ") {
                NEW.to_string()
            } else {
                self.usual.clone().unwrap_or_else(|| OLD.into())
            };
            return Plan {
                prep,
                last: Last::Token(want),
            };
        }
        // A warning that the wrong token is in: the person puts in the one it names.
        if let Some(warning) = shown.starting("ВНИМАНИЕ:")
            && let Some(at) = warning.find("ставьте")
        {
            let asked = &warning[at..];
            let want = serial_in(asked)
                .or_else(|| asked.contains("новый").then(|| NEW.to_string()))
                .or_else(|| self.usual.clone())
                .unwrap_or_else(|| OLD.into());
            let listed: Vec<String> = shown.tokens().into_iter().map(|(s, _)| s).collect();
            if listed != [want.clone()] {
                return Plan {
                    prep,
                    last: Last::Token(want),
                };
            }
        }
        if let Some(error) = shown.starting("ОШИБКА:")
            && shown.offers("[повтор]")
        {
            return Plan {
                prep,
                last: Last::Error(error.trim().to_string()),
            };
        }
        if text.contains("Банк ещё не выдал сертификат") {
            return Plan {
                prep,
                last: Last::Waiting,
            };
        }
        // A save with no record on this computer asks what the certificate is; the
        // client knows.
        if text.contains("1) Первый сертификат") {
            return Plan {
                prep,
                last: Last::Line(if self.renewing { "2" } else { "1" }.into()),
            };
        }
        // A key made by an interrupted run: the client takes it rather than make another.
        if text.contains("1) Использовать имеющийся ключ") {
            return Plan {
                prep,
                last: Last::Line("1".into()),
            };
        }
        if shown.actions() == "[Enter] Закрыть" {
            return Plan {
                prep,
                last: Last::Close,
            };
        }
        if text.contains("(current_pin)") {
            return Plan {
                prep,
                last: Last::Pins { change: true },
            };
        }
        if text.contains("(pin):") {
            return Plan {
                prep,
                last: Last::Pins { change: false },
            };
        }
        if text.contains("(surname)") {
            if !text.contains("Ещё раз проверьте") {
                for (field, value) in FORM {
                    if !has_value(shown, field, value) {
                        prep.push(format!("{field}={value}"));
                    }
                }
                if !has_value(shown, "city", CITY) {
                    prep.push("city=санкт".into());
                    prep.push("city=1".into());
                }
            }
            return Plan {
                prep,
                last: Last::Line(String::new()),
            };
        }
        if text.contains("(email), обязательно:") {
            if !has_value(shown, "email", NEW_EMAIL) {
                prep.push(format!("email={NEW_EMAIL}"));
            }
            return Plan {
                prep,
                last: Last::Line(String::new()),
            };
        }
        if text.contains("(payment_went_through)") {
            if text.contains("[ ]") {
                prep.push("payment_went_through=1".into());
            }
            return Plan {
                prep,
                last: Last::Line("да".into()),
            };
        }
        if text.contains("(serial_tail)") {
            let serial = shown.selected().unwrap_or_else(|| OLD.into());
            prep.push(format!("serial_tail={}", &serial[serial.len() - 4..]));
            return Plan {
                prep,
                last: Last::Line("да".into()),
            };
        }
        if shown.offers("[Enter]") {
            return Plan {
                prep,
                last: Last::Line(String::new()),
            };
        }
        Plan {
            prep,
            last: Last::Stuck,
        }
    }

    /// Enter, then the PINs at their prompts, once each prompt is shown and hides input.
    fn type_pins(&mut self, term: &mut Term, shown: &Shown, change: bool) -> Result<(), String> {
        let serial = shown
            .selected()
            .or_else(|| self.usual.clone())
            .unwrap_or_else(|| OLD.into());
        let fields = shown.text.matches("ввод скрыт").count().max(1);
        let mut mark = term.mark();
        term.press(Key::Enter);
        for _ in 0..fields {
            let deadline = Instant::now() + SCREEN;
            let prompt = loop {
                let text = term.text_after(mark);
                if text.ends_with(": ") && !term.echoes() {
                    break text.rsplit('\n').next().unwrap_or("").to_string();
                }
                // A screen instead of a prompt (the token went, say): the person reads it.
                if last_screen(&text).is_some_and(|s| s.starting("Действия:").is_some()) {
                    return Ok(());
                }
                if term.try_exit().is_some() {
                    return Err("the program ended at a PIN prompt".into());
                }
                if Instant::now() > deadline {
                    return Err(format!("no PIN prompt at {}: {text}", shown.code));
                }
                std::thread::sleep(Duration::from_millis(50));
            };
            let admin = prompt.contains("администратора");
            let pin = if change && !prompt.contains("Текущий") {
                let new = format!("Fm-{}-{serial}", if admin { "a" } else { "u" });
                self.changing = Some((serial.clone(), admin, new.clone(), shown.code.clone()));
                new
            } else {
                self.pin(&serial, admin)
            };
            mark = term.mark();
            term.type_line(&pin);
        }
        Ok(())
    }
}

/// Whether the form shows `value` in `field`.
fn has_value(shown: &Shown, field: &str, value: &str) -> bool {
    let name = format!("({field})");
    shown
        .lines()
        .any(|l| l.contains(&name) && l.trim_end().ends_with(&format!(": {value}")))
}

/// Waits for the program to stop on the screen printed after `mark`: a header, then an
/// actions line, and no more output for a moment.
fn settle(term: &mut Term, mark: usize) -> Result<Shown, String> {
    let deadline = Instant::now() + SCREEN;
    let mut last_len = usize::MAX;
    let mut quiet_since = Instant::now();
    loop {
        let text = term.text_after(mark);
        if text.len() != last_len {
            last_len = text.len();
            quiet_since = Instant::now();
        } else if quiet_since.elapsed() >= QUIET
            && let Some(shown) = last_screen(&text)
            && shown.starting("Действия:").is_some()
            && !shown.text.contains("Выполняется:")
        {
            return Ok(shown);
        }
        if let Some(status) = term.try_exit()
            && quiet_since.elapsed() >= QUIET
        {
            return Err(format!("the program ended ({status:?})"));
        }
        if Instant::now() > deadline {
            return Err(format!(
                "no screen to act on within {SCREEN:?}; the output was:\n{}",
                tail(&term.text())
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The last screen in `text`: from its last header line ("[N2.3] ...") on.
fn last_screen(text: &str) -> Option<Shown> {
    let mut start = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.starts_with('[')
            && let Some((code, _)) = line[1..].split_once(']')
            && (code.starts_with("N2.") || code.starts_with("R2."))
        {
            start = Some((offset, code.to_string()));
        }
        offset += line.len();
    }
    let (at, code) = start?;
    Some(Shown {
        code,
        text: text[at..].to_string(),
    })
}

fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

/// Waits for the run to end; a run that does not end when told to is killed and said.
fn finish(mut term: Term, mut trip: Trip) -> Trip {
    let deadline = Instant::now() + EXIT;
    while term.try_exit().is_none() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    trip.exit = term.try_exit();
    if trip.exit.is_none() {
        term.signal(libc::SIGKILL);
        trip.problem.get_or_insert_with(|| {
            format!(
                "the program did not end within {EXIT:?}:\n{}",
                tail(&term.text())
            )
        });
        trip.exit = Some(term.exit_status(EXIT));
    }
    trip.terminal_restored = term.echoes() && term.canonical();
    trip
}
