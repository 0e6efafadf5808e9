//! Attributes: encoding, validation of templates, defaults, lookup and matching.
//!
//! Values are kept exactly as a PKCS#11 caller sees them (`CK_BBOOL` one byte, `CK_ULONG`
//! native-endian), so reading an attribute is a copy.

use cryptoki_sys::*;

use crate::error::{Ckr, Result};
use crate::token::{Attributes, StoredObject};

/// A template as passed by the caller: type and raw value, in order.
pub type Template = Vec<(CK_ATTRIBUTE_TYPE, Vec<u8>)>;

/// Encodes a `CK_ULONG` value.
pub fn ulong(value: CK_ULONG) -> Vec<u8> {
    value.to_ne_bytes().to_vec()
}

/// Encodes a `CK_BBOOL` value.
pub fn flag(value: bool) -> Vec<u8> {
    vec![if value { CK_TRUE } else { CK_FALSE }]
}

/// Decodes a `CK_ULONG` value.
pub fn read_ulong(value: &[u8]) -> Option<CK_ULONG> {
    <[u8; size_of::<CK_ULONG>()]>::try_from(value)
        .ok()
        .map(CK_ULONG::from_ne_bytes)
}

/// Decodes a `CK_BBOOL` value.
pub fn read_flag(value: &[u8]) -> Option<bool> {
    match value {
        [b] => Some(*b != CK_FALSE),
        _ => None,
    }
}

const BOOL_ATTRIBUTES: &[CK_ATTRIBUTE_TYPE] = &[
    CKA_TOKEN,
    CKA_PRIVATE,
    CKA_MODIFIABLE,
    CKA_COPYABLE,
    CKA_DESTROYABLE,
    CKA_TRUSTED,
    CKA_SENSITIVE,
    CKA_ENCRYPT,
    CKA_DECRYPT,
    CKA_WRAP,
    CKA_UNWRAP,
    CKA_SIGN,
    CKA_SIGN_RECOVER,
    CKA_VERIFY,
    CKA_VERIFY_RECOVER,
    CKA_DERIVE,
    CKA_EXTRACTABLE,
    CKA_LOCAL,
    CKA_NEVER_EXTRACTABLE,
    CKA_ALWAYS_SENSITIVE,
    CKA_WRAP_WITH_TRUSTED,
    CKA_ALWAYS_AUTHENTICATE,
];

const ULONG_ATTRIBUTES: &[CK_ATTRIBUTE_TYPE] = &[
    CKA_CLASS,
    CKA_KEY_TYPE,
    CKA_CERTIFICATE_TYPE,
    CKA_CERTIFICATE_CATEGORY,
    CKA_JAVA_MIDP_SECURITY_DOMAIN,
    CKA_MODULUS_BITS,
    CKA_KEY_GEN_MECHANISM,
    CKA_HW_FEATURE_TYPE,
];

/// Attributes a caller may never set: the token decides them.
const READ_ONLY: &[CK_ATTRIBUTE_TYPE] = &[
    CKA_LOCAL,
    CKA_KEY_GEN_MECHANISM,
    CKA_ALWAYS_SENSITIVE,
    CKA_NEVER_EXTRACTABLE,
];

/// Attributes of a private key that exist but are never revealed.
const SENSITIVE: &[CK_ATTRIBUTE_TYPE] = &[
    CKA_VALUE,
    CKA_PRIVATE_EXPONENT,
    CKA_PRIME_1,
    CKA_PRIME_2,
    CKA_EXPONENT_1,
    CKA_EXPONENT_2,
    CKA_COEFFICIENT,
];

/// Checks the encoding of a value whose type has a fixed size.
pub fn check_value(ty: CK_ATTRIBUTE_TYPE, value: &[u8]) -> Result<()> {
    let ok = if BOOL_ATTRIBUTES.contains(&ty) {
        read_flag(value).is_some()
    } else if ULONG_ATTRIBUTES.contains(&ty) {
        read_ulong(value).is_some()
    } else {
        true
    };
    if ok {
        Ok(())
    } else {
        Err(Ckr(CKR_ATTRIBUTE_VALUE_INVALID))
    }
}

/// Read access to a caller's template.
#[derive(Debug, Clone, Copy)]
pub struct TemplateView<'a>(pub &'a [(CK_ATTRIBUTE_TYPE, Vec<u8>)]);

