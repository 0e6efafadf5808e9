//! The command line end to end on SoftHSM2: each test has a fresh token directory and
//! runs the real `smartkey` binary; OpenSSL and OpenSC's pkcs11-tool check the results
//! from outside.

use std::process::Command;

use crate::common::*;

/// Changes both factory PINs of `serial` to NEW_PIN / NEW_ADMIN_PIN through the CLI.
fn change_both_pins(hsm: &SoftHsm, serial: &str) {
    for (admin, old, new) in [
        (false, FACTORY_PIN, NEW_PIN),
        (true, FACTORY_ADMIN_PIN, NEW_ADMIN_PIN),
    ] {
        let r = pin_change(&mut hsm.smartkey(), Some(serial), admin, old, new);
        assert_eq!(r.code, 0, "pin change failed: {}", r.stderr);
        assert!(r.stdout.contains("is changed"), "{}", r.stdout);
        assert_no_pins(&r);
    }
}

fn generate_key(hsm: &SoftHsm, serial: &str) -> String {
    let r = run(hsm
        .smartkey()
        .args([
            "key",
            "generate",
            "--serial",
            serial,
            "--algorithm",
            "rsa2048",
            "--label",
            "Банк-Клиент",
        ])
        .args(["--pin-env", "PIN"])
        .env("PIN", NEW_PIN));
    assert_eq!(r.code, 0, "key generate failed: {}", r.stderr);
    assert_no_pins(&r);
    let id = r.stdout.trim().to_string();
    assert!(
        id.len() >= 2 && id.chars().all(|c| c.is_ascii_hexdigit()),
        "not a hex ID: {id:?}"
    );
    id
}

fn make_csr(hsm: &SoftHsm, serial: &str, id: &str, pem: bool) -> std::path::PathBuf {
    let applicant = hsm.path("applicant.json");
    write_applicant(&applicant);
    let out = hsm.path(if pem { "req.pem" } else { "req.der" });
    let mut cmd = hsm.smartkey();
    cmd.args([
        "csr",
        "--serial",
        serial,
        "--key-id",
        id,
        "--pin-env",
        "PIN",
    ])
    .arg("--applicant")
    .arg(&applicant)
    .arg("--out")
    .arg(&out)
    .env("PIN", NEW_PIN);
    if pem {
        cmd.arg("--pem");
    }
    let r = run(&mut cmd);
    assert_eq!(r.code, 0, "csr failed: {}", r.stderr);
    assert_no_pins(&r);
    out
}

