//! Load generator for CMP polling: each worker starts one transaction with a `p10cr`
//! that the CA leaves waiting, then sends `pollReq`s back to back until the time is up,
//! checking every answer as the wizard does. Prints answers per second, so that a CA
//! (bankca, or `openssl cmp -port`) can be measured from a second process.
//!
//! ```text
//! cargo run --release -p cmp --features client --example pollreq_load -- \
//!     URL CA_CERT.der CSR.der SECONDS WORKERS
//! ```

use std::time::{Duration, Instant};

use cmp::client::{ClientOptions, CmpClient, ResponseTrust, Url};
use cmp::der::Decode;
use cmp::protection::Unprotected;
use cmp::x509_cert::Certificate;
use cmp::x509_cert::ext::pkix::name::GeneralName;
use cmp::x509_cert::request::CertReq;
use cmp::{Answer, Transaction, build};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [url, ca, csr, seconds, workers] = args.as_slice() else {
        return Err("usage: pollreq_load URL CA_CERT.der CSR.der SECONDS WORKERS".into());
    };
    let url = Url::parse(url)?;
    let ca = Certificate::from_der(&std::fs::read(ca)?)?;
    let csr = std::fs::read(csr)?;
    let duration = Duration::from_secs(seconds.parse()?);
    let workers: usize = workers.parse()?;

    let mut tasks = Vec::new();
    for _ in 0..workers {
        let (url, ca, csr) = (url.clone(), ca.clone(), csr.clone());
        tasks.push(tokio::spawn(
            async move { worker(url, ca, csr, duration).await },
        ));
    }
    let (mut answers, mut errors) = (0u64, 0u64);
    for task in tasks {
        let (a, e) = task.await??;
        answers += a;
        errors += e;
    }
    let rate = answers as f64 / duration.as_secs_f64();
    println!(
        "{answers} pollRep answers, {errors} errors in {duration:?} with {workers} workers: {rate:.0} per second"
    );
    Ok(())
}

async fn worker(
    url: Url,
    ca: Certificate,
    csr: Vec<u8>,
    duration: Duration,
) -> Result<(u64, u64), String> {
    let recipient = GeneralName::DirectoryName(ca.tbs_certificate().subject().clone());
    let client = CmpClient::new(
        url,
        ResponseTrust::Certificates(vec![ca]),
        &ClientOptions::default(),
    )
    .map_err(|e| e.to_string())?;
    let header = build::new_header(build::null_dn(), recipient).map_err(|e| e.to_string())?;
    let request = build::p10cr(header, CertReq::from_der(&csr).map_err(|e| e.to_string())?);
    let mut transaction = Transaction::begin(&request).map_err(|e| e.to_string())?;
    match client.exchange(&mut transaction, &request).await {
        Ok(Answer::Waiting { .. }) => {}
        other => {
            return Err(format!(
                "the CA did not leave the request waiting: {other:?}"
            ));
        }
    }
    let (mut answers, mut errors) = (0u64, 0u64);
    let deadline = Instant::now() + duration;
    while Instant::now() < deadline {
        match client.poll(&mut transaction, &Unprotected).await {
            Ok(Answer::Waiting { .. }) => answers += 1,
            Ok(other) => return Err(format!("unexpected answer while polling: {}", kind(&other))),
            Err(_) => errors += 1,
        }
    }
    Ok((answers, errors))
}

fn kind(answer: &Answer) -> &'static str {
    match answer {
        Answer::Waiting { .. } => "waiting",
        Answer::Issued(_) => "issued",
        Answer::Rejected(_) => "rejected",
        Answer::Confirmed => "confirmed",
    }
}
