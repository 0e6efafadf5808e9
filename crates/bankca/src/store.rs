//! The request database: SQLite in WAL mode with a busy timeout, so that the running
//! server and the operator's commands (`bankca approve`, `list`, ...) can use the file at
//! the same time. Every change of state happens in one immediate transaction together
//! with its event-log entry, so a crash leaves either both or neither.

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};

use crate::agents::KeyType;
use crate::error::{Error, Result};
pub use crate::states::{CertStatus, Issuer, Protection, RequestKind, State};

/// The schema version this program writes (`PRAGMA user_version`).
pub const SCHEMA_VERSION: i64 = 3;

/// How long a writer waits for another process's transaction before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Schema changes, in order; entry `i` moves the database from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE requests (
    id              INTEGER PRIMARY KEY,
    agent_id        INTEGER NOT NULL,
    transaction_id  BLOB    NOT NULL UNIQUE,
    kind            TEXT    NOT NULL CHECK (kind IN ('ir', 'cr', 'p10cr', 'kur')),
    cert_req_id     INTEGER NOT NULL,
    key_type        TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    subject_der     BLOB    NOT NULL,
    public_key      BLOB    NOT NULL,
    email           TEXT    NOT NULL,
    inn             TEXT    NOT NULL,
    protection      TEXT    NOT NULL CHECK (protection IN ('none', 'pbm', 'signature')),
    signer_cert_id  INTEGER REFERENCES certificates(id),
    state           TEXT    NOT NULL CHECK (state IN
                        ('waiting', 'approved', 'rejected', 'issued', 'confirmed', 'expired')),
    reason          TEXT,
    created_at      INTEGER NOT NULL,
    decided_at      INTEGER,
    issued_at       INTEGER,
    mailed_at       INTEGER,
    confirmed_at    INTEGER,
    cert_id         INTEGER REFERENCES certificates(id),
    ca_nonce        BLOB,
    mail_wanted     INTEGER NOT NULL DEFAULT 0,
    mail_done       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX requests_state ON requests(state);

CREATE TABLE certificates (
    id          INTEGER PRIMARY KEY,
    request_id  INTEGER NOT NULL REFERENCES requests(id),
    serial      TEXT    NOT NULL UNIQUE,
    issuer      TEXT    NOT NULL CHECK (issuer IN ('rsa', 'gost')),
    status      TEXT    NOT NULL CHECK (status IN ('pending', 'active', 'void', 'replaced')),
    der         BLOB    NOT NULL UNIQUE,
    not_before  INTEGER NOT NULL,
    not_after   INTEGER NOT NULL,
    replaced_by INTEGER REFERENCES certificates(id)
);

CREATE TABLE nonces (
    nonce   BLOB    PRIMARY KEY,
    seen_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    request_id  INTEGER REFERENCES requests(id),
    at          INTEGER NOT NULL,
    actor       TEXT    NOT NULL,
    what        TEXT    NOT NULL
);
CREATE INDEX events_request ON events(request_id);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"#,
    // Version 2: the contacts a client confirmed in its request (regInfo utf8Pairs).
    // Requests stored before keep their e-mail, from the subject, and have no phone.
    r#"
ALTER TABLE requests ADD COLUMN phone TEXT;
ALTER TABLE requests ADD COLUMN contacts_confirmed INTEGER NOT NULL DEFAULT 0
    CHECK (contacts_confirmed IN (0, 1));
"#,
    // Version 3: one MAC secret per client instead of one per bank, spent by the one
    // request it protects; nonces pruned by age.
    r#"
CREATE TABLE client_secrets (
    reference   TEXT    PRIMARY KEY,
    agent_id    INTEGER NOT NULL,
    secret      TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    request_id  INTEGER UNIQUE REFERENCES requests(id)
);
CREATE INDEX nonces_seen_at ON nonces(seen_at);
"#,
];

impl ToSql for KeyType {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.name()))
    }
}

impl FromSql for KeyType {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        value
            .as_str()?
            .parse()
            .map_err(|e: crate::agents::UnknownKey| FromSqlError::Other(Box::new(e)))
    }
}

