//! The documents (the application, N2.7; the act, N2.10) laid out as PDF pages for
//! printing: A4, a title, "label: value" lines, signature lines, long lines wrapped and
//! page breaks where a page is full.
//!
//! This is its own module because a PDF needs what a text file does not: Cyrillic text
//! has to be drawn with an embedded TrueType font (the PDF standard fonts have no
//! Cyrillic), so a font is looked for on the system (DejaVu Sans, from
//! `fonts-dejavu-core`, or the file `SMARTKEY_PDF_FONT` names). Without one there is no
//! PDF; the text file is still written, and the caller only logs a warning.

use std::path::{Path, PathBuf};

use printpdf::{
    Mm, Op, ParsedFont, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt, TextItem,
};

use smartkey_i18n::Catalogue;
use smartkey_wizard::Document;
use smartkey_wizard::Msg;

/// The environment variable that names a TrueType font file to use instead.
pub const FONT_ENV: &str = "SMARTKEY_PDF_FONT";

/// Where DejaVu Sans usually is (Debian/Ubuntu, Fedora, Arch, openSUSE, macOS Homebrew).
const FONT_PATHS: &[&str] = &[
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/DejaVuSans.ttf",
    "/usr/local/share/fonts/DejaVuSans.ttf",
    "/opt/homebrew/share/fonts/DejaVuSans.ttf",
];

const PAGE_WIDTH_MM: f32 = 210.0;
const PAGE_HEIGHT_MM: f32 = 297.0;
/// The margin on every side, in points (20 mm).
const MARGIN: f32 = 56.7;
const TITLE_SIZE: f32 = 14.0;
const BODY_SIZE: f32 = 11.0;
/// A conservative average glyph width of DejaVu Sans, as a fraction of the font size,
/// for wrapping (Cyrillic capitals are wider than Latin lower case).
const AVERAGE_GLYPH_WIDTH: f32 = 0.62;

/// Why no PDF was written.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error(
        "no TrueType font with Cyrillic was found (tried {tried}); the package fonts-dejavu-core provides one, or set {FONT_ENV} to a .ttf file"
    )]
    NoFont { tried: String },
    #[error("the font {path} could not be read as TrueType")]
    BadFont { path: String },
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// The candidate font files, in the order they are tried.
fn font_candidates() -> Vec<PathBuf> {
    let mut paths = Vec::new();
    if let Some(named) = std::env::var_os(FONT_ENV).filter(|v| !v.is_empty()) {
        paths.push(PathBuf::from(named));
    }
    paths.extend(FONT_PATHS.iter().map(PathBuf::from));
    paths
}

/// Reads the first font found.
fn load_font() -> Result<ParsedFont, PdfError> {
    let candidates = font_candidates();
    for path in &candidates {
        let Ok(bytes) = std::fs::read(path) else {
            continue;
        };
        return ParsedFont::from_bytes(&bytes, 0, &mut Vec::new()).ok_or_else(|| {
            PdfError::BadFont {
                path: path.display().to_string(),
            }
        });
    }
    Err(PdfError::NoFont {
        tried: candidates
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
    })
}

/// One line of output: its text and size.
struct Line {
    text: String,
    size: f32,
}

/// Splits `text` into lines of at most `width` characters, at spaces where possible;
/// `indent` starts every line after the first.
fn wrap(text: &str, width: usize, indent: &str) -> Vec<String> {
    let width = width.max(indent.chars().count() + 10);
    let mut lines = Vec::new();
    let mut current = String::new();
    let mut len = 0usize;
    // Where the text of the current line starts (after the indent on later lines).
    let mut start = 0usize;
    let indent_len = indent.chars().count();
    for word in text.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        loop {
            let sep = usize::from(len > start);
            if len + sep + word.len() <= width {
                if sep == 1 {
                    current.push(' ');
                }
                current.extend(&word);
                len += sep + word.len();
                break;
            }
            if len > start {
                lines.push(std::mem::take(&mut current));
                current.push_str(indent);
                len = indent_len;
                start = indent_len;
                continue;
            }
            // A word longer than a whole line: cut it.
            let room = width - len;
            current.extend(&word[..room]);
            word.drain(..room);
            lines.push(std::mem::take(&mut current));
            current.push_str(indent);
            len = indent_len;
            start = indent_len;
        }
    }
    if len > start || lines.is_empty() {
        lines.push(current);
    }
    lines
}

