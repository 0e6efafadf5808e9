//! Removing PIN-like values from text and files before they leave the computer.
//!
//! What is redacted (each occurrence is replaced by [`MASK`]):
//! 1. **Known secrets**, wherever they occur and however they are encoded: as UTF-8
//!    text, as UTF-16 (little- and big-endian), and as hex of their UTF-8 bytes (lower
//!    and upper case). Known secrets are values of 4 to 32 characters given to
//!    [`Redactor::add_secret`]: the factory PINs (public, but the PINs of a token that
//!    still has them), and the values of environment variables whose names say PIN,
//!    PASSWORD, PASSPHRASE or SECRET (where scripts keep PINs for `--pin-env`).
//!    Shorter values are not taken: they would hit innocent numbers everywhere.
//! 2. **Values after a PIN keyword**, in text: a key whose last word is `pin`,
//!    `pincode`, `password`, `passwd`, `passphrase`, `secret`, `пин`, `пароль` (and their
//!    forms), optionally followed by `code`/`код` (`user_pin`, `SMARTKEY_PIN`, `PIN-код`,
//!    `"new_pin"`), then `=` or `:` (or a space after a flag such as `--pin`), then a
//!    value of 4 or more characters, quoted or up to the next space or punctuation.
//!    Also a number of 4 to 32 digits right after such a keyword ("PIN 12345678").
//!    Not redacted: keys that only mention a PIN (`pin_file`, `--pin-env`, `pin_limits`:
//!    their last word is not a PIN word), JSON objects and arrays (`"user_pin": {...}`),
//!    `true`/`false`/`null`, and the words smartkey itself prints about a PIN's state
//!    (`factory`, `default`, `locked`, ...), so that "PIN: factory default" survives.
//!
//! Files that are not UTF-8 text get layer 1 only.

/// What a redacted value is replaced with.
pub const MASK: &str = "[REDACTED]";

/// Known secrets shorter or longer than this are not taken.
const SECRET_CHARS: std::ops::RangeInclusive<usize> = 4..=32;

/// Values after a keyword shorter than this are left (`PIN: 10 tries left`).
const MIN_KEYWORD_VALUE: usize = 4;

/// Words smartkey prints after "PIN:" that describe a state, not a PIN.
const STATE_WORDS: &[&str] = &[
    "factory",
    "default",
    "locked",
    "blocked",
    "unknown",
    "hidden",
    "none",
    "null",
    "true",
    "false",
    "given",
    "required",
    "changed",
    "unchanged",
    "absent",
    "missing",
    "wrong",
    "refused",
    "final",
    "only",
    "must",
    "still",
    "already",
    "expired",
    "empty",
    "never",
    "unset",
];

/// A result and how many replacements were made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redacted<T> {
    pub value: T,
    pub count: usize,
}

/// Redacts known secrets and PIN-like values; see the module documentation.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    /// Each known secret in each of its encodings, with the mask in the same encoding.
    patterns: Vec<(Vec<u8>, Vec<u8>)>,
}

fn utf16(text: &str, little: bool) -> Vec<u8> {
    text.encode_utf16()
        .flat_map(|u| {
            if little {
                u.to_le_bytes()
            } else {
                u.to_be_bytes()
            }
        })
        .collect()
}

impl Redactor {
    /// A redactor that knows no secrets yet (keyword rules only).
    pub fn new() -> Redactor {
        Redactor::default()
    }

    /// A redactor that also knows the factory PINs and the PIN-like environment variables
    /// of this process: what `smartkey support bundle` uses.
    pub fn for_this_process() -> Redactor {
        let mut r = Redactor::new();
        r.add_secret(smartkey_wizard::FACTORY_USER_PIN);
        r.add_secret(smartkey_wizard::FACTORY_ADMIN_PIN);
        r.add_environment(std::env::vars_os());
        r
    }

    /// Takes the values of variables whose names say PIN, PASSWORD, PASSPHRASE or SECRET.
    pub fn add_environment(
        &mut self,
        vars: impl IntoIterator<Item = (std::ffi::OsString, std::ffi::OsString)>,
    ) {
        for (name, value) in vars {
            let name = name.to_string_lossy().to_uppercase();
            let secret_name = ["PIN", "PASSWORD", "PASSPHRASE", "SECRET"].iter().any(|w| {
                name.split(|c: char| !c.is_ascii_alphanumeric())
                    .any(|part| part == *w)
            });
            if secret_name && let Some(value) = value.to_str() {
                self.add_secret(value.trim_end_matches(['\r', '\n']));
            }
        }
    }

    /// Adds a value to scrub everywhere. Returns whether it was taken (4 to 32 characters).
    pub fn add_secret(&mut self, value: &str) -> bool {
        if !SECRET_CHARS.contains(&value.chars().count()) {
            return false;
        }
        let variants = [
            (value.as_bytes().to_vec(), MASK.as_bytes().to_vec()),
            (utf16(value, true), utf16(MASK, true)),
            (utf16(value, false), utf16(MASK, false)),
            (hex::encode(value).into_bytes(), MASK.as_bytes().to_vec()),
            (
                hex::encode_upper(value).into_bytes(),
                MASK.as_bytes().to_vec(),
            ),
        ];
        for v in variants {
            if !self.patterns.iter().any(|(p, _)| *p == v.0) {
                self.patterns.push(v);
            }
        }
        // Longest first, so that a secret inside another is not half-replaced.
        self.patterns
            .sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
        true
    }

