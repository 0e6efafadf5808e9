//! Where a run's chance comes from: the session code and the request numbers
//! (`transactionID`s). A real run draws them from the system; a replay draws them from a
//! generator seeded by its script, so that the same script shows the same screens to the
//! byte every time. The seeded generator is for virtual tokens and the local bank only:
//! a real bank must never see a request number that could repeat.

use std::sync::Mutex;

use chacha20::ChaCha20Rng;
use chacha20::rand_core::{Rng, SeedableRng};
use sha2::{Digest, Sha256};

/// The source of a run's random choices.
#[derive(Debug, Default)]
pub enum Chance {
    /// The operating system's random numbers.
    #[default]
    System,
    /// A repeatable stream from a seed (replays and training).
    Seeded(Box<Mutex<SeededStream>>),
}

/// A ChaCha20 stream keyed by the SHA-256 of a seed text.
pub struct SeededStream(ChaCha20Rng);

impl std::fmt::Debug for SeededStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SeededStream")
    }
}

/// The operating system gave no random numbers.
#[derive(Debug, thiserror::Error)]
#[error("the system random number generator failed")]
pub struct NoChance;

impl Chance {
    /// A repeatable stream for `seed`.
    pub fn seeded(seed: &str) -> Chance {
        let key: [u8; 32] = Sha256::digest(seed.as_bytes()).into();
        Chance::Seeded(Box::new(Mutex::new(SeededStream(ChaCha20Rng::from_seed(
            key,
        )))))
    }

    /// Fills `bytes` with the next random bytes.
    pub fn fill(&self, bytes: &mut [u8]) -> Result<(), NoChance> {
        match self {
            Chance::System => getrandom::fill(bytes).map_err(|_| NoChance),
            Chance::Seeded(stream) => {
                let mut stream = stream.lock().map_err(|_| NoChance)?;
                stream.0.fill_bytes(bytes);
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_repeats_and_another_seed_or_the_system_does_not() {
        let draw = |c: &Chance| {
            let mut b = [0u8; 16];
            c.fill(&mut b).expect("bytes");
            b
        };
        let (a, b) = (Chance::seeded("one"), Chance::seeded("one"));
        assert_eq!(draw(&a), draw(&b));
        assert_eq!(draw(&a), draw(&b), "the streams stay in step");
        assert_ne!(draw(&Chance::seeded("one")), draw(&Chance::seeded("two")));
        assert_ne!(draw(&Chance::System), draw(&Chance::System));
    }
}
