//! Replayable randomness: with `RUTOKEN_EMU_SEED` set, every random choice of a token is
//! derived from the seed instead of the operating system. **For tests and training only.**
//!
//! A recorded session (a wizard run, a training script) replays with byte-identical
//! screens only if key fingerprints repeat. Tokens are used by several processes one after
//! another (the CLI, the application, a test), so the generator cannot live in a process:
//! each draw gets its own stream, keyed by SHA-256 over the seed text, the token's serial,
//! what the draw is for, and the token's draw counter (`TokenState::seeded_draws`),
//! which is persisted in the token file and advanced under the state directory's lock.
//! The same seed, serial and sequence of operations therefore give the same keys, salts
//! and random bytes in any process; another seed or another token gives others.
//!
//! What stays random even when seeded: the `k` of GOST signatures (signatures are never
//! shown on screens, and a repeated `k` with different data would reveal the key). RSA
//! PKCS#1 v1.5 signatures are deterministic anyway.
//!
//! Without the variable nothing here is used and the token draws from the operating
//! system as before; the token file does not even record a counter.

use std::convert::Infallible;

use rsa::rand_core::{TryCryptoRng, TryRng};
use sha2::{Digest, Sha256};
use zeroize::Zeroize;

/// Environment variable holding the seed (any non-empty text). The module reads it at
/// C_Initialize, the `rutoken-emu` command when it creates a token (PIN salts).
pub const ENV_SEED: &str = "RUTOKEN_EMU_SEED";

/// Separates the draws of this emulator from any other use of the same seed text.
const DOMAIN: &[u8] = b"rutoken-emu seeded draw v1\0";
/// Separates the blocks of one draw's stream from its key derivation.
const STREAM_DOMAIN: &[u8] = b"rutoken-emu seeded stream v1\0";

/// What a draw is for; part of the derivation, so that two purposes never share bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// The salt of the user PIN's hash.
    UserPinSalt,
    /// The salt of the administrator PIN's hash.
    SoPinSalt,
    /// An RSA key pair.
    RsaKey,
    /// A GOST R 34.10-2012 key pair.
    GostKey,
    /// C_GenerateRandom.
    Random,
}

impl Purpose {
    fn label(self) -> &'static [u8] {
        match self {
            Purpose::UserPinSalt => b"user-pin-salt",
            Purpose::SoPinSalt => b"so-pin-salt",
            Purpose::RsaKey => b"rsa-key",
            Purpose::GostKey => b"gost-key",
            Purpose::Random => b"random",
        }
    }
}

/// The seed text of `RUTOKEN_EMU_SEED`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seed(String);

fn with_length(hasher: &mut Sha256, bytes: &[u8]) {
    // Length prefixes keep ("ab", "c") and ("a", "bc") apart.
    hasher.update((bytes.len() as u64).to_be_bytes());
    hasher.update(bytes);
}

impl Seed {
    /// A seed from text; `None` for the empty text (which means "not seeded", as an empty
    /// variable does).
    pub fn new(text: impl Into<String>) -> Option<Seed> {
        let text = text.into();
        (!text.is_empty()).then_some(Seed(text))
    }

    /// The seed named by [`ENV_SEED`], if set and not empty. Text that is not UTF-8 is
    /// taken lossily: it still seeds, and the same text gives the same seed.
    pub fn from_env() -> Option<Seed> {
        let value = std::env::var_os(ENV_SEED)?;
        Seed::new(value.to_string_lossy().into_owned())
    }

    /// The stream of draw number `draw` of token `serial` for `purpose`.
    pub fn stream(&self, serial: &str, purpose: Purpose, draw: u64) -> SeededRng {
        let mut hasher = Sha256::new();
        hasher.update(DOMAIN);
        with_length(&mut hasher, self.0.as_bytes());
        // Serials are hex digits in either case; a token is the same in both.
        with_length(&mut hasher, serial.to_ascii_lowercase().as_bytes());
        with_length(&mut hasher, purpose.label());
        hasher.update(draw.to_be_bytes());
        SeededRng::new(hasher.finalize().into())
    }

