//! A virtual Rutoken ECP 2.0: a PKCS#11 v2.40 module for tests, demos and training.
//!
//! **This is an emulator. Private keys are stored in plain files (JSON, hex) in the state
//! directory, readable by anyone who can read that directory. Never use it for a real key,
//! a real certificate or a real bank.**
//!
//! The module (`librutoken_emu.so`, built as the `cdylib` of this crate) loads wherever a
//! PKCS#11 module does: `cryptoki`, OpenSC's `pkcs11-tool --module`, the application's
//! token layer. Cargo puts it at `target/<profile>/librutoken_emu.so`. It exports
//! `C_GetFunctionList`, every standard `C_*` function, and Aktiv's
//! `C_EX_GetFunctionListExtended` / `C_EX_GetTokenInfoExtended`.
//!
//! # What is emulated
//! - Tokens that identify as a Rutoken: manufacturer `Aktiv Co.`, model `Rutoken ECP`, the
//!   serial as given (hex digits, space padded to 16), a label, and the vendor's hardware
//!   feature object (`CKO_HW_FEATURE`, type `CKH_VENDOR_TOKEN_INFO`) whose
//!   `CKA_VENDOR_MODEL_NAME` is `Rutoken ECP 2.0`. It is found only by a template with
//!   `CKA_CLASS = CKO_HW_FEATURE`.
//! - PINs: factory user PIN `12345678`, administrator (SO) PIN `87654321`; new PINs of 6 to
//!   32 bytes (`CKR_PIN_LEN_RANGE`); 10 tries each unless set at `init`. A wrong PIN costs a
//!   try; the try that uses up the counter and every later attempt return `CKR_PIN_LOCKED`;
//!   a right PIN refills the counter. `CKF_*_PIN_COUNT_LOW/FINAL_TRY/LOCKED` and
//!   `CKF_*_PIN_TO_BE_CHANGED` (while a PIN is the factory one) are set as hints, and
//!   `TOKEN_FLAGS_USER_PIN_NOT_DEFAULT` / `TOKEN_FLAGS_ADMIN_PIN_NOT_DEFAULT` in
//!   `C_EX_GetTokenInfoExtended` once a PIN differs from the factory one. C_Login (user,
//!   SO), C_Logout, C_SetPIN (the SO's PIN when the SO is logged in, else the user's),
//!   C_InitPIN (the SO sets the user PIN and unblocks it), `C_EX_UnblockUserPIN`.
//! - Objects: X.509 certificates and data objects (C_CreateObject), generated key pairs,
//!   C_DestroyObject, C_FindObjects*, C_GetAttributeValue with the standard's conventions,
//!   C_SetAttributeValue for labels, IDs, dates and usage flags. Private objects are
//!   visible only after user login. Private keys are always `CKA_SENSITIVE`, never
//!   `CKA_EXTRACTABLE`, and their secret parts answer `CKR_ATTRIBUTE_SENSITIVE`.
//! - Mechanisms: `CKM_RSA_PKCS_KEY_PAIR_GEN` (1024 to 2048 bits), `CKM_RSA_PKCS` (the caller
//!   supplies the DigestInfo), `CKM_SHA256_RSA_PKCS`, `CKM_SHA256`; GOST R 34.10-2012
//!   key generation 256 (`0x1200`) and 512 (`0xD4321005`) with `CKA_GOSTR3410_PARAMS` /
//!   `CKA_GOSTR3411_PARAMS` from the template, raw signatures of a Streebog digest
//!   (`0x1201`, `0xD4321006`), signatures hashing on the token (`0xD4321008/9`, optional
//!   Streebog OID parameter) and Streebog digests (`0xD4321012/3`). Public GOST keys show
//!   `CKA_VALUE` = X || Y little-endian; signatures are s || r big-endian. Signing and
//!   digesting use the two-call size convention; C_SignUpdate/Final and
//!   C_VerifyUpdate/Final work for the hashing mechanisms. C_Verify* with public keys.
//! - Memory: 64 KiB per token, reported in `CK_TOKEN_INFO` and the extended information;
//!   objects that do not fit fail with `CKR_DEVICE_MEMORY`.
//! - Hot-plug: virtual readers (2 by default; slot ID = reader number) into which tokens are
//!   inserted and from which they are removed by the `rutoken-emu` command, from another
//!   process, while applications run. Every call re-reads the readers file when it changed.
//!   A token that is pulled out answers `CKR_TOKEN_NOT_PRESENT`; the first call on a session
//!   opened before the removal returns `CKR_DEVICE_REMOVED` and forgets the session, later
//!   calls with that handle `CKR_SESSION_HANDLE_INVALID` (also after the token comes back:
//!   sessions belong to one insertion). Logins end with the insertion. Objects live in the
//!   token's file and are there again when it is reinserted. `C_WaitForSlotEvent` reports
//!   insertions and removals (blocking or with `CKF_DONT_BLOCK`).
//!
//! # What is not
//! Encryption, decryption, wrapping, derivation, secret keys, C_InitToken (use the CLI),
//! C_CopyObject, operation state, PIN policies, the journal, flash drives, PKCS#7 and CSR
//! helpers of the vendor library: they return `CKR_FUNCTION_NOT_SUPPORTED` or
//! `CKR_MECHANISM_INVALID`. Hardware and firmware versions are plausible, not measured.
//!
//! # State directory
//! `RUTOKEN_EMU_DIR` names it; when unset, `$XDG_DATA_HOME/rutoken-emu`, else
//! `$HOME/.local/share/rutoken-emu`. The module reads the variable at C_Initialize. It holds
//! `readers.json` and `tokens/<serial>.json`; every change is written to a temporary file
//! and renamed over the old one, under an advisory lock on `.lock`, so the CLI and any
//! number of processes that loaded the module see whole, consistent states.
//!
//! # Replayable randomness (tests and training only)
//! `RUTOKEN_EMU_SEED`, when set to any non-empty text, makes every random choice of the
//! tokens repeatable: RSA and GOST key pairs, C_GenerateRandom and the PIN salts. The
//! module reads it at C_Initialize, together with `RUTOKEN_EMU_DIR`; the `init` command
//! reads it for the PIN salts of the token it creates. Each draw is derived from the seed,
//! the token's serial, what it is for and a draw counter kept in the token's file, so two
//! fresh state directories that see the same seed and the same sequence of operations, in
//! any number of processes, end up with the same keys; another seed gives other keys. The
//! `k` of GOST signatures stays random. Never set it outside tests and training: anyone
//! who knows the seed knows the keys. Unset or empty, the tokens draw from the operating
//! system. See [`seed`].
//!
//! # Command line
//! ```text
//! rutoken-emu init --serial 0A1B2C3D [--label L] [--user-retries N] [--admin-retries N] [--force]
//! rutoken-emu insert 0A1B2C3D [--reader N]
//! rutoken-emu remove [0A1B2C3D]        # no serial: every token
//! rutoken-emu readers N                # number of virtual readers
//! rutoken-emu list [--json]
//! ```
//! `init` creates a token as it leaves the factory, not inserted. Serials are hexadecimal
//! (a Rutoken prints 8 hex digits; Aktiv's control panel shows the same number in decimal,
//! which `list` shows too).
//!
//! # Layout of the crate
//! [`token`], [`object`], [`crypto`] and [`emulator`] are the token model in safe Rust,
//! usable and tested without the C ABI; [`seed`] is the replayable randomness;
//! [`store`] is the state directory; [`ffi`] holds the
//! exported functions and all `unsafe` code.

pub mod crypto;
pub mod emulator;
pub mod error;
pub mod ffi;
pub mod object;
pub mod seed;
pub mod store;
pub mod token;
