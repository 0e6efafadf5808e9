//! Certificates and PKCS#10 requests as smartkey reads and describes them: a certificate
//! comes from the bank, a token or a file (DER or PEM), a bank profile's trust anchor
//! from PEM text; a request is what `smartkey csr` writes and the bank reads back.

use der::{Decode, DecodePem, Encode};
use smartkey::pki::{CertificateSummary, certificate_view, describe_name, public_key_fingerprint};
use x509_cert::Certificate;
use x509_cert::request::CertReq;

/// A certificate read as `cert import` and the token layer read one, then everything
/// smartkey says of it: the wizard's view (kept in the pending records as JSON), the
/// summary of `cert list`, the fingerprint keys are matched by. The view's DER reads
/// back as the same certificate. As PEM text, it is also tried as a trust anchor.
pub fn certificate(data: &[u8]) {
    if let Ok(cert) = smartkey::token::parse_certificate(data) {
        let der = cert.to_der().expect("a decoded certificate encodes");
        let view = certificate_view(&cert);
        assert_eq!(view.der.0, der, "the view carries the certificate's DER");
        let again = Certificate::from_der(&der).expect("its encoding decodes");
        assert_eq!(
            again, cert,
            "decoding its encoding gives another certificate"
        );
        let json = serde_json::to_string(&view).expect("the view as JSON");
        let back: smartkey_wizard::CertificateView =
            serde_json::from_str(&json).expect("the view read back");
        assert_eq!(back, view, "the view changes through JSON");
        let summary = CertificateSummary::of(&cert);
        let _ = serde_json::to_string(&summary);
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = smartkey::bank::TrustAnchor::from_pem(text, None);
    }
}

/// A PKCS#10 request (DER or PEM) described as smartkey describes its own: subject in
/// words, public-key fingerprint, DER and PEM written out again and read back equal.
pub fn pkcs10(data: &[u8]) {
    let parsed = if data.starts_with(b"-----BEGIN") {
        CertReq::from_pem(data)
    } else {
        CertReq::from_der(data)
    };
    let Ok(csr) = parsed else {
        return;
    };
    let _ = describe_name(&csr.info.subject);
    let _ = public_key_fingerprint(&csr.info.public_key);
    let der = smartkey::pki::csr_der(&csr).expect("a decoded request encodes");
    assert_eq!(
        CertReq::from_der(&der).expect("its DER decodes"),
        csr,
        "decoding its DER gives another request"
    );
    let pem = smartkey::pki::csr_pem(&csr).expect("a decoded request as PEM");
    assert_eq!(
        CertReq::from_pem(pem.as_bytes()).expect("its PEM decodes"),
        csr,
        "decoding its PEM gives another request"
    );
}