impl<'a> TemplateView<'a> {
    /// The value of `ty`, if present.
    pub fn get(&self, ty: CK_ATTRIBUTE_TYPE) -> Option<&'a [u8]> {
        self.0
            .iter()
            .find(|(t, _)| *t == ty)
            .map(|(_, v)| v.as_slice())
    }

    /// A `CK_BBOOL` value.
    pub fn flag(&self, ty: CK_ATTRIBUTE_TYPE) -> Result<Option<bool>> {
        self.get(ty)
            .map(|v| read_flag(v).ok_or(Ckr(CKR_ATTRIBUTE_VALUE_INVALID)))
            .transpose()
    }

    /// A `CK_ULONG` value.
    pub fn ulong(&self, ty: CK_ATTRIBUTE_TYPE) -> Result<Option<CK_ULONG>> {
        self.get(ty)
            .map(|v| read_ulong(v).ok_or(Ckr(CKR_ATTRIBUTE_VALUE_INVALID)))
            .transpose()
    }

    /// Checks that every attribute is in `allowed` and well encoded.
    pub fn check(&self, allowed: &[CK_ATTRIBUTE_TYPE]) -> Result<()> {
        for (ty, value) in self.0 {
            if READ_ONLY.contains(ty) {
                return Err(Ckr(CKR_ATTRIBUTE_READ_ONLY));
            }
            if !allowed.contains(ty) {
                return Err(Ckr(CKR_ATTRIBUTE_TYPE_INVALID));
            }
            check_value(*ty, value)?;
        }
        Ok(())
    }
}

/// How an attribute of an object answers a read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup<'a> {
    /// The value.
    Value(&'a [u8]),
    /// Exists but may not be revealed (`CKR_ATTRIBUTE_SENSITIVE`).
    Sensitive,
    /// Not an attribute of this object (`CKR_ATTRIBUTE_TYPE_INVALID`).
    Invalid,
}

/// An object's class.
pub fn class_of(attributes: &Attributes) -> CK_OBJECT_CLASS {
    attributes
        .0
        .get(&CKA_CLASS)
        .and_then(|v| read_ulong(v))
        .unwrap_or(CK_UNAVAILABLE_INFORMATION)
}

/// A boolean attribute, false when absent.
pub fn flag_of(attributes: &Attributes, ty: CK_ATTRIBUTE_TYPE) -> bool {
    attributes
        .0
        .get(&ty)
        .and_then(|v| read_flag(v))
        .unwrap_or(false)
}

/// A `CK_ULONG` attribute.
pub fn ulong_of(attributes: &Attributes, ty: CK_ATTRIBUTE_TYPE) -> Option<CK_ULONG> {
    attributes.0.get(&ty).and_then(|v| read_ulong(v))
}

/// Reads an attribute the way C_GetAttributeValue must answer.
pub fn lookup(object: &StoredObject, ty: CK_ATTRIBUTE_TYPE) -> Lookup<'_> {
    if let Some(value) = object.attributes.0.get(&ty) {
        return Lookup::Value(value);
    }
    if class_of(&object.attributes) == CKO_PRIVATE_KEY && SENSITIVE.contains(&ty) {
        let rsa = ulong_of(&object.attributes, CKA_KEY_TYPE) == Some(CKK_RSA);
        // CKA_VALUE belongs to GOST keys, the CRT parts to RSA keys.
        if (ty == CKA_VALUE) != rsa {
            return Lookup::Sensitive;
        }
    }
    Lookup::Invalid
}

/// Whether an object has every attribute of `template` with an equal value.
pub fn matches(object: &StoredObject, template: &[(CK_ATTRIBUTE_TYPE, Vec<u8>)]) -> bool {
    template
        .iter()
        .all(|(ty, value)| lookup(object, *ty) == Lookup::Value(value))
}

const COMMON_STORAGE: &[CK_ATTRIBUTE_TYPE] = &[
    CKA_CLASS,
    CKA_TOKEN,
    CKA_PRIVATE,
    CKA_MODIFIABLE,
    CKA_LABEL,
    CKA_COPYABLE,
    CKA_DESTROYABLE,
];

