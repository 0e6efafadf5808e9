//! The pickup e-mail (PROCEDURE.md N2.8, R2.9): from `noreply@<bank's mail domain>`,
//! subject «Сертификат для работы в Интернет-Банке», the link on a line of its own, the
//! 2-day and 3-day rules and the bank's support contacts. Delivered by SMTP (no TLS, no
//! authentication: a local relay or a test server) or into a Maildir.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::agents::Agent;
use crate::error::{Error, Result};

/// The subject the bank's instructions name.
pub const SUBJECT: &str = "Сертификат для работы в Интернет-Банке";

/// How long one SMTP delivery may take.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// Where pickup e-mails go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MailTarget {
    /// A Maildir: each message a file in `new/`.
    Maildir(PathBuf),
    /// An SMTP server, plain and without authentication.
    Smtp {
        /// Host name or address.
        host: String,
        /// Port.
        port: u16,
    },
}

impl FromStr for MailTarget {
    type Err = Error;

    /// `maildir:PATH` or `smtp://HOST:PORT` (port 25 when left out).
    fn from_str(text: &str) -> Result<Self> {
        if let Some(path) = text.strip_prefix("maildir:") {
            if path.is_empty() {
                return Err(Error::Config(
                    "maildir: needs a path, e.g. maildir:/var/mail/bankca".into(),
                ));
            }
            return Ok(Self::Maildir(PathBuf::from(path)));
        }
        if let Some(rest) = text.strip_prefix("smtp://") {
            let rest = rest.trim_end_matches('/');
            let (host, port) = match rest.rsplit_once(':') {
                Some((host, port)) if !host.ends_with(']') || host.starts_with('[') => {
                    let port = port.parse::<u16>().map_err(|_| {
                        Error::Config(format!("the SMTP port in {text:?} is not a number"))
                    })?;
                    (host, port)
                }
                _ => (rest, 25),
            };
            let host = host.trim_start_matches('[').trim_end_matches(']');
            if host.is_empty() {
                return Err(Error::Config(format!("{text:?} names no SMTP host")));
            }
            return Ok(Self::Smtp {
                host: host.to_string(),
                port,
            });
        }
        Err(Error::Config(format!(
            "unknown mail target {text:?}: use maildir:PATH or smtp://HOST:PORT"
        )))
    }
}

/// Sends pickup e-mails to a [`MailTarget`].
pub struct Mailer {
    target: MailTarget,
    smtp: Option<AsyncSmtpTransport<Tokio1Executor>>,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}

impl Mailer {
    /// A mailer for `target`; a Maildir is created if missing.
    pub fn new(target: MailTarget) -> Result<Self> {
        let smtp = match &target {
            MailTarget::Maildir(dir) => {
                // The messages carry the clients' names and pickup links.
                for sub in ["tmp", "new", "cur"] {
                    crate::keys::private_dir(&dir.join(sub))?;
                }
                None
            }
            MailTarget::Smtp { host, port } => Some(
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host.as_str())
                    .port(*port)
                    .timeout(Some(SMTP_TIMEOUT))
                    .build(),
            ),
        };
        Ok(Self { target, smtp })
    }

    /// Where the mail goes.
    pub fn target(&self) -> &MailTarget {
        &self.target
    }

    /// Delivers one message.
    pub async fn send(&self, message: &Message) -> Result<()> {
        match (&self.target, &self.smtp) {
            (_, Some(smtp)) => {
                smtp.send(message.clone())
                    .await
                    .map_err(|e| Error::Mail(e.to_string()))?;
                Ok(())
            }
            (MailTarget::Maildir(dir), None) => {
                let dir = dir.clone();
                let bytes = message.formatted();
                tokio::task::spawn_blocking(move || deliver_to_maildir(&dir, &bytes))
                    .await
                    .map_err(|e| Error::Task(e.to_string()))?
                    .map(|_| ())
            }
            (MailTarget::Smtp { .. }, None) => Err(Error::Mail("no SMTP transport".into())),
        }
    }
}

