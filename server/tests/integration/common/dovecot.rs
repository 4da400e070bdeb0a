//! A real IMAP server for tests: Debian's dovecot, started on loopback in a temporary
//! directory with a self-signed certificate and one user, stopped when dropped.
use std::path::PathBuf;
use std::process::Command;

pub const USER: &str = "alice@mail.test";
pub const PASSWORD: &str = "through the looking glass";

pub struct Dovecot {
    dir: PathBuf,
    /// Implicit TLS.
    pub imaps_port: u16,
    /// Plain, for STARTTLS.
    pub imap_port: u16,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Dovecot {
    pub fn start() -> Dovecot {
        let dir =
            std::env::temp_dir().join(format!("lg-dovecot-{}", uuid::Uuid::new_v4().simple()));
        let mail = dir.join("mail");
        std::fs::create_dir_all(dir.join("run")).unwrap();
        std::fs::create_dir_all(&mail).unwrap();
        let ok = Command::new("chown")
            .arg("dovecot")
            .arg(&mail)
            .status()
            .unwrap()
            .success();
        assert!(ok, "chown dovecot (is dovecot-imapd installed?)");
        let ok = Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=localhost",
                "-keyout",
            ])
            .arg(dir.join("key.pem"))
            .arg("-out")
            .arg(dir.join("cert.pem"))
            .output()
            .unwrap()
            .status
            .success();
        assert!(ok, "openssl made a certificate");
        std::fs::write(dir.join("users"), format!("{USER}:{{PLAIN}}{PASSWORD}\n")).unwrap();
        let (imaps_port, imap_port) = (free_port(), free_port());
        let d = dir.display();
        let conf = format!(
            "first_valid_uid = 100\nbase_dir = {d}/run\nstate_dir = {d}/run\nlog_path = {d}/dovecot.log\n\
protocols = imap\nlisten = 127.0.0.1\nssl = yes\nssl_cert = <{d}/cert.pem\nssl_key = <{d}/key.pem\n\
disable_plaintext_auth = yes\nauth_mechanisms = plain login\n\
auth_failure_delay = 0\nlogin_trusted_networks = 127.0.0.0/8\n\
passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u {d}/users\n}}\n\
userdb {{\n  driver = static\n  args = uid=dovecot gid=dovecot home={d}/mail/%u\n}}\n\
mail_location = maildir:{d}/mail/%u\n\
service imap-login {{\n  inet_listener imap {{\n    port = {imap_port}\n  }}\n  inet_listener imaps {{\n    port = {imaps_port}\n    ssl = yes\n  }}\n}}\n"
        );
        std::fs::write(dir.join("dovecot.conf"), conf).unwrap();
        let ok = Command::new("/usr/sbin/dovecot")
            .arg("-c")
            .arg(dir.join("dovecot.conf"))
            .status()
            .expect("dovecot (Debian's dovecot-imapd) must be installed")
            .success();
        assert!(ok, "dovecot started");
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", imaps_port)).is_ok() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Dovecot {
            dir,
            imaps_port,
            imap_port,
        }
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        if let Ok(pid) = std::fs::read_to_string(self.dir.join("run/master.pid")) {
            let _ = Command::new("kill").arg(pid.trim()).status();
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
