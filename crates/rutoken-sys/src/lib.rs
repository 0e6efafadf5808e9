//! Rutoken's vendor extensions to PKCS#11, as raw C definitions.
//!
//! The standard PKCS#11 types come from [`cryptoki_sys`]; this crate adds only what Aktiv
//! Co.'s headers (`rtpkcs11t.h`, `rtpkcs11f.h`) and the TC26 vendor range define on top of
//! them: GOST R 34.10-2012 key types, attributes and mechanisms, the `C_EX_*` extension
//! table and `CK_TOKEN_INFO_EXTENDED`. Both the virtual token (`rutoken-emu`) and the
//! application's token layer (which loads Aktiv's real `librtpkcs11ecp`) use these
//! definitions, so that the two can never disagree on a value or a layout.
//!
//! There is no logic here. Layouts follow the vendor headers field for field; every
//! "unsigned long" of the C headers is a [`CK_ULONG`].
#![allow(non_camel_case_types, non_snake_case)]

use std::os::raw::c_void;

pub use cryptoki_sys::{
    CK_ATTRIBUTE, CK_BBOOL, CK_BYTE, CK_CHAR, CK_FLAGS, CK_MECHANISM, CK_OBJECT_HANDLE, CK_RV,
    CK_SESSION_HANDLE, CK_SLOT_ID, CK_ULONG, CK_USER_TYPE, CK_UTF8CHAR, CK_VERSION,
};
use cryptoki_sys::{
    CK_ATTRIBUTE_TYPE, CK_HW_FEATURE_TYPE, CK_KEY_TYPE, CK_MECHANISM_TYPE, CKA_VENDOR_DEFINED,
    CKH_VENDOR_DEFINED, CKR_VENDOR_DEFINED,
};

/// Base of the vendor range shared by the Russian PKCS#11 vendors (TC26).
pub const NSSCK_VENDOR_PKCS11_RU_TEAM: CK_ULONG = 0xD432_1000;

// ---- key types ----
/// GOST R 34.10-2001 / 2012 256-bit key pair.
pub const CKK_GOSTR3410: CK_KEY_TYPE = 0x30;
/// GOST R 34.11 hash key (HMAC).
pub const CKK_GOSTR3411: CK_KEY_TYPE = 0x31;
/// GOST 28147-89 secret key.
pub const CKK_GOST28147: CK_KEY_TYPE = 0x32;
/// GOST R 34.10-2012 512-bit key pair.
pub const CKK_GOSTR3410_512: CK_KEY_TYPE = NSSCK_VENDOR_PKCS11_RU_TEAM + 0x003;

// ---- attributes ----
/// DER OID of the public key parameter set (curve).
pub const CKA_GOSTR3410_PARAMS: CK_ATTRIBUTE_TYPE = 0x250;
/// DER OID of the digest parameter set (Streebog-256/512).
pub const CKA_GOSTR3411_PARAMS: CK_ATTRIBUTE_TYPE = 0x251;
/// DER OID of the GOST 28147-89 parameter set.
pub const CKA_GOST28147_PARAMS: CK_ATTRIBUTE_TYPE = 0x252;
/// Model name of the device ("Rutoken ECP 2.0"), on the [`CKH_VENDOR_TOKEN_INFO`] object.
pub const CKA_VENDOR_MODEL_NAME: CK_ATTRIBUTE_TYPE = CKA_VENDOR_DEFINED | 0x3010;
/// Interface the token is connected through now (`INTERFACE_TYPE_*`).
pub const CKA_VENDOR_CURRENT_TOKEN_INTERFACE: CK_ATTRIBUTE_TYPE = CKA_VENDOR_DEFINED | 0x3003;
/// Interfaces the token can be connected through (`INTERFACE_TYPE_*` bits).
pub const CKA_VENDOR_SUPPORTED_TOKEN_INTERFACE: CK_ATTRIBUTE_TYPE = CKA_VENDOR_DEFINED | 0x3004;

/// USB connection, for the interface attributes.
pub const INTERFACE_TYPE_USB: CK_ULONG = 0x1;

