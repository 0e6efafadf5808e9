//! The CMP service of docs/bank-protocol.md: one request message in, one response out,
//! and the pickup page behind the e-mailed link.
//!
//! Nothing a client sends can make this panic or change a request it is not entitled to
//! change: every message is decoded, version-, nonce- and protection-checked before its
//! body is looked at, and every refusal becomes a CMP `error` message with a failure
//! reason and an explanation. The CA's own failures (a broken database) are answered
//! with `systemFailure`, or with HTTP 500 when not even that can be made.

use std::time::{Duration, SystemTime};

use cmp::body::{CertStatus as ConfStatus, PkiBody};
use cmp::crmf::CertReqMsg;
use cmp::der::asn1::OctetString;
use cmp::protection::{self, ProtectionVerifier, StandardVerifier};
use cmp::respond::{self, ResponseKind};
use cmp::utf8_pairs::{self, Utf8Pairs};
use cmp::x509_cert::request::CertReq;
use cmp::{FailureReason, PkiMessage, ReceiveError, Received};
use der::asn1::ObjectIdentifier;
use der::{Decode, Encode};
use spki::SubjectPublicKeyInfoOwned;
use x509_cert::Certificate;
use x509_cert::ext::Extensions;
use x509_cert::ext::pkix::SubjectAltName;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::name::Name;

use crate::agents::{Agent, KeyType};
use crate::ca::{Ca, expire};
use crate::clock::{format_rfc3339, from_unix_seconds, unix_seconds};
use crate::error::{Error, Result};
use crate::keys::RsaSignature;
use crate::rules::{self, PickupVerdict};
use crate::store::{
    self, CertStatus, CertificateRow, ClientSecret, Protection, Request, RequestKind, State,
};

/// Length of `transactionID` and `senderNonce` (docs/bank-protocol.md).
const ID_LEN: usize = 16;
/// `id-regCtrl-oldCertID` (RFC 4211 section 6.5).
const OLD_CERT_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.5.1.5");
/// `extensionRequest` (PKCS#9), where a PKCS#10 request carries its extensions.
const EXTENSION_REQUEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.14");

/// What the HTTP layer sends back for a CMP POST.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CmpReply {
    /// No bank with this agentId: HTTP 404.
    UnknownAgent,
    /// A DER `PKIMessage` to send with HTTP 200.
    Message(Vec<u8>),
}

/// What the HTTP layer sends back for a pickup link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PickupPage {
    /// 200, 404 or 410.
    pub status: u16,
    /// Plain text.
    pub text: String,
}

/// The longest text of a client's `error` message kept in the request's history.
const MAX_REPORT_CHARS: usize = 512;

/// Service settings.
#[derive(Clone, Copy, Debug)]
pub struct ServiceOptions {
    /// The `checkAfter` of `pollRep`.
    pub check_after: Duration,
    /// How far the `messageTime` of a protected message may be from the CA's clock
    /// (RFC 9483 section 3.5); `None` turns the check off, for a CA whose clock is moved
    /// away from its clients' (training, tests of the day limits). Nonces are remembered
    /// for twice this long: an older replay is refused by its time.
    pub message_time_window: Option<Duration>,
}

impl Default for ServiceOptions {
    fn default() -> Self {
        Self {
            check_after: Duration::from_secs(5),
            message_time_window: Some(Duration::from_secs(600)),
        }
    }
}

/// How long nonces are remembered when the `messageTime` check is off.
const NONCE_MEMORY_WITHOUT_WINDOW: Duration = Duration::from_secs(7 * 86_400);

/// Why a client's message is refused: becomes a CMP `error` message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// The failure reasons.
    pub failures: Vec<FailureReason>,
    /// The bank's own `errorCode`, for the time-limit rules.
    pub code: Option<i64>,
    /// The explanation.
    pub text: String,
}

impl Refusal {
    fn new(failure: FailureReason, text: impl Into<String>) -> Self {
        Self {
            failures: vec![failure],
            code: None,
            text: text.into(),
        }
    }

    fn link_expired(agent: Option<&Agent>) -> Self {
        let phone = agent
            .map(|a| format!(" (phone {})", a.support_phone))
            .unwrap_or_default();
        Self {
            failures: vec![FailureReason::BadRequest],
            code: Some(rules::ERROR_LINK_EXPIRED),
            text: format!(
                "the pickup link is older than 2 days and no longer works; ask the bank to send the link again{phone}"
            ),
        }
    }

    fn request_expired() -> Self {
        Self {
            failures: vec![FailureReason::BadRequest],
            code: Some(rules::ERROR_REQUEST_EXPIRED),
            text: "the certificate was issued more than 3 days ago and was never saved; it is void and the request must be made again".into(),
        }
    }
}

/// An internal failure while answering: reported as `systemFailure`, logged in full.
impl From<Error> for Refusal {
    fn from(error: Error) -> Self {
        tracing::error!("internal failure while answering a CMP request: {error}");
        Self::new(
            FailureReason::SystemFailure,
            "the bank's service failed; try again later",
        )
    }
}

type Checked<T> = std::result::Result<T, Refusal>;

/// What the answer says, before it is put into a message.
enum Reply {
    Waiting {
        kind: ResponseKind,
        cert_req_id: i64,
        text: String,
    },
    Granted {
        kind: ResponseKind,
        cert_req_id: i64,
        certificate: Box<Certificate>,
        issuer: Box<Certificate>,
    },
    Rejected {
        kind: ResponseKind,
        cert_req_id: i64,
        text: String,
    },
    PollRep {
        cert_req_id: i64,
        check_after: Duration,
        text: String,
    },
    PkiConf,
}

/// How the request was protected, after verification.
enum Protected {
    None,
    /// MAC-protected with a client's secret; the answer is MAC-protected with it too.
    Pbm(ClientSecret),
    /// Signed by the key of `certificate`, which this CA issued if `row` is set.
    Signature {
        certificate: Box<Certificate>,
        row: Option<CertificateRow>,
    },
}

/// How the answer is protected.
enum AnswerProtection {
    Signature,
    Pbm(ClientSecret),
    /// Only for bytes that are not a DER `PKIMessage`: there is no request to bind an
    /// answer to, and signing whatever arrives would let anyone spend the CA's CPU on
    /// RSA signatures at will.
    None,
}

