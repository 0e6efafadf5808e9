//! The real `smartkey` binary at a terminal, as a person meets it: started in a
//! pseudo-terminal, driven by keys, judged by what the screen shows.
//!
//! The other tests run the wizard through its library or with no terminal at all, so
//! nothing else checks that the full-screen view really starts at a terminal, that its
//! keys arrive, that quitting gives the terminal back (main screen, cursor, cooked mode)
//! and that a PIN typed in line mode stays off the screen. The tests use the virtual
//! Rutoken next to the binary (`cargo test --workspace` builds it) and keep every file
//! (home, config, state, tokens, temporary files) in a directory of their own.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::pty_support::{Key, Spawn, Term};

/// How long a screen may take to come: generous, for a loaded 2-core CI machine.
const SCREEN: Duration = Duration::from_secs(30);
/// How long the demo may take to prepare its bank and old carrier, and a step with a key
/// generation or the bank.
const SLOW: Duration = Duration::from_secs(120);
/// How long the program may take to exit once told to.
const EXIT: Duration = Duration::from_secs(30);

/// The demo's blank token, and the factory PINs its screens ask to change.
const BLANK: &str = "0C0C0C03";
const FACTORY_PIN: &str = "12345678";
const FACTORY_ADMIN_PIN: &str = "87654321";
/// The PINs typed in these tests: neither may ever be on the screen.
const NEW_PIN: &str = "Pty-user-7q";
const NEW_ADMIN_PIN: &str = "Pty-admin-9z";

/// The directory cargo built the binaries into (target/<profile>).
fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_smartkey"))
        .parent()
        .expect("the binary has a directory")
        .to_path_buf()
}

/// The virtual Rutoken's PKCS#11 module: uplifted next to the binaries when built as a
/// workspace member, in deps/ otherwise.
fn emu_module() -> PathBuf {
    let name = format!(
        "{}rutoken_emu{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    );
    let candidates = [
        target_dir().join(&name),
        target_dir().join("deps").join(&name),
    ];
    candidates
        .iter()
        .find(|p| p.is_file())
        .cloned()
        .unwrap_or_else(|| {
            panic!(
                "{name} is missing next to smartkey: run the tests with `cargo test --workspace`"
            )
        })
}

fn emu_command() -> PathBuf {
    target_dir().join(format!("rutoken-emu{}", std::env::consts::EXE_SUFFIX))
}

/// A place of its own for one run: home and XDG directories, temporary files, the
/// virtual readers, and a bank profile (agentId 5282) whose CA closes every connection.
struct Place {
    dir: tempfile::TempDir,
    bank_url: String,
}

impl Place {
    fn new() -> Place {
        let dir = tempfile::tempdir().expect("temp dir");
        for sub in ["home", "config", "state", "data", "cache", "tmp", "tokens"] {
            std::fs::create_dir_all(dir.path().join(sub)).expect("a directory");
        }
        let bank_url = closing_bank();
        std::fs::write(
            dir.path().join("banks.toml"),
            format!(
                "[[bank]]\nagent_id = 5282\nname = \"Банк-Клиент\"\nca_url = \"{bank_url}\"\nsupport_phone = \"8-800-250-33-00\"\nkey_types = [\"gost2012-256\"]\n"
            ),
        )
        .expect("bank profiles");
        Place { dir, bank_url }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs `rutoken-emu` on this place's readers.
    fn emu(&self, args: &[&str]) {
        let command = emu_command();
        let out = Command::new(&command)
            .env("RUTOKEN_EMU_DIR", self.path("tokens"))
            .args(args)
            .output()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot run {}: {e}; run the tests with `cargo test --workspace`",
                    command.display()
                )
            });
        assert!(
            out.status.success(),
            "rutoken-emu {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// A blank token with the factory PINs, inserted.
    fn insert_blank(&self, serial: &str) {
        self.emu(&["init", "--serial", serial, "--label", "Рутокен", "--force"]);
        self.emu(&["insert", serial]);
    }

    /// `smartkey ARGS` in a terminal of `cols`x`rows`, with nothing of the user's
    /// environment: its files all under this place.
    fn smartkey(&self, args: &[&str], cols: u16, rows: u16) -> Spawn {
        Spawn::new(env!("CARGO_BIN_EXE_smartkey"))
            .args(args)
            .size(cols, rows)
            .cwd(self.dir.path())
            .env("HOME", self.path("home"))
            .env("XDG_CONFIG_HOME", self.path("config"))
            .env("XDG_STATE_HOME", self.path("state"))
            .env("XDG_DATA_HOME", self.path("data"))
            .env("XDG_CACHE_HOME", self.path("cache"))
            .env("TMPDIR", self.path("tmp"))
            .env("RUTOKEN_EMU_DIR", self.path("tokens"))
    }

    /// `smartkey COMMAND` for the profile's bank (5282), started at 80x24.
    fn started(&self, command: &str) -> Term {
        self.wizard(&[command], 80, 24)
            .env("SMARTKEY_BANK", "5282")
            .start()
    }

    /// A wizard command on the virtual Rutoken with this place's bank profile.
    fn wizard(&self, args: &[&str], cols: u16, rows: u16) -> Spawn {
        self.smartkey(args, cols, rows)
            .env("SMARTKEY_MODULE", emu_module())
            .env("SMARTKEY_BANKS", self.path("banks.toml"))
    }
}

/// The address of a "bank" on loopback that accepts each connection and closes it at
/// once: the bank cannot be asked, and no port is fixed or left for another test to take.
fn closing_bank() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let address = listener.local_addr().expect("its address");
    std::thread::spawn(move || {
        for connection in listener.incoming() {
            drop(connection);
        }
    });
    format!("http://{address}")
}

