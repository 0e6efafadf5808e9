//! The HTTP(S) server: CMP over HTTP (RFC 9811) at `/.well-known/cmp/p/<agentId>`, the
//! pickup page at `/pickup/<agentId>/<transaction>`, and the background work that issues
//! approved certificates, e-mails links and expires what was never saved.
//!
//! Bounded everywhere a client could hold it: request bodies (64 KiB, then 413), header
//! reading, TLS handshakes and whole requests have time limits; the blocking work
//! (SQLite, signing) runs off the async threads.
//!
//! To run a CA inside another program (the wizard's demo):
//! ```no_run
//! # async fn demo() -> bankca::Result<()> {
//! use std::time::Duration;
//! let mut config = bankca::server::ServeConfig::new("/path/to/ca", "127.0.0.1:0");
//! config.auto_approve_after = Some(Duration::from_secs(2));
//! let server = bankca::server::serve(config).await?;
//! println!("CMP for bank 6184 at {}/.well-known/cmp/p/6184", server.base_url());
//! // ... later, or approve by hand: server.approve(request_id)?;
//! server.shutdown().await;
//! # Ok(()) }
//! ```

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::{Notify, Semaphore, watch};
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

use crate::ca::{Ca, MAIL_DIR};
use crate::clock::{Clock, SystemClock};
use crate::error::{Error, Result};
use crate::issue::SerialSource;
use crate::mail::{MailTarget, Mailer, pickup_message};
use crate::service::{CmpReply, ServiceOptions};

/// The largest request body accepted; larger ones get HTTP 413.
pub const MAX_BODY: usize = 64 * 1024;
/// The media type of CMP messages over HTTP.
pub const PKIXCMP: &str = "application/pkixcmp";
/// Time allowed for a client to send its request headers.
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Time allowed for a TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Time open connections get to finish at shutdown.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);
/// Wait before retrying a failed e-mail.
const MAIL_RETRY: Duration = Duration::from_secs(30);
/// Connections served at once by default. A connection beyond it waits in the kernel's
/// backlog until one ends, so a flood of idle connections cannot exhaust memory or file
/// descriptors; every connection has its header and request time limits.
pub const DEFAULT_MAX_CONNECTIONS: usize = 256;

/// How to run the server.
#[derive(Clone, Debug)]
pub struct ServeConfig {
    /// The CA directory (made by [`Ca::init`]).
    pub dir: PathBuf,
    /// `host:port` to listen on; port 0 picks a free port.
    pub listen: String,
    /// Serve HTTPS with a certificate from the RSA CA.
    pub tls: bool,
    /// The base of the pickup links, e.g. `https://ca.bank.example`; by default the
    /// scheme with the listen host and the bound port.
    pub public_url: Option<String>,
    /// Approve waiting requests automatically after this long (demos).
    pub auto_approve_after: Option<Duration>,
    /// Where pickup e-mails go; by default the Maildir `mail/` in the CA directory.
    pub mail: Option<MailTarget>,
    /// The `checkAfter` of `pollRep`.
    pub check_after: Duration,
    /// How far a protected message's `messageTime` may be from the CA's clock; `None`
    /// turns the check off (a CA whose clock is moved for training or tests).
    pub message_time_window: Option<Duration>,
    /// How many connections are served at once; more wait to be accepted.
    pub max_connections: usize,
    /// How often the background work runs when nothing wakes it.
    pub work_interval: Duration,
    /// The longest a request may take.
    pub request_timeout: Duration,
    /// The CA's clock.
    pub clock: Arc<dyn Clock>,
    /// Where the serial numbers of issued certificates come from: random by default;
    /// [`SerialSource::Seeded`] makes them repeat across runs (tests and training).
    pub serials: SerialSource,
}

