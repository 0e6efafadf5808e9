//! The CA: its directory, keys, certificates, banks and request database, and what the
//! operator and the server's background work do with requests.
//!
//! A request moves `waiting` → `approved` → `issued` → `confirmed`, or ends `rejected`
//! or `expired`. Approving only records the decision; the running server issues the
//! certificate and e-mails the link (see [`crate::server`]), so the operator's command
//! works whether or not the server runs, and only one process ever sends mail.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use der::{Decode, DecodePem, Encode, EncodePem};
use sha2::Digest;
use spki::SubjectPublicKeyInfoOwned;
use x509_cert::Certificate;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;

use crate::agents::{Agents, DEFAULT_AGENTS_TOML};
use crate::clock::{Clock, SystemClock, from_unix_seconds, unix_seconds};
use crate::error::{Error, Result};
use crate::issue::{self, IssueRequest, SerialSource, Usage};
use crate::keys::{self, RsaCaKey, RsaSignature};
use crate::rules::{self, PickupVerdict};
use crate::store::{self, CertStatus, CertificateRow, Event, Issuer, Request, State, Store};

/// The RSA CA's private key (PKCS#8 PEM).
pub const RSA_KEY_FILE: &str = "ca-rsa.key";
/// The RSA CA's certificate (PEM).
pub const RSA_CERT_FILE: &str = "ca-rsa.pem";
/// The GOST CA's private key (PKCS#8 PEM).
pub const GOST_KEY_FILE: &str = "ca-gost.key";
/// The GOST CA's certificate (PEM).
pub const GOST_CERT_FILE: &str = "ca-gost.pem";
/// The banks.
pub const AGENTS_FILE: &str = "agents.toml";
/// The request database.
pub const DB_FILE: &str = "bankca.db";
/// The default Maildir for pickup e-mails.
pub const MAIL_DIR: &str = "mail";
/// The TLS server certificate and key.
pub const TLS_DIR: &str = "tls";

/// The RSA CA's subject.
const RSA_CA_SUBJECT: &str = "CN=smartkey Bank CA RSA,O=smartkey reference bank CA,C=RU";
/// The GOST CA's subject.
const GOST_CA_SUBJECT: &str = "CN=smartkey Bank CA GOST 2012,O=smartkey reference bank CA,C=RU";
/// The setting holding the server's public base URL, for links shown by `bankca show`.
const PUBLIC_URL_SETTING: &str = "public_url";

/// One of the CA's certificates, described for the operator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaCertificateInfo {
    /// "RSA" or "GOST".
    pub kind: &'static str,
    /// Its file.
    pub path: PathBuf,
    /// Its subject.
    pub subject: String,
    /// SHA-256 of its DER, as colon-separated uppercase hex (as `openssl x509
    /// -fingerprint -sha256` prints it).
    pub sha256: String,
}

/// What `bankca init` made.
#[derive(Clone, Debug)]
pub struct InitReport {
    /// The CA certificates.
    pub certificates: Vec<CaCertificateInfo>,
    /// The agents file.
    pub agents_file: PathBuf,
    /// Whether the agents file was written (false: an existing one was kept).
    pub agents_written: bool,
}

/// A request with its certificate and history, for `bankca show`.
#[derive(Clone, Debug)]
pub struct RequestDetails {
    /// The request.
    pub request: Request,
    /// Its certificate, once issued.
    pub certificate: Option<CertificateRow>,
    /// What happened to it.
    pub events: Vec<Event>,
    /// Its pickup link, when the server's address is known.
    pub link: Option<String>,
}

/// A pickup e-mail that is due.
#[derive(Clone, Debug)]
pub struct DueMail {
    /// The request.
    pub request: Request,
    /// Pass back to [`Ca::mark_mailed`] once sent.
    pub generation: i64,
}

/// The CA.
#[derive(Debug)]
pub struct Ca {
    dir: PathBuf,
    pub(crate) rsa: RsaCaKey,
    pub(crate) rsa_cert: Certificate,
    pub(crate) rsa_key_id: Option<Vec<u8>>,
    pub(crate) gost: gost3410::SigningKey,
    pub(crate) gost_cert: Certificate,
    agents: Agents,
    pub(crate) store: Store,
    clock: Arc<dyn Clock>,
    serials: SerialSource,
}

