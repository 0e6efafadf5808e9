//! The C ABI called directly: argument checking, buffer conventions, handles, and calls
//! before C_Initialize, all answered with the right CKR codes.

mod common;

use std::ptr::null_mut;

use common::{Raw, STREEBOG_256, TestDir, serial_guard};
use cryptoki_sys::*;

#[test]
fn calls_before_initialize_and_bad_arguments() {
    let _guard = serial_guard();
    let dir = TestDir::new("abi-init");
    dir.token("0A0B0C0D");
    dir.activate();
    let raw = Raw::load();
    let f = &raw.f;
    unsafe {
        let mut info: CK_INFO = std::mem::zeroed();
        assert_eq!(
            f.C_GetInfo.unwrap()(&mut info),
            CKR_CRYPTOKI_NOT_INITIALIZED
        );
        let mut count = 0;
        assert_eq!(
            f.C_GetSlotList.unwrap()(CK_TRUE, null_mut(), &mut count),
            CKR_CRYPTOKI_NOT_INITIALIZED
        );
        assert_eq!(
            f.C_Finalize.unwrap()(null_mut()),
            CKR_CRYPTOKI_NOT_INITIALIZED
        );
        assert_eq!(f.C_CloseSession.unwrap()(1), CKR_CRYPTOKI_NOT_INITIALIZED);
        assert_eq!(raw.extended(0).unwrap_err(), CKR_CRYPTOKI_NOT_INITIALIZED);
        assert_eq!(f.C_GetFunctionList.unwrap()(null_mut()), CKR_ARGUMENTS_BAD);

        // C_Initialize: reserved must be NULL, mutex functions all or none.
        let mut args: CK_C_INITIALIZE_ARGS = std::mem::zeroed();
        args.pReserved = std::ptr::dangling_mut();
        assert_eq!(
            f.C_Initialize.unwrap()((&mut args as *mut CK_C_INITIALIZE_ARGS).cast()),
            CKR_ARGUMENTS_BAD
        );
        let mut args: CK_C_INITIALIZE_ARGS = std::mem::zeroed();
        args.flags = CKF_OS_LOCKING_OK;
        assert_eq!(
            f.C_Initialize.unwrap()((&mut args as *mut CK_C_INITIALIZE_ARGS).cast()),
            CKR_OK
        );
        assert_eq!(
            f.C_Initialize.unwrap()(null_mut()),
            CKR_CRYPTOKI_ALREADY_INITIALIZED
        );

        assert_eq!(f.C_GetInfo.unwrap()(null_mut()), CKR_ARGUMENTS_BAD);
        assert_eq!(f.C_GetInfo.unwrap()(&mut info), CKR_OK);
        assert_eq!(
            (info.cryptokiVersion.major, info.cryptokiVersion.minor),
            (2, 40)
        );
        assert_eq!(
            f.C_GetSlotList.unwrap()(CK_TRUE, null_mut(), null_mut()),
            CKR_ARGUMENTS_BAD
        );
        assert_eq!(f.C_GetTokenInfo.unwrap()(0, null_mut()), CKR_ARGUMENTS_BAD);
        let mut session = 0;
        assert_eq!(
            f.C_OpenSession.unwrap()(0, CKF_SERIAL_SESSION, null_mut(), None, null_mut()),
            CKR_ARGUMENTS_BAD
        );
        assert_eq!(
            f.C_OpenSession.unwrap()(0, 0, null_mut(), None, &mut session),
            CKR_SESSION_PARALLEL_NOT_SUPPORTED
        );
        assert_eq!(
            f.C_Finalize.unwrap()(std::ptr::dangling_mut()),
            CKR_ARGUMENTS_BAD
        );
        assert_eq!(f.C_Finalize.unwrap()(null_mut()), CKR_OK);
        assert_eq!(
            f.C_Finalize.unwrap()(null_mut()),
            CKR_CRYPTOKI_NOT_INITIALIZED
        );
    }
}