// ---- hardware feature types ----
/// Hardware feature object carrying token information such as [`CKA_VENDOR_MODEL_NAME`].
pub const CKH_VENDOR_TOKEN_INFO: CK_HW_FEATURE_TYPE = CKH_VENDOR_DEFINED + 0x01;

// ---- mechanisms ----
/// GOST R 34.10 256-bit key pair generation (2001 and 2012).
pub const CKM_GOSTR3410_KEY_PAIR_GEN: CK_MECHANISM_TYPE = 0x1200;
/// GOST R 34.10 256-bit signature of a caller-supplied digest.
pub const CKM_GOSTR3410: CK_MECHANISM_TYPE = 0x1201;
/// GOST R 34.10-2001 with GOST R 34.11-94 (legacy).
pub const CKM_GOSTR3410_WITH_GOSTR3411: CK_MECHANISM_TYPE = 0x1202;
/// GOST R 34.11-94 digest (legacy).
pub const CKM_GOSTR3411: CK_MECHANISM_TYPE = 0x1210;
/// GOST R 34.10-2012 512-bit key pair generation.
pub const CKM_GOSTR3410_512_KEY_PAIR_GEN: CK_MECHANISM_TYPE = NSSCK_VENDOR_PKCS11_RU_TEAM + 0x005;
/// GOST R 34.10-2012 512-bit signature of a caller-supplied digest.
pub const CKM_GOSTR3410_512: CK_MECHANISM_TYPE = NSSCK_VENDOR_PKCS11_RU_TEAM + 0x006;
/// GOST R 34.10-2012 key agreement (VKO).
pub const CKM_GOSTR3410_2012_DERIVE: CK_MECHANISM_TYPE = NSSCK_VENDOR_PKCS11_RU_TEAM + 0x007;
/// GOST R 34.10-2012 256-bit signature with Streebog-256 computed on the token.
pub const CKM_GOSTR3410_WITH_GOSTR3411_12_256: CK_MECHANISM_TYPE =
    NSSCK_VENDOR_PKCS11_RU_TEAM + 0x008;
/// GOST R 34.10-2012 512-bit signature with Streebog-512 computed on the token.
pub const CKM_GOSTR3410_WITH_GOSTR3411_12_512: CK_MECHANISM_TYPE =
    NSSCK_VENDOR_PKCS11_RU_TEAM + 0x009;
/// Streebog-256 (GOST R 34.11-2012) digest.
pub const CKM_GOSTR3411_12_256: CK_MECHANISM_TYPE = NSSCK_VENDOR_PKCS11_RU_TEAM + 0x012;
/// Streebog-512 (GOST R 34.11-2012) digest.
pub const CKM_GOSTR3411_12_512: CK_MECHANISM_TYPE = NSSCK_VENDOR_PKCS11_RU_TEAM + 0x013;

// ---- CK_TOKEN_INFO_EXTENDED flags ----
/// The administrator (SO) may change the user PIN.
pub const TOKEN_FLAGS_ADMIN_CHANGE_USER_PIN: CK_FLAGS = 0x0000_0001;
/// The user may change the user PIN.
pub const TOKEN_FLAGS_USER_CHANGE_USER_PIN: CK_FLAGS = 0x0000_0002;
/// The administrator (SO) PIN is no longer the factory default.
pub const TOKEN_FLAGS_ADMIN_PIN_NOT_DEFAULT: CK_FLAGS = 0x0000_0004;
/// The user PIN is no longer the factory default.
pub const TOKEN_FLAGS_USER_PIN_NOT_DEFAULT: CK_FLAGS = 0x0000_0008;
/// The token supports CryptoPro FKN.
pub const TOKEN_FLAGS_SUPPORT_FKN: CK_FLAGS = 0x0000_0010;
/// The token has a flash drive.
pub const TOKEN_FLAGS_HAS_FLASH_DRIVE: CK_FLAGS = 0x0000_0080;
/// The token supports secure messaging.
pub const TOKEN_FLAGS_SUPPORT_SECURE_MESSAGING: CK_FLAGS = 0x0000_0100;
/// The token has a touch button (Rutoken Touch).
pub const TOKEN_FLAGS_HAS_BUTTON: CK_FLAGS = 0x0000_0200;
/// The token keeps an operation journal.
pub const TOKEN_FLAGS_SUPPORT_JOURNAL: CK_FLAGS = 0x0000_0400;
/// The user PIN is UTF-8.
pub const TOKEN_FLAGS_USER_PIN_UTF8: CK_FLAGS = 0x0000_0800;
/// The administrator PIN is UTF-8.
pub const TOKEN_FLAGS_ADMIN_PIN_UTF8: CK_FLAGS = 0x0000_1000;
/// `ulFirmwareChecksum` is not available.
pub const TOKEN_FLAGS_FW_CHECKSUM_UNAVAILIBLE: CK_FLAGS = 0x4000_0000;
/// `ulFirmwareChecksum` differs from the reference checksum.
pub const TOKEN_FLAGS_FW_CHECKSUM_INVALID: CK_FLAGS = 0x8000_0000;

