//! The event loop that runs the pure wizard for real: the person's answers (from the
//! frontend), the tokens coming and going (watched every half second), and the effects'
//! outcomes all become [`Input`]s to [`Wizard::handle`]; the effects it returns are
//! carried out in order by one executor task; the screen is shown whenever it changes.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;

use crate::bank::BankProfile;
use crate::token::TokenError;
use smartkey_i18n::Catalogue;
use smartkey_wizard::{
    Answer, Effect, Ending, Failure, Input, Operation, Outcome, Presence, StepCode, TokenView,
    Wizard,
};

use super::bank::BankSide;
use super::chance::Chance;
use super::draft::DraftStore;
use super::executor::Executor;
use super::frontend::{Event, Frontend};
use super::pending::PendingStore;
use super::token_ops;
use super::transcript::Transcript;
use super::worker::TokenWorker;

/// What a run needs besides the wizard and the frontend.
pub struct RunConfig {
    /// The PKCS#11 module.
    pub module: PathBuf,
    /// The banks' profiles (CA addresses and trust anchors).
    pub banks: Vec<BankProfile>,
    pub catalogue: Catalogue,
    /// Where the pending records are kept; `None`: nowhere (then recording fails).
    pub pending: Option<PendingStore>,
    /// Where the N2.3 form's draft is kept; `None`: nowhere.
    pub draft: Option<DraftStore>,
    /// Where documents are written.
    pub documents: PathBuf,
    /// `--transcript FILE`.
    pub transcript: Option<PathBuf>,
    /// Where the last transcripts are kept for support bundles.
    pub transcripts_dir: Option<PathBuf>,
    /// How often the card readers are looked at.
    pub watch_every: Duration,
    /// Where request numbers come from (the system, or a replay's seed).
    pub chance: Arc<Chance>,
}

/// How a run ended.
#[derive(Debug)]
pub enum RunEnd {
    /// The flow reached its end.
    Finished { at: StepCode, ending: Ending },
    /// The person left before the end.
    Left { at: StepCode },
    /// Ctrl-C.
    Interrupted { at: StepCode },
    /// A script could not go on.
    ScriptFailed { at: StepCode, why: String },
}

/// Why a run could not start.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Token(#[from] TokenError),
}

/// Reports token changes after the first listing: a new or changed token is
/// `Inserted`, a gone one `Removed`.
fn diff(before: &[TokenView], now: &[TokenView]) -> Vec<Presence> {
    let mut changes = Vec::new();
    for old in before {
        if !now.iter().any(|t| t.serial == old.serial) {
            changes.push(Presence::Removed {
                serial: old.serial.clone(),
            });
        }
    }
    for token in now {
        if before.iter().find(|t| t.serial == token.serial) != Some(token) {
            changes.push(Presence::Inserted(token.clone()));
        }
    }
    changes
}

/// Watches the readers until `inputs` closes.
async fn watch(
    tokens: Arc<TokenWorker>,
    seen: Arc<Mutex<Option<Vec<TokenView>>>>,
    inputs: mpsc::UnboundedSender<Input>,
    every: Duration,
) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if inputs.is_closed() {
            return;
        }
        let listed = tokens
            .call(|t| {
                let list = token_ops::list(t)?;
                t.keep_only(&list.iter().map(|v| v.serial.clone()).collect::<Vec<_>>());
                Ok(list)
            })
            .await;
        let now = match listed {
            Ok(now) => now,
            Err(e) => {
                tracing::debug!(error = %e, "the readers could not be listed");
                continue;
            }
        };
        let changes = match seen.lock() {
            Ok(mut seen) => match seen.as_mut() {
                // Nothing is reported before the wizard's own listing.
                None => continue,
                Some(before) => {
                    let changes = diff(before, &now);
                    *before = now;
                    changes
                }
            },
            Err(_) => return,
        };
        for change in changes {
            if inputs.send(Input::Token(change)).is_err() {
                return;
            }
        }
    }
}

