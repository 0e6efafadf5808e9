//! The fault matrix: every step of every flow, interrupted by every ordinary fault, and
//! then the same command started again; each cell passes when the flow reaches its end
//! with nothing lost.
//!
//! The steps come from the flow definitions ([`StepCode::of_flow`]), so a step added to
//! a flow gets its row without anyone writing a test for it. Everything is real: the
//! smartkey binary in a pseudo-terminal (line mode, driven by [`Person`], a client who
//! reads the screens), the virtual Rutoken in its readers, bankca as its own process
//! with SQLite and a Maildir, behind a loopback proxy that can break the wire.
//!
//! A cell copies the prepared state of its flow (the bank, the tokens, this computer's
//! files, what the person remembers), runs the flow's command and injects the fault at
//! the first screen of the step, just before the person's last action there; then puts
//! the world right (bank up, token back) and runs the same command again until the flow
//! closes at its last step. "Nothing lost" is then checked against the bank and the
//! tokens themselves: exactly the requests the flow should have made, the key and the
//! certificate on the right token, the form as typed, the contacts as changed, and no
//! chosen PIN written anywhere.
//!
//! CI runs one fault per step, the faults taken in turn; the whole matrix is
//! `SMARTKEY_FAULT_MATRIX=full cargo test --test fault_matrix -- --nocapture`, and
//! `SMARTKEY_FAULT_MATRIX=R2.8` (or `R2.8:SIGKILL`) runs one row (or one cell).

mod common;
mod fault_support;
mod pty_support;

use std::collections::VecDeque;
use std::io::Write as _;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fault_support::lab::{Lab, NEW, OLD};
use fault_support::person::{CITY, FORM, Fault, NEW_EMAIL, Person, WAITING};
use smartkey_wizard::{FlowKind, StepCode};

/// The flows as a client meets them, in the order one prepares the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    New,
    SaveFirst,
    Renew,
    SaveRenewal,
    Destroy,
}

impl Stage {
    const ALL: [Stage; 5] = [
        Stage::New,
        Stage::SaveFirst,
        Stage::Renew,
        Stage::SaveRenewal,
        Stage::Destroy,
    ];