/// A request as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// The operator's number for it.
    pub id: i64,
    /// The bank.
    pub agent_id: u32,
    /// The CMP `transactionID`.
    pub transaction_id: Vec<u8>,
    /// The message that began it.
    pub kind: RequestKind,
    /// The `certReqId` of the request (-1 for `p10cr`).
    pub cert_req_id: i64,
    /// The key to certify.
    pub key_type: KeyType,
    /// The subject, described for people.
    pub subject: String,
    /// The subject, DER.
    pub subject_der: Vec<u8>,
    /// The key to certify, SubjectPublicKeyInfo DER.
    pub public_key: Vec<u8>,
    /// Where the pickup link goes: the e-mail the client confirmed in the request, or
    /// else the one in the subject.
    pub email: String,
    /// The phone the client confirmed in the request, if it gave one.
    pub phone: Option<String>,
    /// Whether the request carried the client's confirmed contacts (regInfo
    /// `utf8Pairs`), rather than the e-mail being taken from the subject.
    pub contacts_confirmed: bool,
    /// The customer's INN.
    pub inn: String,
    /// How the first message was protected.
    pub protection: Protection,
    /// The certificate that signed the first message (for `kur`: the one renewed).
    pub signer_cert_id: Option<i64>,
    /// Where it stands.
    pub state: State,
    /// The operator's reason for a rejection.
    pub reason: Option<String>,
    /// When it arrived (Unix seconds).
    pub created_at: i64,
    /// When it was approved or rejected.
    pub decided_at: Option<i64>,
    /// When the certificate was issued.
    pub issued_at: Option<i64>,
    /// When the pickup link was last e-mailed.
    pub mailed_at: Option<i64>,
    /// When the customer accepted the certificate.
    pub confirmed_at: Option<i64>,
    /// The issued certificate.
    pub cert_id: Option<i64>,
    /// The CA's latest `senderNonce` in this transaction.
    pub ca_nonce: Option<Vec<u8>>,
    /// How many pickup e-mails were asked for.
    pub mail_wanted: i64,
    /// How many of them were sent.
    pub mail_done: i64,
}

const REQUEST_COLUMNS: &str = "id, agent_id, transaction_id, kind, cert_req_id, key_type, \
    subject, subject_der, public_key, email, inn, protection, signer_cert_id, state, reason, \
    created_at, decided_at, issued_at, mailed_at, confirmed_at, cert_id, ca_nonce, \
    mail_wanted, mail_done, phone, contacts_confirmed";

fn request_from_row(row: &Row<'_>) -> rusqlite::Result<Request> {
    Ok(Request {
        id: row.get(0)?,
        agent_id: row.get(1)?,
        transaction_id: row.get(2)?,
        kind: row.get(3)?,
        cert_req_id: row.get(4)?,
        key_type: row.get(5)?,
        subject: row.get(6)?,
        subject_der: row.get(7)?,
        public_key: row.get(8)?,
        email: row.get(9)?,
        inn: row.get(10)?,
        protection: row.get(11)?,
        signer_cert_id: row.get(12)?,
        state: row.get(13)?,
        reason: row.get(14)?,
        created_at: row.get(15)?,
        decided_at: row.get(16)?,
        issued_at: row.get(17)?,
        mailed_at: row.get(18)?,
        confirmed_at: row.get(19)?,
        cert_id: row.get(20)?,
        ca_nonce: row.get(21)?,
        mail_wanted: row.get(22)?,
        mail_done: row.get(23)?,
        phone: row.get(24)?,
        contacts_confirmed: row.get(25)?,
    })
}

/// What is known of a request when it arrives.
#[derive(Clone, Debug)]
pub struct NewRequest {
    /// The bank.
    pub agent_id: u32,
    /// The CMP `transactionID`.
    pub transaction_id: Vec<u8>,
    /// The message that began it.
    pub kind: RequestKind,
    /// Its `certReqId`.
    pub cert_req_id: i64,
    /// The key to certify.
    pub key_type: KeyType,
    /// The subject, described.
    pub subject: String,
    /// The subject, DER.
    pub subject_der: Vec<u8>,
    /// The key, SubjectPublicKeyInfo DER.
    pub public_key: Vec<u8>,
    /// Where the pickup link goes.
    pub email: String,
    /// The phone the client confirmed, if any.
    pub phone: Option<String>,
    /// Whether `email` and `phone` are the client's confirmed contacts.
    pub contacts_confirmed: bool,
    /// The customer's INN.
    pub inn: String,
    /// How the message was protected.
    pub protection: Protection,
    /// The certificate that signed it.
    pub signer_cert_id: Option<i64>,
    /// When it arrived.
    pub created_at: i64,
    /// The `senderNonce` of the CA's answer.
    pub ca_nonce: Vec<u8>,
}

