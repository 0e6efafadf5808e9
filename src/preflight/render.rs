//! The report as text: one line per check, `VERDICT  Title: summary`, then its details
//! and what to do, indented; a last line with the totals and the exit code.

use std::fmt::Write;

use super::report::{Report, Verdict};

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Renders `report` as plain text (no colour, no terminal needed).
pub fn render_text(report: &Report) -> String {
    let mut out = String::new();
    for f in &report.checks {
        let _ = writeln!(
            out,
            "{:<5} {}: {}",
            f.verdict.label(),
            f.check.title(),
            f.summary
        );
        for d in &f.details {
            let _ = writeln!(out, "        {d}");
        }
        if let Some(a) = &f.advice {
            let _ = writeln!(out, "        what to do: {a}");
        }
    }
    let _ = writeln!(
        out,
        "\nsmartkey {}: {}, {}, {} (exit code {})",
        report.version,
        plural(report.count(Verdict::Ok), "OK", "OK"),
        plural(report.count(Verdict::Warn), "warning", "warnings"),
        plural(report.count(Verdict::Fail), "failure", "failures"),
        report.exit_code
    );
    out
}
