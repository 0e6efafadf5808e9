//! The expected screens of a script, kept next to it in `NAME.screens` (for
//! `NAME.jsonl`): each snapshot is a marker line with its name, then the screen exactly
//! as the plain text renderer writes it. A reviewer reads a change to the UI there as a
//! change to a few lines; `smartkey replay --update` writes the file anew.
//!
//! ```text
//! ──── N2.1 ────
//! [N2.1] Демо-банк · Новый сертификат · сессия 3KXM
//!
//! Подготовка
//! …
//! ```

use super::error::ScriptError;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use similar::TextDiff;

/// A screen as snapshots hold it: the plain text renderer's words, with `replace`'s
/// texts (the demo's folder, which differs from run to run) put in for their names.
pub fn snapshot_text(
    screen: &smartkey_wizard::Screen,
    catalogue: &smartkey_i18n::Catalogue,
    replace: &[(String, String)],
) -> String {
    let mut text = crate::ui::text::render_screen(screen, catalogue);
    for (from, to) in replace {
        text = text.replace(from.as_str(), to);
    }
    text
}

/// Marks the start of a snapshot: `──── NAME ────`.
const MARK: &str = "────";

/// The snapshots of one script, in the order they were checked.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Snapshots {
    entries: Vec<(String, String)>,
}

impl Snapshots {
    /// The `.screens` file that belongs to `script`.
    pub fn path_for(script: &Path) -> PathBuf {
        script.with_extension("screens")
    }

    /// Reads a `.screens` file; a missing file is an empty set (a script not yet
    /// replayed with `--update`).
    pub fn load(path: &Path) -> Result<Snapshots, ScriptError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Snapshots::parse(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Snapshots::default()),
            Err(source) => Err(ScriptError::ScreensUnreadable {
                path: path.to_path_buf(),
                source,
            }),
        }
    }

    pub fn parse(text: &str) -> Result<Snapshots, ScriptError> {
        let mut snapshots = Snapshots::default();
        let mut current: Option<(String, Vec<&str>)> = None;
        for line in text.lines() {
            if let Some(name) = marker(line) {
                if let Some((name, lines)) = current.take() {
                    snapshots.push(name, &join(&lines));
                }
                if snapshots.get(name).is_some() {
                    return Err(ScriptError::DuplicateScreen(name.to_string()));
                }
                current = Some((name.to_string(), Vec::new()));
            } else if let Some((_, lines)) = &mut current {
                lines.push(line);
            } else if !line.trim().is_empty() && !line.starts_with('#') {
                return Err(ScriptError::BadScreens(format!(
                    "text before the first snapshot marker ({MARK} NAME {MARK}): {line:?}"
                )));
            }
        }
        if let Some((name, lines)) = current {
            snapshots.push(name, &join(&lines));
        }
        Ok(snapshots)
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t.as_str())
    }

    /// Adds or replaces a snapshot.
    pub fn push(&mut self, name: String, text: &str) {
        let text = text.trim_end_matches('\n').to_string();
        match self.entries.iter_mut().find(|(n, _)| *n == name) {
            Some(entry) => entry.1 = text,
            None => self.entries.push((name, text)),
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The file's text.
    pub fn render(&self, script_name: &str) -> String {
        let mut out = format!(
            "# The screens {script_name} expects at its checkpoints; `smartkey replay --update` rewrites this file.\n"
        );
        for (name, text) in &self.entries {
            let _ = write!(out, "\n{MARK} {name} {MARK}\n{text}\n");
        }
        out
    }

    pub fn save(&self, path: &Path, script_name: &str) -> Result<(), ScriptError> {
        crate::protection::write_private(path, self.render(script_name).as_bytes()).map_err(
            |source| ScriptError::ScreensUnwritable {
                path: path.to_path_buf(),
                source,
            },
        )
    }
}

fn marker(line: &str) -> Option<&str> {
    let name = line
        .strip_prefix(MARK)?
        .strip_suffix(MARK)?
        .strip_prefix(' ')?
        .strip_suffix(' ')?;
    (!name.trim().is_empty()).then_some(name)
}

fn join(lines: &[&str]) -> String {
    let mut text = lines.join("\n");
    while text.ends_with('\n') {
        text.pop();
    }
    text
}

/// Names checkpoints by their step, numbering repeats: "N2.4", "N2.4 #2".
#[derive(Debug, Default)]
pub struct Namer {
    seen: BTreeMap<String, usize>,
}

impl Namer {
    pub fn name(&mut self, step: &str) -> String {
        let n = self.seen.entry(step.to_string()).or_default();
        *n += 1;
        if *n == 1 {
            step.to_string()
        } else {
            format!("{step} #{n}")
        }
    }
}

/// A checkpoint whose screen was not the expected one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// The snapshot's name.
    pub snapshot: String,
    /// The step the wizard was at.
    pub step: String,
    /// The script's line.
    pub line: usize,
    /// A unified diff, expected against shown; empty when no snapshot was expected.
    pub diff: String,
}