/// A certificate as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateRow {
    /// Its number in the database.
    pub id: i64,
    /// The request it answers.
    pub request_id: i64,
    /// The serial number, lowercase hex.
    pub serial: String,
    /// The CA key that signed it.
    pub issuer: Issuer,
    /// Where it stands.
    pub status: CertStatus,
    /// The certificate, DER.
    pub der: Vec<u8>,
    /// Start of validity (Unix seconds).
    pub not_before: i64,
    /// End of validity (Unix seconds).
    pub not_after: i64,
    /// The certificate that replaced it.
    pub replaced_by: Option<i64>,
}

const CERT_COLUMNS: &str =
    "id, request_id, serial, issuer, status, der, not_before, not_after, replaced_by";

fn certificate_from_row(row: &Row<'_>) -> rusqlite::Result<CertificateRow> {
    Ok(CertificateRow {
        id: row.get(0)?,
        request_id: row.get(1)?,
        serial: row.get(2)?,
        issuer: row.get(3)?,
        status: row.get(4)?,
        der: row.get(5)?,
        not_before: row.get(6)?,
        not_after: row.get(7)?,
        replaced_by: row.get(8)?,
    })
}

/// One entry of the event log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// When (Unix seconds).
    pub at: i64,
    /// The request concerned, if any.
    pub request_id: Option<i64>,
    /// Who: `client`, `operator`, `auto-approve`, `server`.
    pub actor: String,
    /// What happened.
    pub what: String,
}

/// The request database.
#[derive(Debug)]
pub struct Store {
    conn: Mutex<Connection>,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema up to
    /// date.
    ///
    /// The database holds the clients' names, e-mail addresses and tax numbers: it is
    /// made 0600 before SQLite opens it (an existing one is taken back to 0600), and
    /// SQLite gives its WAL and shared-memory files the database's permissions.
    pub fn open(path: &Path) -> Result<Self> {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options.open(path).map_err(|e| Error::io(path, e))?;
        #[cfg(unix)]
        crate::keys::restrict(path, 0o600)?;
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // WAL lets readers and one writer work at once across processes.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        migrate(&mut conn)?;
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    /// Runs `f` on the connection without a transaction (reads).
    pub fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        // A panic elsewhere cannot leave the connection inside a transaction: rusqlite
        // rolls back on drop. So a poisoned lock is safe to take over.
        let conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        f(&conn)
    }

    /// Runs `f` in an immediate transaction, committed if `f` succeeds and rolled back
    /// otherwise.
    pub fn write<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let mut conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = f(&tx)?;
        tx.commit()?;
        Ok(value)
    }
}