/// What every follow-up is checked against: its transaction and nonce (their lengths
/// already checked), and the CA's time and settings.
struct Asking<'a> {
    transaction_id: &'a [u8],
    nonce: &'a [u8],
    now: SystemTime,
    options: &'a ServiceOptions,
}

/// What a follow-up message asks, which decides the protection it needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FollowUp {
    /// `pollReq`: the state and, once issued, the certificate, which the pickup link
    /// promises its holder; it may come unprotected and without `recipNonce`.
    Poll,
    /// `certConf`: accepts or refuses the certificate, which only the requester may.
    Confirm,
    /// `error`: the client reports a failure into the request's history.
    Report,
}

fn kind_of(request: &Request) -> ResponseKind {
    match request.kind {
        RequestKind::Ir => ResponseKind::Ip,
        RequestKind::Cr | RequestKind::P10cr => ResponseKind::Cp,
        RequestKind::Kur => ResponseKind::Kup,
    }
}

fn hash_with(algorithm: &spki::AlgorithmIdentifierOwned, der: &[u8]) -> Checked<Vec<u8>> {
    use sha2::Digest;
    let oid = algorithm.oid;
    if oid == cmp::oid::SHA256 {
        Ok(sha2::Sha256::digest(der).to_vec())
    } else if oid == cmp::oid::SHA384 {
        Ok(sha2::Sha384::digest(der).to_vec())
    } else if oid == cmp::oid::SHA512 {
        Ok(sha2::Sha512::digest(der).to_vec())
    } else if oid == gost3410::oid::STREEBOG_256 {
        Ok(gost3410::streebog_digest(gost3410::KeySize::Gost256, der))
    } else if oid == gost3410::oid::STREEBOG_512 {
        Ok(gost3410::streebog_digest(gost3410::KeySize::Gost512, der))
    } else {
        Err(Refusal::new(
            FailureReason::BadAlg,
            format!("the certificate hash algorithm {oid} is not supported"),
        ))
    }
}

/// Whether the `certConf` entry's hash is the hash of `certificate`: with its `hashAlg`
/// when given (version 3), otherwise with the hash of the certificate's signature
/// algorithm (SHA-256 for sha256WithRSA, Streebog-256 for GOST 2012-256).
fn hash_matches(certificate: &Certificate, status: &ConfStatus) -> Checked<bool> {
    let der = certificate.to_der().map_err(Error::from)?;
    let expected = match &status.hash_alg {
        Some(algorithm) => hash_with(algorithm, &der)?,
        None => cmp::build::cert_hash(certificate).map_err(Error::from)?.0,
    };
    Ok(expected == status.cert_hash.as_bytes())
}

/// E-mail addresses in the subjectAltName of `extensions`.
fn alt_emails(extensions: &Extensions) -> Vec<String> {
    extensions
        .iter()
        .filter(|e| e.extn_id == const_oid::db::rfc5280::ID_CE_SUBJECT_ALT_NAME)
        .filter_map(|e| SubjectAltName::from_der(e.extn_value.as_bytes()).ok())
        .flat_map(|san| san.0)
        .filter_map(|name| match name {
            GeneralName::Rfc822Name(email) => Some(email.to_string()),
            _ => None,
        })
        .collect()
}

/// E-mail addresses in a PKCS#10 request's `extensionRequest`.
fn csr_emails(csr: &CertReq) -> Vec<String> {
    csr.info
        .attributes
        .iter()
        .filter(|attr| attr.oid == EXTENSION_REQUEST)
        .flat_map(|attr| attr.values.iter())
        .filter_map(|value| value.to_der().ok())
        .filter_map(|der| Extensions::from_der(&der).ok())
        .flat_map(|extensions| alt_emails(&extensions))
        .collect()
}

/// Verifies the signature of a PKCS#10 request: its proof of possession.
fn verify_csr(csr: &CertReq) -> std::result::Result<(), cmp::ProtectionError> {
    let data = csr.info.to_der()?;
    let signature = csr
        .signature
        .as_bytes()
        .ok_or(cmp::ProtectionError::BadSignature)?;
    StandardVerifier.verify(&csr.algorithm, &csr.info.public_key, &data, signature)
}

/// `CertId ::= SEQUENCE { issuer GeneralName, serialNumber INTEGER }` (RFC 4211 6.5).
#[derive(der::Sequence)]
struct CertId {
    issuer: GeneralName,
    serial_number: der::asn1::Int,
}

/// What the first message of a request asks for.
struct Asked {
    kind: RequestKind,
    cert_req_id: i64,
    subject: Option<Name>,
    public_key: SubjectPublicKeyInfoOwned,
    emails: Vec<String>,
    old_cert_id: Option<CertId>,
    contacts: Contacts,
}

/// The contacts a client confirmed in its request (R2.4), from the `email` and `phone`
/// utf8Pairs of its `regInfo` (docs/bank-protocol.md).
#[derive(Default)]
struct Contacts {
    email: Option<String>,
    phone: Option<String>,
}

impl Contacts {
    fn given(&self) -> bool {
        self.email.is_some() || self.phone.is_some()
    }
}

/// A client's text in a refusal: quoted, control characters escaped, and cut short.
fn quoted(text: &str) -> String {
    const SHOWN: usize = 80;
    let cut: String = text.chars().take(SHOWN).collect();
    if cut.len() < text.len() {
        format!("{cut:?}...")
    } else {
        format!("{cut:?}")
    }
}

/// Reads and checks the contacts in `reg_info`. Pairs with other names are left alone
/// (RFC 4211 leaves their meaning to the CA); a pair that cannot be read, or a contact
/// that is not plausible, refuses the request, so that a link is never mailed to an
/// address the client did not mean.
fn contacts_of(reg_info: Option<&[x509_cert::attr::AttributeTypeAndValue]>) -> Checked<Contacts> {
    let Some(reg_info) = reg_info else {
        return Ok(Contacts::default());
    };
    let unreadable = |e: cmp::Utf8PairsError| {
        Refusal::new(
            FailureReason::BadDataFormat,
            format!("the contacts in the request's regInfo cannot be read: {e}"),
        )
    };
    let Some(pairs) = Utf8Pairs::from_reg_info(reg_info).map_err(unreadable)? else {
        return Ok(Contacts::default());
    };
    // One contact, trimmed, refused with `why` when it is not plausible.
    let contact = |name: &str, plausible: fn(&str) -> bool, why: &str| -> Checked<Option<&str>> {
        match pairs.get(name).map_err(unreadable)?.map(str::trim) {
            Some(value) if !plausible(value) => Err(Refusal::new(
                FailureReason::BadRequest,
                why.replace("{}", &quoted(value)),
            )),
            value => Ok(value),
        }
    };
    let email = contact(
        utf8_pairs::names::EMAIL,
        rules::plausible_email,
        "the e-mail address {} in the request's contacts is not valid; the link to save the certificate is sent there",
    )?;
    let phone = contact(
        utf8_pairs::names::PHONE,
        rules::plausible_phone,
        "the phone number {} in the request's contacts is not valid: write it with the city or mobile code, 5 to 15 digits",
    )?;
    Ok(Contacts {
        email: email.map(str::to_owned),
        phone: phone.map(str::to_owned),
    })
}