impl ServeConfig {
    /// Defaults: plain HTTP, links from the listen address, mail into `dir/mail`,
    /// `checkAfter` 5 s, background work every second, 30 s per request, system clock,
    /// random serial numbers.
    pub fn new(dir: impl Into<PathBuf>, listen: impl Into<String>) -> Self {
        Self {
            dir: dir.into(),
            listen: listen.into(),
            tls: false,
            public_url: None,
            auto_approve_after: None,
            mail: None,
            check_after: Duration::from_secs(5),
            message_time_window: ServiceOptions::default().message_time_window,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            work_interval: Duration::from_secs(1),
            request_timeout: Duration::from_secs(30),
            clock: Arc::new(SystemClock),
            serials: SerialSource::Random,
        }
    }
}

/// A running server.
#[derive(Debug)]
pub struct ServerHandle {
    local_addr: SocketAddr,
    base_url: String,
    ca: Arc<Ca>,
    wake: Arc<Notify>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl ServerHandle {
    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The base URL of pickup links and CMP endpoints.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The CMP endpoint of bank `agent_id`.
    pub fn cmp_url(&self, agent_id: u32) -> String {
        format!("{}/.well-known/cmp/p/{agent_id}", self.base_url)
    }

    /// The CA the server runs.
    pub fn ca(&self) -> &Arc<Ca> {
        &self.ca
    }

    /// Approves request `id` as the operator and starts issuing at once.
    pub fn approve(&self, id: i64) -> Result<()> {
        self.ca.approve(id, "operator")?;
        self.wake();
        Ok(())
    }

    /// Runs the background work (issuing, mailing, expiring) now.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Stops accepting connections, lets open ones finish (bounded), stops the
    /// background work.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

#[derive(Clone)]
struct AppState {
    ca: Arc<Ca>,
    base_url: Arc<str>,
    options: ServiceOptions,
}

/// Starts the server: opens the CA, binds, and spawns the connection and background
/// tasks on the current tokio runtime.
pub async fn serve(config: ServeConfig) -> Result<ServerHandle> {
    let dir = config.dir.clone();
    let clock = config.clock.clone();
    let serials = config.serials.clone();
    let ca = Arc::new(
        blocking(move || Ca::open_with_clock(&dir, clock).map(|ca| ca.with_serial_source(serials)))
            .await?,
    );
    let listener = bind(&config.listen).await?;
    let local_addr = listener.local_addr().map_err(|source| Error::Listen {
        address: config.listen.clone(),
        source,
    })?;
    let scheme = if config.tls { "https" } else { "http" };
    let base_url = match &config.public_url {
        Some(url) => checked_public_url(url)?,
        None => default_base_url(scheme, &config.listen, local_addr),
    };
    {
        let ca = ca.clone();
        let url = base_url.clone();
        blocking(move || ca.set_public_url(&url)).await?;
    }
    let tls = if config.tls {
        let hosts = tls_hosts(&config.listen, &base_url);
        let ca = ca.clone();
        Some(blocking(move || crate::tls::acceptor(&ca, &hosts)).await?)
    } else {
        None
    };
    let target = config
        .mail
        .clone()
        .unwrap_or_else(|| MailTarget::Maildir(config.dir.join(MAIL_DIR)));
    let mailer = Mailer::new(target)?;

    let (stop, stopped) = watch::channel(false);
    let wake = Arc::new(Notify::new());
    let state = AppState {
        ca: ca.clone(),
        base_url: Arc::from(base_url.as_str()),
        options: ServiceOptions {
            check_after: config.check_after,
            message_time_window: config.message_time_window,
        },
    };
    let app = router(state, config.request_timeout);
    let slots = Arc::new(Semaphore::new(config.max_connections.max(1)));
    let accept = tokio::spawn(accept_loop(listener, tls, app, slots, stopped.clone()));
    let work = tokio::spawn(background(
        ca.clone(),
        mailer,
        base_url.clone(),
        config.auto_approve_after,
        config.work_interval,
        wake.clone(),
        stopped,
    ));
    tracing::info!("listening on {local_addr}, links under {base_url}");
    Ok(ServerHandle {
        local_addr,
        base_url,
        ca,
        wake,
        stop,
        tasks: vec![accept, work],
    })
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Task(e.to_string()))?
}

async fn bind(listen: &str) -> Result<TcpListener> {
    let listen_error = |source| Error::Listen {
        address: listen.to_string(),
        source,
    };
    let addresses = tokio::net::lookup_host(listen)
        .await
        .map_err(listen_error)?;
    let mut last = None;
    for address in addresses {
        match TcpListener::bind(address).await {
            Ok(listener) => return Ok(listener),
            Err(e) => last = Some(e),
        }
    }
    Err(listen_error(last.unwrap_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "the name resolves to no address",
        )
    })))
}