fn migrate(conn: &mut Connection) -> Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let version: i64 = tx.pragma_query_value(None, "user_version", |row| row.get(0))?;
    let known = i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX);
    if version > known {
        return Err(Error::SchemaTooNew {
            found: version,
            known,
        });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate() {
        let to = i64::try_from(index).unwrap_or(i64::MAX) + 1;
        if to > version {
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", to)?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// Inserts a new request in state `waiting`.
pub fn insert_request(conn: &Connection, new: &NewRequest) -> Result<i64> {
    conn.execute(
        "INSERT INTO requests (agent_id, transaction_id, kind, cert_req_id, key_type, subject, \
         subject_der, public_key, email, inn, protection, signer_cert_id, state, created_at, \
         ca_nonce, phone, contacts_confirmed) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 'waiting', ?13, ?14, ?15, ?16)",
        params![
            new.agent_id,
            new.transaction_id,
            new.kind,
            new.cert_req_id,
            new.key_type,
            new.subject,
            new.subject_der,
            new.public_key,
            new.email,
            new.inn,
            new.protection,
            new.signer_cert_id,
            new.created_at,
            new.ca_nonce,
            new.phone,
            new.contacts_confirmed,
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

/// The request with number `id`.
pub fn request(conn: &Connection, id: i64) -> Result<Option<Request>> {
    let sql = format!("SELECT {REQUEST_COLUMNS} FROM requests WHERE id = ?1");
    Ok(conn.query_row(&sql, [id], request_from_row).optional()?)
}

/// The request with number `id`, or [`Error::NoSuchRequest`].
pub fn request_required(conn: &Connection, id: i64) -> Result<Request> {
    request(conn, id)?.ok_or(Error::NoSuchRequest(id))
}

/// The request of a transaction.
pub fn request_by_transaction(conn: &Connection, transaction_id: &[u8]) -> Result<Option<Request>> {
    let sql = format!("SELECT {REQUEST_COLUMNS} FROM requests WHERE transaction_id = ?1");
    Ok(conn
        .query_row(&sql, [transaction_id], request_from_row)
        .optional()?)
}

/// All requests, or those in `state`, oldest first.
pub fn requests(conn: &Connection, state: Option<State>) -> Result<Vec<Request>> {
    let sql = format!(
        "SELECT {REQUEST_COLUMNS} FROM requests WHERE ?1 IS NULL OR state = ?1 ORDER BY id"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([state], request_from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Ids of requests in `state` whose `column` time is at or before `before`.
pub fn requests_due(
    conn: &Connection,
    state: State,
    column: &'static str,
    before: i64,
) -> Result<Vec<i64>> {
    // `column` is always one of our own constant names, never input.
    let sql = format!("SELECT id FROM requests WHERE state = ?1 AND {column} <= ?2 ORDER BY id");
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params![state, before], |row| row.get(0))?;
    Ok(rows.collect::<rusqlite::Result<Vec<i64>>>()?)
}

/// Requests whose pickup e-mail is due. A certificate picked up by a client that was
/// still polling may be confirmed before its e-mail went out; the e-mail is sent all the
/// same, as the bank's procedure sends it on every issue.
pub fn requests_to_mail(conn: &Connection) -> Result<Vec<Request>> {
    let sql = format!(
        "SELECT {REQUEST_COLUMNS} FROM requests WHERE state IN ('issued', 'confirmed') \
         AND mail_wanted > mail_done ORDER BY id"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([], request_from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Moves request `id` from `from` to `to`; false if it was not in `from` (someone else
/// got there first).
pub fn change_state(conn: &Connection, id: i64, from: State, to: State) -> Result<bool> {
    let changed = conn.execute(
        "UPDATE requests SET state = ?3 WHERE id = ?1 AND state = ?2",
        params![id, from, to],
    )?;
    Ok(changed == 1)
}

/// Records a decision (approval or rejection) on request `id`.
pub fn set_decided(conn: &Connection, id: i64, at: i64, reason: Option<&str>) -> Result<()> {
    conn.execute(
        "UPDATE requests SET decided_at = ?2, reason = ?3 WHERE id = ?1",
        params![id, at, reason],
    )?;
    Ok(())
}

/// Records the issued certificate of request `id` and asks for the pickup e-mail.
pub fn set_issued(conn: &Connection, id: i64, cert_id: i64, at: i64) -> Result<()> {
    conn.execute(
        "UPDATE requests SET cert_id = ?2, issued_at = ?3, mail_wanted = mail_wanted + 1 WHERE id = ?1",
        params![id, cert_id, at],
    )?;
    Ok(())
}

/// Records the customer's acceptance.
pub fn set_confirmed(conn: &Connection, id: i64, at: i64) -> Result<()> {
    conn.execute(
        "UPDATE requests SET confirmed_at = ?2 WHERE id = ?1",
        params![id, at],
    )?;
    Ok(())
}

/// Asks for another pickup e-mail for request `id`.
pub fn want_mail(conn: &Connection, id: i64) -> Result<()> {
    conn.execute(
        "UPDATE requests SET mail_wanted = mail_wanted + 1 WHERE id = ?1",
        [id],
    )?;
    Ok(())
}

/// Records that the e-mails asked for up to `wanted` were sent at `at`.
pub fn set_mailed(conn: &Connection, id: i64, wanted: i64, at: i64) -> Result<()> {
    conn.execute(
        "UPDATE requests SET mail_done = MAX(mail_done, ?2), mailed_at = ?3 WHERE id = ?1",
        params![id, wanted, at],
    )?;
    Ok(())
}

/// Records the CA's latest `senderNonce` in the transaction of request `id`.
pub fn set_ca_nonce(conn: &Connection, id: i64, nonce: &[u8]) -> Result<()> {
    conn.execute(
        "UPDATE requests SET ca_nonce = ?2 WHERE id = ?1",
        params![id, nonce],
    )?;
    Ok(())
}

/// What is known of a certificate when it is issued.
#[derive(Clone, Debug)]
pub struct NewCertificate {
    /// The request it answers.
    pub request_id: i64,
    /// The serial number, lowercase hex.
    pub serial: String,
    /// The CA key that signed it.
    pub issuer: Issuer,
    /// The certificate, DER.
    pub der: Vec<u8>,
    /// Start of validity.
    pub not_before: i64,
    /// End of validity.
    pub not_after: i64,
}

/// Stores an issued certificate in status `pending`.
pub fn insert_certificate(conn: &Connection, new: &NewCertificate) -> Result<i64> {
    conn.execute(
        "INSERT INTO certificates (request_id, serial, issuer, status, der, not_before, not_after) \
         VALUES (?1, ?2, ?3, 'pending', ?4, ?5, ?6)",
        params![
            new.request_id,
            new.serial,
            new.issuer,
            new.der,
            new.not_before,
            new.not_after
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

/// How many certificates the CA has issued (rows are never deleted, so the count only
/// grows). Seeded serial numbers are derived from it.
pub fn certificate_count(conn: &Connection) -> Result<u64> {
    let count: i64 = conn.query_row("SELECT COUNT(*) FROM certificates", [], |row| row.get(0))?;
    // COUNT(*) is never negative.
    Ok(u64::try_from(count).unwrap_or(0))
}

/// Whether a certificate with this serial (lowercase hex) exists.
pub fn serial_taken(conn: &Connection, serial: &str) -> Result<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM certificates WHERE serial = ?1",
            [serial],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// The certificate with number `id`.
pub fn certificate(conn: &Connection, id: i64) -> Result<Option<CertificateRow>> {
    let sql = format!("SELECT {CERT_COLUMNS} FROM certificates WHERE id = ?1");
    Ok(conn
        .query_row(&sql, [id], certificate_from_row)
        .optional()?)
}

/// The certificate with exactly this DER, if this CA issued it.
pub fn certificate_by_der(conn: &Connection, der: &[u8]) -> Result<Option<CertificateRow>> {
    let sql = format!("SELECT {CERT_COLUMNS} FROM certificates WHERE der = ?1");
    Ok(conn
        .query_row(&sql, [der], certificate_from_row)
        .optional()?)
}

/// Sets the status of certificate `id`.
pub fn set_certificate_status(
    conn: &Connection,
    id: i64,
    status: CertStatus,
    replaced_by: Option<i64>,
) -> Result<()> {
    conn.execute(
        "UPDATE certificates SET status = ?2, replaced_by = COALESCE(?3, replaced_by) WHERE id = ?1",
        params![id, status, replaced_by],
    )?;
    Ok(())
}

/// Remembers a `senderNonce` seen at `at`, and forgets those seen before `forget_before`
/// (a message that old is refused by its `messageTime` anyway); false if it was seen
/// before (a replay).
pub fn record_nonce(conn: &Connection, nonce: &[u8], at: i64, forget_before: i64) -> Result<bool> {
    conn.execute(
        "DELETE FROM nonces WHERE seen_at < ?1",
        params![forget_before],
    )?;
    let inserted = conn.execute(
        "INSERT OR IGNORE INTO nonces (nonce, seen_at) VALUES (?1, ?2)",
        params![nonce, at],
    )?;
    Ok(inserted == 1)
}

/// How many nonces are remembered.
pub fn nonce_count(conn: &Connection) -> Result<u64> {
    let n: i64 = conn.query_row("SELECT COUNT(*) FROM nonces", [], |row| row.get(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// A client's MAC secret (RFC 9810 section 4.2.1.1: the reference and secret the bank
/// gives a client out of band), and the request it was spent on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientSecret {
    /// The reference, sent as `senderKID`.
    pub reference: String,
    /// The bank.
    pub agent_id: u32,
    /// The secret the MAC is keyed with.
    pub secret: zeroize::Zeroizing<String>,
    /// When it was made.
    pub created_at: i64,
    /// The request it protected, once one did.
    pub request_id: Option<i64>,
}

/// Stores a new client secret.
pub fn insert_client_secret(conn: &Connection, new: &ClientSecret) -> Result<()> {
    conn.execute(
        "INSERT INTO client_secrets (reference, agent_id, secret, created_at, request_id) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            new.reference,
            new.agent_id,
            new.secret.as_str(),
            new.created_at,
            new.request_id
        ],
    )?;
    Ok(())
}

/// The secret with `reference` at bank `agent_id`.
pub fn client_secret(
    conn: &Connection,
    agent_id: u32,
    reference: &str,
) -> Result<Option<ClientSecret>> {
    Ok(conn
        .query_row(
            "SELECT reference, agent_id, secret, created_at, request_id FROM client_secrets \
             WHERE reference = ?1 AND agent_id = ?2",
            params![reference, agent_id],
            |row| {
                Ok(ClientSecret {
                    reference: row.get(0)?,
                    agent_id: row.get(1)?,
                    secret: zeroize::Zeroizing::new(row.get(2)?),
                    created_at: row.get(3)?,
                    request_id: row.get(4)?,
                })
            },
        )
        .optional()?)
}

/// Spends the secret `reference` on request `request_id`; false if it was spent already.
pub fn spend_client_secret(conn: &Connection, reference: &str, request_id: i64) -> Result<bool> {
    let changed = conn.execute(
        "UPDATE client_secrets SET request_id = ?2 WHERE reference = ?1 AND request_id IS NULL",
        params![reference, request_id],
    )?;
    Ok(changed == 1)
}

/// Appends to the event log.
pub fn add_event(
    conn: &Connection,
    request_id: Option<i64>,
    at: i64,
    actor: &str,
    what: &str,
) -> Result<()> {
    conn.execute(
        "INSERT INTO events (request_id, at, actor, what) VALUES (?1, ?2, ?3, ?4)",
        params![request_id, at, actor, what],
    )?;
    Ok(())
}

/// The events of request `id`, oldest first.
pub fn events(conn: &Connection, id: i64) -> Result<Vec<Event>> {
    let mut stmt = conn.prepare(
        "SELECT at, request_id, actor, what FROM events WHERE request_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([id], |row| {
        Ok(Event {
            at: row.get(0)?,
            request_id: row.get(1)?,
            actor: row.get(2)?,
            what: row.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// A setting.
pub fn setting(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT value FROM settings WHERE key = ?1", [key], |row| {
            row.get(0)
        })
        .optional()?)
}

/// Sets a setting.
pub fn set_setting(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2) \
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_request(tid: u8) -> NewRequest {
        NewRequest {
            agent_id: 6184,
            transaction_id: vec![tid; 16],
            kind: RequestKind::P10cr,
            cert_req_id: -1,
            key_type: KeyType::Rsa2048,
            subject: "CN=x".into(),
            subject_der: vec![0x30, 0],
            public_key: vec![1, 2, 3],
            email: "a@b.ru".into(),
            phone: None,
            contacts_confirmed: false,
            inn: "7707083893".into(),
            protection: Protection::None,
            signer_cert_id: None,
            created_at: 100,
            ca_nonce: vec![9; 16],
        }
    }

    #[test]
    fn schema_state_changes_and_nonces() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        let store = Store::open(&path).unwrap();
        let id = store
            .write(|tx| {
                let id = insert_request(tx, &new_request(1))?;
                add_event(tx, Some(id), 100, "client", "received")?;
                Ok(id)
            })
            .unwrap();
        // A second request with the same transaction cannot be stored.
        assert!(
            store
                .write(|tx| insert_request(tx, &new_request(1)))
                .is_err()
        );
        store
            .read(|c| {
                let r = request_required(c, id)?;
                assert_eq!(r.state, State::Waiting);
                assert_eq!(r.kind, RequestKind::P10cr);
                assert_eq!(request_by_transaction(c, &[1; 16])?.map(|r| r.id), Some(id));
                assert_eq!(requests(c, Some(State::Waiting))?.len(), 1);
                assert_eq!(requests(c, Some(State::Issued))?.len(), 0);
                assert_eq!(requests_due(c, State::Waiting, "created_at", 100)?, [id]);
                assert!(requests_due(c, State::Waiting, "created_at", 99)?.is_empty());
                Ok(())
            })
            .unwrap();
        assert!(
            store
                .write(|tx| change_state(tx, id, State::Waiting, State::Approved))
                .unwrap()
        );
        assert!(
            !store
                .write(|tx| change_state(tx, id, State::Waiting, State::Approved))
                .unwrap()
        );
        assert!(matches!(
            store.read(|c| request_required(c, 999)),
            Err(Error::NoSuchRequest(999))
        ));
        assert!(store.write(|tx| record_nonce(tx, &[5; 16], 1, 0)).unwrap());
        assert!(!store.write(|tx| record_nonce(tx, &[5; 16], 2, 0)).unwrap());
        // Nonces older than the limit are forgotten as others arrive.
        assert!(
            store
                .write(|tx| record_nonce(tx, &[6; 16], 100, 50))
                .unwrap()
        );
        assert_eq!(
            store.read(nonce_count).unwrap(),
            1,
            "the nonce of 1 is gone"
        );
        // A failing transaction leaves nothing behind.
        let failed: Result<()> = store.write(|tx| {
            change_state(tx, id, State::Approved, State::Rejected)?;
            Err(Error::Config("stop".into()))
        });
        assert!(failed.is_err());
        assert_eq!(
            store.read(|c| request_required(c, id)).unwrap().state,
            State::Approved
        );
        drop(store);
        // Reopening keeps everything and does not migrate twice.
        let store = Store::open(&path).unwrap();
        let r = store.read(|c| request_required(c, id)).unwrap();
        assert_eq!(r.state, State::Approved);
        assert_eq!(store.read(|c| events(c, id)).unwrap().len(), 1);
    }

    #[test]
    fn confirmed_contacts_are_stored() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        let mut new = new_request(2);
        new.email = "buh@example.ru".into();
        new.phone = Some("+7 (495) 123-45-67".into());
        new.contacts_confirmed = true;
        let id = store.write(|tx| insert_request(tx, &new)).unwrap();
        let r = store.read(|c| request_required(c, id)).unwrap();
        assert_eq!(r.email, "buh@example.ru");
        assert_eq!(r.phone.as_deref(), Some("+7 (495) 123-45-67"));
        assert!(r.contacts_confirmed);
    }

    #[test]
    fn a_version_1_database_opens_and_keeps_its_requests() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        // A database as the first version of this program left it, with one request.
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(MIGRATIONS[0]).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute(
            "INSERT INTO requests (agent_id, transaction_id, kind, cert_req_id, key_type, \
             subject, subject_der, public_key, email, inn, protection, state, created_at) \
             VALUES (5282, ?1, 'kur', 0, 'gost2012-256', 'CN=x', x'3000', x'01', \
             'old@example.ru', '7707083893', 'signature', 'waiting', 100)",
            [vec![7u8; 16]],
        )
        .unwrap();
        drop(conn);

        let store = Store::open(&path).unwrap();
        let version: i64 = store
            .read(|c| Ok(c.pragma_query_value(None, "user_version", |row| row.get(0))?))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
        let old = store
            .read(|c| request_by_transaction(c, &[7; 16]))
            .unwrap()
            .expect("the old request");
        assert_eq!(old.email, "old@example.ru");
        assert_eq!(old.phone, None);
        assert!(!old.contacts_confirmed);
        // New requests go in next to it.
        let mut new = new_request(8);
        new.phone = Some("+74951234567".into());
        new.contacts_confirmed = true;
        let id = store.write(|tx| insert_request(tx, &new)).unwrap();
        assert!(
            store
                .read(|c| request_required(c, id))
                .unwrap()
                .contacts_confirmed
        );
        let check: String = store
            .read(|c| Ok(c.query_row("PRAGMA integrity_check", [], |row| row.get(0))?))
            .unwrap();
        assert_eq!(check, "ok");
    }

    #[test]
    fn refuses_a_newer_schema() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        drop(conn);
        assert!(matches!(
            Store::open(&path),
            Err(Error::SchemaTooNew { found: 99, .. })
        ));
    }

    #[test]
    fn text_enums_round_trip() {
        for s in [
            State::Waiting,
            State::Approved,
            State::Rejected,
            State::Issued,
            State::Confirmed,
            State::Expired,
        ] {
            assert_eq!(s.as_str().parse::<State>().unwrap(), s);
        }
        assert!("lost".parse::<State>().is_err());
    }
}