    fn name(self) -> &'static str {
        match self {
            Stage::New => "new",
            Stage::SaveFirst => "save (first)",
            Stage::Renew => "renew",
            Stage::SaveRenewal => "save (renewal)",
            Stage::Destroy => "destroy-old-key",
        }
    }

    /// The steps of the stage, from its flow's definition.
    fn steps(self) -> Vec<StepCode> {
        let (flow, renewal) = match self {
            Stage::New => (FlowKind::New, None),
            Stage::SaveFirst => (FlowKind::Save, Some(false)),
            Stage::Renew => (FlowKind::Renew, None),
            Stage::SaveRenewal => (FlowKind::Save, Some(true)),
            Stage::Destroy => (FlowKind::DestroyOldKey, None),
        };
        StepCode::of_flow(flow)
            .iter()
            .copied()
            .filter(|s| renewal.is_none_or(|r| s.is_renewal() == r))
            .collect()
    }

    /// Whether a run that ended at `closed` has brought the flow to its end: its last
    /// screen, or for a request the request waiting at the bank.
    fn done(self, closed: Option<&str>) -> bool {
        closed == Some(self.goal())
            || (matches!(self, Stage::New | Stage::Renew) && closed == Some(WAITING))
    }

    /// The step whose screen closes the flow.
    fn goal(self) -> &'static str {
        self.steps()
            .last()
            .map(|s| s.as_str())
            .expect("a flow has steps")
    }

    fn args(self, lab: &Lab) -> Vec<String> {
        let mut args: Vec<String> = match self {
            Stage::New => vec!["new".into()],
            Stage::Renew => vec!["renew".into()],
            Stage::SaveFirst | Stage::SaveRenewal => vec!["save".into(), link(lab)],
            Stage::Destroy => vec!["destroy-old-key".into()],
        };
        args.push("--plain".into());
        args
    }

    /// Nothing lost: what the bank and the tokens hold once the stage is done.
    fn check(self, lab: &Lab, person: &Person) -> Result<(), String> {
        let requests = lab.requests();
        let states: Vec<&str> = requests
            .iter()
            .map(|r| r["state"].as_str().unwrap_or("?"))
            .collect();
        let old = lab.key_pairs(OLD);
        let new = lab.key_pairs(NEW);
        let records = lab.records().len();
        let certified = |pairs: &[serde_json::Value]| {
            pairs
                .iter()
                .filter(|p| p["certificate"].is_object())
                .count()
        };
        let expect = |what: &str, ok: bool| -> Result<(), String> {
            if ok {
                Ok(())
            } else {
                Err(format!(
                    "{what}: bank {states:?}, old token {} key pair(s) ({} certified), new token {} ({} certified), {records} record(s)",
                    old.len(),
                    certified(&old),
                    new.len(),
                    certified(&new)
                ))
            }
        };
        match self {
            Stage::New => {
                expect("exactly one request, waiting", states == ["waiting"])?;
                expect(
                    "one key pair on the token, no certificate yet",
                    old.len() == 1 && certified(&old) == 0 && new.is_empty(),
                )?;
                expect("the request recorded here", records == 1)?;
                let subject = requests[0]["subject"].as_str().unwrap_or("");
                for (field, value) in FORM {
                    if field == "document" {
                        continue;
                    }
                    expect(
                        &format!("the form's {field} in the request ({subject})"),
                        subject.contains(value),
                    )?;
                }
                expect("the city in the request", subject.contains(CITY))?;
            }
            Stage::SaveFirst => {
                expect("the request confirmed", states == ["confirmed"])?;
                expect(
                    "the certificate next to its key",
                    old.len() == 1 && certified(&old) == 1,
                )?;
                expect("no record left", records == 0)?;
            }
            Stage::Renew => {
                expect(
                    "exactly one renewal request, waiting",
                    states == ["confirmed", "waiting"],
                )?;
                expect(
                    "the renewal sent with the contacts changed at R2.4",
                    requests[1]["email"].as_str() == Some(NEW_EMAIL)
                        && requests[1]["kind"].as_str() == Some("kur"),
                )?;
                expect(
                    "the new key on the new token, the old one untouched",
                    new.len() == 1
                        && certified(&new) == 0
                        && old.len() == 1
                        && certified(&old) == 1,
                )?;
                expect("the request recorded here", records == 1)?;
            }
            Stage::SaveRenewal => {
                expect(
                    "both requests confirmed",
                    states == ["confirmed", "confirmed"],
                )?;
                expect(
                    "the renewed certificate on the new token, the old one untouched",
                    new.len() == 1
                        && certified(&new) == 1
                        && old.len() == 1
                        && certified(&old) == 1,
                )?;
                let (a, b) = (
                    &old[0]["certificate"]["subject"],
                    &new[0]["certificate"]["subject"],
                );
                expect("the renewed certificate has the old one's subject", a == b)?;
                expect("no record left", records == 0)?;
            }
            Stage::Destroy => {
                expect(
                    "the old key destroyed, the new one kept",
                    old.is_empty() && new.len() == 1 && certified(&new) == 1,
                )?;
            }
        }
        let written = lab.written();
        for pin in person.chosen_pins() {
            expect(
                "no chosen PIN written anywhere",
                !written.windows(pin.len()).any(|w| w == pin.as_bytes()),
            )?;
        }
        Ok(())
    }
}

/// The pickup link of the bank's latest request, as the client's e-mail gives it.
fn link(lab: &Lab) -> String {
    let requests = lab.requests();
    let link = requests
        .iter()
        .rev()
        .find_map(|r| r["link"].as_str())
        .expect("a pickup link was e-mailed");
    let path = &link[link.find("/pickup/").expect("a pickup link")..];
    format!("{}{path}", lab.base_url())
}

