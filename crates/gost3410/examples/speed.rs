//! Signing and verifying a Streebog digest in a loop, the counterpart of
//! `benches/openssl/gost_speed.c` that `scripts/bench-gost.sh` runs beside OpenSSL's GOST
//! engine: same digest length, same count, one thread.
//!
//!   cargo run --release -p gost3410 --example speed -- PARAMSET COUNT
//!
//! PARAMSET is a set's name as `ParamSet` displays it (e.g. CryptoPro-A, TC26-512-A).
//! Prints "sign <microseconds per signature> verify <microseconds per verification>".

use std::hint::black_box;
use std::process::ExitCode;
use std::time::Instant;

use gost3410::{ParamSet, SigningKey};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [name, count] = args.as_slice() else {
        eprintln!("usage: speed PARAMSET COUNT");
        return ExitCode::from(2);
    };
    let Some(set) = ParamSet::ALL.into_iter().find(|s| s.to_string() == *name) else {
        eprintln!("speed: unknown parameter set {name}");
        return ExitCode::from(2);
    };
    let Ok(count) = count.parse::<u32>() else {
        eprintln!("speed: COUNT must be a number");
        return ExitCode::from(2);
    };
    let key = SigningKey::generate(set);
    let public = key.verifying_key();
    // The digest OpenSSL's side signs: bytes i * 7 + 1.
    let digest: Vec<u8> = (0..set.coordinate_len())
        .map(|i| (i * 7 + 1) as u8)
        .collect();
    // The tables of the base point are made on first use; one signature and one
    // verification before the clock starts, as OpenSSL's engine has its curve ready.
    let Ok(mut sig) = key.sign_digest(&digest) else {
        eprintln!("speed: signing failed");
        return ExitCode::FAILURE;
    };
    if public.verify_digest(&digest, &sig).is_err() {
        eprintln!("speed: verification failed");
        return ExitCode::FAILURE;
    }

    let start = Instant::now();
    for _ in 0..count {
        match key.sign_digest(black_box(&digest)) {
            Ok(s) => sig = s,
            Err(_) => {
                eprintln!("speed: signing failed");
                return ExitCode::FAILURE;
            }
        }
    }
    let sign = start.elapsed().as_secs_f64() / f64::from(count);

    let start = Instant::now();
    for _ in 0..count {
        if public
            .verify_digest(black_box(&digest), black_box(&sig))
            .is_err()
        {
            eprintln!("speed: verification failed");
            return ExitCode::FAILURE;
        }
    }
    let verify = start.elapsed().as_secs_f64() / f64::from(count);
    println!("sign {:.1} verify {:.1}", sign * 1e6, verify * 1e6);
    ExitCode::SUCCESS
}