/// The host part of `host:port` (brackets kept for IPv6).
fn listen_host(listen: &str) -> &str {
    if listen.starts_with('[') {
        return listen.split_inclusive(']').next().unwrap_or(listen);
    }
    listen.rsplit_once(':').map_or(listen, |(host, _)| host)
}

/// `scheme://host:port` for a server listening on `listen`, bound to `local`: an
/// unspecified address (all interfaces) becomes loopback, so links work on this machine.
fn default_base_url(scheme: &str, listen: &str, local: SocketAddr) -> String {
    let host = listen_host(listen);
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let host = match bare.parse::<IpAddr>() {
        Ok(ip) if ip.is_unspecified() && ip.is_ipv4() => "127.0.0.1".to_string(),
        Ok(ip) if ip.is_unspecified() => "[::1]".to_string(),
        Ok(IpAddr::V6(v6)) => format!("[{v6}]"),
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Err(_) if bare.is_empty() => "127.0.0.1".to_string(),
        Err(_) => bare.to_string(),
    };
    format!("{scheme}://{host}:{}", local.port())
}

fn checked_public_url(url: &str) -> Result<String> {
    let url = url.trim().trim_end_matches('/');
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
        .ok_or_else(|| {
            Error::Config(format!(
                "the public URL {url:?} must start with http:// or https://"
            ))
        })?;
    if rest.is_empty() || rest.contains(char::is_whitespace) {
        return Err(Error::Config(format!(
            "the public URL {url:?} names no host"
        )));
    }
    Ok(url.to_string())
}

/// The host of a base URL.
fn url_host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split('/').next().unwrap_or(rest);
    listen_host(authority)
}

/// The names the TLS certificate must cover: the listen host and the public URL's
/// host; for all interfaces, the loopback names.
fn tls_hosts(listen: &str, base_url: &str) -> Vec<String> {
    let mut hosts = Vec::new();
    for host in [listen_host(listen), url_host(base_url)] {
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        match bare.parse::<IpAddr>() {
            Ok(ip) if ip.is_unspecified() => {
                hosts.extend(["localhost", "127.0.0.1", "::1"].map(String::from));
            }
            _ if bare.is_empty() => hosts.extend(["localhost", "127.0.0.1"].map(String::from)),
            _ if bare.eq_ignore_ascii_case("localhost") => {
                hosts.extend(["localhost", "127.0.0.1"].map(String::from));
            }
            _ => hosts.push(bare.to_string()),
        }
    }
    hosts.sort();
    hosts.dedup();
    hosts
}

fn router(state: AppState, request_timeout: Duration) -> Router {
    Router::new()
        .route("/.well-known/cmp/p/{agent}", post(cmp_endpoint))
        .route("/pickup/{agent}/{transaction}", get(pickup))
        .route("/", get(index))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(middleware::from_fn_with_state(request_timeout, time_limit))
        .with_state(state)
}

async fn time_limit(State(limit): State<Duration>, request: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => text(StatusCode::REQUEST_TIMEOUT, "the request took too long\n"),
    }
}

fn text(status: StatusCode, body: impl Into<String>) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body.into(),
    )
        .into_response()
}

async fn not_found() -> Response {
    text(StatusCode::NOT_FOUND, "not found\n")
}