/// Asserts the header row of the full-screen view: the step code and the flow.
fn assert_header(screen: &str, code: &str, flow: &str) {
    let header = screen.lines().next().unwrap_or_default();
    assert!(
        header.contains(&format!("[{code}]")) && header.contains(flow),
        "the header is not [{code}] … {flow}:\n{screen}"
    );
}

/// Cancels the flow with `key` on a screen where that is allowed, closes the "Работа
/// прервана" screen with Enter, and checks that the program ends with the exit code of
/// an unfinished flow and gives the terminal back as it found it.
fn cancel_and_check_exit(term: &mut Term, key: Key, at: &str) {
    term.press(key);
    let screen = term.wait_for("Работа прервана", SCREEN);
    assert!(screen.contains(&format!("[{at}]")), "{screen}");
    assert!(screen.contains("Ничего не потеряно"), "{screen}");
    assert!(screen.contains("Enter"), "no key to close:\n{screen}");
    term.press(Key::Enter);
    let status = term.exit_status(EXIT);
    assert_eq!(
        (status.exit_code(), status.signal()),
        (1, None),
        "a cancelled flow exits with 1"
    );
    assert_terminal_restored(term);
    // The summary is printed on the main screen, after the view is gone.
    let screen = term.contents();
    assert!(
        screen.contains(&format!("smartkey: finished at step {at} (Cancelled)")),
        "no summary on the main screen:\n{screen}"
    );
}

/// The full-screen view left the terminal as it was: main screen, cursor shown, lines
/// echoed and read whole (raw mode off).
fn assert_terminal_restored(term: &Term) {
    let (alternate, hidden) = term.with_screen(|s| (s.alternate_screen(), s.hide_cursor()));
    assert!(!alternate, "still on the alternate screen");
    assert!(!hidden, "the cursor is still hidden");
    assert!(
        term.echoes(),
        "the terminal no longer echoes: raw mode was left on"
    );
    assert!(term.canonical(), "the terminal is still in raw mode");
}

/// Asserts the full-screen view is up: the alternate screen, the cursor hidden.
fn assert_full_screen(term: &Term) {
    let (alternate, hidden) = term.with_screen(|s| (s.alternate_screen(), s.hide_cursor()));
    assert!(
        alternate,
        "not on the alternate screen:\n{}",
        term.contents()
    );
    assert!(hidden, "the cursor is shown in the full-screen view");
    assert!(
        !term.canonical(),
        "the full-screen view reads keys in raw mode"
    );
}

