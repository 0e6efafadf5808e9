//! The report as text: one line per check, `VERDICT  Title: summary`, then its details
//! and what to do, indented; a last line with the totals and the exit code.

use std::fmt::Write;

use super::report::{Finding, Report, Verdict};

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Renders `report` as plain text (no colour, no terminal needed).
/// One finding: its verdict, check and summary, then its details and what to do.
fn write_finding(out: &mut String, f: &Finding) {
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

/// The failing checks alone, each with what to do: what stops a flow before its start.
pub fn render_failures(failed: &[&Finding]) -> String {
    let mut out = String::new();
    for f in failed {
        write_finding(&mut out, f);
    }
    let _ = write!(out, "nothing was done; `smartkey check` shows every check");
    out
}

pub fn render_text(report: &Report) -> String {
    let mut out = String::new();
    for f in &report.checks {
        write_finding(&mut out, f);
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