    /// Replaces every known secret in `bytes`, in every encoding.
    fn scrub_known(&self, bytes: &[u8]) -> Redacted<Vec<u8>> {
        let mut out = bytes.to_vec();
        let mut count = 0;
        for (pattern, mask) in &self.patterns {
            let (replaced, n) = replace_all(&out, pattern, mask);
            out = replaced;
            count += n;
        }
        Redacted { value: out, count }
    }

    /// Redacts text: known secrets first, then values after PIN keywords.
    pub fn redact_text(&self, text: &str) -> Redacted<String> {
        let known = self.scrub_known(text.as_bytes());
        // Replacing whole UTF-8 sequences with ASCII keeps the text valid UTF-8.
        let text = String::from_utf8(known.value)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        let keyed = redact_keyword_values(&text);
        Redacted {
            value: keyed.value,
            count: known.count + keyed.count,
        }
    }

    /// Redacts a file's bytes: as text when it is UTF-8, known secrets only otherwise.
    pub fn redact_bytes(&self, bytes: &[u8]) -> Redacted<Vec<u8>> {
        match std::str::from_utf8(bytes) {
            Ok(text) => {
                let r = self.redact_text(text);
                Redacted {
                    value: r.value.into_bytes(),
                    count: r.count,
                }
            }
            Err(_) => self.scrub_known(bytes),
        }
    }
}

/// `haystack` with every `needle` replaced by `with`, and how many there were.
fn replace_all(haystack: &[u8], needle: &[u8], with: &[u8]) -> (Vec<u8>, usize) {
    if needle.is_empty() || haystack.len() < needle.len() {
        return (haystack.to_vec(), 0);
    }
    let mut out = Vec::with_capacity(haystack.len());
    let mut count = 0;
    let mut i = 0;
    while i < haystack.len() {
        if haystack[i..].starts_with(needle) {
            out.extend_from_slice(with);
            i += needle.len();
            count += 1;
        } else {
            out.push(haystack[i]);
            i += 1;
        }
    }
    (out, count)
}

fn is_key_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-'
}

/// Whether a key (`user_pin`, `PIN-код`, `--pin`) names a PIN itself, rather than
/// something about one (`pin_file`, `pin-env`).
fn is_pin_key(key: &str) -> bool {
    let parts: Vec<String> = key
        .split(['_', '-'])
        .filter(|p| !p.is_empty())
        .map(str::to_lowercase)
        .collect();
    let is_secret_word = |w: &str| {
        matches!(
            w,
            "pin"
                | "pins"
                | "pincode"
                | "password"
                | "passwd"
                | "passphrase"
                | "secret"
                | "пин"
                | "пинкод"
        ) || w.starts_with("парол")
    };
    let Some(last) = parts.iter().rposition(|p| is_secret_word(p)) else {
        return false;
    };
    parts[last + 1..]
        .iter()
        .all(|p| p.starts_with("код") || p == "code")
}

