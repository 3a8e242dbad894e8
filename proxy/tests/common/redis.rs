//! A Redis server of the test's own: Debian's `redis-server` on a free loopback port, in a
//! temporary folder, with no persistence and a password; started and stopped (and started
//! again on the same port) by the test, killed on drop.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long Redis may take to start answering.
const STARTUP: Duration = Duration::from_secs(10);
pub const PASSWORD: &str = "test-redis-password-0123456789";

pub struct RedisServer {
    pub port: u16,
    dir: tempfile::TempDir,
    child: Option<Child>,
}

impl RedisServer {
    /// Starts `redis-server` on a free port and returns once it answers PING. Fails with a
    /// clear message when it is not installed (CI installs it: scripts/install-tools.sh).
    pub fn start() -> RedisServer {
        let binary = which_redis();
        let mut server = RedisServer {
            port: 0,
            dir: tempfile::tempdir().expect("a temporary folder for Redis"),
            child: None,
        };
        // Ask the OS for a free port; Redis binds it a moment later (a rare clash is retried).
        for _ in 0..5 {
            server.port = TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .expect("a free port")
                .port();
            if server.spawn(&binary) {
                return server;
            }
        }
        panic!("redis-server could not start on a free port (see its log above)");
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
        let child = Command::new(binary)
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