fn asked_by_crmf(kind: RequestKind, requests: &[CertReqMsg]) -> Checked<Asked> {
    let [request] = requests else {
        return Err(Refusal::new(
            FailureReason::BadRequest,
            "the bank accepts exactly one certificate request per message",
        ));
    };
    protection::verify_signature_pop(request).map_err(|e| {
        Refusal::new(
            FailureReason::BadPop,
            format!("the proof of possession of the new key does not verify: {e}"),
        )
    })?;
    let template = &request.cert_req.cert_template;
    let public_key = template.public_key.clone().ok_or_else(|| {
        Refusal::new(
            FailureReason::BadCertTemplate,
            "the request does not contain the public key to certify",
        )
    })?;
    let mut old_cert_id = None;
    for control in request.cert_req.controls.iter().flatten() {
        if control.oid == OLD_CERT_ID {
            let der = control.value.to_der().map_err(Error::from)?;
            old_cert_id = Some(CertId::from_der(&der).map_err(|_| {
                Refusal::new(
                    FailureReason::BadDataFormat,
                    "the oldCertID control cannot be read",
                )
            })?);
        }
    }
    let contacts = contacts_of(request.reg_info.as_deref())?;
    Ok(Asked {
        kind,
        cert_req_id: request.cert_req.cert_req_id,
        subject: template.subject.clone(),
        public_key,
        emails: template
            .extensions
            .as_ref()
            .map(alt_emails)
            .unwrap_or_default(),
        old_cert_id,
        contacts,
    })
}

/// The words for a request still waiting: the bank decides after the signed application
/// has arrived (N2.7).
fn waiting_text(agent: &Agent) -> String {
    match &agent.operations_email {
        Some(email) => format!(
            "Запрос ожидает решения банка. Банк обработает его после получения скана подписанного заявления на {email}."
        ),
        None => "Запрос ожидает решения банка.".into(),
    }
}

impl Ca {
    /// Answers one CMP request body POSTed to the bank `agent_id`.
    ///
    /// Errors only when the CA itself fails so badly that not even a CMP `error` message
    /// can be made (the HTTP layer answers 500).
    pub fn handle_cmp(
        &self,
        agent_id: &str,
        body: &[u8],
        options: &ServiceOptions,
    ) -> Result<CmpReply> {
        let Some(agent) = self.agents().find(agent_id) else {
            return Ok(CmpReply::UnknownAgent);
        };
        let now = match self.now() {
            Ok(now) => now,
            Err(e) => {
                tracing::error!("{e}");
                SystemTime::now()
            }
        };
        let request = match Received::from_der(body) {
            Ok(request) => request,
            Err(e) => {
                tracing::info!(agent = agent.id, "unreadable CMP request: {e}");
                let header =
                    respond::unsolicited_header(self.sender(), cmp::build::null_dn(), now)?;
                let text = match e {
                    ReceiveError::NotDer => {
                        "the request is not DER-encoded; CMP messages are DER (RFC 9811)".into()
                    }
                    ReceiveError::Malformed(e) => {
                        format!("the request is not a DER-encoded PKIMessage: {e}")
                    }
                };
                let message =
                    respond::error(header, &[FailureReason::BadDataFormat], None, vec![text])?;
                return Ok(CmpReply::Message(
                    self.seal(message, &AnswerProtection::None)?,
                ));
            }
        };
        let header = respond::response_header(&request.header, self.sender(), now)?;
        let ca_nonce = header
            .sender_nonce
            .as_ref()
            .map(|n| n.as_bytes().to_vec())
            .unwrap_or_default();
        let mut answer_protection = AnswerProtection::Signature;
        let mut request_id = None;
        let outcome = self.process(
            agent,
            &request,
            now,
            &ca_nonce,
            options,
            &mut answer_protection,
            &mut request_id,
        );
        if let Err(refusal) = &outcome {
            tracing::info!(
                agent = agent.id,
                kind = request.kind().rfc_name(),
                code = refusal.code,
                "refused: {}",
                refusal.text
            );
        }
        let message = match outcome {
            Ok(reply) => {
                if let Some(id) = request_id {
                    self.store
                        .write(|tx| store::set_ca_nonce(tx, id, &ca_nonce))?;
                }
                self.build_reply(header, reply)?
            }
            Err(refusal) => {
                // The nonce of a refused exchange is not recorded as the CA's latest: a
                // client that sent a stray message may go on with its previous nonce.
                respond::error(header, &refusal.failures, refusal.code, vec![refusal.text])?
            }
        };
        Ok(CmpReply::Message(self.seal(message, &answer_protection)?))
    }

    fn sender(&self) -> GeneralName {
        GeneralName::DirectoryName(self.rsa_cert.tbs_certificate().subject().clone())
    }

    fn build_reply(&self, header: cmp::PkiHeader, reply: Reply) -> Result<PkiMessage> {
        Ok(match reply {
            Reply::Waiting {
                kind,
                cert_req_id,
                text,
            } => respond::waiting(header, kind, cert_req_id, vec![text])?,
            Reply::Granted {
                kind,
                cert_req_id,
                certificate,
                issuer,
            } => respond::granted(header, kind, cert_req_id, *certificate, Some(vec![*issuer]))?,
            Reply::Rejected {
                kind,
                cert_req_id,
                text,
            } => respond::rejection(header, kind, cert_req_id, &[], vec![text])?,
            Reply::PollRep {
                cert_req_id,
                check_after,
                text,
            } => respond::poll_rep(header, cert_req_id, check_after, vec![text]),
            Reply::PkiConf => respond::pki_conf(header),
        })
    }