#[test]
fn new_opens_full_screen_moves_through_n2_1_to_n2_3_and_cancels_cleanly() {
    let place = Place::new();
    place.insert_blank(BLANK);
    let mut term = place.started("new");

    let screen = term.wait_for("[N2.1]", SCREEN);
    assert_full_screen(&term);
    assert_header(&screen, "N2.1", "Новый сертификат");
    assert!(screen.contains("Банк-Клиент"), "{screen}");
    assert!(
        screen.contains("Запрос на получение сертификата"),
        "{screen}"
    );
    // The footer row names the keys; Enter moves on.
    let footer = screen.lines().last().unwrap_or_default().to_string();
    assert!(footer.contains("Enter"), "footer: {footer:?}");
    assert!(footer.contains("F10 Отмена"), "footer: {footer:?}");
    // The token listing comes in on its own: the answer waits for it.
    term.wait_for(BLANK, SCREEN);

    term.press(Key::Enter);
    let screen = term.wait_for("[N2.2]", SCREEN);
    assert!(screen.contains("Вставьте смарт-ключ"), "{screen}");
    let screen = term.wait_for("(выбран)", SCREEN);
    assert!(
        screen.contains(&format!("№ {BLANK}")),
        "the inserted token is not listed:\n{screen}"
    );

    term.press(Key::Enter);
    let screen = term.wait_for("[N2.3]", SCREEN);
    assert_header(&screen, "N2.3", "Новый сертификат");

    // The key type comes first; Tab moves to the surname, and typing goes into it.
    term.press(Key::Tab);
    term.type_str("Петров");
    term.wait_for("Петров", SCREEN);

    // Esc goes back a step, and Enter forward again keeps what was typed.
    term.press(Key::Esc);
    term.wait_for("[N2.2]", SCREEN);
    term.press(Key::Enter);
    let screen = term.wait_for("[N2.3]", SCREEN);
    assert!(
        screen.contains("Петров"),
        "the typed surname is lost:\n{screen}"
    );

    cancel_and_check_exit(&mut term, Key::Ctrl('c'), "N2.3");
}

#[test]
fn new_at_100x30_chooses_the_bank_by_digit_follows_a_resize_and_cancels() {
    let place = Place::new();
    place.insert_blank(BLANK);
    let mut term = place.wizard(&["new"], 100, 30).start();

    // No bank set: N2.1 lists the built-in ones and the profile's, to pick by number.
    let screen = term.wait_for("[N2.1]", SCREEN);
    assert_full_screen(&term);
    assert!(screen.contains("1)"), "no numbered banks:\n{screen}");
    let line = screen
        .lines()
        .find(|l| l.contains("agentId 5282"))
        .unwrap_or_else(|| term.fail("the profile's bank 5282 is not offered"));
    let digit = line
        .trim_start_matches([' ', '>'])
        .split(')')
        .next()
        .expect("a number")
        .to_string();
    // The header has the width of the terminal.
    assert_eq!(
        screen.lines().count(),
        30,
        "the view fills 30 rows:\n{screen}"
    );

    term.wait_for(BLANK, SCREEN);
    // A digit chooses the bank: the header names it.
    term.type_str(&digit);
    let screen = term.wait_for("[N2.1] Банк-Клиент ·", SCREEN);
    assert_header(&screen, "N2.1", "Новый сертификат");

    // A smaller window: the view follows, header on top and the keys on the last row.
    term.resize(80, 24);
    term.wait_until("the view redrawn at 80x24", SCREEN, |t| {
        let screen = t.contents();
        let last = screen.lines().nth(23).unwrap_or_default().to_string();
        (screen.starts_with(" [N2.1]") && last.contains("F10 Отмена")).then_some(())
    });

    cancel_and_check_exit(&mut term, Key::F(10), "N2.1");
}

#[test]
fn renew_opens_r2_1_and_refuses_a_token_without_a_certificate() {
    let place = Place::new();
    place.insert_blank(BLANK);
    let mut term = place.started("renew");

    let screen = term.wait_for("[R2.1]", SCREEN);
    assert_full_screen(&term);
    assert_header(&screen, "R2.1", "Перевыпуск");
    assert!(screen.contains("Обновление сертификата"), "{screen}");
    term.wait_for(BLANK, SCREEN);

    // A blank token has nothing to renew: the step stays and says why.
    term.press(Key::Enter);
    let screen = term.wait_for("нет сертификата", SCREEN);
    assert!(screen.contains("[R2.1]"), "{screen}");

    cancel_and_check_exit(&mut term, Key::F(10), "R2.1");
}

