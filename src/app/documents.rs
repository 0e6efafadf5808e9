//! The documents a person prints and signs (the application, N2.7; the act, N2.10,
//! R2.10), written as UTF-8 text in the person's language and, next to it, as a PDF for
//! printing (see [`super::pdf`]; the PDF needs a TrueType font with Cyrillic on the
//! system, and without one only the text file is written).

use std::path::{Path, PathBuf};

use smartkey_i18n::Catalogue;
use smartkey_wizard::{Document, DocumentKind};

/// The document as text: title, bank, date, entries, signature lines.
pub fn render(document: &Document, catalogue: &Catalogue) -> String {
    let mut text = String::new();
    text.push_str(&catalogue.text(&document.title));
    text.push_str("\n\n");
    text.push_str(&format!(
        "{} (agentId {})\n{}\n\n",
        document.bank,
        document.agent_id,
        catalogue.text(&smartkey_wizard::Msg::Date {
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
/// returns where the text file is. The documents carry the client's personal data: the
/// files are 0600, and `dir`, when smartkey makes it, 0700. A PDF of the same name (`.pdf`) is written next to it
/// when it can be; when it cannot (no font, say), a warning is logged and the text file
/// is still the result.
pub fn save(document: &Document, catalogue: &Catalogue, dir: &Path) -> std::io::Result<PathBuf> {
    crate::protection::create_private_dir(dir)?;
    let stem = file_stem(document);
    let text = render(document, catalogue);
    for n in 1..1000 {
        let name = if n == 1 {
            format!("{stem}.txt")
        } else {
            format!("{stem}-{n}.txt")
        };
        let path = dir.join(name);
        match crate::protection::open_private(&path, crate::protection::Opening::New) {
            Ok(mut file) => {
                use std::io::Write;
                file.write_all(text.as_bytes())?;
                let pdf_path = path.with_extension("pdf");
                if let Err(e) = super::pdf::save(document, catalogue, &pdf_path) {
                    tracing::warn!(
                        path = %pdf_path.display(),
                        error = %e,
                        "the document was saved as text only, not as PDF"
                    );
                }
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other("too many documents of the same name"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use smartkey_i18n::Lang;
    use smartkey_wizard::FieldId;
    use smartkey_wizard::Msg;
    use smartkey_wizard::date::CivilDate;
    use smartkey_wizard::document::Entry;

    /// An application with many entries and a long value, so that lines wrap and the
    /// pages break.
    fn long_application() -> Option<Document> {
        let mut entries = vec![Entry {
            label: Msg::FieldLabel {
                field: FieldId::Surname,
            },
            value: Msg::Plain {
                text: "Кузнецова".into(),
            },
        }];
        for n in 0..60 {
            entries.push(Entry {
                label: Msg::FieldLabel {
                    field: FieldId::Address,
                },
                value: Msg::Plain {
                    text: format!(
                        "г. Санкт-Петербург, Невский проспект, дом {n}, корпус 2, квартира 15, \
                         вход со двора, третий этаж, домофон не работает"
                    ),
                },
            });
        }
        Some(Document {
            kind: DocumentKind::Application,
            title: Msg::DocApplicationTitle,
            bank: "Тестовый банк".into(),
            agent_id: 4242,
            date: CivilDate::new(2026, 11, 23)?,
            entries,
            signatures: vec![Msg::DocSignOwner, Msg::DocSignHead, Msg::DocStamp],
        })
    }

    #[test]
    fn save_writes_text_and_a_pdf_pdftotext_reads_back() {
        let catalogue = Catalogue::new(Lang::Ru);
        let document = long_application().expect("a valid date");
        let dir = tempfile::tempdir().expect("a temporary directory");
        let text_path = save(&document, &catalogue, dir.path()).expect("saved");
        let text = std::fs::read_to_string(&text_path).expect("the text file");
        let title = catalogue.text(&document.title);
        assert!(text.starts_with(&title), "{text}");
        let pdf_path = text_path.with_extension("pdf");
        if super::super::pdf::save(&document, &catalogue, &dir.path().join("probe.pdf"))
            .is_err_and(|e| matches!(e, super::super::pdf::PdfError::NoFont { .. }))
        {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "no font for the PDF on CI (install fonts-dejavu-core)"
            );
            eprintln!("skipped: no TrueType font for the PDF (install fonts-dejavu-core)");
            return;
        }
        let pdf = std::fs::read(&pdf_path).expect("the PDF next to the text file");
        assert!(pdf.starts_with(b"%PDF"));
        let extracted = match std::process::Command::new("pdftotext")
            .arg(&pdf_path)
            .arg("-")
            .output()
        {
            Ok(out) => {
                assert!(out.status.success(), "pdftotext failed: {out:?}");
                String::from_utf8(out.stdout).expect("pdftotext writes UTF-8")
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                assert!(
                    std::env::var("CI").as_deref() != Ok("true"),
                    "pdftotext is missing on CI (install poppler-utils)"
                );
                eprintln!("skipped: pdftotext is missing (install poppler-utils)");
                return;
            }
            Err(e) => panic!("pdftotext: {e}"),
        };
        // pdftotext may break the title where the PDF wrapped it: compare words.
        let words: Vec<&str> = extracted.split_whitespace().collect();
        for word in title.split_whitespace() {
            assert!(words.contains(&word), "{word:?} not in {extracted}");
        }
        assert!(extracted.contains("Кузнецова"), "{extracted}");
        assert!(extracted.contains("Тестовый банк"), "{extracted}");
        // Several pages (pdftotext ends each with a form feed): the document broke.
        assert!(
            extracted.matches('\u{c}').count() >= 2,
            "one page only: {extracted}"
        );
    }
}