    /// Protects and encodes an answer.
    fn seal(&self, mut message: PkiMessage, protection: &AnswerProtection) -> Result<Vec<u8>> {
        match protection {
            AnswerProtection::None => {}
            AnswerProtection::Pbm(secret) => {
                protection::protect_with_pbm(
                    &mut message,
                    secret.reference.as_bytes(),
                    secret.secret.as_bytes(),
                )?;
            }
            AnswerProtection::Signature => {
                message.header.sender_kid = match &self.rsa_key_id {
                    Some(id) => Some(OctetString::new(id.clone())?),
                    None => None,
                };
                protection::protect_with_signature::<_, RsaSignature>(
                    &mut message,
                    &self.rsa,
                    vec![self.rsa_cert.clone()],
                )?;
            }
        }
        Ok(message.to_der()?)
    }

    #[allow(clippy::too_many_arguments)]
    fn process(
        &self,
        agent: &Agent,
        request: &Received,
        now: SystemTime,
        ca_nonce: &[u8],
        options: &ServiceOptions,
        answer_protection: &mut AnswerProtection,
        request_id: &mut Option<i64>,
    ) -> Checked<Reply> {
        let header = &request.header;
        if !matches!(header.pvno, 2 | 3) {
            return Err(Refusal::new(
                FailureReason::UnsupportedVersion,
                format!(
                    "protocol version {} is not supported; use 2 or 3",
                    header.pvno
                ),
            ));
        }
        let transaction_id = match &header.transaction_id {
            Some(id) if id.as_bytes().len() == ID_LEN => id.as_bytes().to_vec(),
            _ => {
                return Err(Refusal::new(
                    FailureReason::BadRequest,
                    "every message needs a 16-byte transactionID",
                ));
            }
        };
        let nonce = match &header.sender_nonce {
            Some(nonce) if nonce.as_bytes().len() == ID_LEN => nonce.as_bytes().to_vec(),
            _ => {
                return Err(Refusal::new(
                    FailureReason::BadSenderNonce,
                    "every message needs a fresh 16-byte senderNonce",
                ));
            }
        };
        let seen_at = unix_seconds(now);
        let protected = self.verify_protection(agent, request)?;
        if let Protected::Pbm(secret) = &protected {
            *answer_protection = AnswerProtection::Pbm(secret.clone());
        }
        let asked = Asking {
            transaction_id: &transaction_id,
            nonce: &nonce,
            now,
            options,
        };
        match &request.body {
            PkiBody::P10cr(_) | PkiBody::Ir(_) | PkiBody::Cr(_) | PkiBody::Kur(_) => {
                let (reply, id) =
                    self.new_request(agent, request, &transaction_id, &protected, now, ca_nonce)?;
                *request_id = Some(id);
                Ok(reply)
            }
            PkiBody::PollReq(entries) => {
                let stored = self.follow_up(agent, request, &asked, &protected, FollowUp::Poll)?;
                *request_id = Some(stored.id);
                let asked = entries.first().map(|e| e.cert_req_id).ok_or_else(|| {
                    Refusal::new(FailureReason::BadRequest, "the pollReq asks about nothing")
                })?;
                self.poll(agent, stored, asked, now, options)
            }
            PkiBody::CertConf(statuses) => {
                let stored =
                    self.follow_up(agent, request, &asked, &protected, FollowUp::Confirm)?;
                *request_id = Some(stored.id);
                self.confirm(agent, stored, statuses, now)
            }
            PkiBody::Error(content) => {
                let stored =
                    self.follow_up(agent, request, &asked, &protected, FollowUp::Report)?;
                *request_id = Some(stored.id);
                let mut what = format!("the client reported an error: {}", content.pki_status_info);
                for detail in content.error_details.iter().flatten() {
                    what.push_str(" / ");
                    what.push_str(detail);
                }
                if let Some((cut, _)) = what.char_indices().nth(MAX_REPORT_CHARS) {
                    what.truncate(cut);
                    what.push('…');
                }
                self.store
                    .write(|tx| store::add_event(tx, Some(stored.id), seen_at, "client", &what))?;
                Ok(Reply::PkiConf)
            }
            other => Err(Refusal::new(
                FailureReason::BadRequest,
                format!("the bank does not accept {} here", other.kind()),
            )),
        }
    }

    /// Verifies the message's protection, whatever it is; whether that protection is
    /// enough for the message is decided by the caller.
    fn verify_protection(&self, agent: &Agent, request: &Received) -> Checked<Protected> {
        let header = &request.header;
        match (&header.protection_alg, &request.protection) {
            (None, None) => Ok(Protected::None),
            (Some(algorithm), Some(_)) if algorithm.oid == cmp::oid::PASSWORD_BASED_MAC => {
                let not_issued = || {
                    Refusal::new(
                        FailureReason::BadMessageCheck,
                        "the reference (senderKID) is not one this bank issued",
                    )
                };
                let reference = header
                    .sender_kid
                    .as_ref()
                    .and_then(|kid| std::str::from_utf8(kid.as_bytes()).ok())
                    .ok_or_else(not_issued)?;
                let secret = self
                    .store
                    .read(|c| store::client_secret(c, agent.id, reference))?
                    .ok_or_else(not_issued)?;
                protection::verify_pbm(request, secret.secret.as_bytes())
                    .map_err(|e| Refusal::new(FailureReason::BadMessageCheck, e.to_string()))?;
                Ok(Protected::Pbm(secret))
            }
            (Some(_), Some(_)) => {
                let certificate = request
                    .extra_certs
                    .as_ref()
                    .and_then(|certs| certs.first())
                    .ok_or_else(|| {
                        Refusal::new(
                            FailureReason::BadMessageCheck,
                            "the message is signed, but the signer's certificate is not the first of extraCerts",
                        )
                    })?;
                protection::verify_signature_protection(request, certificate)
                    .map_err(|e| Refusal::new(FailureReason::BadMessageCheck, e.to_string()))?;
                let der = certificate.to_der().map_err(Error::from)?;
                let row = self.store.read(|c| store::certificate_by_der(c, &der))?;
                Ok(Protected::Signature {
                    certificate: Box::new(certificate.clone()),
                    row,
                })
            }
            _ => Err(Refusal::new(
                FailureReason::BadMessageCheck,
                "protectionAlg and protection must both be present or both absent",
            )),
        }
    }