// ---- token types (deprecated field ulTokenType) and classes ----
/// `ulTokenType` of a Rutoken ECP (the vendor deprecated the field but it is still read).
pub const TOKEN_TYPE_RUTOKEN_ECP: CK_ULONG = 0x01;
/// `ulTokenClass` of a Rutoken S.
pub const TOKEN_CLASS_S: CK_ULONG = 0x00;
/// `ulTokenClass` of the Rutoken ECP family.
pub const TOKEN_CLASS_ECP: CK_ULONG = 0x01;
/// `ulTokenClass` of a Rutoken Lite.
pub const TOKEN_CLASS_LITE: CK_ULONG = 0x02;
/// `ulTokenClass` of a Rutoken ECP Dual / Bluetooth.
pub const TOKEN_CLASS_ECPDUAL: CK_ULONG = 0x09;
/// `ulTokenClass` when unknown.
pub const TOKEN_CLASS_UNKNOWN: CK_ULONG = 0xFFFF_FFFF;
/// `ulBodyColor` when unknown.
pub const TOKEN_BODY_COLOR_UNKNOWN: CK_ULONG = 0;

// ---- vendor return codes (rtpkcs11t.h, CKR_VENDOR_DEFINED + 1 .. 11) ----
/// Rutoken: the token's file system map is damaged.
pub const CKR_CORRUPTED_MAPFILE: CK_RV = CKR_VENDOR_DEFINED + 1;
/// Rutoken: data on the token has a version field the library does not know.
pub const CKR_WRONG_VERSION_FIELD: CK_RV = CKR_VENDOR_DEFINED + 2;
/// Rutoken: a PKCS#1 block is badly encoded.
pub const CKR_WRONG_PKCS1_ENCODING: CK_RV = CKR_VENDOR_DEFINED + 3;
/// Rutoken: data on the token is corrupted.
pub const CKR_RTPKCS11_DATA_CORRUPTED: CK_RV = CKR_VENDOR_DEFINED + 4;
/// Rutoken: the token's system (RSF) data is corrupted.
pub const CKR_RTPKCS11_RSF_DATA_CORRUPTED: CK_RV = CKR_VENDOR_DEFINED + 5;
/// Rutoken: the secure-messaging password is invalid.
pub const CKR_SM_PASSWORD_INVALID: CK_RV = CKR_VENDOR_DEFINED + 6;
/// Rutoken: the licence is read-only.
pub const CKR_LICENSE_READ_ONLY: CK_RV = CKR_VENDOR_DEFINED + 7;
/// Rutoken: the issuer (emitent) key is blocked.
pub const CKR_VENDOR_EMITENT_KEY_BLOCKED: CK_RV = CKR_VENDOR_DEFINED + 8;
/// Rutoken: a certificate chain did not verify.
pub const CKR_CERT_CHAIN_NOT_VERIFIED: CK_RV = CKR_VENDOR_DEFINED + 9;
/// Rutoken: the new PIN does not satisfy the PIN policy.
pub const CKR_INAPPROPRIATE_PIN: CK_RV = CKR_VENDOR_DEFINED + 10;
/// Rutoken: the new PIN was used recently.
pub const CKR_PIN_IN_HISTORY: CK_RV = CKR_VENDOR_DEFINED + 11;