#[test]
fn fresh_token_to_a_verified_request_with_cyrillic_subject_and_inn() {
    let hsm = SoftHsm::new();
    let serial = hsm.add_token("Рутокен тест");
    change_both_pins(&hsm, &serial);

    // The factory PINs no longer work, the new ones do (checked by pkcs11-tool, not us).
    let login = |pin: &str, so: bool| {
        let mut cmd = Command::new("pkcs11-tool");
        cmd.env("SOFTHSM2_CONF", &hsm.conf)
            .arg("--module")
            .arg(hsm.module())
            .args(["--token-label", "Рутокен тест", "--login", "--test"]);
        if so {
            cmd.args(["--login-type", "so", "--so-pin", pin]);
        } else {
            cmd.args(["--pin", pin]);
        }
        cmd.output()
            .expect("pkcs11-tool runs (apt-get install opensc)")
            .status
            .success()
    };
    assert!(login(NEW_PIN, false), "the new PIN does not log in");
    assert!(!login(FACTORY_PIN, false), "the factory PIN still logs in");

    let id = generate_key(&hsm, &serial);
    let req = make_csr(&hsm, &serial, &id, true);

    let verify = run_ok(
        Command::new("openssl")
            .args([
                "req", "-noout", "-verify", "-nameopt", "utf8", "-subject", "-in",
            ])
            .arg(&req),
    );
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&verify.stdout),
        String::from_utf8_lossy(&verify.stderr)
    );
    assert!(
        text.contains("verify OK"),
        "openssl did not verify the request: {text}"
    );
    assert!(
        text.contains("CN=Иванов Иван Иванович") || text.contains("CN = Иванов Иван Иванович"),
        "{text}"
    );
    assert!(text.contains("ООО"), "{text}");

    let asn1 = run_ok(Command::new("openssl").args(["asn1parse", "-in"]).arg(&req));
    let asn1 = String::from_utf8_lossy(&asn1.stdout);
    assert!(
        asn1.contains(":1.2.643.100.4"),
        "no INNLE attribute:\n{asn1}"
    );
    assert!(
        asn1.contains("NUMERICSTRING     :7707083893"),
        "INN not a NumericString:\n{asn1}"
    );
    assert!(
        asn1.contains("UTF8STRING"),
        "Cyrillic not in UTF8String:\n{asn1}"
    );

    // The private key is sensitive and not extractable, as another PKCS#11 consumer sees it.
    let objects = run_ok(
        Command::new("pkcs11-tool")
            .env("SOFTHSM2_CONF", &hsm.conf)
            .arg("--module")
            .arg(hsm.module())
            .args([
                "--token-label",
                "Рутокен тест",
                "--login",
                "--pin",
                NEW_PIN,
                "--list-objects",
                "--type",
                "privkey",
            ]),
    );
    let objects = String::from_utf8_lossy(&objects.stdout);
    assert!(objects.contains(&format!("ID:         {id}")), "{objects}");
    let access: Vec<&str> = objects
        .lines()
        .find_map(|l| l.trim().strip_prefix("Access:"))
        .unwrap_or_else(|| panic!("no Access line: {objects}"))
        .split(',')
        .map(str::trim)
        .collect();
    assert!(access.contains(&"sensitive"), "{objects}");
    assert!(access.contains(&"never extractable"), "{objects}");
    assert!(!access.contains(&"extractable"), "{objects}");

    // A DER request works as well and carries the same subject.
    let der = make_csr(&hsm, &serial, &id, false);
    run_ok(
        Command::new("openssl")
            .args(["req", "-inform", "DER", "-noout", "-verify", "-in"])
            .arg(&der),
    );
}