const CERTIFICATE: &[CK_ATTRIBUTE_TYPE] = &[
    CKA_CERTIFICATE_TYPE,
    CKA_TRUSTED,
    CKA_CERTIFICATE_CATEGORY,
    CKA_CHECK_VALUE,
    CKA_START_DATE,
    CKA_END_DATE,
    CKA_PUBLIC_KEY_INFO,
    CKA_SUBJECT,
    CKA_ID,
    CKA_ISSUER,
    CKA_SERIAL_NUMBER,
    CKA_VALUE,
    CKA_URL,
    CKA_HASH_OF_SUBJECT_PUBLIC_KEY,
    CKA_HASH_OF_ISSUER_PUBLIC_KEY,
    CKA_JAVA_MIDP_SECURITY_DOMAIN,
];

const DATA: &[CK_ATTRIBUTE_TYPE] = &[CKA_APPLICATION, CKA_OBJECT_ID, CKA_VALUE];

fn with_defaults(template: &Template, defaults: &[(CK_ATTRIBUTE_TYPE, Vec<u8>)]) -> Attributes {
    let mut attributes = Attributes::default();
    for (ty, value) in defaults {
        attributes.0.insert(*ty, value.clone());
    }
    for (ty, value) in template {
        attributes.0.insert(*ty, value.clone());
    }
    attributes
}

/// Builds the attributes of an object created by C_CreateObject: X.509 certificates and
/// data objects. Keys are only ever generated on the token.
pub fn created_object(template: &Template) -> Result<Attributes> {
    let view = TemplateView(template);
    let class = view.ulong(CKA_CLASS)?.ok_or(Ckr(CKR_TEMPLATE_INCOMPLETE))?;
    let mut allowed = COMMON_STORAGE.to_vec();
    let defaults = match class {
        CKO_CERTIFICATE => {
            allowed.extend_from_slice(CERTIFICATE);
            view.check(&allowed)?;
            match view.ulong(CKA_CERTIFICATE_TYPE)? {
                Some(CKC_X_509) => {}
                Some(_) => return Err(Ckr(CKR_ATTRIBUTE_VALUE_INVALID)),
                None => return Err(Ckr(CKR_TEMPLATE_INCOMPLETE)),
            }
            if view.get(CKA_VALUE).is_none_or(<[u8]>::is_empty) {
                return Err(Ckr(CKR_TEMPLATE_INCOMPLETE));
            }
            if view.flag(CKA_TRUSTED)? == Some(true) {
                // Only the SO may mark a certificate trusted; not modelled.
                return Err(Ckr(CKR_ATTRIBUTE_READ_ONLY));
            }
            vec![
                (CKA_TRUSTED, flag(false)),
                (CKA_CERTIFICATE_CATEGORY, ulong(0)),
                (CKA_START_DATE, Vec::new()),
                (CKA_END_DATE, Vec::new()),
                (CKA_SUBJECT, Vec::new()),
                (CKA_ID, Vec::new()),
                (CKA_ISSUER, Vec::new()),
                (CKA_SERIAL_NUMBER, Vec::new()),
                (CKA_URL, Vec::new()),
                (CKA_HASH_OF_SUBJECT_PUBLIC_KEY, Vec::new()),
                (CKA_HASH_OF_ISSUER_PUBLIC_KEY, Vec::new()),
                (CKA_JAVA_MIDP_SECURITY_DOMAIN, ulong(0)),
            ]
        }
        CKO_DATA => {
            allowed.extend_from_slice(DATA);
            view.check(&allowed)?;
            vec![
                (CKA_APPLICATION, Vec::new()),
                (CKA_OBJECT_ID, Vec::new()),
                (CKA_VALUE, Vec::new()),
            ]
        }
        _ => return Err(Ckr(CKR_ATTRIBUTE_VALUE_INVALID)),
    };
    let mut all = vec![
        (CKA_TOKEN, flag(false)),
        (CKA_PRIVATE, flag(false)),
        (CKA_MODIFIABLE, flag(true)),
        (CKA_COPYABLE, flag(false)),
        (CKA_DESTROYABLE, flag(true)),
        (CKA_LABEL, Vec::new()),
    ];
    all.extend(defaults);
    Ok(with_defaults(template, &all))
}

