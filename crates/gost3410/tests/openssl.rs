//! Cross-checks with OpenSSL's GOST engine (Debian/Ubuntu: `libengine-gost-openssl`), both ways,
//! for every parameter set:
//!
//! 1. OpenSSL makes a key and a CSR; we parse the CSR with x509-cert, load the key from its
//!    SubjectPublicKeyInfo (checking our re-encoding is byte-identical) and verify the
//!    signature.
//! 2. We build a CSR, a CA certificate and a leaf certificate with x509-cert's builders and
//!    our keys; `openssl req -verify` and `openssl verify -CAfile` accept them.
//!
//! The engine is loaded through a configuration file written into a temporary directory and
//! passed to the child processes only. Missing OpenSSL or engine is a test failure, never a skip.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use der::{Decode, Encode, Tagged};
use gost3410::{KeySize, ParamSet, Signature, SigningKey, VerifyingKey};
use signature::Verifier;
use x509_cert::Certificate;
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::builder::profile::cabf::Root;
use x509_cert::builder::{Builder, CertificateBuilder, RequestBuilder};
use x509_cert::certificate::TbsCertificate;
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage, KeyUsages};
use x509_cert::ext::{Extension, ToExtension};
use x509_cert::name::Name;
use x509_cert::request::CertReq;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::SubjectPublicKeyInfoRef;
use x509_cert::time::Validity;

const INSTALL_HINT: &str = "OpenSSL with the GOST engine is required for these tests: \
     install it with `apt-get install -y openssl libengine-gost-openssl`";

/// A scratch directory with an OpenSSL configuration that loads the GOST engine.
struct Oracle {
    dir: PathBuf,
    conf: PathBuf,
}

impl Oracle {
    fn new(name: &str) -> Oracle {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "gost3410-openssl-{}-{}-{}",
            name,
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir).unwrap();

        let version = Command::new("openssl")
            .args(["version", "-e"])
            .output()
            .unwrap_or_else(|e| panic!("cannot run openssl ({e}). {INSTALL_HINT}"));
        assert!(
            version.status.success(),
            "`openssl version -e` failed. {INSTALL_HINT}"
        );
        let text = String::from_utf8_lossy(&version.stdout);
        let engines_dir = text.split('"').nth(1).unwrap_or_else(|| {
            panic!("unexpected `openssl version -e` output {text:?}. {INSTALL_HINT}")
        });
        let engine = Path::new(engines_dir).join("gost.so");
        assert!(
            engine.exists(),
            "the GOST engine {} is missing. {INSTALL_HINT}",
            engine.display()
        );

        let conf = dir.join("openssl-gost.cnf");
        std::fs::write(
            &conf,
            format!(
                "openssl_conf = openssl_def\n\
                 [openssl_def]\nengines = engine_section\n\
                 [engine_section]\ngost = gost_section\n\
                 [gost_section]\nengine_id = gost\ndynamic_path = {}\ndefault_algorithms = ALL\n",
                engine.display()
            ),
        )
        .unwrap();
        Oracle { dir, conf }
    }

    fn path(&self, file: &str) -> PathBuf {
        self.dir.join(file)
    }

    /// Run openssl in the scratch directory with the GOST configuration.
    fn run(&self, args: &[&str]) -> Output {
        Command::new("openssl")
            .args(args)
            .current_dir(&self.dir)
            .env("OPENSSL_CONF", &self.conf)
            .output()
            .unwrap_or_else(|e| panic!("cannot run openssl ({e}). {INSTALL_HINT}"))
    }

    fn run_ok(&self, args: &[&str]) -> Output {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "openssl {} failed:\n{}\n{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }
}

impl Drop for Oracle {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn md_flag(size: KeySize) -> &'static str {
    match size {
        KeySize::Gost256 => "-md_gost12_256",
        KeySize::Gost512 => "-md_gost12_512",
    }
}