/// How many serials [`Ca::issue_one`] tries when seeded serials are already taken (which
/// happens only when a seed is reused on a database that already holds its serials).
const SEEDED_SERIAL_TRIES: u64 = 64;

/// The SHA-256 fingerprint of DER bytes, as `AA:BB:...`.
pub fn fingerprint(der: &[u8]) -> String {
    sha2::Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn describe_certificate(
    kind: &'static str,
    path: PathBuf,
    cert: &Certificate,
) -> Result<CaCertificateInfo> {
    Ok(CaCertificateInfo {
        kind,
        path,
        subject: cert.tbs_certificate().subject().to_string(),
        sha256: fingerprint(&cert.to_der()?),
    })
}

fn write_new(path: &Path, text: &str) -> Result<()> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| Error::io(path, e))
}

fn read_certificate(path: &Path) -> Result<Certificate> {
    let text = keys::read_text(path)?;
    Certificate::from_pem(text.as_bytes()).map_err(|e| Error::CaFile {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

/// The subjectKeyIdentifier of a certificate, if it has one.
fn key_identifier(cert: &Certificate) -> Option<Vec<u8>> {
    use x509_cert::ext::pkix::SubjectKeyIdentifier;
    let extensions = cert.tbs_certificate().extensions()?;
    extensions
        .iter()
        .find(|e| e.extn_id == const_oid::db::rfc5280::ID_CE_SUBJECT_KEY_IDENTIFIER)
        .and_then(|e| SubjectKeyIdentifier::from_der(e.extn_value.as_bytes()).ok())
        .map(|ski| ski.0.as_bytes().to_vec())
}

impl Ca {
    /// Creates a CA in `dir`: an RSA-2048 and a GOST R 34.10-2012 (256-bit, CryptoPro-A)
    /// key with self-signed certificates, the default `agents.toml` (kept if present) and
    /// an empty request database. Refuses when CA key or certificate files exist.
    pub fn init(dir: &Path) -> Result<InitReport> {
        Self::init_with_clock(dir, &SystemClock)
    }

    /// [`Ca::init`] with the certificates dated by `clock`.
    pub fn init_with_clock(dir: &Path, clock: &dyn Clock) -> Result<InitReport> {
        keys::private_dir(dir)?;
        for name in [RSA_KEY_FILE, RSA_CERT_FILE, GOST_KEY_FILE, GOST_CERT_FILE] {
            if dir.join(name).exists() {
                return Err(Error::AlreadyInitialised(dir.to_path_buf()));
            }
        }
        let now = clock.now()?;
        let rsa = RsaCaKey::generate(2048)?;
        let rsa_subject =
            Name::from_str(RSA_CA_SUBJECT).map_err(|e| Error::Issue(e.to_string()))?;
        let rsa_cert = issue::self_signed_ca::<_, RsaSignature>(&rsa, rsa_subject, now)?;
        let gost = gost3410::SigningKey::try_generate(gost3410::ParamSet::CryptoProA)
            .map_err(|e| Error::Key(e.to_string()))?;
        let gost_subject =
            Name::from_str(GOST_CA_SUBJECT).map_err(|e| Error::Issue(e.to_string()))?;
        let gost_cert = issue::self_signed_ca::<_, gost3410::Signature>(&gost, gost_subject, now)?;

        let pem = |cert: &Certificate| cert.to_pem(der::pem::LineEnding::LF);
        keys::write_private(&dir.join(RSA_KEY_FILE), &rsa.to_pem()?)?;
        keys::write_private(&dir.join(GOST_KEY_FILE), &keys::gost_key_to_pem(&gost)?)?;
        write_new(&dir.join(RSA_CERT_FILE), &pem(&rsa_cert)?)?;
        write_new(&dir.join(GOST_CERT_FILE), &pem(&gost_cert)?)?;
        let agents_file = dir.join(AGENTS_FILE);
        let agents_written = !agents_file.exists();
        if agents_written {
            write_new(&agents_file, DEFAULT_AGENTS_TOML)?;
        }
        Store::open(&dir.join(DB_FILE))?;
        let mail = dir.join(MAIL_DIR);
        keys::private_dir(&mail)?;
        Ok(InitReport {
            certificates: vec![
                describe_certificate("RSA", dir.join(RSA_CERT_FILE), &rsa_cert)?,
                describe_certificate("GOST", dir.join(GOST_CERT_FILE), &gost_cert)?,
            ],
            agents_file,
            agents_written,
        })
    }

    /// Opens the CA in `dir` on the system clock.
    pub fn open(dir: &Path) -> Result<Self> {
        Self::open_with_clock(dir, Arc::new(SystemClock))
    }

    /// Opens the CA in `dir` with `clock` deciding every time limit.
    pub fn open_with_clock(dir: &Path, clock: Arc<dyn Clock>) -> Result<Self> {
        if !dir.join(RSA_KEY_FILE).exists() {
            return Err(Error::NotInitialised(dir.to_path_buf()));
        }
        let key_error = |path: PathBuf| {
            move |e: keys::KeyFileError| Error::CaFile {
                path,
                message: e.to_string(),
            }
        };
        let rsa_path = dir.join(RSA_KEY_FILE);
        let rsa = RsaCaKey::from_pem(&keys::read_text(&rsa_path)?).map_err(key_error(rsa_path))?;
        let gost_path = dir.join(GOST_KEY_FILE);
        let gost =
            keys::gost_key_from_pem(&keys::read_text(&gost_path)?).map_err(key_error(gost_path))?;
        let rsa_cert = read_certificate(&dir.join(RSA_CERT_FILE))?;
        let gost_cert = read_certificate(&dir.join(GOST_CERT_FILE))?;
        let rsa_spki = rsa.public_key_info()?;
        if rsa_cert.tbs_certificate().subject_public_key_info() != &rsa_spki {
            return Err(Error::CaFile {
                path: dir.join(RSA_CERT_FILE),
                message: "the certificate does not belong to the RSA CA key".into(),
            });
        }
        let gost_spki = SubjectPublicKeyInfoOwned::from_key(&gost.verifying_key())
            .map_err(|e| Error::Key(e.to_string()))?;
        if gost_cert.tbs_certificate().subject_public_key_info() != &gost_spki {
            return Err(Error::CaFile {
                path: dir.join(GOST_CERT_FILE),
                message: "the certificate does not belong to the GOST CA key".into(),
            });
        }
        let agents = Agents::load(&dir.join(AGENTS_FILE))?;
        let store = Store::open(&dir.join(DB_FILE))?;
        Ok(Self {
            dir: dir.to_path_buf(),
            rsa_key_id: key_identifier(&rsa_cert),
            rsa,
            rsa_cert,
            gost,
            gost_cert,
            agents,
            store,
            clock,
            serials: SerialSource::Random,
        })
    }

    /// The CA with the serial numbers of issued certificates taken from `serials`
    /// (random unless changed here; seeded serials are for tests and training).
    pub fn with_serial_source(mut self, serials: SerialSource) -> Self {
        self.serials = serials;
        self
    }

    /// Where the serial numbers of issued certificates come from.
    pub fn serial_source(&self) -> &SerialSource {
        &self.serials
    }

    /// The serial for the next certificate, inside the issuing transaction. Seeded serials
    /// follow the number of certificates issued so far, so the same seed and the same
    /// order of issuance repeat them; one already in the database (a reused seed) is
    /// skipped so serials stay unique, as RFC 5280 requires.
    fn next_serial(&self, tx: &rusqlite::Connection) -> Result<SerialNumber> {
        match &self.serials {
            SerialSource::Random => issue::random_serial(),
            SerialSource::Seeded(_) => {
                let issued = store::certificate_count(tx)?;
                for offset in 0..SEEDED_SERIAL_TRIES {
                    let serial = self.serials.serial(issued.saturating_add(offset))?;
                    if !store::serial_taken(tx, &hex::encode(serial.as_bytes()))? {
                        return Ok(serial);
                    }
                }
                Err(Error::Issue(
                    "every seeded serial number tried is taken: use a new seed or a new CA database"
                        .into(),
                ))
            }
        }
    }

    /// The CA directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The banks.
    pub fn agents(&self) -> &Agents {
        &self.agents
    }

    /// The RSA CA certificate: it signs RSA certificates and every CMP response.
    pub fn rsa_certificate(&self) -> &Certificate {
        &self.rsa_cert
    }

    /// The GOST CA certificate: it signs GOST certificates.
    pub fn gost_certificate(&self) -> &Certificate {
        &self.gost_cert
    }

    /// Both CA certificates, described.
    pub fn certificates_info(&self) -> Result<Vec<CaCertificateInfo>> {
        Ok(vec![
            describe_certificate("RSA", self.dir.join(RSA_CERT_FILE), &self.rsa_cert)?,
            describe_certificate("GOST", self.dir.join(GOST_CERT_FILE), &self.gost_cert)?,
        ])
    }

    /// The CA's current time.
    pub fn now(&self) -> Result<SystemTime> {
        self.clock.now()
    }

    /// The server's public base URL, as last recorded by `serve`.
    pub fn public_url(&self) -> Result<Option<String>> {
        self.store.read(|c| store::setting(c, PUBLIC_URL_SETTING))
    }

    /// Records the server's public base URL.
    pub fn set_public_url(&self, url: &str) -> Result<()> {
        self.store
            .write(|tx| store::set_setting(tx, PUBLIC_URL_SETTING, url))
    }

    /// The pickup link of `request` under `base`.
    pub fn link(base: &str, request: &Request) -> String {
        format!(
            "{}/pickup/{}/{}",
            base.trim_end_matches('/'),
            request.agent_id,
            hex::encode(&request.transaction_id)
        )
    }

    /// The requests, or those in `state`, oldest first.
    pub fn list(&self, state: Option<State>) -> Result<Vec<Request>> {
        self.store.read(|c| store::requests(c, state))
    }

    /// A request with its certificate and history.
    pub fn show(&self, id: i64) -> Result<RequestDetails> {
        let base = self.public_url()?;
        self.store.read(|c| {
            let request = store::request_required(c, id)?;
            let certificate = match request.cert_id {
                Some(cert) => store::certificate(c, cert)?,
                None => None,
            };
            let events = store::events(c, id)?;
            let link = base.map(|base| Self::link(&base, &request));
            Ok(RequestDetails {
                request,
                certificate,
                events,
                link,
            })
        })
    }

    /// The operator approves a waiting request: the server then issues the certificate
    /// and e-mails the pickup link.
    pub fn approve(&self, id: i64, actor: &str) -> Result<()> {
        let now = unix_seconds(self.now()?);
        self.store.write(|tx| {
            let request = store::request_required(tx, id)?;
            if request.state != State::Waiting {
                return Err(Error::WrongState {
                    id,
                    state: request.state,
                    action: "approved",
                });
            }
            store::change_state(tx, id, State::Waiting, State::Approved)?;
            store::set_decided(tx, id, now, None)?;
            store::add_event(tx, Some(id), now, actor, "approved")
        })
    }

    /// The operator rejects a request that is waiting or approved but not yet issued;
    /// `reason` reaches the customer in the answer's `statusString`.
    pub fn reject(&self, id: i64, reason: &str, actor: &str) -> Result<()> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(Error::Config(
                "a rejection needs a reason: the customer reads it".into(),
            ));
        }
        let now = unix_seconds(self.now()?);
        self.store.write(|tx| {
            let request = store::request_required(tx, id)?;
            if !matches!(request.state, State::Waiting | State::Approved) {
                return Err(Error::WrongState {
                    id,
                    state: request.state,
                    action: "rejected",
                });
            }
            store::change_state(tx, id, request.state, State::Rejected)?;
            store::set_decided(tx, id, now, Some(reason))?;
            store::add_event(tx, Some(id), now, actor, &format!("rejected: {reason}"))
        })
    }

    /// How many `senderNonce`s the CA remembers (of authenticated messages younger than
    /// twice the `messageTime` window).
    pub fn remembered_nonces(&self) -> Result<u64> {
        self.store.read(store::nonce_count)
    }

    /// Makes a reference and MAC secret for one client of bank `agent_id` (RFC 9810
    /// section 4.2.1.1: handed to the client out of band, e.g. with its contract). It
    /// protects one first request (`ir`, `cr`, `p10cr`) and that transaction's follow-ups,
    /// and nothing else: another client's request is beyond it.
    pub fn new_client_secret(&self, agent_id: u32) -> Result<store::ClientSecret> {
        if self.agents().get(agent_id).is_none() {
            return Err(Error::NoSuchAgent(agent_id));
        }
        let mut random = zeroize::Zeroizing::new([0u8; 24]);
        getrandom::fill(random.as_mut_slice()).map_err(|_| Error::Random)?;
        let (id, secret) = random.split_at(8);
        let secret = store::ClientSecret {
            reference: format!("{agent_id}-{}", hex::encode(id)),
            agent_id,
            secret: zeroize::Zeroizing::new(hex::encode(secret)),
            created_at: unix_seconds(self.now()?),
            request_id: None,
        };
        self.store
            .write(|tx| store::insert_client_secret(tx, &secret))?;
        Ok(secret)
    }

    /// Stores a reference and secret handed to a client of bank `agent_id` some other
    /// way (a bank moving its existing clients' secrets here, or a fixed pair for a test
    /// bench); like one from [`Ca::new_client_secret`], it protects one request.
    pub fn import_client_secret(&self, agent_id: u32, reference: &str, secret: &str) -> Result<()> {
        if self.agents().get(agent_id).is_none() {
            return Err(Error::NoSuchAgent(agent_id));
        }
        let secret = store::ClientSecret {
            reference: reference.to_string(),
            agent_id,
            secret: zeroize::Zeroizing::new(secret.to_string()),
            created_at: unix_seconds(self.now()?),
            request_id: None,
        };
        self.store
            .write(|tx| store::insert_client_secret(tx, &secret))
    }

    /// Sends the pickup link again, which gives it a new 2-day window; only while the
    /// certificate is within 3 days of issuing. The server sends the e-mail.
    pub fn resend(&self, id: i64, actor: &str) -> Result<()> {
        let now_time = self.now()?;
        let now = unix_seconds(now_time);
        let expired = self.store.write(|tx| {
            let request = store::request_required(tx, id)?;
            if request.state != State::Issued {
                return Err(Error::WrongState {
                    id,
                    state: request.state,
                    action: "sent again",
                });
            }
            let issued = from_unix_seconds(request.issued_at.unwrap_or(request.created_at));
            if rules::pickup_verdict(issued, None, now_time) == PickupVerdict::RequestExpired {
                expire(tx, &request, now)?;
                return Ok(true);
            }
            store::want_mail(tx, id)?;
            store::add_event(tx, Some(id), now, actor, "pickup link to be sent again")?;
            Ok(false)
        })?;
        if expired {
            return Err(Error::NotAllowed {
                id,
                why: "the certificate was issued more than 3 days ago and never saved; it is void and the customer must start the request again".into(),
            });
        }
        Ok(())
    }

    /// Approves waiting requests that arrived `after` ago or earlier (the server's
    /// `--auto-approve-after`, for demos). Returns their ids.
    pub fn auto_approve_due(&self, after: Duration) -> Result<Vec<i64>> {
        let now = unix_seconds(self.now()?);
        let before = now.saturating_sub(i64::try_from(after.as_secs()).unwrap_or(i64::MAX));
        let due = self
            .store
            .read(|c| store::requests_due(c, State::Waiting, "created_at", before))?;
        let mut approved = Vec::new();
        for id in due {
            match self.approve(id, "auto-approve") {
                Ok(()) => approved.push(id),
                // The operator decided meanwhile.
                Err(Error::WrongState { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(approved)
    }

    /// Issues the certificates of all approved requests. Returns their ids.
    pub fn issue_approved(&self) -> Result<Vec<i64>> {
        let approved = self
            .store
            .read(|c| store::requests(c, Some(State::Approved)))?;
        let mut issued = Vec::new();
        for request in approved {
            if self.issue_one(request.id)? {
                issued.push(request.id);
            }
        }
        Ok(issued)
    }

    /// Issues the certificate of request `id` if it is approved; false if it is not
    /// (any more).
    pub fn issue_one(&self, id: i64) -> Result<bool> {
        let now_time = self.now()?;
        let now = unix_seconds(now_time);
        self.store.write(|tx| {
            let request = store::request_required(tx, id)?;
            if request.state != State::Approved {
                return Ok(false);
            }
            let subject = Name::from_der(&request.subject_der)?;
            let public_key = SubjectPublicKeyInfoOwned::from_der(&request.public_key)?;
            let usage = Usage::Client {
                email: Some(request.email.clone()),
            };
            let to_issue = IssueRequest {
                subject,
                public_key,
                now: now_time,
                lifetime: issue::CERTIFICATE_LIFETIME,
                usage,
            };
            let serial = self.next_serial(tx)?;
            let (cert, issuer) = if request.key_type.is_gost() {
                let cert = issue::issue_with_serial::<_, gost3410::Signature>(
                    &self.gost,
                    &self.gost_cert,
                    to_issue,
                    serial,
                )?;
                (cert, Issuer::Gost)
            } else {
                let cert = issue::issue_with_serial::<_, RsaSignature>(
                    &self.rsa,
                    &self.rsa_cert,
                    to_issue,
                    serial,
                )?;
                (cert, Issuer::Rsa)
            };
            let tbs = cert.tbs_certificate();
            let serial = hex::encode(tbs.serial_number().as_bytes());
            let validity = tbs.validity();
            let cert_id = store::insert_certificate(
                tx,
                &store::NewCertificate {
                    request_id: id,
                    serial: serial.clone(),
                    issuer,
                    der: cert.to_der()?,
                    not_before: unix_seconds(validity.not_before.to_system_time()),
                    not_after: unix_seconds(validity.not_after.to_system_time()),
                },
            )?;
            store::change_state(tx, id, State::Approved, State::Issued)?;
            store::set_issued(tx, id, cert_id, now)?;
            store::add_event(
                tx,
                Some(id),
                now,
                "server",
                &format!("certificate issued by the {issuer} CA, serial {serial}"),
            )?;
            Ok(true)
        })
    }

    /// Marks requests whose certificate was issued more than 3 days ago and never saved
    /// as expired. Returns their ids.
    pub fn expire_due(&self) -> Result<Vec<i64>> {
        let now = unix_seconds(self.now()?);
        let limit = i64::try_from(rules::UNSAVED_LIFETIME.as_secs()).unwrap_or(i64::MAX);
        // "More than 3 days": issued strictly before now - 3 days.
        let before = now.saturating_sub(limit).saturating_sub(1);
        let due = self
            .store
            .read(|c| store::requests_due(c, State::Issued, "issued_at", before))?;
        let mut expired = Vec::new();
        for id in due {
            let done = self.store.write(|tx| {
                let request = store::request_required(tx, id)?;
                if request.state != State::Issued {
                    return Ok(false);
                }
                expire(tx, &request, now)?;
                Ok(true)
            })?;
            if done {
                expired.push(id);
            }
        }
        Ok(expired)
    }

    /// Pickup e-mails that are due.
    pub fn mail_due(&self) -> Result<Vec<DueMail>> {
        let requests = self.store.read(store::requests_to_mail)?;
        Ok(requests
            .into_iter()
            .map(|request| DueMail {
                generation: request.mail_wanted,
                request,
            })
            .collect())
    }

    /// Records that the pickup e-mail of `due` was sent: the link's 2-day window starts.
    pub fn mark_mailed(&self, due: &DueMail, to: &str) -> Result<()> {
        let now = unix_seconds(self.now()?);
        let id = due.request.id;
        self.store.write(|tx| {
            store::set_mailed(tx, id, due.generation, now)?;
            store::add_event(
                tx,
                Some(id),
                now,
                "server",
                &format!("pickup link e-mailed to {to}"),
            )
        })
    }
}

/// Marks an issued request expired and its certificate void, with the event.
pub(crate) fn expire(tx: &rusqlite::Connection, request: &Request, now: i64) -> Result<()> {
    store::change_state(tx, request.id, State::Issued, State::Expired)?;
    if let Some(cert) = request.cert_id {
        store::set_certificate_status(tx, cert, CertStatus::Void, None)?;
    }
    store::add_event(
        tx,
        Some(request.id),
        now,
        "server",
        "expired: the certificate was not saved within 3 days of issuing",
    )
}