/// Extended information about a token, filled by `C_EX_GetTokenInfoExtended`.
///
/// The caller sets `ulSizeofThisStructure` to `size_of::<CK_TOKEN_INFO_EXTENDED>()` before
/// the call; the module writes back how many bytes it filled. Older vendor libraries end
/// the structure at `ulBodyColor` or `ulFirmwareChecksum`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct CK_TOKEN_INFO_EXTENDED {
    /// [in] size of the caller's structure, [out] size filled.
    pub ulSizeofThisStructure: CK_ULONG,
    /// Deprecated by the vendor (see `TOKEN_TYPE_*`).
    pub ulTokenType: CK_ULONG,
    /// Exchange protocol number.
    pub ulProtocolNumber: CK_ULONG,
    /// Microcode number.
    pub ulMicrocodeNumber: CK_ULONG,
    /// Order number.
    pub ulOrderNumber: CK_ULONG,
    /// `TOKEN_FLAGS_*`.
    pub flags: CK_FLAGS,
    /// Maximum administrator PIN length.
    pub ulMaxAdminPinLen: CK_ULONG,
    /// Minimum administrator PIN length.
    pub ulMinAdminPinLen: CK_ULONG,
    /// Maximum user PIN length.
    pub ulMaxUserPinLen: CK_ULONG,
    /// Minimum user PIN length.
    pub ulMinUserPinLen: CK_ULONG,
    /// Maximum administrator PIN attempts.
    pub ulMaxAdminRetryCount: CK_ULONG,
    /// Administrator PIN attempts left; 0 means blocked.
    pub ulAdminRetryCountLeft: CK_ULONG,
    /// Maximum user PIN attempts.
    pub ulMaxUserRetryCount: CK_ULONG,
    /// User PIN attempts left; 0 means blocked.
    pub ulUserRetryCountLeft: CK_ULONG,
    /// Serial number, big-endian.
    pub serialNumber: [CK_BYTE; 8],
    /// Total memory, bytes.
    pub ulTotalMemory: CK_ULONG,
    /// Free memory, bytes.
    pub ulFreeMemory: CK_ULONG,
    /// Answer to reset.
    pub ATR: [CK_BYTE; 64],
    /// Length of `ATR` used.
    pub ulATRLen: CK_ULONG,
    /// `TOKEN_CLASS_*`.
    pub ulTokenClass: CK_ULONG,
    /// Battery voltage, millivolts (0 on bus-powered tokens).
    pub ulBatteryVoltage: CK_ULONG,
    /// `TOKEN_BODY_COLOR_*`.
    pub ulBodyColor: CK_ULONG,
    /// Firmware checksum.
    pub ulFirmwareChecksum: CK_ULONG,
    /// Battery charge, percent.
    pub ulBatteryPercentage: CK_ULONG,
    /// Battery flags.
    pub ulBatteryFlags: CK_ULONG,
}

impl Default for CK_TOKEN_INFO_EXTENDED {
    /// All zeros, with `ulSizeofThisStructure` already set as callers must.
    fn default() -> Self {
        Self {
            ulSizeofThisStructure: std::mem::size_of::<Self>() as CK_ULONG,
            ulTokenType: 0,
            ulProtocolNumber: 0,
            ulMicrocodeNumber: 0,
            ulOrderNumber: 0,
            flags: 0,
            ulMaxAdminPinLen: 0,
            ulMinAdminPinLen: 0,
            ulMaxUserPinLen: 0,
            ulMinUserPinLen: 0,
            ulMaxAdminRetryCount: 0,
            ulAdminRetryCountLeft: 0,
            ulMaxUserRetryCount: 0,
            ulUserRetryCountLeft: 0,
            serialNumber: [0; 8],
            ulTotalMemory: 0,
            ulFreeMemory: 0,
            ATR: [0; 64],
            ulATRLen: 0,
            ulTokenClass: 0,
            ulBatteryVoltage: 0,
            ulBodyColor: 0,
            ulFirmwareChecksum: 0,
            ulBatteryPercentage: 0,
            ulBatteryFlags: 0,
        }
    }
}