    /// The stream of the token's next draw for `purpose`, advancing its persisted counter
    /// (call it inside [`crate::store::Store::update_token`], so that the counter is
    /// written back and no other process takes the same number).
    pub fn draw(&self, serial: &str, draws: &mut u64, purpose: Purpose) -> SeededRng {
        let draw = *draws;
        *draws = draws.wrapping_add(1);
        self.stream(serial, purpose, draw)
    }
}

/// A deterministic generator: SHA-256 in counter mode over a 32-byte key. Enough for keys
/// that only have to repeat; nothing it produces is meant to protect anything.
///
/// It implements the `rand_core` traits of `rsa` (an infallible [`TryCryptoRng`]) so that
/// `rsa` can generate keys with it; GOST keys take its bytes directly
/// ([`crate::crypto::generate_gost_seeded`]).
pub struct SeededRng {
    key: [u8; 32],
    block: u64,
    buffer: [u8; 32],
    used: usize,
}

impl SeededRng {
    /// A stream keyed by `key`.
    pub fn new(key: [u8; 32]) -> SeededRng {
        SeededRng {
            key,
            block: 0,
            buffer: [0; 32],
            // Empty: the first use computes block 0.
            used: 32,
        }
    }

    /// Fills `out` with the next bytes of the stream.
    pub fn fill(&mut self, out: &mut [u8]) {
        for byte in out.iter_mut() {
            if self.used == self.buffer.len() {
                let mut hasher = Sha256::new();
                hasher.update(STREAM_DOMAIN);
                hasher.update(self.key);
                hasher.update(self.block.to_be_bytes());
                self.buffer = hasher.finalize().into();
                self.block = self.block.wrapping_add(1);
                self.used = 0;
            }
            *byte = self.buffer[self.used];
            self.used += 1;
        }
    }
}

impl std::fmt::Debug for SeededRng {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SeededRng(..)")
    }
}

impl Drop for SeededRng {
    fn drop(&mut self) {
        // The stream becomes private keys: wipe it as the keys are wiped.
        self.key.zeroize();
        self.buffer.zeroize();
    }
}

impl TryRng for SeededRng {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut bytes = [0; 4];
        self.fill(&mut bytes);
        Ok(u32::from_le_bytes(bytes))
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut bytes = [0; 8];
        self.fill(&mut bytes);
        Ok(u64::from_le_bytes(bytes))
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), Infallible> {
        self.fill(dest);
        Ok(())
    }
}

impl TryCryptoRng for SeededRng {}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(rng: &mut SeededRng, n: usize) -> Vec<u8> {
        let mut out = vec![0; n];
        rng.fill(&mut out);
        out
    }

    #[test]
    fn streams_depend_on_every_input() {
        let seed = Seed::new("lesson-1").expect("a seed");
        let base = bytes(&mut seed.stream("0A1B2C3D", Purpose::RsaKey, 0), 80);
        assert_eq!(
            bytes(&mut seed.stream("0a1b2c3d", Purpose::RsaKey, 0), 80),
            base
        );
        for other in [
            seed.stream("0A1B2C3E", Purpose::RsaKey, 0),
            seed.stream("0A1B2C3D", Purpose::GostKey, 0),
            seed.stream("0A1B2C3D", Purpose::RsaKey, 1),
            Seed::new("lesson-2")
                .expect("a seed")
                .stream("0A1B2C3D", Purpose::RsaKey, 0),
        ] {
            let mut other = other;
            assert_ne!(bytes(&mut other, 80), base);
        }
        // Reading in pieces gives the same stream as reading at once.
        let mut pieces = seed.stream("0A1B2C3D", Purpose::RsaKey, 0);
        let mut joined = bytes(&mut pieces, 31);
        joined.extend(bytes(&mut pieces, 49));
        assert_eq!(joined, base);
    }

    #[test]
    fn draws_advance_the_token_counter() {
        let seed = Seed::new("x").expect("a seed");
        let mut draws = 0;
        let first = bytes(&mut seed.draw("ABCDEF01", &mut draws, Purpose::Random), 16);
        let second = bytes(&mut seed.draw("ABCDEF01", &mut draws, Purpose::Random), 16);
        assert_eq!(draws, 2);
        assert_ne!(first, second);
        assert_eq!(
            bytes(&mut seed.stream("ABCDEF01", Purpose::Random, 1), 16),
            second
        );
        assert_eq!(Seed::new(""), None);
    }
}