/// Layer 2: values after PIN keywords.
fn redact_keyword_values(text: &str) -> Redacted<String> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !is_key_char(chars[i].1) || (i > 0 && is_key_char(chars[i - 1].1)) {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && is_key_char(chars[i].1) {
            i += 1;
        }
        let key_end = i;
        let key: String = chars[start..key_end].iter().map(|(_, c)| c).collect();
        if !is_pin_key(&key) {
            continue;
        }
        if let Some(span) = value_after_key(&chars, key_end, key.starts_with('-')) {
            i = span.1;
            spans.push((
                chars[span.0].0,
                chars.get(span.1).map_or(text.len(), |(b, _)| *b),
            ));
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (a, b) in &spans {
        out.push_str(&text[last..*a]);
        out.push_str(MASK);
        last = *b;
    }
    out.push_str(&text[last..]);
    Redacted {
        value: out,
        count: spans.len(),
    }
}

/// The char span of the value that follows a PIN key ending at `at`, if it is one.
fn value_after_key(chars: &[(usize, char)], at: usize, flag: bool) -> Option<(usize, usize)> {
    let mut j = at;
    let peek = |j: usize| chars.get(j).map(|(_, c)| *c);
    if matches!(peek(j), Some('"' | '\'')) {
        j += 1;
    }
    let blanks = |mut j: usize| {
        while matches!(peek(j), Some(' ' | '\t')) {
            j += 1;
        }
        j
    };
    let after_blanks = blanks(j);
    let (value_start, separated) = match peek(after_blanks) {
        Some('=' | ':') => (blanks(after_blanks + 1), true),
        Some(_) if flag && after_blanks > j => (after_blanks, true),
        Some(_) if after_blanks > j => (after_blanks, false),
        _ => return None,
    };
    let (span, quoted) = match peek(value_start) {
        Some(q @ ('"' | '\'')) => {
            let mut k = value_start + 1;
            while let Some(c) = peek(k) {
                if c == q || c == '\n' {
                    break;
                }
                k += 1;
            }
            ((value_start + 1, k), true)
        }
        Some(_) => {
            let mut k = value_start;
            while let Some(c) = peek(k) {
                if c.is_whitespace() || matches!(c, ',' | ';' | '}' | ']' | ')' | '"' | '\'') {
                    break;
                }
                k += 1;
            }
            ((value_start, k), false)
        }
        None => return None,
    };
    let value: String = chars[span.0..span.1].iter().map(|(_, c)| c).collect();
    let len = value.chars().count();
    if !separated {
        // Prose ("the PIN 12345678"): only a run of digits of PIN length.
        let digits = value.chars().all(|c| c.is_ascii_digit());
        return (digits && SECRET_CHARS.contains(&len) && !quoted).then_some(span);
    }
    let structural = value.starts_with(['{', '[', '<']);
    let state_word = STATE_WORDS.contains(&value.to_lowercase().as_str());
    (len >= MIN_KEYWORD_VALUE && !structural && !state_word).then_some(span)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keyed(text: &str) -> String {
        Redactor::new().redact_text(text).value
    }

    #[test]
    fn values_after_pin_keys_are_masked() {
        assert_eq!(keyed("pin=4321abcd"), "pin=[REDACTED]");
        assert_eq!(
            keyed("SMARTKEY_PIN=98765432 next"),
            "SMARTKEY_PIN=[REDACTED] next"
        );
        assert_eq!(
            keyed(r#"{"new_pin": "s3cr3t!", "x": 1}"#),
            r#"{"new_pin": "[REDACTED]", "x": 1}"#
        );
        assert_eq!(keyed("user_pin: 55554444,"), "user_pin: [REDACTED],");
        assert_eq!(
            keyed("smartkey --pin 24681357 tokens"),
            "smartkey --pin [REDACTED] tokens"
        );
        assert_eq!(keyed("PIN-код: 11223344"), "PIN-код: [REDACTED]");
        assert_eq!(keyed("пароль = 'тайна99'"), "пароль = '[REDACTED]'");
        assert_eq!(keyed("введите PIN 87651234 и"), "введите PIN [REDACTED] и");
        assert_eq!(keyed("password:hunter22"), "password:[REDACTED]");
    }

    #[test]
    fn what_only_describes_a_pin_is_left() {
        for text in [
            "PIN: factory default, must be changed, 10 tries left",
            "admin PIN: 9 tries left",
            "PIN locked",
            "PIN length: 6 to 32",
            "\"user_pin\": {\"to_be_changed\": false, \"tries_left\": 10}",
            "\"is_default\": true, \"pin\": null",
            "--pin-env NEW_PIN_VAR --new-pin-file /tmp/pin.txt",
            "pin_limits: 4..32",
            "Pin(<hidden>)",
            "spinning 12345678",
            "the PIN is wrong: 9 tries are left",
            "PIN: final try",
            "wrong PIN: only a few tries are left",
            "wrong PIN: one try is left: one more wrong entry locks it",
            "admin PIN: few tries left",
        ] {
            assert_eq!(keyed(text), text, "changed: {text}");
        }
    }

    #[test]
    fn known_secrets_go_in_every_encoding() {
        let mut r = Redactor::new();
        assert!(r.add_secret("Qw7-user"));
        assert!(!r.add_secret("123"), "too short to scrub safely");
        assert!(!r.add_secret(&"x".repeat(33)));
        let text = format!(
            "a Qw7-user b {} c {}",
            hex::encode("Qw7-user"),
            hex::encode_upper("Qw7-user")
        );
        let out = r.redact_text(&text);
        assert_eq!(out.value, "a [REDACTED] b [REDACTED] c [REDACTED]");
        assert_eq!(out.count, 3);

        let mut binary = vec![0xff, 0x00];
        binary.extend(utf16("Qw7-user", true));
        binary.extend([0xfe]);
        binary.extend(utf16("Qw7-user", false));
        let out = r.redact_bytes(&binary);
        assert_eq!(out.count, 2);
        assert!(!contains(&out.value, &utf16("Qw7-user", true)));
        assert!(!contains(&out.value, &utf16("Qw7-user", false)));
        assert!(contains(&out.value, &utf16(MASK, true)));
    }

    #[test]
    fn pin_like_environment_variables_become_known_secrets() {
        let mut r = Redactor::new();
        r.add_environment([
            ("MY_PIN".into(), "77778888\n".into()),
            ("BANK_PASSWORD".into(), "pa55word".into()),
            ("SPINNER".into(), "not-a-secret".into()),
            ("PATH".into(), "/usr/bin".into()),
        ]);
        let out = r.redact_text("77778888 pa55word not-a-secret /usr/bin");
        assert_eq!(out.value, "[REDACTED] [REDACTED] not-a-secret /usr/bin");
    }

    fn contains(h: &[u8], n: &[u8]) -> bool {
        h.windows(n.len()).any(|w| w == n)
    }
}