/// Parameters of `C_EX_InitToken` (full reformat of a token).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct CK_RUTOKEN_INIT_PARAM {
    pub ulSizeofThisStructure: CK_ULONG,
    pub UseRepairMode: CK_ULONG,
    pub pNewAdminPin: *mut CK_BYTE,
    pub ulNewAdminPinLen: CK_ULONG,
    pub pNewUserPin: *mut CK_BYTE,
    pub ulNewUserPinLen: CK_ULONG,
    pub ChangeUserPINPolicy: CK_FLAGS,
    pub ulMinAdminPinLen: CK_ULONG,
    pub ulMinUserPinLen: CK_ULONG,
    pub ulMaxAdminRetryCount: CK_ULONG,
    pub ulMaxUserRetryCount: CK_ULONG,
    pub pTokenLabel: *mut CK_BYTE,
    pub ulLabelLen: CK_ULONG,
    pub ulSmMode: CK_ULONG,
}

/// A buffer handed out by the CMS functions.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct CK_VENDOR_BUFFER {
    pub pData: *mut CK_BYTE,
    pub ulSize: CK_ULONG,
}

type S = CK_SESSION_HANDLE;
type H = CK_OBJECT_HANDLE;
type U = CK_ULONG;
type B = *mut CK_BYTE;

pub type CK_C_EX_GetFunctionListExtended =
    Option<unsafe extern "C" fn(ppFunctionList: *mut *mut CK_FUNCTION_LIST_EXTENDED) -> CK_RV>;
pub type CK_C_EX_InitToken = Option<
    unsafe extern "C" fn(
        slotID: CK_SLOT_ID,
        pPin: *mut CK_UTF8CHAR,
        ulPinLen: U,
        pInitInfo: *mut CK_RUTOKEN_INIT_PARAM,
    ) -> CK_RV,
>;
pub type CK_C_EX_GetTokenInfoExtended =
    Option<unsafe extern "C" fn(slotID: CK_SLOT_ID, pInfo: *mut CK_TOKEN_INFO_EXTENDED) -> CK_RV>;
pub type CK_C_EX_UnblockUserPIN = Option<unsafe extern "C" fn(hSession: S) -> CK_RV>;
pub type CK_C_EX_SetTokenName =
    Option<unsafe extern "C" fn(hSession: S, pLabel: *mut CK_CHAR, ulLabelLen: U) -> CK_RV>;
pub type CK_C_EX_SetLicense = Option<
    unsafe extern "C" fn(hSession: S, ulLicenseNum: U, pLicense: B, ulLicenseLen: U) -> CK_RV,
>;
pub type CK_C_EX_GetLicense = Option<
    unsafe extern "C" fn(hSession: S, ulLicenseNum: U, pLicense: B, pulLicenseLen: *mut U) -> CK_RV,
>;
pub type CK_C_EX_GetCertificateInfoText = Option<
    unsafe extern "C" fn(
        hSession: S,
        hCert: H,
        pInfo: *mut *mut CK_CHAR,
        pulInfoLen: *mut U,
    ) -> CK_RV,
>;
pub type CK_C_EX_PKCS7Sign = Option<
    unsafe extern "C" fn(
        hSession: S,
        pData: B,
        ulDataLen: U,
        hCert: H,
        ppEnvelope: *mut B,
        pEnvelopeLen: *mut U,
        hPrivKey: H,
        phCertificates: *mut H,
        ulCertificatesLen: U,
        flags: U,
    ) -> CK_RV,