/// OpenSSL-made key and CSR, checked by us.
#[test]
fn openssl_csr_verifies_with_our_code() {
    let oracle = Oracle::new("csr-in");
    for set in ParamSet::ALL {
        let key = format!("{set}.key.pem");
        let req = format!("{set}.csr.der");
        oracle.run_ok(&[
            "genpkey",
            "-algorithm",
            set.openssl_algorithm(),
            "-pkeyopt",
            &format!("paramset:{}", set.openssl_name()),
            "-out",
            &key,
        ]);
        oracle.run_ok(&[
            "req",
            "-new",
            "-key",
            &key,
            "-subj",
            &format!("/CN=OpenSSL {set}"),
            md_flag(set.size()),
            "-outform",
            "DER",
            "-out",
            &req,
        ]);

        let der = std::fs::read(oracle.path(&req)).unwrap();
        let csr = CertReq::from_der(&der).unwrap();
        let spki_der = csr.info.public_key.to_der().unwrap();
        let public = VerifyingKey::from_spki_der(&spki_der).unwrap();
        assert_eq!(public.params(), set, "parameter set of the OpenSSL key");
        assert_eq!(
            public.to_spki_der().unwrap(),
            spki_der,
            "{set}: our SubjectPublicKeyInfo differs from OpenSSL's"
        );
        let spki_ref = SubjectPublicKeyInfoRef::from_der(&spki_der).unwrap();
        assert_eq!(VerifyingKey::try_from(spki_ref).unwrap(), public);

        assert_eq!(csr.algorithm.oid, set.size().signature_oid());
        // gost-engine writes NULL parameters; RFC 9215 (and this crate) leave them out.
        assert!(
            csr.algorithm
                .parameters
                .as_ref()
                .is_none_or(|p| p.tag() == der::Tag::Null && p.value().is_empty())
        );
        let signed = csr.info.to_der().unwrap();
        let sig = Signature::from_bytes(csr.signature.raw_bytes()).unwrap();
        public
            .verify(&signed, &sig)
            .unwrap_or_else(|e| panic!("{set}: OpenSSL's CSR signature rejected: {e}"));

        // And the tampered message must not verify.
        let mut tampered = signed.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        assert!(public.verify(&tampered, &sig).is_err());
    }
}

/// Our CSR and certificates, checked by OpenSSL.
#[test]
fn our_csr_and_certificates_verify_with_openssl() {
    let oracle = Oracle::new("certs-out");
    for set in ParamSet::ALL {
        // CSR.
        let key = SigningKey::generate(set);
        let subject = Name::from_str(&format!("CN=smartkey {set},O=Smartkey Test,C=RU")).unwrap();
        let csr = RequestBuilder::new(subject.clone())
            .unwrap()
            .build::<_, Signature>(&key)
            .unwrap();
        let req = format!("{set}.csr.der");
        std::fs::write(oracle.path(&req), csr.to_der().unwrap()).unwrap();
        let out = oracle.run_ok(&["req", "-inform", "DER", "-in", &req, "-noout", "-verify"]);
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(said.contains("verify OK"), "{set}: openssl said {said}");

        // Self-signed CA certificate and a leaf issued by it.
        let ca_key = SigningKey::generate(set);
        let ca_name =
            Name::from_str(&format!("CN=Smartkey Test CA {set},O=Smartkey Test,C=RU")).unwrap();
        let ca_spki = spki_of(&ca_key.verifying_key());
        let ca = CertificateBuilder::new(
            Root::new(false, ca_name.clone()).unwrap(),
            SerialNumber::new(&[1]).unwrap(),
            Validity::from_now(Duration::from_secs(3600)).unwrap(),
            ca_spki,
        )
        .unwrap()
        .build::<_, Signature>(&ca_key)
        .unwrap();

        let leaf = CertificateBuilder::new(
            Leaf {
                issuer: ca_name,
                subject,
            },
            SerialNumber::new(&[2]).unwrap(),
            Validity::from_now(Duration::from_secs(3600)).unwrap(),
            csr.info.public_key.clone(),
        )
        .unwrap()
        .build::<_, Signature>(&ca_key)
        .unwrap();

        let ca_pem = write_pem(&oracle, &format!("{set}.ca"), &ca);
        let leaf_pem = write_pem(&oracle, &format!("{set}.leaf"), &leaf);
        let out = oracle.run_ok(&["verify", "-CAfile", &ca_pem, &leaf_pem]);
        assert!(
            String::from_utf8_lossy(&out.stdout).contains(": OK"),
            "{set}: openssl verify said {}",
            String::from_utf8_lossy(&out.stdout)
        );
        // The CA certificate is self-signed: it verifies against itself too.
        oracle.run_ok(&["verify", "-CAfile", &ca_pem, &ca_pem]);

        // And a certificate signed by a different key must be refused.
        let wrong = CertificateBuilder::new(
            Leaf {
                issuer: ca.tbs_certificate().subject().clone(),
                subject: Name::from_str("CN=forged,O=Smartkey Test,C=RU").unwrap(),
            },
            SerialNumber::new(&[3]).unwrap(),
            Validity::from_now(Duration::from_secs(3600)).unwrap(),
            csr.info.public_key.clone(),
        )
        .unwrap()
        .build::<_, Signature>(&key)
        .unwrap();
        let wrong_pem = write_pem(&oracle, &format!("{set}.wrong"), &wrong);
        let out = oracle.run(&["verify", "-CAfile", &ca_pem, &wrong_pem]);
        assert!(!out.status.success(), "{set}: forged certificate accepted");
    }
}