#[test]
fn save_with_a_link_asks_the_bank_and_offers_to_retry_when_it_cannot_be_reached() {
    let place = Place::new();
    let link = format!(
        "{}/pickup/5282/00aa11bb22cc33dd44ee55ff66778899",
        place.bank_url
    );
    let mut term = place.wizard(&["save", &link], 80, 24).start();

    let screen = term.wait_for("[N2.9]", SCREEN);
    assert_full_screen(&term);
    assert_header(&screen, "N2.9", "Сохранение сертификата");
    assert!(screen.contains("Сохранение сертификата"), "{screen}");
    assert!(screen.contains("00aa11"), "no request number:\n{screen}");

    // The bank cannot be asked: the person is told, and F5 asks again.
    let screen = term.wait_for("Повторить", SLOW);
    assert!(
        screen.contains("Не удалось связаться с банком"),
        "the failure is not explained:\n{screen}"
    );
    let asked = term.mark();
    term.press(Key::F(5));
    term.wait_for_text_after(asked, "Запрашиваем", SCREEN);
    term.wait_for("Повторить", SLOW);

    cancel_and_check_exit(&mut term, Key::F(10), "N2.9");
}

#[test]
fn destroy_old_key_opens_r2_13_and_waits_for_both_tokens() {
    let place = Place::new();
    place.insert_blank(BLANK);
    let mut term = place.started("destroy-old-key");

    let screen = term.wait_for("[R2.13]", SCREEN);
    assert_full_screen(&term);
    assert_header(&screen, "R2.13", "Уничтожение старого ключа");
    // Only a blank token: nothing may be destroyed, nothing to confirm.
    let screen = term.wait_for("Вставьте по очереди", SCREEN);
    assert!(!screen.contains("Enter Далее"), "{screen}");

    cancel_and_check_exit(&mut term, Key::F(10), "R2.13");
}

/// Starts `smartkey demo` in line mode and types the new flow up to N2.4 as a person
/// would: the blank token inserted, the form filled as the built-in script fills it,
/// the city picked from the suggestions, the form reviewed.
fn demo_to_n2_4(place: &Place) -> Term {
    let mut term = place.smartkey(&["demo"], 80, 24).start();

    // Standard input is a terminal: the demo waits for a person, in line mode.
    term.wait_for_text_after(0, "Commands: insert SERIAL", SLOW);
    let screen = term.wait_for("[N2.1]", SCREEN);
    assert!(
        !term.with_screen(|s| s.alternate_screen()),
        "line mode stays on the main screen"
    );
    assert!(screen.contains("Демо-банк · Новый сертификат"), "{screen}");
    assert!(
        screen.contains("Запрос на получение сертификата"),
        "{screen}"
    );
    assert!(term.echoes(), "line mode echoes what is typed");
    assert!(term.canonical(), "line mode reads whole lines");

    let at = term.mark();
    term.type_line(&format!("insert {BLANK}"));
    term.wait_for_text_after(at, &format!("№ {BLANK}"), SCREEN);

    // Enter is the screen's first action: N2.1 goes on to N2.2, N2.2 to the form.
    let at = term.mark();
    term.press(Key::Enter);
    term.wait_for_text_after(at, "[N2.2]", SCREEN);
    term.wait_for_text_after(at, "(выбран)", SCREEN);
    let at = term.mark();
    term.press(Key::Enter);
    let text = term.wait_for_text_after(at, "[N2.3]", SCREEN);
    assert!(
        text.contains("Заявление на выдачу сертификата") && text.contains("(surname)"),
        "the form names its fields:\n{text}"
    );

    // Each line is echoed as typed, then the form is printed again with the value.
    for (name, value) in [
        ("surname", "Петров"),
        ("given_name", "Пётр"),
        ("patronymic", "Петрович"),
        ("organization", "ООО \"Василёк\""),
        ("inn", "7707083893"),
        ("document", "Устав"),
        ("city", "санкт"),
        ("address", "Невский проспект, д. 1"),
        ("phone", "+7 (812) 300-00-00"),
        ("email", "petrov@example.ru"),
    ] {
        let at = term.mark();
        term.type_line(&format!("{name}={value}"));
        term.wait_for_text_after(at, &format!("({name})"), SCREEN);
        let text = term.wait_for_text_after(at, &format!(": {value}"), SCREEN);
        assert!(text.contains("[N2.3]"), "{text}");
    }
    // The typed letters are not a city yet; the suggestions are numbered.
    let text = term.text();
    assert!(
        text.contains("1) Санкт-Петербург"),
        "no city suggestion:\n{text}"
    );
    let at = term.mark();
    term.type_line("city=1");
    term.wait_for_text_after(at, ": Санкт-Петербург", SCREEN);

    // Enter checks the form and shows it for review; Enter again goes on.
    let at = term.mark();
    term.press(Key::Enter);
    term.wait_for_text_after(at, "Ещё раз проверьте", SCREEN);
    let at = term.mark();
    term.press(Key::Enter);
    let text = term.wait_for_text_after(at, "[N2.4]", SCREEN);
    assert!(
        text.contains("PIN-код потенциально небезопасен") && text.contains("ввод скрыт"),
        "{text}"
    );
    term
}

