//! The conventions of a well-behaved command line: completions and a manual page made
//! from the clap definitions, a config file under XDG_CONFIG_HOME with the precedence
//! file < environment < flag, bank profiles listed as text and JSON, and a broken config
//! file named with its line.

use std::path::Path;
use std::process::Command;

use crate::common::*;
use serde_json::Value;

fn write_config(dir: &Path, text: &str) -> std::path::PathBuf {
    let path = dir.join("config").join("smartkey").join("config.toml");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn completions_for_bash_zsh_and_fish_name_the_commands() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish"] {
        let r = run(smartkey_in(dir.path()).args(["completions", shell]));
        assert_eq!(r.code, 0, "{shell}: {}", r.stderr);
        for word in [
            "smartkey",
            "check",
            "support",
            "module",
            "bank",
            "completions",
        ] {
            assert!(r.stdout.contains(word), "{shell} completion lacks {word}");
        }
        // Where the shell is installed, the script must at least parse.
        let file = dir.path().join(format!("smartkey.{shell}"));
        std::fs::write(&file, &r.stdout).unwrap();
        if let Ok(out) = Command::new(shell).arg("-n").arg(&file).output() {
            assert!(
                out.status.success(),
                "{shell} -n: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    // Printing completions writes no log (it typically runs at install time).
    assert!(!dir.path().join("state").exists());
}

#[test]
fn the_manual_page_builds_and_man_renders_it() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(smartkey_in(dir.path()).arg("man"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains(".TH smartkey 1"),
        "{}",
        &r.stdout[..200.min(r.stdout.len())]
    );
    let page = dir.path().join("smartkey.1");
    std::fs::write(&page, &r.stdout).unwrap();

    let r = run(smartkey_in(dir.path())
        .args(["man", "--out-dir"])
        .arg(dir.path().join("man1")));
    assert_eq!(r.code, 0, "{}", r.stderr);
    for name in [
        "smartkey.1",
        "smartkey-check.1",
        "smartkey-support-bundle.1",
    ] {
        assert!(
            dir.path().join("man1").join(name).is_file(),
            "{name} missing"
        );
    }

    let rendered = Command::new("man")
        .arg("-l")
        .arg(&page)
        .env("MANPAGER", "cat")
        .env("PAGER", "cat")
        .env("MANWIDTH", "100")
        .env("LANG", "C.UTF-8")
        .output();
    let out = match rendered {
        Ok(out) => out,
        Err(e) if std::env::var_os("CI").is_none() => {
            eprintln!("SKIPPED: `man` is not installed ({e}); scripts/setup.sh installs man-db");
            return;
        }
        Err(e) => panic!("`man` is not installed on CI ({e}): scripts/setup.sh installs man-db"),
    };
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "man -l failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    for word in [
        "SYNOPSIS",
        "smartkey-check",
        "Exit codes",
        "SMARTKEY_MODULE",
    ] {
        assert!(
            text.contains(word),
            "{word} not in the rendered page:\n{text}"
        );
    }
}

/// The `settings` of `check --json` (every check but the config file skipped).
fn settings(cmd: &mut Command) -> Value {
    cmd.arg("check");
    for skip in [
        "library",
        "service",
        "tokens",
        "os",
        "vm",
        "terminal",
        "integrity",
        "ca",
    ] {
        cmd.args(["--skip", skip]);
    }
    let r = run(cmd.arg("--json"));
    let report: Value = serde_json::from_str(&r.stdout).expect("JSON");
    report["checks"][0]["facts"]["settings"].clone()
}

#[test]
fn config_file_environment_and_flag_take_precedence_in_that_order() {
    let hsm = SoftHsm::new();
    let serial = hsm.add_token("precedence");
    let config = write_config(
        hsm.dir.path(),
        "# smartkey settings\nmodule = \"/nonexistent/from-config.so\"\nbank = 5282\nlang = \"en\"\n",
    );
    let bare = || {
        let mut cmd = hsm.smartkey();
        cmd.env_remove("SMARTKEY_MODULE");
        cmd
    };

    // The file alone.
    let s = settings(&mut bare());
    assert_eq!(s["bank"]["value"], 5282);
    assert_eq!(s["bank"]["origin"]["from"], "config_file");
    assert_eq!(s["bank"]["origin"]["path"], config.display().to_string());
    assert_eq!(s["lang"]["value"], "en");
    assert_eq!(s["config"]["state"], "loaded");
    let r = run(bare().arg("tokens"));
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("from-config.so"), "{}", r.stderr);

    // The environment over the file.
    let s = settings(
        bare()
            .env("SMARTKEY_BANK", "6184")
            .env("SMARTKEY_LANG", "ru"),
    );
    assert_eq!(s["bank"]["value"], 6184);
    assert_eq!(s["bank"]["origin"]["variable"], "SMARTKEY_BANK");
    assert_eq!(s["lang"]["value"], "ru");
    let r = run(bare()
        .env("SMARTKEY_MODULE", softhsm_module())
        .arg("tokens"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains(&serial), "{}", r.stdout);

    // The flag over the environment, before or after the subcommand.
    let s = settings(bare().env("SMARTKEY_BANK", "6184").args(["--bank", "5282"]));
    assert_eq!(s["bank"]["value"], 5282);
    assert_eq!(s["bank"]["origin"]["flag"], "--bank");
    let r = run(bare()
        .env("SMARTKEY_MODULE", "/nonexistent/from-env.so")
        .arg("tokens")
        .arg("--module")
        .arg(softhsm_module()));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(bare().env("SMARTKEY_MODULE", softhsm_module()).args([
        "--module",
        "/nonexistent/from-flag.so",
        "tokens",
    ]));
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("from-flag.so"), "{}", r.stderr);

    // Which bank `banks` marks follows the same order.
    let chosen = |cmd: &mut Command| -> u64 {
        let r = run(cmd.args(["banks", "--json"]));
        assert_eq!(r.code, 0, "{}", r.stderr);
        let list: Value = serde_json::from_str(&r.stdout).expect("JSON");
        list.as_array()
            .unwrap()
            .iter()
            .find(|b| b["chosen"] == true)
            .and_then(|b| b["agent_id"].as_u64())
            .expect("a chosen bank")
    };
    assert_eq!(chosen(&mut bare()), 5282);
    assert_eq!(chosen(bare().env("SMARTKEY_BANK", "6184")), 6184);
    assert_eq!(
        chosen(bare().env("SMARTKEY_BANK", "6184").args(["--bank", "5282"])),
        5282
    );
}

