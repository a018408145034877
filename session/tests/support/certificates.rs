//! Certificates for the TLS tests, made by `openssl` for each test: a CA of the test's own,
//! what it signed, and a CA nobody trusts.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::services::{missing, on_path};
use super::Scratch;

/// A test's certificates, in a scratch directory: a CA; a server certificate it signed
/// for `127.0.0.1`; a client certificate it signed, for mutual TLS; and a second CA that
/// signed neither, for a client that must not trust the server. P-256 keys: quick to
/// make, and both rustls and Redis take them.
pub struct TestCertificates {
    dir: Scratch,
}

impl TestCertificates {
    /// Makes them (six `openssl` runs, tens of milliseconds), or returns `None` after
    /// [`missing`] when `openssl` is not installed.
    pub fn generate(test: &str) -> Option<TestCertificates> {
        if !on_path("openssl") {
            missing("openssl", test);
            return None;
        }
        let dir = Scratch::new("tls");
        std::fs::create_dir_all(dir.path()).expect("scratch directory for certificates");
        let certificates = TestCertificates { dir };
        certificates.make_ca("ca", "/CN=webpy-rs-test-CA");
        certificates.make_ca("other-ca", "/CN=a-CA-nobody-here-trusts");
        // The client checks the server's name against the address it dialled, 127.0.0.1:
        // the certificate must name that IP address (the common name does not count).
        let server = "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth";
        certificates.make_signed("server", "/CN=127.0.0.1", server);
        let client = "extendedKeyUsage=clientAuth";
        certificates.make_signed("client", "/CN=session-test-client", client);
        Some(certificates)
    }

    pub fn ca(&self) -> PathBuf {
        self.file("ca.pem")
    }
    pub fn other_ca(&self) -> PathBuf {
        self.file("other-ca.pem")
    }
    pub fn server_cert(&self) -> PathBuf {
        self.file("server.pem")
    }
    pub fn server_key(&self) -> PathBuf {
        self.file("server.key")
    }
    pub fn client_cert(&self) -> PathBuf {
        self.file("client.pem")
    }
    pub fn client_key(&self) -> PathBuf {
        self.file("client.key")
    }

    /// The contents of one of the files above.
    pub fn pem(&self, path: PathBuf) -> Vec<u8> {
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// A self-signed CA certificate `<name>.pem` and its key `<name>.key`.
    fn make_ca(&self, name: &str, subject: &str) {
        self.openssl(&format!(
            "req -x509 -new -nodes -days 2 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
                 -keyout {name}.key -out {name}.pem -subj {subject} \
                 -addext basicConstraints=critical,CA:TRUE \
                 -addext keyUsage=critical,keyCertSign,cRLSign"
        ));
    }

    /// A key `<name>.key` and a certificate `<name>.pem` for it, signed by the CA `ca`,
    /// with `extensions` (lines of an `openssl x509 -extfile`) besides those of a leaf.
    fn make_signed(&self, name: &str, subject: &str, extensions: &str) {
        let leaf = "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature";
        std::fs::write(
            self.file(&format!("{name}.ext")),
            format!("{leaf}\n{extensions}\n"),
        )
        .expect("write the extensions file");
        self.openssl(&format!(
            "req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
             -keyout {name}.key -out {name}.csr -subj {subject}"
        ));
        self.openssl(&format!(
            "x509 -req -in {name}.csr -days 2 -CA ca.pem -CAkey ca.key -CAcreateserial \
             -extfile {name}.ext -out {name}.pem"
        ));
    }

    /// Runs `openssl` with the words of `command` in the certificates' directory; a
    /// failure fails the test with what openssl said.
    fn openssl(&self, command: &str) {
        let out = Command::new("openssl")
            .args(command.split_whitespace())
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .output()
            .expect("openssl is on PATH and starts");
        assert!(
            out.status.success(),
            "openssl {command}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// A path as a URL query value: percent-encoded but for the characters a path commonly
/// has, so the URL stays readable in a failing test's message.
pub fn query_value(path: &Path) -> String {
    let mut out = String::new();
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