/// The document's lines, with the same wording as the text file.
fn lines(document: &Document, catalogue: &Catalogue) -> Vec<Line> {
    let usable = 72.0 * PAGE_WIDTH_MM / 25.4 - 2.0 * MARGIN;
    let chars = |size: f32| (usable / (size * AVERAGE_GLYPH_WIDTH)) as usize;
    let mut out = Vec::new();
    let mut push = |text: &str, size: f32, indent: &str| {
        for text in wrap(text, chars(size), indent) {
            out.push(Line { text, size });
        }
    };
    push(&catalogue.text(&document.title), TITLE_SIZE, "");
    push("", BODY_SIZE, "");
    push(
        &format!("{} (agentId {})", document.bank, document.agent_id),
        BODY_SIZE,
        "",
    );
    push(
        &catalogue.text(&Msg::Date {
            date: document.date,
        }),
        BODY_SIZE,
        "",
    );
    push("", BODY_SIZE, "");
    for entry in &document.entries {
        let line = format!(
            "{}: {}",
            catalogue.text(&entry.label),
            catalogue.text(&entry.value)
        );
        push(&line, BODY_SIZE, "    ");
    }
    for signature in &document.signatures {
        push("", BODY_SIZE, "");
        push("", BODY_SIZE, "");
        push(
            &format!("{}: ______________________", catalogue.text(signature)),
            BODY_SIZE,
            "    ",
        );
    }
    out
}

/// The document as PDF bytes, drawn with `font`.
fn render(document: &Document, catalogue: &Catalogue, font: &ParsedFont) -> Vec<u8> {
    let title = catalogue.text(&document.title);
    let mut pdf = PdfDocument::new(&title);
    let font_id = pdf.add_font(font);
    let top = 72.0 * PAGE_HEIGHT_MM / 25.4 - MARGIN;
    let mut pages = Vec::new();
    let mut ops = Vec::new();
    let mut y = top;
    for line in lines(document, catalogue) {
        let step = line.size * 1.4;
        if y - step < MARGIN && !ops.is_empty() {
            pages.push(PdfPage::new(
                Mm(PAGE_WIDTH_MM),
                Mm(PAGE_HEIGHT_MM),
                std::mem::take(&mut ops),
            ));
            y = top;
        }
        y -= step;
        if line.text.trim().is_empty() {
            continue;
        }
        ops.extend([
            Op::StartTextSection,
            Op::SetFont {
                font: PdfFontHandle::External(font_id.clone()),
                size: Pt(line.size),
            },
            Op::SetTextCursor {
                pos: Point {
                    x: Pt(MARGIN),
                    y: Pt(y),
                },
            },
            Op::ShowText {
                items: vec![TextItem::Text(line.text)],
            },
            Op::EndTextSection,
        ]);
    }
    if !ops.is_empty() || pages.is_empty() {
        pages.push(PdfPage::new(Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM), ops));
    }
    pdf.with_pages(pages)
        .save(&PdfSaveOptions::default(), &mut Vec::new())
}

/// Writes the document as PDF to `path`, which must not exist yet, as a 0600 file.
pub fn save(document: &Document, catalogue: &Catalogue, path: &Path) -> Result<(), PdfError> {
    let font = load_font()?;
    let bytes = render(document, catalogue, &font);
    let mut file = crate::protection::open_private(path, crate::protection::Opening::New)?;
    use std::io::Write;
    file.write_all(&bytes)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wrap_breaks_at_spaces_and_cuts_long_words() {
        assert_eq!(wrap("a b c", 80, ""), vec!["a b c"]);
        let lines = wrap("Фамилия: Иванов Иван Иванович", 16, "  ");
        assert!(lines.iter().all(|l| l.chars().count() <= 16), "{lines:?}");
        assert_eq!(lines.join(" ").split_whitespace().count(), 4);
        let long = "x".repeat(40);
        let lines = wrap(&long, 16, "  ");
        assert!(lines.iter().all(|l| l.chars().count() <= 16), "{lines:?}");
        assert_eq!(lines.concat().replace(' ', ""), long);
        assert_eq!(wrap("", 16, ""), vec![String::new()]);
    }
}
