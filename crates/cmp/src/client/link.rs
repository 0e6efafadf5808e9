//! The pickup link the bank e-mails (PROCEDURE.md N2.8, R2.9): where the CA is, which
//! bank (agentId), and which transaction to continue. Its shape is fixed by
//! docs/bank-protocol.md: `BASE/pickup/<agentId>/<transactionID in hex>`.

use core::fmt;

use reqwest::Url;

/// A parsed pickup link.
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct PickupLink {
    base: Url,
    agent_id: String,
    transaction_id: Vec<u8>,
}

/// Why a text is not a pickup link, in words that say what to check.
#[derive(Clone, Debug, Eq, PartialEq, thiserror::Error)]
pub enum LinkError {
    /// Not a URL at all.
    #[error("this is not a web address; copy the whole link from the bank's e-mail")]
    NotAUrl,
    /// Neither http nor https.
    #[error("the link must start with https:// (or http:// for a local test CA)")]
    Scheme,
    /// The path is not `/pickup/<agentId>/<hex>`.
    #[error(
        "this is not a certificate pickup link; it should end in /pickup/<bank number>/<request number>"
    )]
    Shape,
    /// The agentId is not a number.
    #[error("the bank number in the link is not a number; the link may be cut short")]
    AgentId,
    /// The transaction number is not even-length hex of a sensible size.
    #[error("the request number in the link is damaged; copy the whole link from the e-mail")]
    TransactionId,
}

/// Longest accepted transaction number in bytes; RFC 9810 recommends 16.
const MAX_TRANSACTION_ID: usize = 64;

impl PickupLink {
    /// A link for `transaction_id` at the bank `agent_id` of the CA at `base`.
    pub fn new(base: Url, agent_id: &str, transaction_id: &[u8]) -> Result<Self, LinkError> {
        if !matches!(base.scheme(), "http" | "https") {
            return Err(LinkError::Scheme);
        }
        if agent_id.is_empty() || !agent_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(LinkError::AgentId);
        }
        if transaction_id.is_empty() || transaction_id.len() > MAX_TRANSACTION_ID {
            return Err(LinkError::TransactionId);
        }
        let mut base = base;
        base.set_path("");
        base.set_query(None);
        base.set_fragment(None);
        Ok(Self {
            base,
            agent_id: agent_id.to_owned(),
            transaction_id: transaction_id.to_vec(),
        })
    }

    /// Parses a link as pasted by a person: surrounding spaces and angle brackets (as
    /// some mail programs wrap links) are ignored.
    pub fn parse(text: &str) -> Result<Self, LinkError> {
        let text = text.trim().trim_start_matches('<').trim_end_matches('>');
        let url = Url::parse(text).map_err(|_| LinkError::NotAUrl)?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(LinkError::Scheme);
        }
        let segments: Vec<&str> = url
            .path_segments()
            .map(|s| s.filter(|seg| !seg.is_empty()).collect())
            .unwrap_or_default();
        let [prefix @ .., "pickup", agent, tid] = segments.as_slice() else {
            return Err(LinkError::Shape);
        };
        if !prefix.is_empty() {
            return Err(LinkError::Shape);
        }
        let tid = hex_decode(tid).ok_or(LinkError::TransactionId)?;
        let agent = (*agent).to_owned();
        Self::new(url.clone(), &agent, &tid)
    }

    /// The CA's address, without path.
    pub fn base(&self) -> &Url {
        &self.base
    }

    /// The bank's agentId.
    pub fn agent_id(&self) -> &str {
        &self.agent_id
    }

    /// The transaction to continue.
    pub fn transaction_id(&self) -> &[u8] {
        &self.transaction_id
    }

    /// The CMP endpoint of the bank (RFC 9811 section 3.3).
    pub fn endpoint(&self) -> Url {
        cmp_endpoint(&self.base, &self.agent_id)
    }
}

/// `BASE/.well-known/cmp/p/<agentId>`: the CMP endpoint of a bank at a CA.
pub fn cmp_endpoint(base: &Url, agent_id: &str) -> Url {
    let mut url = base.clone();
    url.set_path(&format!("/.well-known/cmp/p/{agent_id}"));
    url.set_query(None);
    url.set_fragment(None);
    url
}

impl fmt::Display for PickupLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let base = self.base.as_str().trim_end_matches('/');
        write!(f, "{base}/pickup/{}/", self.agent_id)?;
        self.transaction_id
            .iter()
            .try_for_each(|b| write!(f, "{b:02x}"))
    }
}

fn hex_decode(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_names_the_endpoint() {
        let link = PickupLink::parse(" <https://ca.example.ru:8443/pickup/6184/00ff10ab> ")
            .expect("a valid link");
        assert_eq!(link.agent_id(), "6184");
        assert_eq!(link.transaction_id(), &[0x00, 0xff, 0x10, 0xab]);
        assert_eq!(
            link.to_string(),
            "https://ca.example.ru:8443/pickup/6184/00ff10ab"
        );
        assert_eq!(
            link.endpoint().as_str(),
            "https://ca.example.ru:8443/.well-known/cmp/p/6184"
        );
    }

    #[test]
    fn refuses_damaged_links_with_a_reason() {
        let cases = [
            ("not a link", LinkError::NotAUrl),
            ("ftp://ca.example.ru/pickup/6184/00", LinkError::Scheme),
            ("https://ca.example.ru/pickup/6184", LinkError::Shape),
            ("https://ca.example.ru/x/pickup/6184/00", LinkError::Shape),
            ("https://ca.example.ru/pickup/61a4/00", LinkError::AgentId),
            (
                "https://ca.example.ru/pickup/6184/0",
                LinkError::TransactionId,
            ),
            (
                "https://ca.example.ru/pickup/6184/zz",
                LinkError::TransactionId,
            ),
            (
                "https://ca.example.ru/pickup/6184/ёё",
                LinkError::TransactionId,
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(PickupLink::parse(text), Err(expected), "{text}");
        }
        let long = format!("https://ca.example.ru/pickup/6184/{}", "ab".repeat(65));
        assert_eq!(PickupLink::parse(&long), Err(LinkError::TransactionId));
    }
}