    /// A protected follow-up must be fresh (RFC 9483 section 3.5): its `messageTime` within
    /// the window of the CA's clock, and its `senderNonce` never seen. The nonce is
    /// remembered only now, after the protection verified, so nobody without a key or
    /// secret can fill the table; nonces older than twice the window are forgotten,
    /// since a message that old is refused by its time.
    fn check_fresh(&self, request: &Received, asked: &Asking<'_>) -> Checked<()> {
        let (nonce, now) = (asked.nonce, asked.now);
        let memory = match asked.options.message_time_window {
            Some(window) => {
                let Some(sent) = &request.header.message_time else {
                    return Err(Refusal::new(
                        FailureReason::BadTime,
                        "a protected message needs its messageTime",
                    ));
                };
                let sent = sent.to_system_time();
                let skew = sent
                    .duration_since(now)
                    .or_else(|_| now.duration_since(sent))
                    .unwrap_or(Duration::MAX);
                if skew > window {
                    return Err(Refusal::new(
                        FailureReason::BadTime,
                        format!(
                            "the message's time {} is more than {} minutes from the bank's {}; check the computer's clock",
                            format_rfc3339(sent),
                            window.as_secs() / 60,
                            format_rfc3339(now)
                        ),
                    ));
                }
                window.saturating_mul(2)
            }
            None => NONCE_MEMORY_WITHOUT_WINDOW,
        };
        let at = unix_seconds(now);
        let forget_before = at.saturating_sub(i64::try_from(memory.as_secs()).unwrap_or(i64::MAX));
        if !self
            .store
            .write(|tx| store::record_nonce(tx, nonce, at, forget_before))?
        {
            return Err(Refusal::new(
                FailureReason::BadSenderNonce,
                "this senderNonce was used before: the message is a replay",
            ));
        }
        Ok(())
    }

    /// A certificate this CA issued that may sign requests at `agent` now: accepted by
    /// its owner, not replaced, within its validity.
    fn usable_signer(
        &self,
        agent: &Agent,
        row: Option<&CertificateRow>,
        now: SystemTime,
    ) -> Checked<CertificateRow> {
        let Some(row) = row else {
            return Err(Refusal::new(
                FailureReason::SignerNotTrusted,
                "the message is signed with a certificate this CA did not issue",
            ));
        };
        let issued_here = self
            .store
            .read(|c| store::request(c, row.request_id))?
            .is_some_and(|r| r.agent_id == agent.id);
        if !issued_here {
            return Err(Refusal::new(
                FailureReason::SignerNotTrusted,
                "the signing certificate was issued for another bank",
            ));
        }
        let now = unix_seconds(now);
        let why = match row.status {
            CertStatus::Active if now < row.not_before => Some("is not valid yet"),
            CertStatus::Active if now > row.not_after => Some("has expired"),
            CertStatus::Active => None,
            CertStatus::Pending => Some("was never accepted by its owner"),
            CertStatus::Void => Some("is void"),
            CertStatus::Replaced => Some("was replaced by a renewed certificate"),
        };
        match why {
            Some(why) => Err(Refusal::new(
                FailureReason::SignerNotTrusted,
                format!("the signing certificate {why}"),
            )),
            None => Ok(row.clone()),
        }
    }

