//! Whether smartkey runs in a virtual machine. The bank says virtual machines are not
//! guaranteed to work (PROCEDURE.md, "Preparation"), so a virtual machine is a warning,
//! never a refusal: USB tokens passed through to a guest usually work, and support
//! should know when they do not.
//!
//! Evidence, strongest first: `systemd-detect-virt --vm` where it is installed, the
//! firmware's vendor and product names (/sys/class/dmi/id), and the CPU's `hypervisor`
//! flag (/proc/cpuinfo). Containers are reported too, but are not warned about.

use std::path::Path;
use std::process::{Command, Stdio};

use serde::Serialize;

use super::Facts;
use super::report::{CheckId, Finding, Verdict};

/// What was found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct VmFacts {
    /// The hypervisor's name, when this is a virtual machine.
    pub virtual_machine: Option<String>,
    /// The container engine's name, when this is a container.
    pub container: Option<String>,
    /// Where each conclusion came from.
    pub evidence: Vec<String>,
}

/// The raw observations, kept apart from the reading so that the reading can be tested.
#[derive(Debug, Clone, Default)]
pub struct Probe {
    pub dmi_vendor: Option<String>,
    pub dmi_product: Option<String>,
    pub cpu_hypervisor_flag: bool,
    /// What `systemd-detect-virt --vm` printed, when it found a VM.
    pub detect_virt_vm: Option<String>,
    /// What `systemd-detect-virt --container` printed, when it found a container.
    pub detect_virt_container: Option<String>,
    /// A container marker file found (/.dockerenv, /run/.containerenv).
    pub container_marker: Option<String>,
}

fn read_trimmed(path: &Path) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// `systemd-detect-virt FLAG`: the name it prints when it finds something.
fn detect_virt(flag: &str) -> Option<String> {
    let out = Command::new("systemd-detect-virt")
        .arg(flag)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let name = String::from_utf8_lossy(&out.stdout).trim().to_string();
    (out.status.success() && !name.is_empty() && name != "none").then_some(name)
}

impl Probe {
    /// Observes the files under `root` ("/" on a real system), and runs
    /// systemd-detect-virt when `run_detect_virt` is set.
    pub fn observe(root: &Path, run_detect_virt: bool) -> Probe {
        let cpuinfo = std::fs::read_to_string(root.join("proc/cpuinfo")).unwrap_or_default();
        let cpu_hypervisor_flag = cpuinfo
            .lines()
            .filter(|l| l.starts_with("flags"))
            .any(|l| l.split_whitespace().any(|f| f == "hypervisor"));
        let container_marker = [".dockerenv", "run/.containerenv"]
            .iter()
            .find(|m| root.join(m).exists())
            .map(|m| format!("/{m}"));
        Probe {
            dmi_vendor: read_trimmed(&root.join("sys/class/dmi/id/sys_vendor")),
            dmi_product: read_trimmed(&root.join("sys/class/dmi/id/product_name")),
            cpu_hypervisor_flag,
            detect_virt_vm: run_detect_virt.then(|| detect_virt("--vm")).flatten(),
            detect_virt_container: run_detect_virt
                .then(|| detect_virt("--container"))
                .flatten(),
            container_marker,
        }
    }
}

/// The hypervisor a firmware vendor or product name gives away.
fn hypervisor_of_dmi(vendor: &str, product: &str) -> Option<&'static str> {
    let both = format!("{vendor} {product}").to_lowercase();
    let known: [(&str, &'static str); 13] = [
        ("qemu", "QEMU"),
        ("kvm", "KVM"),
        ("vmware", "VMware"),
        ("virtualbox", "VirtualBox"),
        ("innotek", "VirtualBox"),
        ("xen", "Xen"),
        ("bochs", "Bochs"),
        ("parallels", "Parallels"),
        ("bhyve", "bhyve"),
        ("amazon ec2", "Amazon EC2"),
        ("google compute engine", "Google Compute Engine"),
        ("openstack", "OpenStack"),
        ("cloud hypervisor", "Cloud Hypervisor"),
    ];
    if let Some((_, name)) = known.iter().find(|(needle, _)| both.contains(needle)) {
        return Some(name);
    }
    (vendor.to_lowercase().contains("microsoft") && product.to_lowercase() == "virtual machine")
        .then_some("Hyper-V")
}