#[test]
fn demo_in_line_mode_fills_the_form_and_stops_at_ctrl_c() {
    let place = Place::new();
    let mut term = demo_to_n2_4(&place);

    // Ctrl-C stops the demo, not only the flow under way: no renewal follows, and the
    // demo says where the new flow stopped.
    term.press(Key::Ctrl('c'));
    let status = term.exit_status(SLOW);
    assert_eq!(
        (status.exit_code(), status.signal()),
        (1, None),
        "an interrupted demo exits with 1"
    );
    let text = term.text();
    assert!(
        text.contains("smartkey: interrupted at step N2.4"),
        "no summary of the new flow:\n{text}"
    );
    assert!(!text.contains("=== renew ==="), "the demo went on:\n{text}");
    assert!(
        term.echoes() && term.canonical(),
        "the terminal is not as it was"
    );
}

/// Types the PINs of a PIN screen in line mode: Enter, then each PIN at its prompt once
/// the terminal has stopped echoing, as a person waits for the prompt before typing.
fn type_pins(term: &mut Term, prompts: &[&str], pins: &[&str]) {
    let at = term.mark();
    term.press(Key::Enter);
    for (prompt, pin) in prompts.iter().zip(pins) {
        let prompt = format!("{prompt}: ");
        term.wait_until(&prompt, SCREEN, |t| {
            // The last prompt written, at the cursor's row.
            t.text_after(at).ends_with(&prompt).then_some(())
        });
        term.wait_for_hidden_input(SCREEN);
        term.type_line(pin);
    }
}

#[test]
fn demo_in_line_mode_hides_the_typed_pins_and_sends_the_request() {
    let place = Place::new();
    let mut term = demo_to_n2_4(&place);

    type_pins(
        &mut term,
        &["Текущий PIN-код", "Новый PIN-код", "Новый PIN-код ещё раз"],
        &[FACTORY_PIN, NEW_PIN, NEW_PIN],
    );
    let text = term.wait_for_text_after(0, "[N2.5]", SLOW);
    assert!(text.contains("PIN-код администратора"), "{text}");
    type_pins(
        &mut term,
        &[
            "Текущий PIN-код администратора",
            "Новый PIN-код администратора",
            "Новый PIN-код администратора ещё раз",
        ],
        &[FACTORY_ADMIN_PIN, NEW_ADMIN_PIN, NEW_ADMIN_PIN],
    );
    term.wait_for_text_after(0, "[N2.6]", SLOW);
    type_pins(&mut term, &["PIN-код"], &[NEW_PIN]);
    // The key is made and the request signed: the application to print.
    term.wait_for_text_after(0, "[N2.7]", SLOW);
    let at = term.mark();
    term.press(Key::Enter);
    term.wait_for_text_after(at, "[N2.8]", SLOW);
    let screen = term.wait_for("Запрос отправлен в Банк", SCREEN);
    assert!(screen.contains("smartkey save"), "{screen}");

    // No typed PIN reached the screen, nor anything printed, at any point.
    let text = term.text();
    for pin in [NEW_PIN, NEW_ADMIN_PIN] {
        assert!(!text.contains(pin), "a typed PIN was shown:\n{text}");
    }
    assert!(
        !text.contains(&format!("? {FACTORY_PIN}")),
        "the factory PIN was taken for a command:\n{text}"
    );

    // End of input closes the finished flow and leaves the others.
    term.press(Key::Ctrl('d'));
    let status = term.exit_status(SLOW);
    assert!(status.signal().is_none(), "killed: {status:?}");
    let text = term.text();
    assert!(
        text.contains("smartkey: finished at step N2.8 (RequestSent)"),
        "no summary of the new flow:\n{text}"
    );
}

/// The address of a "bank" on loopback that accepts each connection and never answers:
/// every exchange with it runs until its timeout.
fn silent_bank() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let address = listener.local_addr().expect("its address");
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for connection in listener.incoming() {
            held.push(connection);
        }
    });
    format!("http://{address}")
}

