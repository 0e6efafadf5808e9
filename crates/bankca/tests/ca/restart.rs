//! A CA killed between a request and its approval loses nothing: after a restart the
//! request is still waiting, the operator approves it, and the customer picks the
//! certificate up from the e-mailed link, which names the new server.

use crate::common::*;
use cmp::{BodyKind, PkiStatus};

#[test]
fn killed_server_restarts_with_every_request() {
    let ca = CaDir::new();
    let first = Server::start(&ca, ServerOptions::default());
    let key = rsa_key();
    let request = p10cr(&key, subject("Сидоров Сидор", "sidorov@example.ru"));
    let tid = tid(&request);
    let answer = first.cmp(RSA_BANK, &request);
    check_answer(&ca, &request, &answer);
    assert_eq!(
        answer.body.cert_rep().expect("cp").response[0]
            .status
            .status(),
        PkiStatus::Waiting
    );
    first.kill();

    // The operator's commands work on the database while no server runs.
    assert_eq!(ca.state(&tid).as_deref(), Some("waiting"));
    integrity_check(&ca);

    let second = Server::start(&ca, ServerOptions::default());
    assert_eq!(
        ca.state(&tid).as_deref(),
        Some("waiting"),
        "still waiting after the restart"
    );
    // The transaction goes on: a poll from the same client still gets "waiting".
    let poll = link_poll(&tid);
    let waiting = second.cmp(RSA_BANK, &poll);
    check_answer(&ca, &poll, &waiting);
    assert_eq!(waiting.kind(), BodyKind::PollRep);

    ca.bankca_ok(&["approve", &ca.id(&tid).to_string()]);
    let maildir = ca.path.join("mail");
    let raw = wait_for("the pickup e-mail", || {
        maildir_messages(&maildir).into_iter().next()
    });
    let (_, body) = mail_body(&raw);
    let link = link_in(&body);
    assert!(
        link.starts_with(&second.url),
        "the link names the running server: {link}"
    );
    assert_eq!(get_url(&link).status, 200);

    let poll = link_poll(&tid);
    let answer = second.cmp(RSA_BANK, &poll);
    check_answer(&ca, &poll, &answer);
    let (cert, cert_req_id) = granted(&answer);
    verify_issued(&cert, &ca.rsa_ca());
    let conf = accepted(
        &tid,
        answer.header.sender_nonce.as_ref(),
        &cert,
        cert_req_id,
        Requester::Rsa(&key),
    );
    let done = second.cmp(RSA_BANK, &conf);
    assert_eq!(done.kind(), BodyKind::PkiConf, "{done:?}");
    assert_eq!(ca.state(&tid).as_deref(), Some("confirmed"));

    // And once more through a kill: the confirmed request stays confirmed.
    second.kill();
    assert_eq!(ca.state(&tid).as_deref(), Some("confirmed"));
    integrity_check(&ca);
}