/// Reads the observations.
pub fn classify(p: &Probe) -> VmFacts {
    let mut facts = VmFacts::default();
    if let Some(name) = &p.detect_virt_vm {
        facts.virtual_machine = Some(name.clone());
        facts
            .evidence
            .push(format!("systemd-detect-virt --vm: {name}"));
    }
    let vendor = p.dmi_vendor.as_deref().unwrap_or("");
    let product = p.dmi_product.as_deref().unwrap_or("");
    if let Some(name) = hypervisor_of_dmi(vendor, product) {
        facts
            .virtual_machine
            .get_or_insert_with(|| name.to_string());
        facts
            .evidence
            .push(format!("firmware: {vendor} / {product}"));
    }
    if p.cpu_hypervisor_flag {
        facts
            .virtual_machine
            .get_or_insert_with(|| "an unnamed hypervisor".to_string());
        facts
            .evidence
            .push("the CPU has the hypervisor flag (/proc/cpuinfo)".to_string());
    }
    if let Some(name) = &p.detect_virt_container {
        facts.container = Some(name.clone());
        facts
            .evidence
            .push(format!("systemd-detect-virt --container: {name}"));
    }
    if let Some(marker) = &p.container_marker {
        facts
            .container
            .get_or_insert_with(|| "a container".to_string());
        facts.evidence.push(format!("{marker} exists"));
    }
    facts
}

/// The finding for `facts`.
pub fn finding(facts: VmFacts) -> Finding {
    let mut finding = match &facts.virtual_machine {
        Some(name) => Finding::new(
            CheckId::Vm,
            Verdict::Warn,
            format!("this is a virtual machine ({name})"),
        )
        .advice("the bank says virtual machines are not guaranteed to work; smartkey goes on, but if the token is not seen or misbehaves, pass the USB token through to the virtual machine or use a physical computer"),
        None => Finding::new(CheckId::Vm, Verdict::Ok, "not a virtual machine"),
    };
    if let Some(c) = &facts.container {
        finding = finding.detail(format!(
            "running in a container ({c}): a hardware token must be passed through to it"
        ));
    }
    for e in &facts.evidence {
        finding = finding.detail(e.clone());
    }
    finding.facts(Facts::Vm(facts))
}

/// Checks this machine.
pub fn check() -> Finding {
    finding(classify(&Probe::observe(Path::new("/"), true)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn firmware_names_give_the_hypervisor_away() {
        let p = Probe {
            dmi_vendor: Some("QEMU".into()),
            dmi_product: Some("Standard PC (Q35 + ICH9, 2009)".into()),
            ..Probe::default()
        };
        assert_eq!(classify(&p).virtual_machine.as_deref(), Some("QEMU"));
        let p = Probe {
            dmi_vendor: Some("Microsoft Corporation".into()),
            dmi_product: Some("Virtual Machine".into()),
            ..Probe::default()
        };
        assert_eq!(classify(&p).virtual_machine.as_deref(), Some("Hyper-V"));
        let p = Probe {
            dmi_vendor: Some("LENOVO".into()),
            dmi_product: Some("20XW0026RT".into()),
            ..Probe::default()
        };
        assert_eq!(classify(&p), VmFacts::default());
    }

    #[test]
    fn systemd_detect_virt_names_first_and_the_cpu_flag_last() {
        let p = Probe {
            detect_virt_vm: Some("kvm".into()),
            cpu_hypervisor_flag: true,
            ..Probe::default()
        };
        let f = classify(&p);
        assert_eq!(f.virtual_machine.as_deref(), Some("kvm"));
        assert_eq!(f.evidence.len(), 2);
        let p = Probe {
            cpu_hypervisor_flag: true,
            ..Probe::default()
        };
        assert!(classify(&p).virtual_machine.is_some());
    }

    #[test]
    fn a_virtual_machine_warns_and_a_container_alone_does_not() {
        let vm = finding(VmFacts {
            virtual_machine: Some("kvm".into()),
            ..VmFacts::default()
        });
        assert_eq!(vm.verdict, Verdict::Warn);
        assert!(vm.advice.unwrap().contains("not guaranteed"));
        let container = finding(VmFacts {
            container: Some("docker".into()),
            ..VmFacts::default()
        });
        assert_eq!(container.verdict, Verdict::Ok);
    }

    #[test]
    fn observations_come_from_the_files_under_the_root() {
        let root = tempfile::tempdir().unwrap();
        let dmi = root.path().join("sys/class/dmi/id");
        std::fs::create_dir_all(&dmi).unwrap();
        std::fs::create_dir_all(root.path().join("proc")).unwrap();
        std::fs::write(dmi.join("sys_vendor"), "innotek GmbH\n").unwrap();
        std::fs::write(dmi.join("product_name"), "VirtualBox\n").unwrap();
        std::fs::write(
            root.path().join("proc/cpuinfo"),
            "processor : 0\nflags : fpu vme hypervisor lahf_lm\n",
        )
        .unwrap();
        std::fs::write(root.path().join(".dockerenv"), "").unwrap();
        let p = Probe::observe(root.path(), false);
        assert!(p.cpu_hypervisor_flag);
        let f = classify(&p);
        assert_eq!(f.virtual_machine.as_deref(), Some("VirtualBox"));
        assert_eq!(f.container.as_deref(), Some("a container"));
    }
}
