//! Certificates as the core sees them: [`CertificateView`] made from X.509, here at the
//! PKI adapter's edge, so that the core never parses DER.

use der::Encode;
use sha2::{Digest, Sha256};
use smartkey_wizard::{CertificateView, CivilDate, Der};
use spki::SubjectPublicKeyInfoOwned;
use x509_cert::Certificate;

use super::describe::{CertificateSummary, name_attribute};
use super::subject::oids;

/// The SHA-256 of a public key's SubjectPublicKeyInfo, in hex: how the wizard tells
/// which token holds the key of a certificate without touching the token.
pub fn public_key_fingerprint(spki: &SubjectPublicKeyInfoOwned) -> Option<String> {
    let der = spki.to_der().ok()?;
    Some(hex::encode(Sha256::digest(&der)))
}

/// Everything the wizard needs of a certificate.
pub fn certificate_view(cert: &Certificate) -> CertificateView {
    let summary = CertificateSummary::of(cert);
    let tbs = cert.tbs_certificate();
    let date = |t: &x509_cert::time::Time| {
        let dt = t.to_date_time();
        CivilDate::new(i32::from(dt.year()), dt.month(), dt.day())
    };
    CertificateView {
        subject: summary.subject,
        owner: summary.owner,
        organization: summary.organization,
        issuer: summary.issuer,
        serial: summary.serial,
        valid_from: date(&tbs.validity().not_before),
        valid_until: date(&tbs.validity().not_after),
        issued_at: i64::try_from(
            tbs.validity()
                .not_before
                .to_date_time()
                .unix_duration()
                .as_secs(),
        )
        .ok(),
        email: name_attribute(tbs.subject(), &oids::EMAIL_ADDRESS),
        phone: name_attribute(tbs.subject(), &oids::TELEPHONE),
        public_key: public_key_fingerprint(tbs.subject_public_key_info()),
        der: Der(cert.to_der().unwrap_or_default()),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use der::asn1::UtcTime;
    use smartkey_wizard::Applicant;
    use spki::EncodePublicKey;
    use x509_cert::builder::profile::BuilderProfile;
    use x509_cert::builder::{Builder, CertificateBuilder};
    use x509_cert::ext::Extension;
    use x509_cert::name::Name;
    use x509_cert::serial_number::SerialNumber;
    use x509_cert::time::{Time, Validity};

    use super::*;

    struct SelfSigned(Name);

    impl BuilderProfile for SelfSigned {
        fn get_issuer(&self, subject: &Name) -> Name {
            subject.clone()
        }

        fn get_subject(&self) -> Name {
            self.0.clone()
        }

        fn build_extensions(
            &self,
            _: spki::SubjectPublicKeyInfoRef<'_>,
            _: spki::SubjectPublicKeyInfoRef<'_>,
            _: &x509_cert::TbsCertificate,
        ) -> x509_cert::builder::Result<Vec<Extension>> {
            Ok(Vec::new())
        }
    }

    fn at(secs: u64) -> Time {
        Time::UtcTime(UtcTime::from_unix_duration(Duration::from_secs(secs)).expect("a UTC time"))
    }

    fn applicant() -> Applicant {
        Applicant {
            surname: "Иванов".into(),
            given_name: "Иван".into(),
            patronymic: "Иванович".into(),
            legal_entity: true,
            organization: "ООО Ромашка".into(),
            inn: "7707083893".into(),
            document: "Устав".into(),
            country: "RU".into(),
            city: "Москва".into(),
            address: "ул. Вавилова, 19".into(),
            phone: "+7 495 500-55-50".into(),
            email: "ivanov@example.ru".into(),
            ..Applicant::default()
        }
    }

    #[test]
    fn a_certificate_as_the_wizard_sees_it() {
        let valid = applicant().validate().expect("a valid applicant");
        let subject = super::super::subject::subject_name(&valid).expect("a subject");
        let key = gost3410::SigningKey::generate(gost3410::ParamSet::CryptoProA);
        let spki = SubjectPublicKeyInfoOwned::from_key(&key.verifying_key()).expect("an SPKI");
        // 2025-03-14 and 2026-03-14, 00:00 UTC.
        let validity = Validity::new(at(1_741_910_400), at(1_773_446_400));
        let cert = CertificateBuilder::new(
            SelfSigned(subject),
            SerialNumber::from(0x2au32),
            validity,
            spki.clone(),
        )
        .expect("a builder")
        .build::<_, gost3410::Signature>(&key)
        .expect("a certificate");
        let view = certificate_view(&cert);
        assert_eq!(view.owner.as_deref(), Some("Иванов Иван Иванович"));
        assert_eq!(view.organization.as_deref(), Some("ООО Ромашка"));
        assert_eq!(view.valid_from, CivilDate::new(2025, 3, 14));
        assert_eq!(view.valid_until, CivilDate::new(2026, 3, 14));
        assert_eq!(view.email.as_deref(), Some("ivanov@example.ru"));
        assert_eq!(view.public_key, public_key_fingerprint(&spki));
        assert_eq!(
            view.days_left(CivilDate::new(2026, 3, 4).expect("a date")),
            Some(10)
        );
        let der_spki = key.verifying_key().to_public_key_der().expect("DER");
        assert_eq!(
            view.public_key,
            Some(hex::encode(Sha256::digest(der_spki.as_bytes()))),
            "the fingerprint is the SHA-256 of the DER SubjectPublicKeyInfo"
        );
        assert!(!view.der.0.is_empty());
        assert_eq!(
            format!("{:?}", view.der),
            format!("Der({} bytes)", view.der.0.len())
        );
    }
}