>;
pub type CK_C_EX_CreateCSR = Option<
    unsafe extern "C" fn(
        hSession: S,
        hPublicKey: H,
        dn: *mut *mut CK_CHAR,
        dnLength: U,
        pCsr: *mut B,
        pulCsrLength: *mut U,
        hPrivKey: H,
        pAttributes: *mut *mut CK_CHAR,
        ulAttributesLength: U,
        pExtensions: *mut *mut CK_CHAR,
        ulExtensionsLength: U,
    ) -> CK_RV,
>;
pub type CK_C_EX_FreeBuffer = Option<unsafe extern "C" fn(pBuffer: B) -> CK_RV>;
pub type CK_C_EX_GetTokenName =
    Option<unsafe extern "C" fn(hSession: S, pLabel: *mut CK_CHAR, pulLabelLen: *mut U) -> CK_RV>;
pub type CK_C_EX_SetLocalPIN = Option<
    unsafe extern "C" fn(
        slotID: CK_SLOT_ID,
        pUserPin: *mut CK_UTF8CHAR,
        ulUserPinLen: U,
        pNewLocalPin: *mut CK_UTF8CHAR,
        ulNewLocalPinLen: U,
        ulLocalID: U,
    ) -> CK_RV,
>;
pub type CK_C_EX_LoadActivationKey =
    Option<unsafe extern "C" fn(hSession: S, key: B, keySize: U) -> CK_RV>;
pub type CK_C_EX_SetActivationPassword =
    Option<unsafe extern "C" fn(slotID: CK_SLOT_ID, password: *mut CK_UTF8CHAR) -> CK_RV>;
/// `pInfo` points to `CK_VOLUME_INFO_EXTENDED` records (flash drives; not defined here).
pub type CK_C_EX_GetVolumesInfo = Option<
    unsafe extern "C" fn(slotID: CK_SLOT_ID, pInfo: *mut c_void, pulInfoCount: *mut U) -> CK_RV,
>;
pub type CK_C_EX_GetDriveSize =
    Option<unsafe extern "C" fn(slotID: CK_SLOT_ID, pulDriveSize: *mut U) -> CK_RV>;
pub type CK_C_EX_ChangeVolumeAttributes = Option<
    unsafe extern "C" fn(
        slotID: CK_SLOT_ID,
        userType: CK_USER_TYPE,
        pPin: *mut CK_UTF8CHAR,
        ulPinLen: U,
        idVolume: U,
        newAccessMode: U,
        bPermanent: CK_BBOOL,
    ) -> CK_RV,
>;
/// `pInitParams` points to `CK_VOLUME_FORMAT_INFO_EXTENDED` records (not defined here).
pub type CK_C_EX_FormatDrive = Option<
    unsafe extern "C" fn(
        slotID: CK_SLOT_ID,
        userType: CK_USER_TYPE,
        pPin: *mut CK_UTF8CHAR,
        ulPinLen: U,
        pInitParams: *mut c_void,
        ulInitParamsCount: U,
    ) -> CK_RV,
>;
pub type CK_C_EX_TokenManage =
    Option<unsafe extern "C" fn(hSession: S, ulMode: U, pValue: *mut c_void) -> CK_RV>;
pub type CK_C_EX_GenerateActivationPassword = Option<
    unsafe extern "C" fn(
        hSession: S,
        ulPasswordNumber: U,
        pPassword: *mut CK_UTF8CHAR,
        pulPasswordSize: *mut U,
        ulPasswordCharacterSet: U,
    ) -> CK_RV,
>;
pub type CK_C_EX_GetJournal =
    Option<unsafe extern "C" fn(slotID: CK_SLOT_ID, pJournal: B, pulJournalSize: *mut U) -> CK_RV>;
pub type CK_C_EX_SignInvisibleInit =
    Option<unsafe extern "C" fn(hSession: S, pMechanism: *mut CK_MECHANISM, hKey: H) -> CK_RV>;
pub type CK_C_EX_SignInvisible = Option<
    unsafe extern "C" fn(
        hSession: S,
        pData: B,
        ulDataLen: U,
        pSignature: B,
        pulSignatureLen: *mut U,
    ) -> CK_RV,
