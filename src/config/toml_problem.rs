//! Where a TOML file went wrong, as a line and column a person can find in an editor.

use std::fmt;

/// A parse or type error in a TOML text, located by line and column (both from 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TomlProblem {
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl TomlProblem {
    /// Locates `error` in `text` (the text it came from).
    pub fn of(text: &str, error: &toml::de::Error) -> TomlProblem {
        let (line, column) = match error.span() {
            Some(span) => {
                let (l, c) = line_column(text, span.start);
                (Some(l), Some(c))
            }
            None => (None, None),
        };
        TomlProblem {
            line,
            column,
            message: error.message().trim().to_string(),
        }
    }
}

/// The line and column (from 1, in characters) of byte `offset` of `text`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

impl fmt::Display for TomlProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(line), Some(column)) => {
                write!(f, "line {line}, column {column}: {}", self.message)
            }
            _ => f.write_str(&self.message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_count_from_one_in_characters() {
        assert_eq!(line_column("abc", 0), (1, 1));
        assert_eq!(line_column("a\nbc", 3), (2, 2));
        assert_eq!(line_column("ё\nжз", 5), (2, 2));
        assert_eq!(line_column("x", 99), (1, 2));
    }

    #[test]
    fn a_toml_error_is_placed_on_its_line() {
        let text = "a = 1\nb = = 2\n";
        let err = toml::from_str::<toml::Table>(text).unwrap_err();
        let problem = TomlProblem::of(text, &err);
        assert_eq!(problem.line, Some(2), "{problem}");
        assert!(
            problem.to_string().starts_with("line 2, column"),
            "{problem}"
        );
    }
}
