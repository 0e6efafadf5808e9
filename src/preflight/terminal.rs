//! The terminal the wizard will draw on: its size, whether it has colour, and whether
//! the locale is UTF-8 (the screens are in Russian; without UTF-8 they turn to garbage).
//! Output that is not a terminal (a pipe, a file) is fine for `smartkey check` itself.

use std::io::IsTerminal;

use serde::Serialize;

use super::Facts;
use super::report::{CheckId, Finding, Verdict};

/// The smallest window the wizard's screens fit in.
pub const MIN_COLUMNS: u16 = 80;
pub const MIN_ROWS: u16 = 24;

/// What was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TerminalFacts {
    /// Whether standard output is a terminal.
    pub is_terminal: bool,
    pub columns: Option<u16>,
    pub rows: Option<u16>,
    /// `$TERM`.
    pub term: Option<String>,
    /// Whether colour can be used (a terminal, not `TERM=dumb`, no `NO_COLOR`).
    pub colour: bool,
    /// The locale in force for characters: `LC_ALL`, else `LC_CTYPE`, else `LANG`.
    pub locale: Option<String>,
    pub utf8: bool,
}

/// The environment variables the check reads, apart so that it can be tested.
#[derive(Debug, Clone, Default)]
pub struct TerminalEnv {
    pub lc_all: Option<String>,
    pub lc_ctype: Option<String>,
    pub lang: Option<String>,
    pub term: Option<String>,
    pub no_color: bool,
}

impl TerminalEnv {
    pub fn from_process() -> TerminalEnv {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        TerminalEnv {
            lc_all: var("LC_ALL"),
            lc_ctype: var("LC_CTYPE"),
            lang: var("LANG"),
            term: var("TERM"),
            no_color: var("NO_COLOR").is_some(),
        }
    }
}

/// Whether a locale name says UTF-8 ("ru_RU.UTF-8", "C.utf8").
pub fn is_utf8(locale: &str) -> bool {
    let l = locale.to_ascii_lowercase();
    l.contains("utf-8") || l.contains("utf8")
}

/// Reads the facts from `env` and a terminal of `size` (columns, rows), if any.
pub fn facts(env: &TerminalEnv, is_terminal: bool, size: Option<(u16, u16)>) -> TerminalFacts {
    let locale = env
        .lc_all
        .clone()
        .or_else(|| env.lc_ctype.clone())
        .or_else(|| env.lang.clone());
    let utf8 = locale.as_deref().is_some_and(is_utf8);
    let colour = is_terminal && !env.no_color && env.term.as_deref().is_some_and(|t| t != "dumb");
    TerminalFacts {
        is_terminal,
        columns: size.map(|s| s.0),
        rows: size.map(|s| s.1),
        term: env.term.clone(),
        colour,
        locale,
        utf8,
    }
}

/// The finding for `facts`.
pub fn finding(facts: TerminalFacts) -> Finding {
    let mut problems = Vec::new();
    let mut advice = Vec::new();
    if !facts.utf8 {
        problems.push(format!(
            "the locale {} is not UTF-8",
            facts.locale.as_deref().unwrap_or("(none set)")
        ));
        advice.push(
            "set a UTF-8 locale so that Russian text shows: export LANG=ru_RU.UTF-8 (or C.UTF-8)"
                .to_string(),
        );
    }
    if let (Some(c), Some(r)) = (facts.columns, facts.rows)
        && facts.is_terminal
        && (c < MIN_COLUMNS || r < MIN_ROWS)
    {
        problems.push(format!("the window is {c}×{r}"));
        advice.push(format!(
            "make the window at least {MIN_COLUMNS}×{MIN_ROWS} characters"
        ));
    }
    let shape = match (facts.is_terminal, facts.columns, facts.rows) {
        (true, Some(c), Some(r)) => format!("{c}×{r}"),
        (true, _, _) => "size unknown".to_string(),
        (false, _, _) => "output is not a terminal".to_string(),
    };
    let summary = format!(
        "{shape}, {}, locale {}",
        if facts.colour { "colour" } else { "no colour" },
        facts.locale.as_deref().unwrap_or("not set")
    );
    let mut finding = if problems.is_empty() {
        Finding::new(CheckId::Terminal, Verdict::Ok, summary)
    } else {
        Finding::new(CheckId::Terminal, Verdict::Warn, problems.join("; "))
            .detail(summary)
            .advice(advice.join("; "))
    };
    if !facts.is_terminal {
        finding = finding.detail("the wizard needs a terminal; this check's output goes elsewhere");
    }
    if let Some(t) = &facts.term {
        finding = finding.detail(format!("TERM={t}"));
    }
    finding.facts(Facts::Terminal(facts))
}

/// Checks this process's terminal.
pub fn check() -> Finding {
    let stdout = std::io::stdout();
    let is_terminal = stdout.is_terminal();
    let size = terminal_size::terminal_size().map(|(w, h)| (w.0, h.0));
    finding(facts(&TerminalEnv::from_process(), is_terminal, size))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(lang: Option<&str>) -> TerminalEnv {
        TerminalEnv {
            lang: lang.map(str::to_string),
            term: Some("xterm-256color".into()),
            ..TerminalEnv::default()
        }
    }

    #[test]
    fn lc_all_wins_over_lc_ctype_over_lang() {
        let e = TerminalEnv {
            lc_all: Some("C".into()),
            lc_ctype: Some("ru_RU.UTF-8".into()),
            lang: Some("en_US.UTF-8".into()),
            ..TerminalEnv::default()
        };
        let f = facts(&e, true, None);
        assert_eq!(f.locale.as_deref(), Some("C"));
        assert!(!f.utf8);
        assert!(is_utf8("C.utf8") && is_utf8("ru_RU.UTF-8"));
    }

    #[test]
    fn a_small_window_or_no_utf8_is_a_warning() {
        let ok = finding(facts(&env(Some("ru_RU.UTF-8")), true, Some((120, 40))));
        assert_eq!(ok.verdict, Verdict::Ok, "{ok:?}");
        assert!(ok.summary.contains("colour"));
        let small = finding(facts(&env(Some("C.UTF-8")), true, Some((60, 20))));
        assert_eq!(small.verdict, Verdict::Warn);
        assert!(small.advice.unwrap().contains("80×24"));
        let latin = finding(facts(&env(None), true, Some((120, 40))));
        assert_eq!(latin.verdict, Verdict::Warn);
        assert!(latin.advice.unwrap().contains("LANG="));
    }

    #[test]
    fn no_terminal_is_fine_for_the_check_itself() {
        let f = finding(facts(&env(Some("C.UTF-8")), false, None));
        assert_eq!(f.verdict, Verdict::Ok);
        assert!(!f.facts_colour());
    }

    impl Finding {
        fn facts_colour(&self) -> bool {
            matches!(&self.facts, Facts::Terminal(t) if t.colour)
        }
    }
}