    fn new_request(
        &self,
        agent: &Agent,
        request: &Received,
        transaction_id: &[u8],
        protected: &Protected,
        now: SystemTime,
        ca_nonce: &[u8],
    ) -> Checked<(Reply, i64)> {
        if self
            .store
            .read(|c| store::request_by_transaction(c, transaction_id))?
            .is_some()
        {
            return Err(Refusal::new(
                FailureReason::TransactionIdInUse,
                "this transactionID belongs to an earlier request; a new request needs a new transactionID",
            ));
        }
        let asked = match &request.body {
            PkiBody::P10cr(csr) => {
                verify_csr(csr).map_err(|e| {
                    Refusal::new(
                        FailureReason::BadPop,
                        format!("the PKCS#10 request's signature does not verify: {e}"),
                    )
                })?;
                Asked {
                    kind: RequestKind::P10cr,
                    cert_req_id: cmp::build::P10CR_CERT_REQ_ID,
                    subject: Some(csr.info.subject.clone()),
                    public_key: csr.info.public_key.clone(),
                    emails: csr_emails(csr),
                    old_cert_id: None,
                    contacts: Contacts::default(),
                }
            }
            PkiBody::Ir(msgs) => asked_by_crmf(RequestKind::Ir, msgs)?,
            PkiBody::Cr(msgs) => asked_by_crmf(RequestKind::Cr, msgs)?,
            PkiBody::Kur(msgs) => asked_by_crmf(RequestKind::Kur, msgs)?,
            _ => {
                return Err(Refusal::new(
                    FailureReason::BadRequest,
                    "not a certificate request",
                ));
            }
        };
        let (protection, signer) = match protected {
            Protected::None if asked.kind == RequestKind::Kur => {
                return Err(Refusal::new(
                    FailureReason::NotAuthorized,
                    "a renewal must be signed with the current certificate's key",
                ));
            }
            Protected::Pbm(_) if asked.kind == RequestKind::Kur => {
                return Err(Refusal::new(
                    FailureReason::WrongIntegrity,
                    "a renewal must be signed with the current certificate's key, not MAC-protected",
                ));
            }
            Protected::None => (Protection::None, None),
            Protected::Pbm(secret) if secret.request_id.is_some() => {
                return Err(Refusal::new(
                    FailureReason::NotAuthorized,
                    "this reference and secret protected an earlier request; each protects one request: ask the bank for new ones",
                ));
            }
            Protected::Pbm(_) => (Protection::Pbm, None),
            Protected::Signature { row, .. } => {
                let row = self.usable_signer(agent, row.as_ref(), now)?;
                (Protection::Signature, Some(row))
            }
        };
        let mut subject = asked.subject.clone();
        if asked.kind == RequestKind::Kur {
            let (Protected::Signature { certificate, .. }, Some(old)) = (protected, &signer) else {
                return Err(Refusal::new(
                    FailureReason::NotAuthorized,
                    "a renewal must be signed",
                ));
            };
            let old_subject = certificate.tbs_certificate().subject();
            if subject.as_ref().is_some_and(|s| s != old_subject) {
                return Err(Refusal::new(
                    FailureReason::BadCertTemplate,
                    "a renewed certificate keeps the subject of the current one",
                ));
            }
            subject = Some(old_subject.clone());
            if let Some(id) = &asked.old_cert_id {
                let issuer_matches = match &id.issuer {
                    GeneralName::DirectoryName(name) => {
                        name == certificate.tbs_certificate().issuer()
                    }
                    _ => false,
                };
                let serial_matches = hex::encode(id.serial_number.as_bytes()) == old.serial;
                if !(issuer_matches && serial_matches) {
                    return Err(Refusal::new(
                        FailureReason::BadCertId,
                        "oldCertID names another certificate than the one that signed the request",
                    ));
                }
            }
            if certificate.tbs_certificate().subject_public_key_info() == &asked.public_key {
                return Err(Refusal::new(
                    FailureReason::BadCertTemplate,
                    "a renewal needs a new key; this is the key of the current certificate",
                ));
            }
        }
        let subject = subject.ok_or_else(|| {
            Refusal::new(FailureReason::BadCertTemplate, "the request has no subject")
        })?;
        let key_type = KeyType::of_public_key(&asked.public_key).map_err(|what| {
            Refusal::new(
                FailureReason::BadAlg,
                format!("the bank cannot certify {what}"),
            )
        })?;
        if !agent.accepts(key_type) {
            let accepted: Vec<&str> = agent.key_types.iter().map(|k| k.name()).collect();
            return Err(Refusal::new(
                FailureReason::BadAlg,
                format!(
                    "{} does not accept {key_type} keys; accepted: {}",
                    agent.name,
                    accepted.join(", ")
                ),
            ));
        }
        // The confirmed e-mail counts as the request's address even when the subject
        // has none; when given, it is where the link goes.
        let mut emails = asked.emails.clone();
        emails.extend(asked.contacts.email.iter().cloned());
        let facts = rules::check_subject(&subject, &emails)
            .map_err(|why| Refusal::new(FailureReason::BadCertTemplate, why.to_string()))?;
        let email = asked
            .contacts
            .email
            .clone()
            .unwrap_or_else(|| facts.email.clone());
        let created_at = unix_seconds(now);
        let new = store::NewRequest {
            agent_id: agent.id,
            transaction_id: transaction_id.to_vec(),
            kind: asked.kind,
            cert_req_id: asked.cert_req_id,
            key_type,
            subject: rules::describe_name(&subject),
            subject_der: subject.to_der().map_err(Error::from)?,
            public_key: asked.public_key.to_der().map_err(Error::from)?,
            email: email.clone(),
            phone: asked.contacts.phone.clone(),
            contacts_confirmed: asked.contacts.given(),
            inn: facts.inn.clone(),
            protection,
            signer_cert_id: signer.as_ref().map(|s| s.id),
            created_at,
            ca_nonce: ca_nonce.to_vec(),
        };
        let id = self.store.write(|tx| {
            // Checked again inside the transaction: two racing requests with one
            // transactionID cannot both be stored (the column is UNIQUE as well).
            if store::request_by_transaction(tx, transaction_id)?.is_some() {
                return Ok(None);
            }
            let id = store::insert_request(tx, &new)?;
            // A secret is spent by the first request it protects, in the same
            // transaction: two racing requests cannot both spend it.
            if let Protected::Pbm(secret) = protected
                && !store::spend_client_secret(tx, &secret.reference, id)?
            {
                return Err(Error::Task("the client secret was spent meanwhile".into()));
            }
            let mut what = format!(
                "received {} for a {key_type} key, e-mail {email}",
                asked.kind
            );
            if asked.contacts.given() {
                what.push_str(" (confirmed by the client)");
            }
            if let Some(phone) = &asked.contacts.phone {
                what.push_str(&format!(", phone {phone}"));
            }
            store::add_event(tx, Some(id), created_at, "client", &what)?;
            Ok(Some(id))
        })?;
        let Some(id) = id else {
            return Err(Refusal::new(
                FailureReason::TransactionIdInUse,
                "this transactionID belongs to an earlier request",
            ));
        };
        tracing::info!(agent = agent.id, request = id, "new {} request", asked.kind);
        let kind = match asked.kind {
            RequestKind::Ir => ResponseKind::Ip,
            RequestKind::Cr | RequestKind::P10cr => ResponseKind::Cp,
            RequestKind::Kur => ResponseKind::Kup,
        };
        Ok((
            Reply::Waiting {
                kind,
                cert_req_id: asked.cert_req_id,
                text: waiting_text(agent),
            },
            id,
        ))
    }

    /// The stored request a `pollReq`, `certConf` or `error` continues, after the nonce
    /// and protection rules of docs/bank-protocol.md (crates/bankca/README.md, "Who may
    /// do what").
    ///
    /// A first request is never taken twice anyway (its transactionID is stored:
    /// transactionIdInUse), and one a client kept and sends again after an interruption,
    /// hours later, must still be taken: freshness is asked of protected follow-ups
    /// only, and only once the sender is found entitled to the transaction, so that a
    /// key nobody vouches for cannot fill the nonce table.
    fn follow_up(
        &self,
        agent: &Agent,
        request: &Received,
        asked: &Asking<'_>,
        protected: &Protected,
        asks: FollowUp,
    ) -> Checked<Request> {
        let stored = self
            .store
            .read(|c| store::request_by_transaction(c, asked.transaction_id))?
            .filter(|r| r.agent_id == agent.id)
            // badCertId: the request the message names is not one the bank knows (a
            // mistyped link, or a request that never arrived); the client tells it from
            // a refusal of a request the bank does know.
            .ok_or_else(|| {
                Refusal::new(
                    FailureReason::BadCertId,
                    "the bank has no request with this transactionID",
                )
            })?;
        match protected {
            Protected::None => {
                if asks != FollowUp::Poll {
                    return Err(Refusal::new(
                        FailureReason::NotAuthorized,
                        "only the requester may accept, refuse or report on a certificate: sign the message with the key of the new certificate (or, in a renewal, of the old one), or MAC-protect it with the request's own reference and secret",
                    ));
                }
            }
            Protected::Pbm(secret) => {
                if secret.request_id != Some(stored.id) {
                    return Err(Refusal::new(
                        FailureReason::NotAuthorized,
                        "this reference and secret belong to another request",
                    ));
                }
            }
            Protected::Signature { certificate, .. } => {
                let der = certificate.to_der().map_err(Error::from)?;
                let allowed = self.store.read(|c| {
                    let mut allowed = Vec::new();
                    for id in [stored.cert_id, stored.signer_cert_id]
                        .into_iter()
                        .flatten()
                    {
                        if let Some(row) = store::certificate(c, id)? {
                            allowed.push(row.der);
                        }
                    }
                    Ok(allowed)
                })?;
                if !allowed.contains(&der) {
                    return Err(Refusal::new(
                        FailureReason::SignerNotTrusted,
                        "the message is signed with a certificate that is not part of this request",
                    ));
                }
            }
        }
        match &request.header.recip_nonce {
            Some(recip) if stored.ca_nonce.as_deref() != Some(recip.as_bytes()) => {
                return Err(Refusal::new(
                    FailureReason::BadRecipientNonce,
                    "the recipNonce is not the bank's latest senderNonce in this transaction",
                ));
            }
            Some(_) => {}
            // RFC 9483 section 3.1: every message after the first of a transaction
            // carries recipNonce. A poll from the e-mailed link is let off: it may come
            // on another day or computer, knows no nonce yet, and can only fetch.
            None if asks != FollowUp::Poll => {
                return Err(Refusal::new(
                    FailureReason::BadRecipientNonce,
                    "a certConf or error message answers the bank's last message: its recipNonce must be that message's senderNonce",
                ));
            }
            None => {}
        }
        if !matches!(protected, Protected::None) {
            self.check_fresh(request, asked)?;
        }
        Ok(stored)
    }