/// OpenSSL signs a file with a raw `dgst -sign`; we verify. We sign; `dgst -verify` accepts.
#[test]
fn raw_signatures_agree_with_openssl_dgst() {
    let oracle = Oracle::new("dgst");
    let msg = b"GOST R 34.10-2012 interoperability check\n";
    std::fs::write(oracle.path("msg.txt"), msg).unwrap();
    for set in [ParamSet::CryptoProA, ParamSet::Tc26Gost512C] {
        let key = format!("{set}.key.pem");
        let md = match set.size() {
            KeySize::Gost256 => "-md_gost12_256",
            KeySize::Gost512 => "-md_gost12_512",
        };
        oracle.run_ok(&[
            "genpkey",
            "-algorithm",
            set.openssl_algorithm(),
            "-pkeyopt",
            &format!("paramset:{}", set.openssl_name()),
            "-out",
            &key,
        ]);
        let pubkey = format!("{set}.pub.der");
        oracle.run_ok(&[
            "pkey", "-in", &key, "-pubout", "-outform", "DER", "-out", &pubkey,
        ]);
        let public =
            VerifyingKey::from_spki_der(&std::fs::read(oracle.path(&pubkey)).unwrap()).unwrap();
        let sig_file = format!("{set}.sig");
        oracle.run_ok(&["dgst", md, "-sign", &key, "-out", &sig_file, "msg.txt"]);
        let sig = Signature::from_bytes(&std::fs::read(oracle.path(&sig_file)).unwrap()).unwrap();
        public.verify(msg, &sig).unwrap();

        // Our key, exported as SubjectPublicKeyInfo PEM for openssl.
        let ours = SigningKey::generate(set);
        let our_pub = format!("{set}.ours.pub.der");
        std::fs::write(
            oracle.path(&our_pub),
            ours.verifying_key().to_spki_der().unwrap(),
        )
        .unwrap();
        let our_sig = format!("{set}.ours.sig");
        let signature = signature::Signer::<Signature>::sign(&ours, msg);
        std::fs::write(oracle.path(&our_sig), signature.to_bytes()).unwrap();
        let out = oracle.run_ok(&[
            "dgst",
            md,
            "-verify",
            &our_pub,
            "-keyform",
            "DER",
            "-signature",
            &our_sig,
            "msg.txt",
        ]);
        assert!(String::from_utf8_lossy(&out.stdout).contains("Verified OK"));
    }
}

fn spki_of(key: &VerifyingKey) -> x509_cert::spki::SubjectPublicKeyInfoOwned {
    x509_cert::spki::SubjectPublicKeyInfoOwned::from_der(&key.to_spki_der().unwrap()).unwrap()
}

fn write_pem(oracle: &Oracle, stem: &str, cert: &Certificate) -> String {
    let der = format!("{stem}.der");
    let pem = format!("{stem}.pem");
    std::fs::write(oracle.path(&der), cert.to_der().unwrap()).unwrap();
    oracle.run_ok(&["x509", "-inform", "DER", "-in", &der, "-out", &pem]);
    pem
}

/// End-entity profile: digitalSignature, not a CA.
struct Leaf {
    issuer: Name,
    subject: Name,
}

impl BuilderProfile for Leaf {
    fn get_issuer(&self, _subject: &Name) -> Name {
        self.issuer.clone()
    }

    fn get_subject(&self) -> Name {
        self.subject.clone()
    }

    fn build_extensions(
        &self,
        _spk: SubjectPublicKeyInfoRef<'_>,
        _issuer_spk: SubjectPublicKeyInfoRef<'_>,
        tbs: &TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<Extension>> {
        let mut extensions: Vec<Extension> = Vec::with_capacity(2);
        let basic = BasicConstraints {
            ca: false,
            path_len_constraint: None,
        }
        .to_extension(tbs.subject(), &extensions)?;
        extensions.push(basic);
        extensions.push(
            KeyUsage(KeyUsages::DigitalSignature.into())
                .to_extension(tbs.subject(), &extensions)?,
        );
        Ok(extensions)
    }
}
