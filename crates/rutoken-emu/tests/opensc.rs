//! OpenSC's `pkcs11-tool` as a foreign consumer of the module.

mod common;

use std::process::Command;

use common::TestDir;

fn pkcs11_tool(dir: &TestDir, args: &[&str]) -> String {
    let module = common::module_path();
    let out = Command::new("pkcs11-tool")
        .env("RUTOKEN_EMU_DIR", &dir.0)
        .arg("--module")
        .arg(&module)
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run pkcs11-tool ({e}): install OpenSC, e.g. `apt-get install -y opensc`")
        });
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "pkcs11-tool {args:?} failed:\n{stdout}\n{stderr}"
    );
    stdout
}

#[test]
fn pkcs11_tool_lists_tests_and_signs() {
    // A child process per call: no shared module state, no environment changes here.
    let dir = TestDir::new("opensc");
    dir.token("6F708192");

    let slots = pkcs11_tool(&dir, &["-L"]);
    assert!(slots.contains("token manufacturer : Aktiv Co."), "{slots}");
    assert!(
        slots.contains("token model        : Rutoken ECP"),
        "{slots}"
    );
    assert!(slots.contains("serial num         : 6F708192"), "{slots}");
    assert!(slots.contains("(empty)"), "{slots}");

    let mechanisms = pkcs11_tool(&dir, &["-M"]);
    for name in [
        "RSA-PKCS-KEY-PAIR-GEN",
        "SHA256-RSA-PKCS",
        "GOSTR3410-KEY-PAIR-GEN",
        "GOSTR3411-12-256",
    ] {
        assert!(mechanisms.contains(name), "{name} missing:\n{mechanisms}");
    }

    let login = ["--login", "--pin", "12345678"];
    let generated = pkcs11_tool(
        &dir,
        &[
            &login[..],
            &[
                "--keypairgen",
                "--key-type",
                "rsa:2048",
                "--id",
                "01",
                "--label",
                "rsa",
            ],
        ]
        .concat(),
    );
    assert!(generated.contains("RSA 2048 bits"), "{generated}");
    let generated = pkcs11_tool(
        &dir,
        &[
            &login[..],
            &[
                "--keypairgen",
                "--key-type",
                "GOSTR3410-2012-256:A",
                "--id",
                "02",
                "--label",
                "gost",
            ],
        ]
        .concat(),
    );
    assert!(generated.contains("GOSTR3410-2012-256"), "{generated}");

    let objects = pkcs11_tool(&dir, &[&login[..], &["-O"]].concat());
    assert!(objects.contains("Private Key Object; RSA"), "{objects}");
    assert!(
        objects.contains("Private Key Object; GOSTR3410-2012-256"),
        "{objects}"
    );
    assert!(objects.contains("never extractable"), "{objects}");
    // Without login the private keys stay hidden.
    let public_only = pkcs11_tool(&dir, &["-O"]);
    assert!(!public_only.contains("Private Key Object"), "{public_only}");

    let tested = pkcs11_tool(&dir, &[&login[..], &["--test"]].concat());
    assert!(tested.contains("No errors"), "{tested}");
    assert!(tested.contains("SHA256-RSA-PKCS: OK"), "{tested}");

    // GOST signing through OpenSC with the hashing mechanism.
    let input = dir.0.join("input.txt");
    let output = dir.0.join("signature.bin");
    std::fs::write(&input, b"signed through pkcs11-tool").unwrap();
    pkcs11_tool(
        &dir,
        &[
            &login[..],
            &[
                "--sign",
                "--id",
                "02",
                "-m",
                "GOSTR3410-WITH-GOSTR3411-12-256",
            ],
            &[
                "--input-file",
                input.to_str().unwrap(),
                "--output-file",
                output.to_str().unwrap(),
            ],
        ]
        .concat(),
    );
    assert_eq!(std::fs::read(&output).unwrap().len(), 64);
}