#[test]
fn a_broken_config_file_is_named_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "bank = 6184\nlang = \"de\"\n");
    let r = run(smartkey_in(dir.path()).arg("tokens"));
    assert_eq!(r.code, 6, "{}", r.stderr);
    assert!(
        r.stderr.contains(&config.display().to_string()) && r.stderr.contains("line 2"),
        "{}",
        r.stderr
    );
    // The check reports it instead of refusing to run.
    let r = run(smartkey_in(dir.path()).args(["check", "--skip", "vm", "--skip", "ca"]));
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stdout
            .lines()
            .any(|l| l.starts_with("FAIL  Config file:") && l.contains("line 2")),
        "{}",
        r.stdout
    );

    write_config(dir.path(), "modul = \"/x.so\"\n");
    let r = run(smartkey_in(dir.path()).arg("banks"));
    assert_eq!(r.code, 6, "{}", r.stderr);
    assert!(
        r.stderr.contains("line 1") && r.stderr.contains("modul"),
        "{}",
        r.stderr
    );
}

#[test]
fn banks_lists_the_built_in_profiles_and_a_file_replaces_one() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(smartkey_in(dir.path()).args(["banks", "--json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let list: Value = serde_json::from_str(&r.stdout).expect("JSON");
    let nokss = list
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["agent_id"] == 6184)
        .expect("6184");
    assert_eq!(nokss["support_phone"], "8-800-200-999-7");
    assert_eq!(nokss["operations_email"], "dbo@nokss.ru");
    assert_eq!(nokss["key_types"][0], "rsa2048");
    assert_eq!(nokss["source"]["from"], "built_in");
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .any(|b| b["agent_id"] == 5282)
    );

    let file = dir.path().join("demo-banks.toml");
    std::fs::write(
        &file,
        "[[bank]]\nagent_id = 6184\nname = \"Demo NOKSS\"\nca_url = \"http://127.0.0.1:8700\"\nkey_types = [\"rsa2048\"]\n",
    )
    .unwrap();
    let r = run(smartkey_in(dir.path())
        .env("SMARTKEY_BANKS", &file)
        .args(["--bank", "6184", "banks"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("* 6184  Demo NOKSS"), "{}", r.stdout);
    assert!(
        r.stdout.contains("http://127.0.0.1:8700 (not encrypted)"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("5282"), "{}", r.stdout);

    let r = run(smartkey_in(dir.path()).args(["--bank", "1", "banks"]));
    assert_eq!(r.code, 6, "{}", r.stderr);
    assert!(r.stderr.contains("no bank with agentId 1"), "{}", r.stderr);
}
