//! How long building and signing a certificate request takes with a key already on
//! the token (SoftHSM2): subject encoding, the x509-cert builder, and the on-token
//! RSA-2048 signature.

#[path = "../tests/common/mod.rs"]
mod common;

use criterion::{Criterion, criterion_group, criterion_main};
use smartkey::pki::{build_csr, csr_der};
use smartkey::token::{Module, TokenSigner};
use smartkey_wizard::Applicant;
use smartkey_wizard::{Pin, PinRole};

fn csr_with_existing_key(c: &mut Criterion) {
    let hsm = common::SoftHsm::new();
    let serial = hsm.add_token("bench");
    // SAFETY: set before the module is loaded; the benchmark runs on this thread alone.
    unsafe { std::env::set_var("SOFTHSM2_CONF", &hsm.conf) };
    let module = Module::load(&common::softhsm_module()).expect("SoftHSM2 loads");
    let token = module.find_token(Some(&serial)).expect("the token");
    let mut session = module.open(&token).expect("a session");
    session
        .login(PinRole::User, &Pin::new(common::FACTORY_PIN.to_string()))
        .expect("login");
    let key = session.generate_rsa_2048("bench").expect("a key");
    let path = hsm.path("applicant.json");
    common::write_applicant(&path);
    let applicant: Applicant =
        serde_json::from_str(&std::fs::read_to_string(path).expect("file")).expect("json");
    let applicant = applicant.validate().expect("valid");

    c.bench_function("csr rsa2048 softhsm (existing key)", |b| {
        b.iter(|| {
            let signer = TokenSigner::new(&session, &key.id).expect("signer");
            let csr = build_csr(&applicant, &signer).expect("csr");
            csr_der(&csr).expect("der")
        })
    });
    c.bench_function("subject only", |b| {
        b.iter(|| smartkey::pki::subject::subject_name(&applicant).expect("subject"))
    });
}

criterion_group!(benches, csr_with_existing_key);
criterion_main!(benches);
