//! Where the transcript of a run goes, for support: to `--transcript FILE` when given,
//! and always to a new file in the transcripts folder that support bundles collect
//! (the newest [`KEEP`] are kept). What is written, screens as text and answers without
//! any PIN, is [`ui::transcript`](crate::ui::transcript)'s. A transcript carries the
//! applicant's personal data, so every file is 0600 and the transcripts folder 0700.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::protection::{Opening, open_private, private_dir};
use crate::ui::transcript::Transcript as Writer;
use smartkey_i18n::Catalogue;
use smartkey_wizard::{Answer, Screen};

/// How many transcripts the transcripts folder keeps.
const KEEP: usize = 20;

/// The same bytes to every file; a file that fails is skipped, never the run.
struct Tee(Vec<File>);

impl Write for Tee {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        for f in &mut self.0 {
            let _ = f.write_all(buf);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        for f in &mut self.0 {
            let _ = f.flush();
        }
        Ok(())
    }
}

/// The transcript of one run (nothing when no file could be opened).
pub struct Transcript {
    writer: Option<Writer<Tee>>,
}

impl Transcript {
    /// A transcript into `extra` (appended, if given) and into a new file `name.txt` in
    /// `kept_in` (if given); files that cannot be opened are left out, with a warning in
    /// the log.
    pub fn open(
        extra: Option<&Path>,
        kept_in: Option<&Path>,
        name: &str,
        catalogue: Catalogue,
    ) -> Transcript {
        let mut files = Vec::new();
        if let Some(path) = extra {
            match open_private(path, Opening::Append) {
                Ok(f) => files.push(f),
                Err(e) => tracing::warn!(path = %path.display(), error = %e, "no transcript file"),
            }
        }
        if let Some(dir) = kept_in {
            let path = dir.join(format!("{name}.txt"));
            match private_dir(dir).and_then(|()| open_private(&path, Opening::Replace)) {
                Ok(f) => {
                    files.push(f);
                    prune(dir);
                }
                Err(e) => tracing::warn!(path = %path.display(), error = %e, "no kept transcript"),
            }
        }
        let writer = (!files.is_empty()).then(|| Writer::new(Tee(files), catalogue));
        Transcript { writer }
    }

    pub fn screen(&mut self, screen: &Screen) {
        if let Some(w) = &mut self.writer {
            let _ = w.screen(screen);
        }
    }

    pub fn answer(&mut self, answer: &Answer) {
        if let Some(w) = &mut self.writer {
            let _ = w.answer(answer);
        }
    }

    /// Writes how the run ended and closes the files.
    pub fn finish(self, how: &str) {
        if let Some(w) = self.writer {
            let mut tee = w.into_inner();
            let _ = writeln!(tee, "# {how}");
            let _ = tee.flush();
        }
    }
}

/// Keeps the newest [`KEEP`] transcripts.
fn prune(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = entries
        .flatten()
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    if files.len() <= KEEP {
        return;
    }
    files.sort();
    for (_, path) in &files[..files.len() - KEEP] {
        let _ = std::fs::remove_file(path);
    }
}