impl Mismatch {
    /// Compares `shown` with `expected`; `None` when they are the same.
    pub fn between(
        snapshot: &str,
        step: &str,
        line: usize,
        expected: Option<&str>,
        shown: &str,
    ) -> Option<Mismatch> {
        let shown = shown.trim_end_matches('\n');
        let diff = match expected {
            Some(e) if e == shown => return None,
            Some(e) => TextDiff::from_lines(&format!("{e}\n"), &format!("{shown}\n"))
                .unified_diff()
                .context_radius(2)
                .header("expected", "shown")
                .to_string(),
            None => String::new(),
        };
        Some(Mismatch {
            snapshot: snapshot.into(),
            step: step.into(),
            line,
            diff,
        })
    }

    /// The words a person reads: which step, which line, what differs.
    pub fn describe(&self) -> String {
        if self.diff.is_empty() {
            return format!(
                "step {}: no snapshot {:?} is expected (script line {}); run with --update to take the screen shown",
                self.step, self.snapshot, self.line
            );
        }
        format!(
            "step {}: the screen differs from the snapshot {:?} (script line {}):\n{}",
            self.step,
            self.snapshot,
            self.line,
            self.diff.trim_end()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshots_round_trip_through_their_file() {
        let mut s = Snapshots::default();
        s.push("N2.1".into(), "[N2.1] Банк\n\nПодготовка\n=========\n");
        s.push("N2.4 #2".into(), "line one\n\n  indented\n");
        let text = s.render("new.jsonl");
        let back = Snapshots::parse(&text).expect("parse");
        assert_eq!(back, s);
        assert_eq!(back.get("N2.4 #2"), Some("line one\n\n  indented"));
        assert!(Snapshots::parse("stray\n──── A ────\nx\n").is_err());
        assert!(Snapshots::parse("──── A ────\nx\n──── A ────\ny\n").is_err());
    }

    #[test]
    fn repeats_are_numbered() {
        let mut n = Namer::default();
        assert_eq!(n.name("N2.4"), "N2.4");
        assert_eq!(n.name("N2.5"), "N2.5");
        assert_eq!(n.name("N2.4"), "N2.4 #2");
    }

    #[test]
    fn a_difference_names_the_step_and_shows_the_changed_line() {
        let expected = "[N2.4] Банк\nСмена PIN-кода\nдалее";
        assert!(Mismatch::between("N2.4", "N2.4", 7, Some(expected), expected).is_none());
        let m = Mismatch::between(
            "N2.4",
            "N2.4",
            7,
            Some(expected),
            "[N2.4] Банк\nСмена PIN\nдалее\n",
        )
        .expect("differs");
        let text = m.describe();
        assert!(
            text.starts_with("step N2.4:") && text.contains("line 7"),
            "{text}"
        );
        assert!(
            text.contains("-Смена PIN-кода") && text.contains("+Смена PIN"),
            "{text}"
        );
        let missing = Mismatch::between("N2.9", "N2.9", 3, None, "x").expect("no snapshot");
        assert!(missing.describe().contains("--update"));
    }
}
