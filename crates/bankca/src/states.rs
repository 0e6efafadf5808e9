//! The words the request database stores, as types: where a request stands, the message
//! that began it, how it was protected, and where a certificate stands. Each is stored
//! and shown by its name.

use std::fmt;

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

/// A stored word that names none of a type's values.
#[derive(Debug, thiserror::Error)]
#[error("unknown {kind} {text:?}")]
pub struct UnknownWord {
    kind: &'static str,
    text: String,
}

macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// The name stored in the database and shown to operators.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = UnknownWord;

            fn from_str(s: &str) -> std::result::Result<Self, UnknownWord> {
                match s {
                    $($text => Ok(Self::$variant),)+
                    other => Err(UnknownWord {
                        kind: stringify!($name),
                        text: other.to_string(),
                    }),
                }
            }
        }

        impl ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.as_str()))
            }
        }

        impl FromSql for $name {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                value
                    .as_str()?
                    .parse()
                    .map_err(|e: UnknownWord| FromSqlError::Other(Box::new(e)))
            }
        }
    };
}

text_enum! {
    /// Where a request stands.
    State {
        /// Received; the bank has not decided (it waits for the signed application).
        Waiting = "waiting",
        /// The operator approved it; the certificate is issued next.
        Approved = "approved",
        /// Refused by the operator, or the customer refused the certificate.
        Rejected = "rejected",
        /// The certificate is issued and the pickup link sent; not yet saved.
        Issued = "issued",
        /// The customer saved and accepted the certificate (`certConf`).
        Confirmed = "confirmed",
        /// Not saved within 3 days of issuing; the procedure starts again.
        Expired = "expired",
    }
}

text_enum! {
    /// The CMP message that began a request.
    RequestKind {
        /// `ir`
        Ir = "ir",
        /// `cr`
        Cr = "cr",
        /// `p10cr`
        P10cr = "p10cr",
        /// `kur`: renewal of a certificate this CA issued.
        Kur = "kur",
    }
}

text_enum! {
    /// How the first message of a request was protected; follow-ups must be protected
    /// at least as well.
    Protection {
        /// Unprotected.
        None = "none",
        /// MAC with the bank's reference and secret.
        Pbm = "pbm",
        /// Signed with a certificate this CA issued.
        Signature = "signature",
    }
}

text_enum! {
    /// Where a certificate stands.
    CertStatus {
        /// Issued, not yet accepted by its owner.
        Pending = "pending",
        /// Accepted (`certConf`): in use.
        Active = "active",
        /// Never accepted, or refused by its owner.
        Void = "void",
        /// Renewed: its successor was accepted.
        Replaced = "replaced",
    }
}

text_enum! {
    /// Which CA key signed a certificate.
    Issuer {
        /// The RSA CA.
        Rsa = "rsa",
        /// The GOST CA.
        Gost = "gost",
    }
}
