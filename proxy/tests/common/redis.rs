//! A Redis server of the test's own: Debian's `redis-server` on a free loopback port, in a
//! temporary folder, with no persistence and a password; started and stopped (and started
//! again on the same port) by the test, killed on drop. [`RedisServer::start_tls`] adds a TLS
//! port with a certificate from a CA made for the test (rcgen) and an ACL user.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long Redis may take to start answering.
const STARTUP: Duration = Duration::from_secs(10);
pub const PASSWORD: &str = "test-redis-password-0123456789";
/// The ACL user [`RedisServer::start_tls`] adds, besides `default`.
pub const ACL_USER: &str = "sidebar";
pub const ACL_PASSWORD: &str = "test-acl-password-9876543210";

pub struct RedisServer {
    pub port: u16,
    /// The TLS port, when started with [`RedisServer::start_tls`].
    pub tls_port: Option<u16>,
    dir: tempfile::TempDir,
    child: Option<Child>,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

impl RedisServer {
    /// Starts `redis-server` on a free port and returns once it answers PING. Fails with a
    /// clear message when it is not installed (CI installs it: scripts/install-tools.sh).
    pub fn start() -> RedisServer {
        RedisServer::unstarted().started(false)
    }

    fn unstarted() -> RedisServer {
        RedisServer {
            port: 0,
            tls_port: None,
            dir: tempfile::tempdir().expect("a temporary folder for Redis"),
            child: None,
        }
    }

    /// Spawns it on free ports (and a TLS one with `tls`); Redis binds them a moment after the
    /// OS named them free, so a rare clash is retried.
    fn started(mut self, tls: bool) -> RedisServer {
        let binary = which_redis();
        for _ in 0..5 {
            self.port = free_port();
            self.tls_port = tls.then(free_port);
            if self.spawn(&binary) {
                return self;
            }
        }
        panic!("redis-server could not start on free ports (see its log above)");
    }

    /// [`RedisServer::start`] plus a TLS port whose certificate (for 127.0.0.1) is signed by a
    /// CA made here ([`RedisServer::ca_file`]), and the ACL user [`ACL_USER`].
    pub fn start_tls() -> RedisServer {
        let server = RedisServer::unstarted();
        let ca_key = rcgen::KeyPair::generate().unwrap();
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "visitor-sidebar test CA");
        let ca = ca_params.self_signed(&ca_key).unwrap();
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
        params
            .subject_alt_names
            .push(rcgen::SanType::IpAddress([127, 0, 0, 1].into()));
        let cert = params.signed_by(&key, &ca, &ca_key).unwrap();
        let path = |name: &str| server.dir.path().join(name);
        std::fs::write(path("ca.pem"), ca.pem()).unwrap();
        std::fs::write(path("server.pem"), cert.pem()).unwrap();
        std::fs::write(path("server.key"), key.serialize_pem()).unwrap();
        server.started(true)
    }

    /// The CA a TLS server's certificate chains to (PEM).
    pub fn ca_file(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    /// `rediss://USER:PASSWORD@127.0.0.1:TLS_PORT/0`.
    pub fn tls_url(&self, user: &str, password: &str) -> String {
        let port = self.tls_port.expect("started with start_tls");
        format!("rediss://{user}:{password}@127.0.0.1:{port}/0")
    }

    /// The URL the proxy gets (with the password).
    pub fn url(&self) -> String {
        format!("redis://:{PASSWORD}@127.0.0.1:{}/0", self.port)
    }

    /// Kills it (SIGKILL: nothing is saved, as after a crash).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Freezes it (SIGSTOP): connections stay open and nothing answers, as behind a broken
    /// network; [`RedisServer::resume`] thaws it.
    pub fn freeze(&self) {
        self.signal("-STOP");
    }

    pub fn resume(&self) {
        self.signal("-CONT");
    }

    fn signal(&self, signal: &str) {
        let pid = self.child.as_ref().expect("redis is running").id();
        let status = Command::new("kill")
            .args([signal, &pid.to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill {signal} {pid}");
    }

    /// Starts it again on the same port (empty: it saved nothing).
    pub fn restart(&mut self) {
        self.stop();
        let binary = which_redis();
        // The old socket may linger a moment; the deadline covers that.
        let deadline = Instant::now() + STARTUP;
        while !self.spawn(&binary) {
            std::thread::sleep(Duration::from_millis(20));
            assert!(
                Instant::now() < deadline,
                "redis-server did not start again on port {}",
                self.port
            );
        }
    }

    /// Spawns the server and waits (with a deadline) for PING; false if it exited (port taken).
    fn spawn(&mut self, binary: &PathBuf) -> bool {
        let mut command = Command::new(binary);
        if let Some(tls_port) = self.tls_port {
            let path = |name: &str| self.dir.path().join(name).to_string_lossy().into_owned();
            command.args([
                "--tls-port".to_owned(),
                tls_port.to_string(),
                "--tls-cert-file".to_owned(),
                path("server.pem"),
                "--tls-key-file".to_owned(),
                path("server.key"),
                "--tls-ca-cert-file".to_owned(),
                path("ca.pem"),
                "--tls-auth-clients".to_owned(),
                "no".to_owned(),
                "--user".to_owned(),
                ACL_USER.to_owned(),
                "on".to_owned(),
                format!(">{ACL_PASSWORD}"),
                "~*".to_owned(),
                "&*".to_owned(),
                "+@all".to_owned(),
            ]);
        }
        let child = command
            .args([
                "--port",
                &self.port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--requirepass",
                PASSWORD,
                "--dir",
                &self.dir.path().to_string_lossy(),
                "--logfile",
                "",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("redis-server starts");
        self.child = Some(child);
        let deadline = Instant::now() + STARTUP;
        loop {
            if self.ping() {
                return true;
            }
            let exited = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
                .is_some();
            if exited {
                self.child = None;
                return false;
            }
            assert!(
                Instant::now() < deadline,
                "redis-server did not answer PING within {STARTUP:?}"
            );
            // Polled with a deadline; a short pause keeps the shared cores free meanwhile.
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Whether it answers AUTH + PING now.
    pub fn ping(&self) -> bool {
        let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
        let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(200)) else {
            return false;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
        let command = format!(
            "*2\r\n$4\r\nAUTH\r\n${}\r\n{PASSWORD}\r\n*1\r\n$4\r\nPING\r\n",
            PASSWORD.len()
        );
        if stream.write_all(command.as_bytes()).is_err() {
            return false;
        }
        let mut reader = BufReader::new(stream);
        let mut auth = String::new();
        let mut pong = String::new();
        reader.read_line(&mut auth).is_ok()
            && reader.read_line(&mut pong).is_ok()
            && auth.trim() == "+OK"
            && pong.trim() == "+PONG"
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        if let Some(child) = &self.child {
            // A frozen server must be thawed to die cleanly.
            let _ = Command::new("kill")
                .args(["-CONT", &child.id().to_string()])
                .status();
        }
        self.stop();
    }
}

fn which_redis() -> PathBuf {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .map(|dir| dir.join("redis-server"))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| {
            panic!(
                "redis-server is not installed: these tests need Debian's redis-server (scripts/install-tools.sh installs it; or apt-get install -y redis-server)"
            )
        })
}
