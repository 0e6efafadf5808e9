//! The documents a person prints and signs (the application, N2.7; the act, N2.10,
//! R2.10), written as UTF-8 text in the person's language. Text, not PDF: a PDF with
//! Cyrillic needs an embedded font, which is not shipped yet.

use std::path::{Path, PathBuf};

use crate::i18n::Catalogue;
use crate::wizard::{Document, DocumentKind};

/// The document as text: title, bank, date, entries, signature lines.
pub fn render(document: &Document, catalogue: &Catalogue) -> String {
    let mut text = String::new();
    text.push_str(&catalogue.text(&document.title));
    text.push_str("\n\n");
    text.push_str(&format!(
        "{} (agentId {})\n{}\n\n",
        document.bank,
        document.agent_id,
        catalogue.text(&crate::i18n::Msg::Date {
            date: document.date
        })
    ));
    let labels: Vec<String> = document
        .entries
        .iter()
        .map(|e| catalogue.text(&e.label))
        .collect();
    let width = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    for (label, entry) in labels.iter().zip(&document.entries) {
        let pad = width - label.chars().count();
        text.push_str(&format!(
            "{label}{}  {}\n",
            " ".repeat(pad),
            catalogue.text(&entry.value)
        ));
    }
    text.push('\n');
    for line in &document.signatures {
        text.push_str(&format!(
            "\n{}: ______________________\n",
            catalogue.text(line)
        ));
    }
    text
}

fn file_stem(document: &Document) -> String {
    let kind = match document.kind {
        DocumentKind::Application => "application",
        DocumentKind::Act => "act",
    };
    format!(
        "smartkey-{kind}-{}-{}",
        document.agent_id,
        document.date.compact()
    )
}

/// Writes the document into `dir` under a name that does not overwrite an earlier one;
/// returns where.
pub fn save(document: &Document, catalogue: &Catalogue, dir: &Path) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let stem = file_stem(document);
    let text = render(document, catalogue);
    for n in 1..1000 {
        let name = if n == 1 {
            format!("{stem}.txt")
        } else {
            format!("{stem}-{n}.txt")
        };
        let path = dir.join(name);
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut file) => {
                use std::io::Write;
                file.write_all(text.as_bytes())?;
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other("too many documents of the same name"))
}