async fn index(State(state): State<AppState>) -> Response {
    let mut body = String::from("bankca: the reference bank CA of smartkey\n\nCMP endpoints:\n");
    for agent in state.ca.agents().iter() {
        body.push_str(&format!(
            "  {}/.well-known/cmp/p/{}  {}\n",
            state.base_url, agent.id, agent.name
        ));
    }
    text(StatusCode::OK, body)
}

fn is_pkixcmp(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(PKIXCMP))
}

async fn cmp_endpoint(
    State(state): State<AppState>,
    Path(agent): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if state.ca.agents().find(&agent).is_none() {
        return text(
            StatusCode::NOT_FOUND,
            format!("no bank with agentId {agent:.20}\n"),
        );
    }
    if !is_pkixcmp(&headers) {
        return text(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("CMP messages are sent as Content-Type: {PKIXCMP}\n"),
        );
    }
    let ca = state.ca.clone();
    let options = state.options;
    let answer = tokio::task::spawn_blocking(move || ca.handle_cmp(&agent, &body, &options)).await;
    match answer {
        Ok(Ok(CmpReply::Message(der))) => {
            (StatusCode::OK, [(header::CONTENT_TYPE, PKIXCMP)], der).into_response()
        }
        Ok(Ok(CmpReply::UnknownAgent)) => text(StatusCode::NOT_FOUND, "no such bank\n"),
        Ok(Err(e)) => {
            tracing::error!("CMP request failed: {e}");
            text(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the CA failed; try again later\n",
            )
        }
        Err(e) => {
            tracing::error!("CMP task failed: {e}");
            text(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the CA failed; try again later\n",
            )
        }
    }
}

async fn pickup(
    State(state): State<AppState>,
    Path((agent, transaction)): Path<(String, String)>,
) -> Response {
    let ca = state.ca.clone();
    let base = state.base_url.clone();
    let page =
        tokio::task::spawn_blocking(move || ca.pickup_page(&agent, &transaction, &base)).await;
    match page {
        Ok(Ok(page)) => text(
            StatusCode::from_u16(page.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            page.text,
        ),
        Ok(Err(e)) => {
            tracing::error!("pickup page failed: {e}");
            text(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the CA failed; try again later\n",
            )
        }
        Err(e) => {
            tracing::error!("pickup task failed: {e}");
            text(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the CA failed; try again later\n",
            )
        }
    }
}

async fn accept_loop(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    app: Router,
    slots: Arc<Semaphore>,
    mut stopped: watch::Receiver<bool>,
) {
    let graceful = GracefulShutdown::new();
    loop {
        // A free slot first: at the cap, no connection is accepted until one ends.
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
            _ = stopped.changed() => break,
        };
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        // Out of file descriptors and the like: wait a little, go on.
                        tracing::warn!("accepting a connection failed: {e}");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                };
                let service = TowerToHyperService::new(app.clone());
                let watcher = graceful.watcher();
                let tls = tls.clone();
                tokio::spawn(async move {
                    let _slot = slot;
                    match tls {
                        None => serve_connection(TokioIo::new(stream), service, watcher).await,
                        Some(acceptor) => {
                            match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                                Ok(Ok(stream)) => {
                                    serve_connection(TokioIo::new(stream), service, watcher).await;
                                }
                                Ok(Err(e)) => tracing::debug!("TLS handshake with {peer} failed: {e}"),
                                Err(_) => tracing::debug!("TLS handshake with {peer} timed out"),
                            }
                        }
                    }
                });
            }
            _ = stopped.changed() => break,
        }
    }
    drop(listener);
    if tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("some connections were still open at shutdown");
    }
}

async fn serve_connection<I>(io: TokioIo<I>, service: TowerToHyperService<Router>, watcher: Watcher)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT)
        .serve_connection(io, service);
    if let Err(e) = watcher.watch(connection).await {
        tracing::debug!("connection ended with an error: {e}");
    }
}