/// Attributes a public key template may carry.
pub const PUBLIC_KEY_TEMPLATE: &[CK_ATTRIBUTE_TYPE] = &[
    CKA_CLASS,
    CKA_KEY_TYPE,
    CKA_TOKEN,
    CKA_PRIVATE,
    CKA_MODIFIABLE,
    CKA_COPYABLE,
    CKA_DESTROYABLE,
    CKA_LABEL,
    CKA_ID,
    CKA_SUBJECT,
    CKA_START_DATE,
    CKA_END_DATE,
    CKA_DERIVE,
    CKA_ENCRYPT,
    CKA_VERIFY,
    CKA_VERIFY_RECOVER,
    CKA_WRAP,
    CKA_TRUSTED,
    CKA_MODULUS_BITS,
    CKA_PUBLIC_EXPONENT,
    rutoken_sys::CKA_GOSTR3410_PARAMS,
    rutoken_sys::CKA_GOSTR3411_PARAMS,
];

/// Attributes a private key template may carry.
pub const PRIVATE_KEY_TEMPLATE: &[CK_ATTRIBUTE_TYPE] = &[
    CKA_CLASS,
    CKA_KEY_TYPE,
    CKA_TOKEN,
    CKA_PRIVATE,
    CKA_MODIFIABLE,
    CKA_COPYABLE,
    CKA_DESTROYABLE,
    CKA_LABEL,
    CKA_ID,
    CKA_SUBJECT,
    CKA_START_DATE,
    CKA_END_DATE,
    CKA_DERIVE,
    CKA_DECRYPT,
    CKA_SIGN,
    CKA_SIGN_RECOVER,
    CKA_UNWRAP,
    CKA_SENSITIVE,
    CKA_EXTRACTABLE,
    CKA_WRAP_WITH_TRUSTED,
    CKA_ALWAYS_AUTHENTICATE,
    rutoken_sys::CKA_GOSTR3410_PARAMS,
    rutoken_sys::CKA_GOSTR3411_PARAMS,
];

/// Builds a generated key's attributes: defaults, then the caller's template, then what
/// the token decides (`fixed`, which always wins).
pub fn key_object(
    class: CK_OBJECT_CLASS,
    key_type: CK_KEY_TYPE,
    mechanism: CK_MECHANISM_TYPE,
    template: &Template,
    fixed: Vec<(CK_ATTRIBUTE_TYPE, Vec<u8>)>,
) -> Result<Attributes> {
    let view = TemplateView(template);
    let public = class == CKO_PUBLIC_KEY;
    view.check(if public {
        PUBLIC_KEY_TEMPLATE
    } else {
        PRIVATE_KEY_TEMPLATE
    })?;
    if view.ulong(CKA_CLASS)?.is_some_and(|c| c != class)
        || view.ulong(CKA_KEY_TYPE)?.is_some_and(|k| k != key_type)
    {
        return Err(Ckr(CKR_TEMPLATE_INCONSISTENT));
    }
    if view.flag(CKA_ALWAYS_AUTHENTICATE)? == Some(true) || view.flag(CKA_TRUSTED)? == Some(true) {
        return Err(Ckr(CKR_ATTRIBUTE_VALUE_INVALID));
    }
    let mut defaults = vec![
        (CKA_CLASS, ulong(class)),
        (CKA_KEY_TYPE, ulong(key_type)),
        (CKA_TOKEN, flag(false)),
        (CKA_PRIVATE, flag(!public)),
        (CKA_MODIFIABLE, flag(true)),
        (CKA_COPYABLE, flag(false)),
        (CKA_DESTROYABLE, flag(true)),
        (CKA_LABEL, Vec::new()),
        (CKA_ID, Vec::new()),
        (CKA_SUBJECT, Vec::new()),
        (CKA_START_DATE, Vec::new()),
        (CKA_END_DATE, Vec::new()),
        (CKA_DERIVE, flag(false)),
        (CKA_LOCAL, flag(true)),
        (CKA_KEY_GEN_MECHANISM, ulong(mechanism)),
        (CKA_ALLOWED_MECHANISMS, Vec::new()),
    ];
    if public {
        defaults.extend([
            (CKA_ENCRYPT, flag(false)),
            (CKA_VERIFY, flag(true)),
            (CKA_VERIFY_RECOVER, flag(false)),
            (CKA_WRAP, flag(false)),
            (CKA_TRUSTED, flag(false)),
        ]);
    } else {
        defaults.extend([
            (CKA_DECRYPT, flag(false)),
            (CKA_SIGN, flag(true)),
            (CKA_SIGN_RECOVER, flag(false)),
            (CKA_UNWRAP, flag(false)),
            (CKA_WRAP_WITH_TRUSTED, flag(false)),
            (CKA_ALWAYS_AUTHENTICATE, flag(false)),
        ]);
    }
    let mut attributes = with_defaults(template, &defaults);
    // Generation parameters describe the request, not the stored public key.
    attributes.0.remove(&CKA_MODULUS_BITS);
    if !public {
        attributes.0.remove(&CKA_PUBLIC_EXPONENT);
        // A Rutoken never lets a private key out: whatever was asked, it is sensitive and
        // unextractable, and has always been.
        attributes.0.insert(CKA_SENSITIVE, flag(true));
        attributes.0.insert(CKA_EXTRACTABLE, flag(false));
        attributes.0.insert(CKA_ALWAYS_SENSITIVE, flag(true));
        attributes.0.insert(CKA_NEVER_EXTRACTABLE, flag(true));
    }
    for (ty, value) in fixed {
        attributes.0.insert(ty, value);
    }
    Ok(attributes)
}