/// Waits (bounded) until `path` holds `needle`.
fn wait_for_file(path: &Path, needle: &str) {
    let deadline = std::time::Instant::now() + SCREEN;
    loop {
        if std::fs::read_to_string(path).is_ok_and(|t| t.contains(needle)) {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{} never held {needle:?}",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn the_form_typed_at_n2_3_survives_sigkill_and_new_opens_with_it() {
    let place = Place::new();
    place.insert_blank(BLANK);
    let start = || place.started("new");
    let mut term = start();
    term.wait_for(BLANK, SCREEN);
    term.press(Key::Enter);
    term.wait_for("[N2.2]", SCREEN);
    term.wait_for("(выбран)", SCREEN);
    term.press(Key::Enter);
    term.wait_for("[N2.3]", SCREEN);
    term.press(Key::Tab);
    term.type_str("Петров");
    term.press(Key::Tab);
    term.type_str("Пётр");
    term.wait_for("Пётр", SCREEN);
    // What is on the screen is on disk too; then the power goes.
    wait_for_file(&place.path("state/smartkey/draft.json"), "Пётр");
    term.signal(libc::SIGKILL);
    let status = term.exit_status(EXIT);
    assert!(
        status.signal().is_some(),
        "killed by the signal: {status:?}"
    );
    drop(term);

    let mut term = start();
    term.wait_for(BLANK, SCREEN);
    term.press(Key::Enter);
    term.wait_for("(выбран)", SCREEN);
    term.press(Key::Enter);
    let screen = term.wait_for("[N2.3]", SCREEN);
    assert!(
        screen.contains("Петров") && screen.contains("Пётр"),
        "the form typed before the kill is gone:\n{screen}"
    );
    assert!(
        screen.contains("как вы оставили его в прошлый раз"),
        "the person is not told the form was kept:\n{screen}"
    );
    cancel_and_check_exit(&mut term, Key::F(10), "N2.3");
}

#[test]
fn sigterm_and_sighup_give_the_terminal_back() {
    for signal in [libc::SIGTERM, libc::SIGHUP] {
        let place = Place::new();
        place.insert_blank(BLANK);
        let mut term = place.started("new");
        term.wait_for(BLANK, SCREEN);
        assert_full_screen(&term);
        term.signal(signal);
        let status = term.exit_status(EXIT);
        assert_eq!(
            (status.exit_code(), status.signal()),
            (1, None),
            "signal {signal}: the run ends as an interrupted one, not killed"
        );
        assert_terminal_restored(&term);
        let screen = term.contents();
        assert!(
            screen.contains("interrupted at step N2.1"),
            "signal {signal}: no summary on the main screen:\n{screen}"
        );
    }
}

#[test]
fn f10_stops_the_run_while_the_bank_is_asked_and_keys_typed_meanwhile_are_dropped() {
    let place = Place::new();
    // Any CA certificate will do as the trust anchor: the bank never answers.
    let made = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        ])
        .args(["-subj", "/CN=Silent bank CA", "-keyout"])
        .arg(place.path("tmp/ca.key"))
        .arg("-out")
        .arg(place.path("ca.pem"))
        .output()
        .expect("openssl runs");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    std::fs::write(
        place.path("banks.toml"),
        format!(
            "[[bank]]\nagent_id = 5282\nname = \"Банк-Клиент\"\nca_url = \"{}\"\ntrust_anchor = \"ca.pem\"\nsupport_phone = \"8-800-250-33-00\"\nkey_types = [\"gost2012-256\"]\n",
            silent_bank()
        ),
    )
    .expect("bank profiles");
    let link = "http://127.0.0.1:9/pickup/5282/00aa11bb22cc33dd44ee55ff66778899";
    let mut term = place.wizard(&["save", link], 80, 24).start();
    // The bank never answers: the screen says it is asking, and nothing else happens.
    let screen = term.wait_for("Запрашиваем", SCREEN);
    assert_header(&screen, "N2.9", "Сохранение сертификата");
    term.type_str("xyz");
    term.press(Key::Enter);
    term.press(Key::F(10));
    let status = term.exit_status(EXIT);
    assert_eq!(status.exit_code(), 1, "{status:?}");
    assert_terminal_restored(&term);
    let screen = term.contents();
    assert!(
        screen.contains("stopped at step N2.9"),
        "no summary on the main screen:\n{screen}"
    );
}