/// Runs `wizard` (just made, with its first `effects`) to its end with `frontend`.
pub async fn run<F: Frontend>(
    mut wizard: Wizard,
    effects: Vec<Effect>,
    frontend: &mut F,
    config: RunConfig,
) -> Result<RunEnd, RunError> {
    let tokens = Arc::new(TokenWorker::start(config.module.clone())?);
    let seen: Arc<Mutex<Option<Vec<TokenView>>>> = Arc::new(Mutex::new(None));
    let (inputs, mut incoming) = mpsc::unbounded_channel::<Input>();
    let (orders, mut queue) = mpsc::unbounded_channel::<Effect>();
    let mut transcript = Transcript::open(
        config.transcript.as_deref(),
        config.transcripts_dir.as_deref(),
        &format!(
            "{}-{}",
            wizard.facts().today.compact(),
            wizard.facts().session
        ),
        config.catalogue,
    );

    let mut executor = Executor {
        tokens: tokens.clone(),
        bank: BankSide::new(config.banks),
        pending: config.pending,
        draft: config.draft,
        documents: config.documents,
        catalogue: config.catalogue,
        seen: seen.clone(),
        chance: config.chance,
    };
    let answers = inputs.clone();
    let executing = tokio::spawn(async move {
        while let Some(effect) = queue.recv().await {
            if let Some(input) = executor.run(effect).await
                && answers.send(input).is_err()
            {
                break;
            }
        }
    });
    let watching = tokio::spawn(watch(
        tokens.clone(),
        seen,
        inputs.clone(),
        config.watch_every,
    ));

    let send = |effects: Vec<Effect>| {
        for effect in effects {
            tracing::debug!(effect = ?effect.operation(), "effect");
            let _ = orders.send(effect);
        }
    };
    send(effects);

    let interrupt = stop_signal();
    tokio::pin!(interrupt);
    let mut shown = None;
    // The person answers only screens drawn from what is really in the readers.
    let mut listed = false;
    let mut left_busy = false;
    let end = loop {
        let screen = wizard.screen();
        if shown.as_ref() != Some(&screen) {
            frontend.show(&screen);
            transcript.screen(&screen);
            shown = Some(screen);
        }
        let busy = wizard.is_busy();
        let waiting_for_person = listed && (!busy || frontend.reads_while_busy());
        tokio::select! {
            biased;
            () = &mut interrupt => break RunEnd::Interrupted { at: wizard.code() },
            Some(input) = incoming.recv() => {
                listed |= matches!(
                    &input,
                    Input::Token(Presence::Present(_))
                        | Input::Done(Outcome::Failed(Failure { during: Operation::ListTokens, .. }))
                );
                send(wizard.handle(input));
            }
            event = frontend.next_event(), if waiting_for_person => match event {
                // While an effect runs only leaving means something: what the token
                // or the bank has done by then is recorded when its outcome is in, or
                // found again when the command runs again.
                Some(Event::Answer(Answer::Cancel)) if busy => {
                    left_busy = true;
                    break RunEnd::Left { at: wizard.code() };
                }
                Some(Event::Answer(answer)) if busy => {
                    tracing::debug!(answer = ?answer, "typed while busy: dropped");
                }
                Some(Event::Answer(answer)) => {
                    if wizard.is_finished() {
                        break finished(&wizard);
                    }
                    transcript.answer(&answer);
                    send(wizard.handle(Input::Person(answer)));
                }
                Some(Event::Quit) | None => {
                    break if wizard.is_finished() {
                        finished(&wizard)
                    } else {
                        RunEnd::Left { at: wizard.code() }
                    };
                }
                Some(Event::Failed(why)) => {
                    break RunEnd::ScriptFailed { at: wizard.code(), why };
                }
            },
        }
    };
    transcript.finish(&format!("{end:?}"));

    // Stop watching; let the effect under way end, then log out and unload the module.
    watching.abort();
    drop(orders);
    drop(inputs);
    // Interrupted, or left while an effect ran: the effect's future is dropped (a bank
    // exchange stops there; a token call already on the token thread finishes, and the
    // module is unloaded only after it).
    if matches!(end, RunEnd::Interrupted { .. }) || left_busy {
        executing.abort();
    }
    let _ = executing.await;
    let _ = watching.await;
    if let Ok(tokens) = Arc::try_unwrap(tokens) {
        tokens.shutdown().await;
    }
    Ok(end)
}

/// Ctrl-C at a shell (SIGINT), SIGTERM (a shutdown, `kill`) and SIGHUP (the terminal
/// closed) all end the run the same way: the loop stops, the token is logged out and the
/// terminal put back by the frontend's drop.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).ok();
        let mut hup = signal(SignalKind::hangup()).ok();
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            () = received(&mut term) => {}
            () = received(&mut hup) => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// The next delivery of a signal that could be watched; never, for one that could not.
#[cfg(unix)]
async fn received(signal: &mut Option<tokio::signal::unix::Signal>) {
    match signal {
        Some(s) => {
            s.recv().await;
        }
        None => std::future::pending::<()>().await,
    }
}

fn finished(wizard: &Wizard) -> RunEnd {
    match wizard.ending() {
        Some(ending) => RunEnd::Finished {
            at: wizard.code(),
            ending: ending.clone(),
        },
        None => RunEnd::Left { at: wizard.code() },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use smartkey_wizard::{PinLengths, PinState};

    fn token(serial: &str, user: PinState) -> TokenView {
        TokenView {
            serial: serial.into(),
            model: "Rutoken ECP 2.0".into(),
            label: String::new(),
            user_pin: user,
            admin_pin: PinState::FACTORY,
            pin_lengths: PinLengths::RUTOKEN,
            keys: Vec::new(),
        }
    }

    #[test]
    fn the_watch_reports_arrivals_changes_and_removals() {
        let a = token("A", PinState::FACTORY);
        let b = token("B", PinState::FACTORY);
        let same = std::slice::from_ref(&a);
        assert!(diff(same, same).is_empty());
        let changed = token("A", PinState::CHANGED);
        let d = diff(&[a, b], std::slice::from_ref(&changed));
        assert!(matches!(&d[..], [
            Presence::Removed { serial },
            Presence::Inserted(t)
        ] if serial == "B" && *t == changed));
    }
}
