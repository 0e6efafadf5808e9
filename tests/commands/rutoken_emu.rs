//! The command line end to end on the virtual Rutoken ECP 2.0 (rutoken-emu): GOST and
//! RSA keys, Rutoken's extended token information, lockout and removal. OpenSSL with the
//! GOST engine checks the requests from outside.

use std::process::Command;

use crate::common::*;

fn tokens_json(emu: &RutokenEmu) -> serde_json::Value {
    let r = run(emu.smartkey().args(["tokens", "--json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    serde_json::from_str(&r.stdout).expect("tokens --json is JSON")
}

#[test]
fn gost_and_rsa_requests_from_a_fresh_virtual_rutoken_verify_under_openssl() {
    let emu = RutokenEmu::new();
    let serial = emu.add_token("20261123", "Новый Рутокен");

    let t = &tokens_json(&emu)[0];
    assert_eq!(t["serial"], serial.as_str());
    assert_eq!(t["model_name"], "Rutoken ECP 2.0");
    assert_eq!(t["user_pin"]["is_default"], true);
    assert_eq!(t["admin_pin"]["is_default"], true);
    assert_eq!(t["user_pin"]["tries_left"], 10);

    for (admin, old, new) in [
        (false, FACTORY_PIN, NEW_PIN),
        (true, FACTORY_ADMIN_PIN, NEW_ADMIN_PIN),
    ] {
        let r = pin_change(&mut emu.smartkey(), Some(&serial), admin, old, new);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_no_pins(&r);
    }
    // The default-PIN flags of the extended token information flip.
    let t = &tokens_json(&emu)[0];
    assert_eq!(t["user_pin"]["is_default"], false);
    assert_eq!(t["admin_pin"]["is_default"], false);

    let applicant = emu.path("applicant.json");
    write_applicant(&applicant);
    let conf = gost_openssl_conf(emu.dir.path());
    for (algorithm, sig_oid) in [
        (
            "gost2012-256",
            "Signature Algorithm: GOST R 34.10-2012 with GOST R 34.11-2012 (256 bit)",
        ),
        (
            "gost2012-512",
            "Signature Algorithm: GOST R 34.10-2012 with GOST R 34.11-2012 (512 bit)",
        ),
        ("rsa2048", "Signature Algorithm: sha256WithRSAEncryption"),
    ] {
        let r = run(emu
            .smartkey()
            .args([
                "key",
                "generate",
                "--serial",
                &serial,
                "--algorithm",
                algorithm,
                "--pin-env",
                "PIN",
            ])
            .env("PIN", NEW_PIN));
        assert_eq!(r.code, 0, "{algorithm}: {}", r.stderr);
        let id = r.stdout.trim().to_string();
        let req = emu.path(&format!("{algorithm}.pem"));
        let r = run(emu
            .smartkey()
            .args([
                "csr",
                "--serial",
                &serial,
                "--key-id",
                &id,
                "--pem",
                "--pin-env",
                "PIN",
            ])
            .arg("--applicant")
            .arg(&applicant)
            .arg("--out")
            .arg(&req)
            .env("PIN", NEW_PIN));
        assert_eq!(r.code, 0, "{algorithm}: {}", r.stderr);
        assert_no_pins(&r);

        let out = run_ok(
            Command::new("openssl")
                .env("OPENSSL_CONF", &conf)
                .args(["req", "-noout", "-verify", "-text", "-in"])
                .arg(&req),
        );
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(text.contains("verify OK"), "{algorithm}: {text}");
        let asn1 = run_ok(
            Command::new("openssl")
                .env("OPENSSL_CONF", &conf)
                .args(["asn1parse", "-in"])
                .arg(&req),
        );
        let asn1 = String::from_utf8_lossy(&asn1.stdout);
        assert!(text.contains(sig_oid), "{algorithm}: no {sig_oid}:\n{text}");
        assert!(
            asn1.contains(":1.2.643.100.4"),
            "{algorithm}: no INNLE:\n{asn1}"
        );
    }

    let r = run(emu
        .smartkey()
        .args(["cert", "list", "--serial", &serial, "--json"]));
    let list: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    let mut algorithms: Vec<String> = list
        .as_array()
        .expect("array")
        .iter()
        .map(|p| p["algorithm"].as_str().unwrap_or("?").to_string())
        .collect();
    algorithms.sort();
    assert_eq!(algorithms, ["gost2012-256", "gost2012-512", "rsa2048"]);
}

#[test]
fn ten_wrong_pins_lock_the_token_and_tokens_says_so() {
    let emu = RutokenEmu::new();
    let serial = emu.add_token("10101010", "lock");
    for attempt in 1..=10 {
        let r = run(emu
            .smartkey()
            .args([
                "key",
                "generate",
                "--serial",
                &serial,
                "--algorithm",
                "gost2012-256",
                "--pin-env",
                "PIN",
            ])
            .env("PIN", "wrong-pin"));
        assert_eq!(r.code, 5, "{}", r.stderr);
        let left = 10 - attempt;
        match left {
            0 => assert!(r.stderr.contains("locked"), "{}", r.stderr),
            1 => assert!(r.stderr.contains("one try is left"), "{}", r.stderr),
            n => assert!(
                r.stderr.contains(&format!("{n} tries are left")),
                "{}",
                r.stderr
            ),
        }
    }
    let r = run(emu.smartkey().arg("tokens"));
    assert!(r.stdout.contains("PIN locked"), "{}", r.stdout);
    let t = &tokens_json(&emu)[0];
    assert_eq!(t["user_pin"]["tries_left"], 0);
    // The right PIN no longer helps.
    let r = run(emu
        .smartkey()
        .args([
            "key",
            "generate",
            "--serial",
            &serial,
            "--algorithm",
            "gost2012-256",
            "--pin-env",
            "PIN",
        ])
        .env("PIN", FACTORY_PIN));
    assert_eq!(r.code, 5);
    assert!(r.stderr.contains("locked"), "{}", r.stderr);
}

#[test]
fn two_inserted_tokens_are_both_listed_and_none_is_guessed() {
    let emu = RutokenEmu::new();
    emu.add_token("11111111", "one");
    emu.cli(&["init", "--serial", "22222222", "--label", "two"]);
    emu.cli(&["insert", "22222222", "--reader", "1"]);
    let list = tokens_json(&emu);
    assert_eq!(list.as_array().map(Vec::len), Some(2));
    let r = run(emu.smartkey().args(["cert", "list"]));
    assert_eq!(r.code, 4);
    assert!(
        r.stderr.contains("11111111") && r.stderr.contains("22222222"),
        "{}",
        r.stderr
    );
    emu.cli(&["remove", "22222222"]);
    let r = run(emu.smartkey().args(["cert", "list"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
}