/// Issues approved certificates, e-mails pickup links, expires unsaved certificates and
/// (for demos) approves waiting requests; every `interval`, or at once when woken.
async fn background(
    ca: Arc<Ca>,
    mailer: Mailer,
    base_url: String,
    auto_approve_after: Option<Duration>,
    interval: Duration,
    wake: Arc<Notify>,
    mut stopped: watch::Receiver<bool>,
) {
    let mut retry_at: HashMap<i64, Instant> = HashMap::new();
    loop {
        let work_ca = ca.clone();
        let due = blocking(move || {
            work_ca.expire_due()?;
            if let Some(after) = auto_approve_after {
                work_ca.auto_approve_due(after)?;
            }
            work_ca.issue_approved()?;
            work_ca.mail_due()
        })
        .await;
        match due {
            Ok(due) => {
                for mail in due {
                    let id = mail.request.id;
                    if retry_at.get(&id).is_some_and(|at| Instant::now() < *at) {
                        continue;
                    }
                    match send_pickup_mail(&ca, &mailer, &base_url, &mail).await {
                        Ok(()) => {
                            retry_at.remove(&id);
                        }
                        Err(e) => {
                            tracing::warn!(request = id, "the pickup e-mail was not sent: {e}");
                            retry_at.insert(id, Instant::now() + MAIL_RETRY);
                        }
                    }
                }
            }
            Err(e) => tracing::error!("background work failed: {e}"),
        }
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = wake.notified() => {}
            _ = stopped.changed() => break,
        }
    }
}

async fn send_pickup_mail(
    ca: &Arc<Ca>,
    mailer: &Mailer,
    base_url: &str,
    due: &crate::ca::DueMail,
) -> Result<()> {
    let request = &due.request;
    let agent = ca.agents().get(request.agent_id).ok_or_else(|| {
        Error::Mail(format!(
            "the bank {} is no longer configured",
            request.agent_id
        ))
    })?;
    let link = Ca::link(base_url, request);
    let message = pickup_message(agent, &request.email, &link, request.id, ca.now()?)?;
    mailer.send(&message).await?;
    tracing::info!(
        request = request.id,
        "pickup link e-mailed to {}",
        request.email
    );
    let ca = ca.clone();
    let due = due.clone();
    let to = request.email.clone();
    blocking(move || ca.mark_mailed(&due, &to)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        let local: SocketAddr = "127.0.0.1:4321".parse().unwrap();
        assert_eq!(
            default_base_url("http", "127.0.0.1:0", local),
            "http://127.0.0.1:4321"
        );
        assert_eq!(
            default_base_url("https", "0.0.0.0:0", local),
            "https://127.0.0.1:4321"
        );
        assert_eq!(
            default_base_url("http", "localhost:0", local),
            "http://localhost:4321"
        );
        assert_eq!(
            default_base_url("http", "[::]:0", local),
            "http://[::1]:4321"
        );
        assert_eq!(
            default_base_url("http", "[::1]:0", local),
            "http://[::1]:4321"
        );
        assert_eq!(
            checked_public_url("https://ca.bank.ru/").unwrap(),
            "https://ca.bank.ru"
        );
        assert!(checked_public_url("ftp://x").is_err());
        assert_eq!(url_host("https://ca.bank.ru:8443/x"), "ca.bank.ru");
        assert_eq!(url_host("http://[::1]:80"), "[::1]");
        assert_eq!(
            tls_hosts("0.0.0.0:443", "https://ca.bank.ru"),
            ["127.0.0.1", "::1", "ca.bank.ru", "localhost"]
        );
        assert_eq!(
            tls_hosts("127.0.0.1:0", "https://127.0.0.1:5"),
            ["127.0.0.1"]
        );
    }

    #[test]
    fn content_type() {
        let mut headers = HeaderMap::new();
        assert!(!is_pkixcmp(&headers));
        headers.insert(
            header::CONTENT_TYPE,
            "Application/PKIXCMP; x=1".parse().unwrap(),
        );
        assert!(is_pkixcmp(&headers));
        headers.insert(header::CONTENT_TYPE, "text/plain".parse().unwrap());
        assert!(!is_pkixcmp(&headers));
    }
}