/// Which attributes C_SetAttributeValue may change, and to what.
pub fn check_settable(object: &StoredObject, ty: CK_ATTRIBUTE_TYPE, value: &[u8]) -> Result<()> {
    check_value(ty, value)?;
    let class = class_of(&object.attributes);
    let key = matches!(class, CKO_PUBLIC_KEY | CKO_PRIVATE_KEY);
    let allowed = match ty {
        CKA_LABEL => true,
        CKA_ID | CKA_START_DATE | CKA_END_DATE => key || class == CKO_CERTIFICATE,
        CKA_SUBJECT => key,
        CKA_APPLICATION | CKA_OBJECT_ID | CKA_VALUE => class == CKO_DATA,
        CKA_SIGN | CKA_DECRYPT | CKA_DERIVE => class == CKO_PRIVATE_KEY,
        CKA_VERIFY | CKA_ENCRYPT => class == CKO_PUBLIC_KEY,
        // May only move towards more protection, and ours is already there.
        CKA_SENSITIVE => class == CKO_PRIVATE_KEY && read_flag(value) == Some(true),
        CKA_EXTRACTABLE => class == CKO_PRIVATE_KEY && read_flag(value) == Some(false),
        _ => false,
    };
    if allowed {
        Ok(())
    } else if lookup(object, ty) == Lookup::Invalid {
        Err(Ckr(CKR_ATTRIBUTE_TYPE_INVALID))
    } else {
        Err(Ckr(CKR_ATTRIBUTE_READ_ONLY))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificate_needs_value_and_gets_defaults() {
        let mut template: Template = vec![
            (CKA_CLASS, ulong(CKO_CERTIFICATE)),
            (CKA_CERTIFICATE_TYPE, ulong(CKC_X_509)),
            (CKA_TOKEN, flag(true)),
        ];
        assert_eq!(created_object(&template), Err(Ckr(CKR_TEMPLATE_INCOMPLETE)));
        template.push((CKA_VALUE, vec![0x30, 0]));
        let attributes = created_object(&template).unwrap();
        assert!(flag_of(&attributes, CKA_TOKEN));
        assert!(!flag_of(&attributes, CKA_PRIVATE));
        assert_eq!(attributes.0.get(&CKA_ID), Some(&Vec::new()));
        template.push((CKA_MODULUS, vec![1]));
        assert_eq!(
            created_object(&template),
            Err(Ckr(CKR_ATTRIBUTE_TYPE_INVALID))
        );
    }

    #[test]
    fn private_key_secrets_are_sensitive_and_unknowns_invalid() {
        let attributes = key_object(
            CKO_PRIVATE_KEY,
            CKK_RSA,
            CKM_RSA_PKCS_KEY_PAIR_GEN,
            &vec![(CKA_SENSITIVE, flag(false))],
            vec![(CKA_MODULUS, vec![1, 2])],
        )
        .unwrap();
        let object = StoredObject {
            uid: 1,
            attributes,
            secret: None,
        };
        assert_eq!(lookup(&object, CKA_PRIVATE_EXPONENT), Lookup::Sensitive);
        assert_eq!(lookup(&object, CKA_VALUE), Lookup::Invalid);
        assert_eq!(lookup(&object, CKA_SENSITIVE), Lookup::Value(&[CK_TRUE]));
        assert_eq!(lookup(&object, CKA_MODULUS), Lookup::Value(&[1, 2]));
    }
}