    /// Applies the time limits to an issued request; marks it expired when the 3-day
    /// limit has passed.
    fn check_time_limits(&self, agent: &Agent, stored: &Request, now: SystemTime) -> Checked<()> {
        let issued = from_unix_seconds(stored.issued_at.unwrap_or(stored.created_at));
        let mailed = stored.mailed_at.map(from_unix_seconds);
        match rules::pickup_verdict(issued, mailed, now) {
            PickupVerdict::Open => Ok(()),
            PickupVerdict::LinkExpired => Err(Refusal::link_expired(Some(agent))),
            PickupVerdict::RequestExpired => {
                let at = unix_seconds(now);
                self.store.write(|tx| {
                    if store::request_required(tx, stored.id)?.state == State::Issued {
                        expire(tx, stored, at)?;
                    }
                    Ok(())
                })?;
                Err(Refusal::request_expired())
            }
        }
    }

    fn issued_certificate(&self, stored: &Request) -> Checked<(Certificate, Certificate)> {
        let row = match stored.cert_id {
            Some(id) => self.store.read(|c| store::certificate(c, id))?,
            None => None,
        };
        let row = row.ok_or_else(|| {
            Refusal::from(Error::Issue(format!(
                "request {} is issued but has no certificate",
                stored.id
            )))
        })?;
        let certificate = Certificate::from_der(&row.der).map_err(Error::from)?;
        let issuer = match row.issuer {
            store::Issuer::Rsa => self.rsa_cert.clone(),
            store::Issuer::Gost => self.gost_cert.clone(),
        };
        Ok((certificate, issuer))
    }

    fn poll(
        &self,
        agent: &Agent,
        stored: Request,
        asked: i64,
        now: SystemTime,
        options: &ServiceOptions,
    ) -> Checked<Reply> {
        // A pickup from a link does not know the certReqId and asks with 0.
        if asked != stored.cert_req_id && asked != 0 {
            return Err(Refusal::new(
                FailureReason::BadRequest,
                format!("the transaction has no certReqId {asked}"),
            ));
        }
        match stored.state {
            State::Waiting | State::Approved => {
                let text = if stored.state == State::Waiting {
                    waiting_text(agent)
                } else {
                    "Запрос одобрен, сертификат выпускается.".into()
                };
                Ok(Reply::PollRep {
                    cert_req_id: asked,
                    check_after: options.check_after,
                    text,
                })
            }
            State::Rejected => Ok(Reply::Rejected {
                kind: kind_of(&stored),
                cert_req_id: stored.cert_req_id,
                text: stored
                    .reason
                    .clone()
                    .unwrap_or_else(|| "the bank rejected the request".into()),
            }),
            State::Issued => {
                self.check_time_limits(agent, &stored, now)?;
                let (certificate, issuer) = self.issued_certificate(&stored)?;
                Ok(Reply::Granted {
                    kind: kind_of(&stored),
                    cert_req_id: stored.cert_req_id,
                    certificate: Box::new(certificate),
                    issuer: Box::new(issuer),
                })
            }
            // Accepted already, and given again: a client stopped after its act was
            // accepted but before the certificate was on its token must be able to
            // finish. The 2-day and 3-day limits concern certificates nobody accepted,
            // so they do not apply; a repeated certConf gets pkiConf again.
            State::Confirmed => {
                let (certificate, issuer) = self.issued_certificate(&stored)?;
                Ok(Reply::Granted {
                    kind: kind_of(&stored),
                    cert_req_id: stored.cert_req_id,
                    certificate: Box::new(certificate),
                    issuer: Box::new(issuer),
                })
            }
            State::Expired => Err(Refusal::request_expired()),
        }
    }

