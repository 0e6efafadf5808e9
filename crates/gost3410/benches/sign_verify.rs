//! Sign and verify a Streebog digest with a 256-bit (CryptoPro-A) and a 512-bit (TC26-512-A)
//! key. Hashing is left out so the figures compare with a token's raw `CKM_GOSTR3410`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use gost3410::{ParamSet, SigningKey, streebog_digest};

fn bench(c: &mut Criterion) {
    for set in [ParamSet::CryptoProA, ParamSet::Tc26Gost512A] {
        let key = SigningKey::generate(set);
        let public = key.verifying_key();
        let digest = streebog_digest(set.size(), b"benchmark message");
        let sig = key.sign_digest(&digest).unwrap();

        let mut group = c.benchmark_group(format!("{set}"));
        group.sample_size(30);
        group.bench_function("sign", |b| {
            b.iter(|| key.sign_digest(black_box(&digest)).unwrap())
        });
        group.bench_function("verify", |b| {
            b.iter(|| {
                public
                    .verify_digest(black_box(&digest), black_box(&sig))
                    .unwrap()
            })
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