>;
pub type CK_C_EX_SlotManage =
    Option<unsafe extern "C" fn(slotID: CK_SLOT_ID, ulMode: U, pValue: *mut c_void) -> CK_RV>;
pub type CK_C_EX_WrapKey = Option<
    unsafe extern "C" fn(
        hSession: S,
        pGenerationMechanism: *mut CK_MECHANISM,
        pKeyTemplate: *mut CK_ATTRIBUTE,
        ulKeyAttributeCount: U,
        pDerivationMechanism: *mut CK_MECHANISM,
        hBaseKey: H,
        pWrappingMechanism: *mut CK_MECHANISM,
        pWrappedKey: B,
        pulWrappedKeyLen: *mut U,
        phKey: *mut H,
    ) -> CK_RV,
>;
pub type CK_C_EX_UnwrapKey = Option<
    unsafe extern "C" fn(
        hSession: S,
        pDerivationMechanism: *mut CK_MECHANISM,
        hBaseKey: H,
        pUnwrappingMechanism: *mut CK_MECHANISM,
        pWrappedKey: B,
        ulWrappedKeyLen: U,
        pKeyTemplate: *mut CK_ATTRIBUTE,
        ulKeyAttributeCount: U,
        phKey: *mut H,
    ) -> CK_RV,
>;
/// `pStore` points to a `CK_VENDOR_X509_STORE` (not defined here).
pub type CK_C_EX_PKCS7VerifyInit = Option<
    unsafe extern "C" fn(
        hSession: S,
        pCms: B,
        ulCmsSize: U,
        pStore: *mut c_void,
        ckMode: U,
        flags: CK_FLAGS,
    ) -> CK_RV,
>;
pub type CK_C_EX_PKCS7Verify = Option<
    unsafe extern "C" fn(
        hSession: S,
        ppData: *mut B,
        pulDataSize: *mut U,
        ppSignerCertificates: *mut *mut CK_VENDOR_BUFFER,
        pulSignerCertificatesCount: *mut U,
    ) -> CK_RV,
>;
pub type CK_C_EX_PKCS7VerifyUpdate =
    Option<unsafe extern "C" fn(hSession: S, pData: B, ulDataSize: U) -> CK_RV>;
pub type CK_C_EX_PKCS7VerifyFinal = Option<
    unsafe extern "C" fn(
        hSession: S,
        ppSignerCertificates: *mut *mut CK_VENDOR_BUFFER,
        pulSignerCertificatesCount: *mut U,
    ) -> CK_RV,
>;
pub type CK_C_EX_Authenticate =
    Option<unsafe extern "C" fn(hSession: S, hAuthObject: H, pData: B, ulDataSize: U) -> CK_RV>;
pub type CK_C_EX_Deauthenticate =
    Option<unsafe extern "C" fn(hSession: S, hAuthObject: H) -> CK_RV>;
pub type CK_C_EX_UnblockAuthenticator =
    Option<unsafe extern "C" fn(hSession: S, hAuthObject: H) -> CK_RV>;