#[test]
fn certificate_imports_next_to_its_key_and_a_foreign_one_is_refused() {
    let hsm = SoftHsm::new();
    let serial = hsm.add_token("cert-test");
    change_both_pins(&hsm, &serial);
    let id = generate_key(&hsm, &serial);
    let req = make_csr(&hsm, &serial, &id, false);
    let ca = OpensslCa::new(hsm.dir.path());
    let cert = hsm.path("cert.pem");
    ca.issue(&req, &cert);

    let import = |file: &std::path::Path| {
        run(hsm
            .smartkey()
            .args(["cert", "import", "--serial", &serial, "--pin-env", "PIN"])
            .arg(file)
            .env("PIN", NEW_PIN))
    };
    let r = import(&cert);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains(&id), "{}", r.stdout);

    let r = run(hsm
        .smartkey()
        .args(["cert", "list", "--serial", &serial, "--json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let list: serde_json::Value =
        serde_json::from_str(&r.stdout).expect("cert list --json is JSON");
    let pair = &list.as_array().expect("an array")[0];
    assert_eq!(pair["id"], id.as_str());
    assert_eq!(pair["algorithm"], "rsa2048");
    assert_eq!(pair["certificate"]["owner"], "Иванов Иван Иванович");
    assert_eq!(pair["certificate"]["serial"], "1092"); // 4242 in hex
    assert!(
        pair["certificate"]["subject"]
            .as_str()
            .unwrap()
            .contains("INNLE=7707083893")
    );

    let r = run(hsm.smartkey().args(["cert", "list", "--serial", &serial]));
    assert!(
        r.stdout
            .contains(&format!("key {id} rsa2048 \"Банк-Клиент\"")),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("CN=Иванов Иван Иванович"), "{}", r.stdout);

    // The same certificate again, and one for a key that is not on the token.
    let r = import(&cert);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("already on the token"), "{}", r.stderr);
    let other = ca.issue_for_other_key(hsm.dir.path());
    let r = import(&other);
    assert_eq!(r.code, 6, "{}", r.stderr);
    assert!(
        r.stderr.contains("matches no key on this token"),
        "{}",
        r.stderr
    );
    assert_no_pins(&r);

    // pkcs11-tool sees the certificate with the key's ID.
    let objects = run_ok(
        Command::new("pkcs11-tool")
            .env("SOFTHSM2_CONF", &hsm.conf)
            .arg("--module")
            .arg(hsm.module())
            .args([
                "--token-label",
                "cert-test",
                "--list-objects",
                "--type",
                "cert",
            ]),
    );
    let objects = String::from_utf8_lossy(&objects.stdout);
    assert!(objects.contains(&format!("ID:         {id}")), "{objects}");
}

#[test]
fn wrong_pin_reports_tries_and_bad_new_pins_cost_no_try() {
    let hsm = SoftHsm::new();
    let serial = hsm.add_token("pin-test");

    let r = run(hsm
        .smartkey()
        .args([
            "key",
            "generate",
            "--serial",
            &serial,
            "--algorithm",
            "rsa2048",
            "--pin-env",
            "PIN",
        ])
        .env("PIN", "wrong-pin-1"));
    assert_eq!(r.code, 5, "{}", r.stderr);
    assert!(r.stderr.contains("wrong PIN"), "{}", r.stderr);
    assert!(r.stderr.contains("tries"), "{}", r.stderr);

    let tokens = || -> serde_json::Value {
        serde_json::from_str(&run(hsm.smartkey().args(["tokens", "--json"])).stdout).expect("json")
    };
    let state_before = tokens();

    for (new, words) in [
        (FACTORY_ADMIN_PIN, "factory default"),
        (FACTORY_PIN, "factory default"),
        ("12ab", "too short"),
        (&*"x".repeat(300), "too long"),
    ] {
        let r = run(hsm
            .smartkey()
            .args([
                "pin",
                "change",
                "--serial",
                &serial,
                "--pin-env",
                "OLD",
                "--new-pin-env",
                "NEW",
            ])
            .env("OLD", "not-the-pin")
            .env("NEW", new));
        assert_eq!(r.code, 5, "{}", r.stderr);
        assert!(r.stderr.contains(words), "{words}: {}", r.stderr);
        assert!(
            !r.stderr.contains("wrong PIN"),
            "the token was tried: {}",
            r.stderr
        );
    }
    // Nothing reached the token: its PIN counters are as they were.
    assert_eq!(tokens(), state_before);
}

#[test]
fn tokens_json_lists_two_tokens_with_serials_labels_and_pin_state() {
    let hsm = SoftHsm::new();
    let a = hsm.add_token("first");
    let b = hsm.add_token("второй");
    let r = run(hsm.smartkey().args(["tokens", "--json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let list: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    let tokens: Vec<&serde_json::Value> = list
        .as_array()
        .expect("an array")
        .iter()
        .filter(|t| t["initialized"] == true)
        .collect();
    assert_eq!(tokens.len(), 2, "{}", r.stdout);
    for (serial, label) in [(&a, "first"), (&b, "второй")] {
        let t = tokens
            .iter()
            .find(|t| t["serial"] == serial.as_str())
            .unwrap_or_else(|| panic!("{serial} missing"));
        assert_eq!(t["label"], label);
        assert_eq!(t["model"], "SoftHSM v2");
        assert_eq!(t["manufacturer"], "SoftHSM project");
        for pin in ["user_pin", "admin_pin"] {
            assert_eq!(t[pin]["locked"], false);
            assert!(t[pin]["to_be_changed"].is_boolean());
        }
    }

    // Two tokens and no --serial: refused, naming both.
    let r = run(hsm.smartkey().args(["cert", "list"]));
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert!(
        r.stderr.contains(&a) && r.stderr.contains(&b),
        "{}",
        r.stderr
    );
    let r = run(hsm.smartkey().args(["cert", "list", "--serial", "0000"]));
    assert_eq!(r.code, 4);
    assert!(
        r.stderr.contains("no token with serial number 0000"),
        "{}",
        r.stderr
    );
}

#[test]
fn key_delete_asks_unless_yes_and_removes_the_pair() {
    let hsm = SoftHsm::new();
    let serial = hsm.add_token("delete-test");
    change_both_pins(&hsm, &serial);
    let id = generate_key(&hsm, &serial);
    let delete = |yes: bool| {
        let mut cmd = hsm.smartkey();
        cmd.args([
            "key",
            "delete",
            "--serial",
            &serial,
            "--key-id",
            &id,
            "--pin-env",
            "PIN",
        ])
        .env("PIN", NEW_PIN);
        if yes {
            cmd.arg("--yes");
        }
        run(&mut cmd)
    };
    let r = delete(false);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--yes"), "{}", r.stderr);
    let list = run(hsm.smartkey().args(["cert", "list", "--serial", &serial]));
    assert!(
        list.stdout.contains(&id),
        "the key went without confirmation"
    );

    let r = delete(true);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let list = run(hsm.smartkey().args(["cert", "list", "--serial", &serial]));
    assert!(!list.stdout.contains(&id), "{}", list.stdout);
    assert!(list.stdout.contains("no keys"), "{}", list.stdout);
    let r = delete(true);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("no key with ID"), "{}", r.stderr);
}

#[test]
fn a_bad_applicant_is_refused_before_any_pin_is_asked() {
    let hsm = SoftHsm::new();
    let serial = hsm.add_token("form-test");
    let applicant = hsm.path("applicant.json");
    std::fs::write(
        &applicant,
        r#"{"surname":"Петров","given_name":"Пётр","patronymic":"Петрович","legal_entity":true,
            "organization":"ИП Петров П.П.","inn":"500100732258","document":"ОГРНИП",
            "country":"RU","city":"Тверь","address":"ул. Советская, 1","phone":"+7 4822 12-34-56",
            "email":"petrov@example.ru"}"#,
    )
    .unwrap();
    // No PIN source and no terminal: if smartkey asked for a PIN it would fail with 2.
    let r = run(hsm
        .smartkey()
        .args([
            "csr",
            "--serial",
            &serial,
            "--key-id",
            "01",
            "--out",
            "x.der",
            "--applicant",
        ])
        .arg(&applicant));
    assert_eq!(r.code, 6, "{}", r.stderr);
    assert!(r.stderr.contains("INN (inn)"), "{}", r.stderr);
    assert!(
        r.stderr.contains("Organisation (organization)"),
        "{}",
        r.stderr
    );
}

#[test]
fn missing_library_names_what_was_tried_and_how_to_choose() {
    let hsm = SoftHsm::new();
    let r = run(hsm
        .smartkey()
        .args(["--module", "/nonexistent/libpkcs11.so", "tokens"]));
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stderr.contains("/nonexistent/libpkcs11.so") && r.stderr.contains("--module"),
        "{}",
        r.stderr
    );

    let r = run(hsm.smartkey().env_remove("SMARTKEY_MODULE").arg("tokens"));
    if r.code == 3 {
        assert!(r.stderr.contains("librtpkcs11ecp"), "{}", r.stderr);
        assert!(
            r.stderr.contains("--module PATH") && r.stderr.contains("SMARTKEY_MODULE"),
            "{}",
            r.stderr
        );
    } else {
        // A machine with the real Rutoken library installed finds it.
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
}

#[test]
fn no_terminal_and_no_pin_source_says_how_to_give_the_pin() {
    let hsm = SoftHsm::new();
    let serial = hsm.add_token("prompt-test");
    let r = run(hsm.smartkey().args([
        "key",
        "generate",
        "--serial",
        &serial,
        "--algorithm",
        "rsa2048",
    ]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("--pin-file") && r.stderr.contains("--pin-env"),
        "{}",
        r.stderr
    );
}

#[test]
fn help_documents_the_exit_codes() {
    let r = run(Command::new(env!("CARGO_BIN_EXE_smartkey")).arg("--help"));
    assert_eq!(r.code, 0);
    for code in [
        "0  done",
        "3  PKCS#11 library",
        "4  token",
        "5  PIN",
        "6  an input file",
    ] {
        assert!(
            r.stdout.contains(code),
            "{code} missing from --help:\n{}",
            r.stdout
        );
    }
}