    fn confirm(
        &self,
        agent: &Agent,
        stored: Request,
        statuses: &[ConfStatus],
        now: SystemTime,
    ) -> Checked<Reply> {
        let status = statuses
            .iter()
            .find(|s| s.cert_req_id == stored.cert_req_id)
            .ok_or_else(|| {
                if statuses.is_empty() {
                    Refusal::new(FailureReason::BadRequest, "the certConf confirms nothing")
                } else {
                    Refusal::new(
                        FailureReason::BadCertId,
                        format!(
                            "the certConf names another request; this transaction's certReqId is {}",
                            stored.cert_req_id
                        ),
                    )
                }
            })?;
        match stored.state {
            State::Issued => {}
            State::Confirmed => {
                // A repeated acceptance of the same certificate (the client lost our
                // pkiConf) is answered again; anything else is refused.
                let (certificate, _) = self.issued_certificate(&stored)?;
                return if hash_matches(&certificate, status)? {
                    Ok(Reply::PkiConf)
                } else {
                    Err(Refusal::new(
                        FailureReason::BadCertId,
                        "the certificate hash does not match the certificate issued",
                    ))
                };
            }
            State::Waiting | State::Approved => {
                return Err(Refusal::new(
                    FailureReason::BadRequest,
                    "the certificate is not issued yet",
                ));
            }
            State::Rejected => {
                return Err(Refusal::new(
                    FailureReason::BadRequest,
                    "the request was rejected; there is no certificate to accept",
                ));
            }
            State::Expired => return Err(Refusal::request_expired()),
        }
        self.check_time_limits(agent, &stored, now)?;
        let (certificate, _) = self.issued_certificate(&stored)?;
        if !hash_matches(&certificate, status)? {
            return Err(Refusal::new(
                FailureReason::BadCertId,
                "the certificate hash does not match the certificate issued",
            ));
        }
        let refused = status
            .status_info
            .as_ref()
            .is_some_and(|info| !info.status().is_granted());
        let at = unix_seconds(now);
        let changed = self.store.write(|tx| {
            let to = if refused {
                State::Rejected
            } else {
                State::Confirmed
            };
            if !store::change_state(tx, stored.id, State::Issued, to)? {
                return Ok(false);
            }
            let cert_id = stored.cert_id;
            if refused {
                let reason = "the customer refused the certificate";
                store::set_decided(tx, stored.id, at, Some(reason))?;
                if let Some(cert) = cert_id {
                    store::set_certificate_status(tx, cert, CertStatus::Void, None)?;
                }
                store::add_event(tx, Some(stored.id), at, "client", reason)?;
            } else {
                store::set_confirmed(tx, stored.id, at)?;
                if let Some(cert) = cert_id {
                    store::set_certificate_status(tx, cert, CertStatus::Active, None)?;
                }
                if stored.kind == RequestKind::Kur
                    && let Some(old) = stored.signer_cert_id
                {
                    store::set_certificate_status(tx, old, CertStatus::Replaced, cert_id)?;
                }
                store::add_event(
                    tx,
                    Some(stored.id),
                    at,
                    "client",
                    "certificate saved and accepted (certConf)",
                )?;
            }
            Ok(true)
        })?;
        if !changed {
            return Err(Refusal::new(
                FailureReason::BadRequest,
                "the request changed while the acceptance was processed; try again",
            ));
        }
        Ok(Reply::PkiConf)
    }

    /// The page behind a pickup link `GET BASE/pickup/<agent_id>/<transaction hex>`.
    pub fn pickup_page(
        &self,
        agent_id: &str,
        transaction_hex: &str,
        base: &str,
    ) -> Result<PickupPage> {
        let not_found = || PickupPage {
            status: 404,
            text: "Ссылка не найдена: проверьте, что она скопирована из письма целиком.\n\
                   The link is unknown: check that it was copied from the e-mail in full.\n"
                .into(),
        };
        let Some(agent) = self.agents().find(agent_id) else {
            return Ok(not_found());
        };
        let Ok(transaction_id) = hex::decode(transaction_hex) else {
            return Ok(not_found());
        };
        if transaction_id.is_empty() || transaction_id.len() > 64 {
            return Ok(not_found());
        }
        let Some(mut stored) = self
            .store
            .read(|c| store::request_by_transaction(c, &transaction_id))?
            .filter(|r| r.agent_id == agent.id)
        else {
            return Ok(not_found());
        };
        let now = self.now()?;
        if stored.state == State::Issued {
            match self.check_time_limits(agent, &stored, now) {
                Ok(()) => {}
                Err(refusal) => {
                    stored = self.store.read(|c| store::request_required(c, stored.id))?;
                    return Ok(PickupPage {
                        status: 410,
                        text: page_text(agent, &stored, base, Some(&refusal)),
                    });
                }
            }
        }
        let status = if stored.state == State::Expired {
            410
        } else {
            200
        };
        Ok(PickupPage {
            status,
            text: page_text(agent, &stored, base, None),
        })
    }
}

fn page_text(agent: &Agent, request: &Request, base: &str, refusal: Option<&Refusal>) -> String {
    let link = Ca::link(base, request);
    let mut text = format!(
        "{} — сертификат для работы в Интернет-Банке\n\nЗапрос № {} (agentId {})\nСостояние: {}\n\n",
        agent.name, request.id, agent.id, request.state
    );
    let save = format!(
        "Чтобы сохранить сертификат на смарт-ключ, выполните:\n\n    smartkey save {link}\n\n"
    );
    match (request.state, refusal) {
        (State::Issued, Some(refusal)) if refusal.code == Some(rules::ERROR_LINK_EXPIRED) => {
            text.push_str(
                "Ссылка действовала 2 дня с момента письма и больше не работает. \
                 Попросите банк отправить ссылку ещё раз.\n",
            );
        }
        (State::Expired, _) | (_, Some(_)) => text.push_str(
            "Сертификат не был сохранён в течение 3 дней после выпуска и больше не действует. \
             Процедуру получения сертификата нужно пройти заново.\n",
        ),
        (State::Waiting, _) => {
            text.push_str(&waiting_text(agent));
            text.push_str("\n\nКогда банк выпустит сертификат, придёт письмо со ссылкой.\n");
        }
        (State::Approved, _) => {
            text.push_str("Запрос одобрен, сертификат выпускается.\n\n");
            text.push_str(&save);
        }
        (State::Issued, None) => {
            text.push_str("Сертификат выпущен и ждёт сохранения.\n");
            if let Some(mailed) = request.mailed_at {
                let until = from_unix_seconds(mailed) + rules::LINK_LIFETIME;
                text.push_str(&format!(
                    "Сохраните его в течение 2 дней с момента получения письма (до {}).\n",
                    format_rfc3339(until)
                ));
            }
            text.push('\n');
            text.push_str(&save);
        }
        (State::Confirmed, _) => {
            text.push_str(
                "Сертификат сохранён и принят. Если его нет на смарт-ключе (сохранение \
                 прервалось), запишите его снова:\n\n",
            );
            text.push_str(&format!("    smartkey save {link}\n"));
        }
        (State::Rejected, _) => {
            text.push_str(&format!(
                "Банк отклонил запрос: {}\n",
                request.reason.as_deref().unwrap_or("причина не указана")
            ));
        }
    }
    text.push_str(&format!(
        "\nСлужба технической поддержки: {}",
        agent.support_phone
    ));
    if let Some(email) = &agent.support_email {
        text.push_str(&format!(", {email}"));
    }
    text.push('\n');
    text
}
