//! The command line: help, migrations, create-admin, and clear one-line errors.

use std::process::Command;

fn setia() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_setia"));
    // Keep a developer's .env and environment out of these runs.
    c.env_remove("DATABASE_URL").env_remove("SETIA_ADMIN_PASSWORD").env("SETIA_LOG", "error");
    c.current_dir(std::env::temp_dir());
    c
}

#[test]
fn help_lists_the_commands() {
    let out = setia().arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for cmd in ["serve", "migrate", "create-admin"] {
        assert!(text.contains(cmd), "{cmd} missing from help:\n{text}");
    }
}

fn one_line_error(out: &std::process::Output) -> String {
    assert!(!out.status.success());
    assert_eq!(out.status.code(), Some(1), "exit code");
    let err = String::from_utf8_lossy(&out.stderr).trim().to_string();
    assert_eq!(err.lines().count(), 1, "one line expected:\n{err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

#[test]
fn unparsable_database_url_is_one_clear_line() {
    let out = setia().arg("migrate").env("DATABASE_URL", "mysql://nope").output().unwrap();
    let err = one_line_error(&out);
    assert!(err.contains("DATABASE_URL"), "{err}");
}

#[test]
fn unreachable_postgres_is_one_clear_line() {
    // Port 1 on loopback: nothing listens there.
    let out = setia().arg("migrate").env("DATABASE_URL", "postgres://setia:secretpw@127.0.0.1:1/setia").output().unwrap();
    let err = one_line_error(&out);
    assert!(err.contains("cannot reach PostgreSQL"), "{err}");
    assert!(!err.contains("secretpw"), "password leaked: {err}");
}

#[test]
fn migrate_then_create_admin_on_a_fresh_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("sub/setia.db").display());
    let out = setia().arg("migrate").env("DATABASE_URL", &url).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(dir.path().join("sub/setia.db").exists());

    let none = setia().arg("has-admin").env("DATABASE_URL", &url).status().unwrap();
    assert_eq!(none.code(), Some(1));
    let out = setia()
        .args(["create-admin", "--email", "Owner@Toko.test", "--name", "Owner"])
        .env("DATABASE_URL", &url)
        .env("SETIA_ADMIN_PASSWORD", "a long admin password")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("owner@toko.test"));
    let some = setia().arg("has-admin").env("DATABASE_URL", &url).status().unwrap();
    assert_eq!(some.code(), Some(0));

    let again = setia()
        .args(["create-admin", "--email", "owner@toko.test", "--password", "a long admin password"])
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    let err = one_line_error(&again);
    assert!(err.contains("already exists"), "{err}");
    let short =
        setia().args(["create-admin", "--email", "second@toko.test", "--password", "short"]).env("DATABASE_URL", &url).output().unwrap();
    let err = one_line_error(&short);
    assert!(err.contains("at least 10"), "{err}");
}

#[test]
fn serve_logs_json_and_stops_gracefully_on_sigterm() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("setia.db").display());
    let mut child = setia()
        .arg("serve")
        .env("DATABASE_URL", &url)
        .env("SETIA_ADDR", "127.0.0.1:0")
        .env("SETIA_LOG", "info")
        .env("SETIA_LOG_FORMAT", "json")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    // Every line is one JSON object; wait for the "listening" one.
    let mut listening = None;
    for line in lines.by_ref() {
        let line = line.unwrap();
        let v: serde_json::Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        let msg = v["message"].as_str().unwrap_or_default().to_string();
        if msg.starts_with("listening on http://127.0.0.1:") {
            listening = Some(msg);
            break;
        }
    }
    let listening = listening.expect("a listening line");
    let port: u16 = listening.rsplit(':').next().unwrap().parse().unwrap();
    assert_ne!(port, 0);
    let health = std::net::TcpStream::connect(("127.0.0.1", port));
    assert!(health.is_ok(), "server accepts connections");

    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "SIGTERM ends serve cleanly: {exit:?}");
    let rest: Vec<String> = lines.map(|l| l.unwrap()).collect();
    assert!(rest.iter().any(|l| l.contains("shutting down")), "{rest:?}");
    assert!(rest.iter().any(|l| l.contains("\"stopped\"")), "{rest:?}");
}

#[test]
fn token_create_list_revoke() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("setia.db").display());
    let out = setia().args(["token", "create", "--name", "Kasir 1", "--scope", "pos"]).env("DATABASE_URL", &url).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let token = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(token.starts_with("setia_") && token.len() > 40, "{token}");

    let list = setia().args(["token", "list"]).env("DATABASE_URL", &url).output().unwrap();
    let text = String::from_utf8_lossy(&list.stdout);
    assert!(text.contains("Kasir 1") && text.contains("pos"), "{text}");
    assert!(!text.contains(&token), "list never shows the token");

    let bad = setia().args(["token", "create", "--name", "x", "--scope", "root"]).env("DATABASE_URL", &url).output().unwrap();
    assert!(!bad.status.success());
    let revoke = setia().args(["token", "revoke", "1"]).env("DATABASE_URL", &url).output().unwrap();
    assert!(revoke.status.success());
    let missing = setia().args(["token", "revoke", "99"]).env("DATABASE_URL", &url).output().unwrap();
    let err = one_line_error(&missing);
    assert!(err.contains("no token with id 99"), "{err}");
}