/// Writes a message into `dir/new/` the Maildir way: first complete in `tmp/`, then
/// renamed, so a reader never sees half a message. Lines end with LF, as in a Maildir.
/// The file is its owner's alone (0600).
pub fn deliver_to_maildir(dir: &Path, message: &[u8]) -> Result<PathBuf> {
    use std::io::Write;
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let since = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default();
    let name = format!(
        "{}.M{}P{}Q{}.bankca",
        since.as_secs(),
        since.subsec_micros(),
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    let tmp = dir.join("tmp").join(&name);
    let new = dir.join("new").join(&name);
    let text: Vec<u8> = {
        let mut out = Vec::with_capacity(message.len());
        let mut i = 0;
        while i < message.len() {
            if message[i] == b'\r' && message.get(i + 1) == Some(&b'\n') {
                i += 1;
                continue;
            }
            out.push(message[i]);
            i += 1;
        }
        out
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&tmp).map_err(|e| Error::io(&tmp, e))?;
    file.write_all(&text)
        .and_then(|()| file.sync_all())
        .map_err(|e| Error::io(&tmp, e))?;
    drop(file);
    std::fs::rename(&tmp, &new).map_err(|e| Error::io(&new, e))?;
    Ok(new)
}

/// The body of the pickup e-mail, in Russian as the bank writes to its customers.
pub fn pickup_text(agent: &Agent, link: &str, request_id: i64) -> String {
    let mut text = format!(
        "Здравствуйте!\n\
         \n\
         {bank} обработал ваш запрос на сертификат ключа проверки электронной подписи\n\
         для работы в Интернет-Банке (запрос № {request_id}). Сертификат выпущен.\n\
         \n\
         Чтобы сохранить сертификат на смарт-ключ, перейдите по ссылке:\n\
         \n\
         {link}\n\
         \n\
         или выполните команду\n\
         \n\
         smartkey save {link}\n\
         \n\
         Сохраните сертификат в течение 2 дней с момента получения этого письма: потом\n\
         ссылка перестанет действовать. Если сохранить сертификат не удалось, а с его\n\
         выпуска прошло более 3 дней, процедуру получения сертификата придётся пройти\n\
         заново.\n\
         \n\
         После сохранения распечатайте акт приёма-передачи в двух экземплярах, подпишите\n\
         и передайте вместе с заявлением в операционный отдел банка.\n",
        bank = agent.name,
    );
    text.push_str(&format!(
        "\nСлужба технической поддержки: телефон {}",
        agent.support_phone
    ));
    if let Some(email) = &agent.support_email {
        text.push_str(&format!(", e-mail {email}"));
    }
    text.push_str(".\n");
    if let Some(url) = &agent.online_bank_url {
        text.push_str(&format!("Интернет-Банк: {url}\n"));
    }
    text.push_str("\nЭто письмо отправлено автоматически, отвечать на него не нужно.\n");
    text
}

/// The pickup e-mail for request `request_id` of `agent`, to `to`.
pub fn pickup_message(
    agent: &Agent,
    to: &str,
    link: &str,
    request_id: i64,
    date: SystemTime,
) -> Result<Message> {
    let from: Mailbox = format!(
        "{} <{}>",
        quote_display(&agent.name),
        agent.noreply_address()
    )
    .parse()
    .map_err(|e| Error::Mail(format!("the sender address: {e}")))?;
    let to: Mailbox = to
        .parse()
        .map_err(|e| Error::Mail(format!("the address {to:?}: {e}")))?;
    let body = eight_bit_body(&pickup_text(agent, link, request_id))?;
    Message::builder()
        .from(from)
        .to(to)
        .subject(SUBJECT)
        .date(date)
        .header(ContentType::TEXT_PLAIN)
        .body(body)
        .map_err(|e| Error::Mail(e.to_string()))
}

/// The text as an 8bit body with CRLF line endings. 8bit keeps the Russian text and the
/// link readable in the raw message (a Maildir file, an SMTP log); RFC 5322 allows lines
/// of up to 998 octets, which lettre's own check (76) does not, so the rule is checked
/// here.
fn eight_bit_body(text: &str) -> Result<Body> {
    if text.contains(['\0', '\r']) || text.lines().any(|line| line.len() > 998) {
        return Err(Error::Mail(
            "the message text cannot be sent as 8bit".into(),
        ));
    }
    let crlf = text.replace('\n', "\r\n");
    Ok(Body::dangerous_pre_encoded(
        crlf.into_bytes(),
        ContentTransferEncoding::EightBit,
    ))
}

/// A display name quoted for a mailbox, so that commas or dots in a bank's name are kept.
fn quote_display(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .filter(|c| !c.is_control() && *c != '"' && *c != '\\')
        .collect();
    format!("\"{cleaned}\"")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agents::{Agents, DEFAULT_AGENTS_TOML};

    #[test]
    fn targets() {
        assert_eq!(
            "maildir:/tmp/m".parse::<MailTarget>().unwrap(),
            MailTarget::Maildir("/tmp/m".into())
        );
        assert_eq!(
            "smtp://127.0.0.1:2525".parse::<MailTarget>().unwrap(),
            MailTarget::Smtp {
                host: "127.0.0.1".into(),
                port: 2525
            }
        );
        assert_eq!(
            "smtp://mail.example.ru".parse::<MailTarget>().unwrap(),
            MailTarget::Smtp {
                host: "mail.example.ru".into(),
                port: 25
            }
        );
        assert!("smtp://h:x".parse::<MailTarget>().is_err());
        assert!("maildir:".parse::<MailTarget>().is_err());
        assert!("pigeon://x".parse::<MailTarget>().is_err());
    }

    #[test]
    fn message_and_maildir() {
        let agents = Agents::parse(DEFAULT_AGENTS_TOML).unwrap();
        let agent = agents.get(6184).unwrap();
        let link = "http://127.0.0.1:8080/pickup/6184/00112233445566778899aabbccddeeff";
        let message =
            pickup_message(agent, "ivanov@example.ru", link, 7, SystemTime::now()).unwrap();
        let raw = String::from_utf8(message.formatted()).unwrap();
        assert!(raw.contains("noreply@faktura.ru"), "{raw}");
        assert!(
            raw.contains("Subject: =?utf-8?"),
            "the subject is MIME-encoded: {raw}"
        );
        assert!(
            raw.contains(&format!("\r\n{link}\r\n")),
            "the link has a line of its own"
        );
        assert!(raw.contains("8-800-200-999-7") && raw.contains("support@nokss.ru"));
        assert!(raw.contains("2 дней"));

        let dir = tempfile::tempdir().unwrap();
        let _mailer = Mailer::new(MailTarget::Maildir(dir.path().to_path_buf())).unwrap();
        let path = deliver_to_maildir(dir.path(), &message.formatted()).unwrap();
        assert!(path.starts_with(dir.path().join("new")));
        let stored = std::fs::read_to_string(&path).unwrap();
        assert!(!stored.contains('\r'));
        assert!(stored.contains(&format!("\n{link}\n")));
        assert_eq!(
            std::fs::read_dir(dir.path().join("tmp")).unwrap().count(),
            0
        );
        assert!(pickup_message(agent, "not an address", link, 7, SystemTime::now()).is_err());
    }
}