/// The extension table returned by `C_EX_GetFunctionListExtended`, in the vendor's order
/// (`rtpkcs11f.h`): entries the vendor deprecated still hold their places.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct CK_FUNCTION_LIST_EXTENDED {
    pub version: CK_VERSION,
    pub C_EX_GetFunctionListExtended: CK_C_EX_GetFunctionListExtended,
    pub C_EX_InitToken: CK_C_EX_InitToken,
    pub C_EX_GetTokenInfoExtended: CK_C_EX_GetTokenInfoExtended,
    pub C_EX_UnblockUserPIN: CK_C_EX_UnblockUserPIN,
    pub C_EX_SetTokenName: CK_C_EX_SetTokenName,
    pub C_EX_SetLicense: CK_C_EX_SetLicense,
    pub C_EX_GetLicense: CK_C_EX_GetLicense,
    pub C_EX_GetCertificateInfoText: CK_C_EX_GetCertificateInfoText,
    pub C_EX_PKCS7Sign: CK_C_EX_PKCS7Sign,
    pub C_EX_CreateCSR: CK_C_EX_CreateCSR,
    pub C_EX_FreeBuffer: CK_C_EX_FreeBuffer,
    pub C_EX_GetTokenName: CK_C_EX_GetTokenName,
    pub C_EX_SetLocalPIN: CK_C_EX_SetLocalPIN,
    pub C_EX_LoadActivationKey: CK_C_EX_LoadActivationKey,
    pub C_EX_SetActivationPassword: CK_C_EX_SetActivationPassword,
    pub C_EX_GetVolumesInfo: CK_C_EX_GetVolumesInfo,
    pub C_EX_GetDriveSize: CK_C_EX_GetDriveSize,
    pub C_EX_ChangeVolumeAttributes: CK_C_EX_ChangeVolumeAttributes,
    pub C_EX_FormatDrive: CK_C_EX_FormatDrive,
    pub C_EX_TokenManage: CK_C_EX_TokenManage,
    pub C_EX_GenerateActivationPassword: CK_C_EX_GenerateActivationPassword,
    pub C_EX_GetJournal: CK_C_EX_GetJournal,
    pub C_EX_SignInvisibleInit: CK_C_EX_SignInvisibleInit,
    pub C_EX_SignInvisible: CK_C_EX_SignInvisible,
    pub C_EX_SlotManage: CK_C_EX_SlotManage,
    pub C_EX_WrapKey: CK_C_EX_WrapKey,
    pub C_EX_UnwrapKey: CK_C_EX_UnwrapKey,
    pub C_EX_PKCS7VerifyInit: CK_C_EX_PKCS7VerifyInit,
    pub C_EX_PKCS7Verify: CK_C_EX_PKCS7Verify,
    pub C_EX_PKCS7VerifyUpdate: CK_C_EX_PKCS7VerifyUpdate,
    pub C_EX_PKCS7VerifyFinal: CK_C_EX_PKCS7VerifyFinal,
    pub C_EX_Authenticate: CK_C_EX_Authenticate,
    pub C_EX_Deauthenticate: CK_C_EX_Deauthenticate,
    pub C_EX_UnblockAuthenticator: CK_C_EX_UnblockAuthenticator,
}

#[cfg(all(test, target_pointer_width = "64", not(windows)))]
mod tests {
    use super::*;
    use std::mem::{offset_of, size_of};

    #[test]
    fn token_info_extended_layout_matches_the_vendor_header() {
        // 14 CK_ULONGs, serial[8], 2 CK_ULONGs, ATR[64], 7 CK_ULONGs.
        assert_eq!(offset_of!(CK_TOKEN_INFO_EXTENDED, serialNumber), 14 * 8);
        assert_eq!(
            offset_of!(CK_TOKEN_INFO_EXTENDED, ulTotalMemory),
            14 * 8 + 8
        );
        assert_eq!(offset_of!(CK_TOKEN_INFO_EXTENDED, ATR), 16 * 8 + 8);
        assert_eq!(
            offset_of!(CK_TOKEN_INFO_EXTENDED, ulATRLen),
            16 * 8 + 8 + 64
        );
        assert_eq!(size_of::<CK_TOKEN_INFO_EXTENDED>(), 23 * 8 + 8 + 64);
    }

    #[test]
    fn function_list_extended_has_34_entries() {
        assert_eq!(size_of::<CK_FUNCTION_LIST_EXTENDED>(), 8 + 34 * 8);
        assert_eq!(
            offset_of!(CK_FUNCTION_LIST_EXTENDED, C_EX_UnblockAuthenticator),
            8 + 33 * 8
        );
    }

    #[test]
    fn vendor_values() {
        assert_eq!(CKM_GOSTR3410_512_KEY_PAIR_GEN, 0xD432_1005);
        assert_eq!(CKM_GOSTR3411_12_512, 0xD432_1013);
        assert_eq!(CKK_GOSTR3410_512, 0xD432_1003);
        assert_eq!(CKA_VENDOR_MODEL_NAME, 0x8000_3010);
        assert_eq!(CKH_VENDOR_TOKEN_INFO, 0x8000_0001);
    }
}
