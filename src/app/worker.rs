//! The one thread that talks to the token.
//!
//! PKCS#11 sessions borrow the loaded module and their handles must not wander between
//! threads, so a single dedicated thread owns the [`Module`] and every open session (one
//! per token serial, kept logged in between effects, as the wizard's `Login` promises).
//! The async side sends it jobs, closures over [`Tokens`], and awaits their results;
//! jobs run one at a time, in the order they were sent.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::mpsc;
use std::thread::JoinHandle;

use tokio::sync::oneshot;

use crate::token::{Module, TokenError, TokenSession};

/// The token's side of the runtime, as the worker thread sees it.
pub struct Tokens<'m> {
    module: &'m Module,
    sessions: HashMap<String, TokenSession<'m>>,
}

type Job = Box<dyn for<'m> FnOnce(&mut Tokens<'m>) + Send>;

/// A handle on the token thread.
pub struct TokenWorker {
    jobs: Option<mpsc::Sender<Job>>,
    thread: Option<JoinHandle<()>>,
}

/// The worker thread is gone (it can only stop when the runtime drops it).
fn worker_gone() -> TokenError {
    TokenError::Library {
        operation: "talking to the token thread",
        detail: "the token thread has stopped".into(),
    }
}

impl TokenWorker {
    /// Loads the PKCS#11 module at `path` on a new thread; fails as loading fails.
    pub fn start(path: PathBuf) -> Result<TokenWorker, TokenError> {
        let (jobs, inbox) = mpsc::channel::<Job>();
        let (ready, loaded) = mpsc::channel::<Result<(), TokenError>>();
        let thread = std::thread::Builder::new()
            .name("smartkey-token".into())
            .spawn(move || {
                let module = match Module::load(&path) {
                    Ok(m) => m,
                    Err(e) => {
                        let _ = ready.send(Err(e));
                        return;
                    }
                };
                let _ = ready.send(Ok(()));
                let mut tokens = Tokens {
                    module: &module,
                    sessions: HashMap::new(),
                };
                while let Ok(job) = inbox.recv() {
                    job(&mut tokens);
                }
                tokens.close_all();
            })
            .map_err(|e| TokenError::Library {
                operation: "starting the token thread",
                detail: e.to_string(),
            })?;
        loaded.recv().map_err(|_| worker_gone())??;
        Ok(TokenWorker {
            jobs: Some(jobs),
            thread: Some(thread),
        })
    }

    /// Runs `f` on the token thread and returns its result.
    pub async fn call<T, F>(&self, f: F) -> Result<T, TokenError>
    where
        T: Send + 'static,
        F: for<'m> FnOnce(&mut Tokens<'m>) -> Result<T, TokenError> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move |tokens: &mut Tokens<'_>| {
            let _ = reply.send(f(tokens));
        });
        self.jobs
            .as_ref()
            .ok_or_else(worker_gone)?
            .send(job)
            .map_err(|_| worker_gone())?;
        answer.await.map_err(|_| worker_gone())?
    }

    /// Logs out, closes every session and unloads the module; waits for the thread.
    pub async fn shutdown(mut self) {
        self.jobs = None;
        if let Some(thread) = self.thread.take() {
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
    }
}

impl Drop for TokenWorker {
    fn drop(&mut self) {
        // Closing the channel ends the thread's loop; it logs out on its way.
        self.jobs = None;
    }
}

impl<'m> Tokens<'m> {
    pub fn module(&self) -> &'m Module {
        self.module
    }

    /// The session on the token `serial`, opened when there is none.
    pub fn session(&mut self, serial: &str) -> Result<&mut TokenSession<'m>, TokenError> {
        if !self.sessions.contains_key(serial) {
            let info = self.module.find_token(Some(serial))?;
            let session = self.module.open(&info)?;
            self.sessions.insert(serial.to_string(), session);
        }
        self.sessions.get_mut(serial).ok_or(TokenError::NoToken)
    }

    /// Forgets the session on `serial` (the token was removed: its session and login
    /// are gone with it, and a new insertion needs a new session).
    pub fn forget(&mut self, serial: &str) {
        self.sessions.remove(serial);
    }

    /// Drops the sessions of tokens no longer inserted.
    pub fn keep_only(&mut self, serials: &[String]) {
        self.sessions.retain(|serial, _| serials.contains(serial));
    }

    /// Runs `f` on the session of `serial`; a removal drops the dead session.
    pub fn with<T>(
        &mut self,
        serial: &str,
        f: impl FnOnce(&mut TokenSession<'m>) -> Result<T, TokenError>,
    ) -> Result<T, TokenError> {
        let result = self.session(serial).and_then(f);
        if matches!(result, Err(TokenError::Removed)) {
            self.forget(serial);
        }
        result
    }

    /// Logs out of every token and closes the sessions (the flow is over).
    pub fn close_all(&mut self) {
        for (_, session) in self.sessions.drain() {
            let _ = session.logout();
        }
    }
}