/// The bank's operator approves what waits, and the link goes out.
fn approve(lab: &Lab) {
    let waiting: Vec<u64> = lab
        .requests()
        .iter()
        .filter(|r| r["state"] == "waiting")
        .filter_map(|r| r["id"].as_u64())
        .collect();
    assert_eq!(waiting.len(), 1, "one request waits");
    lab.bankca(&["approve", &waiting[0].to_string()]);
    let deadline = Instant::now() + Duration::from_secs(20);
    while lab.requests().iter().all(|r| r["link"].is_null()) {
        assert!(Instant::now() < deadline, "the link was not e-mailed");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A stage's prepared world: what each of its cells starts from.
struct Prepared {
    stage: Stage,
    lab: Mutex<Lab>,
    person: Person,
}

/// Runs each stage once with no fault (the matrix's first column), each run preparing
/// the next stage's world.
fn prepare() -> Vec<Arc<Prepared>> {
    let mut lab = Lab::fresh();
    let mut person = Person::new();
    let mut prepared = Vec::new();
    for stage in Stage::ALL {
        let mut template = lab.copy();
        template.stop_bank();
        prepared.push(Arc::new(Prepared {
            stage,
            lab: Mutex::new(template),
            person: person.clone(),
        }));
        let args = stage.args(&lab);
        let trip = person.run(&mut lab, &args, stage.goal(), None);
        assert!(
            trip.problem.is_none() && trip.closed_at.as_deref() == Some(stage.goal()),
            "{} with no fault: {trip:?}",
            stage.name()
        );
        if let Err(why) = stage.check(&lab, &person) {
            panic!("{} with no fault: {why}", stage.name());
        }
        if matches!(stage, Stage::New | Stage::Renew) {
            approve(&lab);
        }
    }
    prepared
}

/// One cell: the fault at the step, the command again, the check.
fn cell(prepared: &Prepared, step: StepCode, fault: Fault) -> Result<u32, String> {
    let stage = prepared.stage;
    // A cell that panicked while copying leaves the template as it was: the lock's
    // poison is not the next cell's failure.
    let mut lab = prepared
        .lab
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .copy();
    let mut person = prepared.person.clone();
    person.renewing = stage == Stage::SaveRenewal;
    let args = stage.args(&lab);
    let first = person.run(&mut lab, &args, stage.goal(), Some((step.as_str(), fault)));
    if !first.faulted {
        return Err(format!("{step} was never shown: {:?}", first.steps));
    }
    if let Some(problem) = first.problem {
        return Err(format!("the interrupted run: {problem}"));
    }
    if matches!(
        fault,
        Fault::Quit | Fault::CtrlC | Fault::Term | Fault::Hangup
    ) && first.exit.as_ref().is_some_and(|s| s.signal().is_some())
    {
        return Err(format!(
            "{} killed the program: {:?}",
            fault.name(),
            first.exit
        ));
    }
    if !matches!(fault, Fault::Kill | Fault::KillBusy) && !first.terminal_restored {
        return Err(format!(
            "after {} the terminal was left without echo or line editing",
            fault.name()
        ));
    }
    lab.set_wire(fault_support::lab::Wire::Through);
    lab.start_bank();
    let mut runs = 1;
    if !stage.done(first.closed_at.as_deref()) {
        let again = person.run(&mut lab, &args, stage.goal(), None);
        runs += 1;
        if let Some(problem) = again.problem {
            return Err(format!(
                "started again: {problem} (steps {:?})",
                again.steps
            ));
        }
        if !stage.done(again.closed_at.as_deref()) {
            return Err(format!("started again, it ended at {:?}", again.steps));
        }
    }
    stage.check(&lab, &person)?;
    Ok(runs)
}

/// Which cells to run: `full`, a step (`R2.8`), a cell (`R2.8:SIGKILL`), or by default
/// one fault per step, the faults in turn.
fn chosen(stages: &[Arc<Prepared>]) -> Vec<(Arc<Prepared>, StepCode, Fault)> {
    let wanted = std::env::var("SMARTKEY_FAULT_MATRIX").unwrap_or_default();
    let mut cells = Vec::new();
    let mut turn = 0;
    for prepared in stages {
        for step in prepared.stage.steps() {
            for (i, fault) in Fault::ALL.iter().copied().enumerate() {
                let take = match wanted.split_once(':') {
                    _ if wanted == "full" => true,
                    Some((s, f)) => s == step.as_str() && f == fault.name(),
                    None if !wanted.is_empty() => wanted == step.as_str(),
                    None => i == turn % Fault::ALL.len(),
                };
                if take {
                    cells.push((prepared.clone(), step, fault));
                }
            }
            turn += 1;
        }
    }
    cells
}

#[test]
fn every_step_survives_every_fault() {
    let started = Instant::now();
    let stages = prepare();
    let prepared_in = started.elapsed();
    let cells = chosen(&stages);
    let count = cells.len();
    assert!(
        count > 0,
        "SMARTKEY_FAULT_MATRIX chose no cell (a step code, `full`, or STEP:FAULT)"
    );
    let queue = Arc::new(Mutex::new(VecDeque::from(cells)));
    let results = Arc::new(Mutex::new(Vec::new()));
    let workers: usize = std::env::var("SMARTKEY_FAULT_WORKERS")
        .ok()
        .and_then(|w| w.parse().ok())
        .unwrap_or(3)
        .max(1);
    let handles: Vec<_> = (0..workers)
        .map(|_| {
            let (queue, results) = (queue.clone(), results.clone());
            std::thread::spawn(move || {
                loop {
                    let Some((prepared, step, fault)) = queue.lock().expect("queue").pop_front()
                    else {
                        break;
                    };
                    let began = Instant::now();
                    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        cell(&prepared, step, fault)
                    }))
                    .unwrap_or_else(|panic| {
                        Err(panic
                            .downcast_ref::<String>()
                            .cloned()
                            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                            .unwrap_or_else(|| "a panic".into()))
                    });
                    // Past the harness's capture: a long run shows its progress.
                    let line = format!(
                        "{:>5} × {:<12} {} in {:.0?}\n",
                        step.as_str(),
                        fault.name(),
                        if outcome.is_ok() {
                            "nothing lost"
                        } else {
                            "FAILED"
                        },
                        began.elapsed()
                    );
                    let _ = std::io::stderr().write_all(line.as_bytes());
                    results
                        .lock()
                        .expect("results")
                        .push((prepared.stage, step, fault, outcome));
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().expect("a worker");
    }
    let results = results.lock().expect("results");

    // The table: one row per step, one column per fault.
    let mut table = String::new();
    table.push_str("| flow | step | no fault |");
    for fault in Fault::ALL {
        table.push_str(&format!(" {} |", fault.name()));
    }
    table.push_str("\n|---|---|---|");
    for _ in Fault::ALL {
        table.push_str("---|");
    }
    for stage in Stage::ALL {
        for step in stage.steps() {
            table.push_str(&format!("\n| {} | {} | ok |", stage.name(), step.as_str()));
            for fault in Fault::ALL {
                let mark = match results
                    .iter()
                    .find(|(s, c, f, _)| *s == stage && *c == step && *f == fault)
                {
                    Some((.., Ok(_))) => "nothing lost",
                    Some((.., Err(_))) => "**LOST**",
                    None => "·",
                };
                table.push_str(&format!(" {mark} |"));
            }
        }
    }
    let failed: Vec<String> = results
        .iter()
        .filter_map(|(stage, step, fault, outcome)| {
            outcome.as_ref().err().map(|why| {
                format!(
                    "{} {} × {}: {why}",
                    stage.name(),
                    step.as_str(),
                    fault.name()
                )
            })
        })
        .collect();
    let summary = format!(
        "\nFault matrix: {} cells run ({} steps × {} faults in all), {} failed; prepared in {:.0?}, all in {:.0?}\n\n{table}\n",
        results.len(),
        Stage::ALL.iter().map(|s| s.steps().len()).sum::<usize>(),
        Fault::ALL.len(),
        failed.len(),
        prepared_in,
        started.elapsed()
    );
    // Written to the terminal itself, past the test harness's capture: the table is
    // part of every run's output, passing or not.
    let _ = std::io::stderr().write_all(summary.as_bytes());

    assert_eq!(results.len(), count, "every chosen cell ran");
    assert!(failed.is_empty(), "{}", failed.join("\n\n"));
}