#[test]
fn lists_short_buffers_and_bad_handles() {
    let _guard = serial_guard();
    let dir = TestDir::new("abi-lists");
    dir.token("00C0FFEE");
    dir.activate();
    let raw = Raw::load();
    let f = &raw.f;
    unsafe {
        assert_eq!(f.C_Initialize.unwrap()(null_mut()), CKR_OK);
        // Two readers, one token.
        let mut count = 0;
        assert_eq!(
            f.C_GetSlotList.unwrap()(CK_FALSE, null_mut(), &mut count),
            CKR_OK
        );
        assert_eq!(count, 2);
        let mut slots = [99 as CK_SLOT_ID; 2];
        count = 1;
        assert_eq!(
            f.C_GetSlotList.unwrap()(CK_FALSE, slots.as_mut_ptr(), &mut count),
            CKR_BUFFER_TOO_SMALL
        );
        assert_eq!(count, 2);
        count = 2;
        assert_eq!(
            f.C_GetSlotList.unwrap()(CK_TRUE, slots.as_mut_ptr(), &mut count),
            CKR_OK
        );
        assert_eq!((count, slots[0]), (1, 0));

        let mut token: CK_TOKEN_INFO = std::mem::zeroed();
        assert_eq!(f.C_GetTokenInfo.unwrap()(0, &mut token), CKR_OK);
        assert_eq!(&token.manufacturerID[..9], b"Aktiv Co.");
        assert_eq!(&token.model[..], b"Rutoken ECP     ");
        assert_eq!(&token.serialNumber[..], b"00C0FFEE        ");
        assert_eq!(
            f.C_GetTokenInfo.unwrap()(1, &mut token),
            CKR_TOKEN_NOT_PRESENT
        );
        assert_eq!(
            f.C_GetTokenInfo.unwrap()(7, &mut token),
            CKR_SLOT_ID_INVALID
        );
        let mut slot_info: CK_SLOT_INFO = std::mem::zeroed();
        assert_eq!(f.C_GetSlotInfo.unwrap()(1, &mut slot_info), CKR_OK);
        assert_eq!(slot_info.flags & CKF_TOKEN_PRESENT, 0);

        let mut mechanisms = [0 as CK_MECHANISM_TYPE; 1];
        count = 1;
        assert_eq!(
            f.C_GetMechanismList.unwrap()(0, mechanisms.as_mut_ptr(), &mut count),
            CKR_BUFFER_TOO_SMALL
        );
        assert!(count > 1);
        let mut mech_info: CK_MECHANISM_INFO = std::mem::zeroed();
        assert_eq!(
            f.C_GetMechanismInfo.unwrap()(0, CKM_AES_CBC, &mut mech_info),
            CKR_MECHANISM_INVALID
        );
        assert_eq!(
            f.C_GetMechanismInfo.unwrap()(
                0,
                rutoken_sys::CKM_GOSTR3410_KEY_PAIR_GEN,
                &mut mech_info
            ),
            CKR_OK
        );
        assert_eq!(
            mech_info.flags & CKF_GENERATE_KEY_PAIR,
            CKF_GENERATE_KEY_PAIR
        );

        assert_eq!(f.C_CloseSession.unwrap()(12345), CKR_SESSION_HANDLE_INVALID);
        let mut session = 0;
        assert_eq!(
            f.C_OpenSession.unwrap()(
                0,
                CKF_SERIAL_SESSION | CKF_RW_SESSION,
                null_mut(),
                None,
                &mut session
            ),
            CKR_OK
        );
        let mut pin = *b"12345678";
        assert_eq!(
            f.C_Login.unwrap()(session, CKU_USER, pin.as_mut_ptr(), 8),
            CKR_OK
        );
        assert_eq!(
            f.C_Login.unwrap()(session, CKU_USER, pin.as_mut_ptr(), 8),
            CKR_USER_ALREADY_LOGGED_IN
        );
        assert_eq!(
            f.C_Login.unwrap()(session, 7, pin.as_mut_ptr(), 8),
            CKR_USER_TYPE_INVALID
        );

        let mut value = [0u8; 64];
        let mut attribute = CK_ATTRIBUTE {
            type_: CKA_LABEL,
            pValue: value.as_mut_ptr().cast(),
            ulValueLen: 64,
        };
        assert_eq!(
            f.C_GetAttributeValue.unwrap()(session, 4242, &mut attribute, 1),
            CKR_OBJECT_HANDLE_INVALID
        );
        assert_eq!(
            f.C_GetAttributeValue.unwrap()(session, 4242, null_mut(), 1),
            CKR_ARGUMENTS_BAD
        );

        // Attribute conventions on a GOST key pair.
        let (public, private) = raw.gost_pair(session, false, b"k1").unwrap();
        let mut attributes = [
            CK_ATTRIBUTE {
                type_: CKA_VALUE,
                pValue: null_mut(),
                ulValueLen: 0,
            },
            CK_ATTRIBUTE {
                type_: CKA_LABEL,
                pValue: null_mut(),
                ulValueLen: 0,
            },
            CK_ATTRIBUTE {
                type_: CKA_MODULUS,
                pValue: null_mut(),
                ulValueLen: 0,
            },
        ];
        let rv = f.C_GetAttributeValue.unwrap()(session, private, attributes.as_mut_ptr(), 3);
        assert!(
            rv == CKR_ATTRIBUTE_SENSITIVE || rv == CKR_ATTRIBUTE_TYPE_INVALID,
            "{rv:#x}"
        );
        assert_eq!(attributes[0].ulValueLen, CK_UNAVAILABLE_INFORMATION);
        assert_eq!(attributes[1].ulValueLen, 8);
        assert_eq!(attributes[2].ulValueLen, CK_UNAVAILABLE_INFORMATION);
        let mut one = [CK_ATTRIBUTE {
            type_: CKA_VALUE,
            pValue: null_mut(),
            ulValueLen: 0,
        }];
        assert_eq!(
            f.C_GetAttributeValue.unwrap()(session, private, one.as_mut_ptr(), 1),
            CKR_ATTRIBUTE_SENSITIVE
        );
        assert_eq!(
            f.C_GetAttributeValue.unwrap()(session, public, one.as_mut_ptr(), 1),
            CKR_OK
        );
        assert_eq!(one[0].ulValueLen, 64);
        let mut short = [0u8; 10];
        one[0].pValue = short.as_mut_ptr().cast();
        one[0].ulValueLen = 10;
        assert_eq!(
            f.C_GetAttributeValue.unwrap()(session, public, one.as_mut_ptr(), 1),
            CKR_BUFFER_TOO_SMALL
        );
        assert_eq!(one[0].ulValueLen, CK_UNAVAILABLE_INFORMATION);
        let mut never = CK_BBOOL::default();
        let mut flag = CK_ATTRIBUTE {
            type_: CKA_NEVER_EXTRACTABLE,
            pValue: (&mut never as *mut CK_BBOOL).cast(),
            ulValueLen: 1,
        };
        assert_eq!(
            f.C_GetAttributeValue.unwrap()(session, private, &mut flag, 1),
            CKR_OK
        );
        assert_eq!(never, CK_TRUE);

        // C_Sign: size query, short buffer (operation stays active), then the signature.
        let mut mechanism = CK_MECHANISM {
            mechanism: rutoken_sys::CKM_GOSTR3410_WITH_GOSTR3411_12_256,
            pParameter: STREEBOG_256.as_ptr() as *mut _,
            ulParameterLen: STREEBOG_256.len() as CK_ULONG,
        };
        assert_eq!(
            f.C_SignInit.unwrap()(session, &mut mechanism, public),
            CKR_KEY_TYPE_INCONSISTENT
        );
        assert_eq!(
            f.C_SignInit.unwrap()(session, &mut mechanism, 4242),
            CKR_KEY_HANDLE_INVALID
        );
        assert_eq!(
            f.C_SignInit.unwrap()(session, null_mut(), private),
            CKR_ARGUMENTS_BAD
        );
        assert_eq!(
            f.C_SignInit.unwrap()(session, &mut mechanism, private),
            CKR_OK
        );
        assert_eq!(
            f.C_SignInit.unwrap()(session, &mut mechanism, private),
            CKR_OPERATION_ACTIVE
        );
        let mut data = *b"hello";
        let mut len = 0;
        assert_eq!(
            f.C_Sign.unwrap()(session, data.as_mut_ptr(), 5, null_mut(), null_mut()),
            CKR_ARGUMENTS_BAD
        );
        assert_eq!(
            f.C_Sign.unwrap()(session, data.as_mut_ptr(), 5, null_mut(), &mut len),
            CKR_OK
        );
        assert_eq!(len, 64);
        let mut signature = [0u8; 64];
        len = 10;
        assert_eq!(
            f.C_Sign.unwrap()(
                session,
                data.as_mut_ptr(),
                5,
                signature.as_mut_ptr(),
                &mut len
            ),
            CKR_BUFFER_TOO_SMALL
        );
        assert_eq!(len, 64);
        assert_eq!(
            f.C_Sign.unwrap()(
                session,
                data.as_mut_ptr(),
                5,
                signature.as_mut_ptr(),
                &mut len
            ),
            CKR_OK
        );
        assert_eq!(
            f.C_Sign.unwrap()(
                session,
                data.as_mut_ptr(),
                5,
                signature.as_mut_ptr(),
                &mut len
            ),
            CKR_OPERATION_NOT_INITIALIZED
        );

        // The hardware feature object with the model name.
        let mut class = CKO_HW_FEATURE.to_ne_bytes();
        let mut template = CK_ATTRIBUTE {
            type_: CKA_CLASS,
            pValue: class.as_mut_ptr().cast(),
            ulValueLen: class.len() as CK_ULONG,
        };
        assert_eq!(
            f.C_FindObjectsInit.unwrap()(session, &mut template, 1),
            CKR_OK
        );
        assert_eq!(
            f.C_FindObjectsInit.unwrap()(session, &mut template, 1),
            CKR_OPERATION_ACTIVE
        );
        let mut found = [0 as CK_OBJECT_HANDLE; 4];
        let mut n = 0;
        assert_eq!(
            f.C_FindObjects.unwrap()(session, found.as_mut_ptr(), 4, &mut n),
            CKR_OK
        );
        assert_eq!(n, 1);
        assert_eq!(f.C_FindObjectsFinal.unwrap()(session), CKR_OK);
        assert_eq!(
            f.C_FindObjectsFinal.unwrap()(session),
            CKR_OPERATION_NOT_INITIALIZED
        );
        assert_eq!(
            raw.attribute(session, found[0], rutoken_sys::CKA_VENDOR_MODEL_NAME)
                .unwrap(),
            b"Rutoken ECP 2.0"
        );
        assert_eq!(
            f.C_DestroyObject.unwrap()(session, found[0]),
            CKR_ACTION_PROHIBITED
        );

        // The extended token information, including the size handshake.
        let ext = raw.extended(0).unwrap();
        assert_eq!(
            ext.ulSizeofThisStructure as usize,
            size_of::<rutoken_sys::CK_TOKEN_INFO_EXTENDED>()
        );
        assert_eq!(ext.serialNumber, [0, 0, 0, 0, 0x00, 0xC0, 0xFF, 0xEE]);
        assert_eq!(
            (ext.ulMaxUserRetryCount, ext.ulUserRetryCountLeft),
            (10, 10)
        );
        assert_eq!(ext.ulTokenClass, rutoken_sys::TOKEN_CLASS_ECP);
        assert_eq!(ext.flags & rutoken_sys::TOKEN_FLAGS_USER_PIN_NOT_DEFAULT, 0);
        let mut small = rutoken_sys::CK_TOKEN_INFO_EXTENDED {
            ulSizeofThisStructure: 16,
            ..Default::default()
        };
        assert_eq!(
            raw.ex.C_EX_GetTokenInfoExtended.unwrap()(0, &mut small),
            CKR_ARGUMENTS_BAD
        );
        assert_eq!(
            raw.ex.C_EX_GetTokenInfoExtended.unwrap()(0, null_mut()),
            CKR_ARGUMENTS_BAD
        );
        assert_eq!(raw.extended(1).unwrap_err(), CKR_TOKEN_NOT_PRESENT);
        assert_eq!(
            raw.ex.C_EX_GetJournal.unwrap()(0, null_mut(), null_mut()),
            CKR_FUNCTION_NOT_SUPPORTED
        );

        assert_eq!(
            f.C_EncryptInit.unwrap()(session, &mut mechanism, public),
            CKR_FUNCTION_NOT_SUPPORTED
        );
        assert_eq!(f.C_Logout.unwrap()(session), CKR_OK);
        assert_eq!(f.C_Logout.unwrap()(session), CKR_USER_NOT_LOGGED_IN);
        // Private objects are invisible without login.
        assert_eq!(
            raw.attribute(session, private, CKA_LABEL).unwrap_err(),
            CKR_OBJECT_HANDLE_INVALID
        );
        assert_eq!(
            raw.attribute(session, public, CKA_LABEL).unwrap(),
            b"gost key"
        );
        assert_eq!(f.C_CloseAllSessions.unwrap()(0), CKR_OK);
        assert_eq!(
            f.C_CloseSession.unwrap()(session),
            CKR_SESSION_HANDLE_INVALID
        );
        assert_eq!(f.C_Finalize.unwrap()(null_mut()), CKR_OK);
    }
}
