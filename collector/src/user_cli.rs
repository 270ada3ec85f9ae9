//! `simpul-collector user ...`: the people who use the web pages and the JSON API.

use std::io::BufRead;

use clap::Subcommand;
use simpul_collector::store::{self, users, users::Role};

use crate::{load, Common, UsageError};

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create a user. Without --password-stdin a random password is generated and
    /// printed once on stdout.
    Add {
        #[command(flatten)]
        common: Common,
        /// Login name, e.g. ani.dinkes
        name: String,
        /// admin (Diskominfo: every agency) or agency (one agency's staff, read-only)
        #[arg(long)]
        role: String,
        /// The agency (OPD) id of an agency user
        #[arg(long)]
        agency: Option<String>,
        /// Read the password from the first line of stdin
        #[arg(long)]
        password_stdin: bool,
    },
    /// List users.
    List {
        #[command(flatten)]
        common: Common,
    },
    /// Set a new password: ends the user's sessions and revokes their API token (a new
    /// one: `user token NAME`).
    Password {
        #[command(flatten)]
        common: Common,
        name: String,
        /// Read the password from the first line of stdin
        #[arg(long)]
        password_stdin: bool,
        /// Keep the user's API token (a routine change; not when the password may be
        /// known to someone else, who could have made a token with it)
        #[arg(long)]
        keep_api_token: bool,
    },
    /// Disable a user: their sessions end and their API token stops working.
    Disable {
        #[command(flatten)]
        common: Common,
        name: String,
    },
    /// Create (or replace) the user's API token for the JSON API; printed once.
    Token {
        #[command(flatten)]
        common: Common,
        name: String,
    },
}

/// A password from stdin, or a generated one (printed by the caller).
fn password(from_stdin: bool) -> anyhow::Result<(String, bool)> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        let p = line.trim_end_matches(['\r', '\n']).to_owned();
        users::check_password(&p).map_err(|e| UsageError(format!("--password-stdin: {e}")))?;
        return Ok((p, false));
    }
    // 20 characters of the enrolment-code alphabet: about 98 bits
    let code = store::enroll::new_code()? + &store::enroll::new_code()?;
    let p: String = code.chars().filter(|c| *c != '-').take(20).collect();
    Ok((p.to_lowercase(), true))
}

fn no_user(name: &str) -> anyhow::Error {
    UsageError(format!(
        "no active user named {name:?}; `simpul-collector user list` shows users"
    ))
    .into()
}

pub fn run(command: UserCommand) -> anyhow::Result<()> {
    let now = simpul_collector::now_seconds();
    match command {
        UserCommand::Add {
            common,
            name,
            role,
            agency,
            password_stdin,
        } => {
            let cfg = load(&common)?;
            let mut problems = Vec::new();
            if !users::is_valid_name(&name) {
                problems.push(format!("name {name:?}: {}", users::NAME_RULE));
            }
            let role = match (role.as_str(), agency) {
                ("admin", None) => Some(Role::Admin),
                ("admin", Some(_)) => {
                    problems.push(
                        "--agency is only for --role agency; an admin sees every agency".into(),
                    );
                    None
                }
                ("agency", Some(a)) => match cfg.check_binding(&a, None) {
                    Ok(()) => Some(Role::Agency(a)),
                    Err(e) => {
                        problems.push(format!("--agency: {e}"));
                        None
                    }
                },
                ("agency", None) => {
                    problems.push(
                        "--role agency needs --agency AGENCY (the OPD id of collector.toml)".into(),
                    );
                    None
                }
                (other, _) => {
                    problems.push(format!("--role {other:?}: admin or agency"));
                    None
                }
            };
            let (Some(role), true) = (role, problems.is_empty()) else {
                return Err(UsageError(problems.join("\n")).into());
            };
            let (pw, generated) = password(password_stdin)?;
            let conn = store::open(&cfg.store, &cfg.data_dir)?;
            let user = users::add(&conn, &name, &role, &pw, now).map_err(|e| match e {
                store::StoreError::Conflict(m) => UsageError(m).into(),
                e => anyhow::Error::from(e),
            })?;
            let scope = user
                .agency()
                .map_or("every agency".to_owned(), |a| format!("agency {a}"));
            if generated {
                println!("{pw}");
                eprintln!(
                    "user {name} ({}, {scope}) created; the password above is shown once",
                    user.role_name()
                );
            } else {
                eprintln!("user {name} ({}, {scope}) created", user.role_name());
            }
        }
        UserCommand::List { common } => {
            let conn = crate::open_store(&common)?;
            println!(
                "{:<24} {:<7} {:<16} {:<9} STATE",
                "NAME", "ROLE", "AGENCY", "API TOKEN"
            );
            for r in users::list(&conn)? {
                println!(
                    "{:<24} {:<7} {:<16} {:<9} {}",
                    r.user.name,
                    r.user.role_name(),
                    r.user.agency().unwrap_or("-"),
                    if r.has_api_token { "yes" } else { "no" },
                    if r.disabled_at.is_some() {
                        "disabled"
                    } else {
                        "active"
                    }
                );
            }
        }
        UserCommand::Password {
            common,
            name,
            password_stdin,
            keep_api_token,
        } => {
            let conn = crate::open_store(&common)?;
            let (pw, generated) = password(password_stdin)?;
            let users::PasswordSet::Set { api_tokens_revoked } =
                users::set_password(&conn, &name, &pw, keep_api_token)?
            else {
                return Err(no_user(&name));
            };
            if generated {
                println!("{pw}");
            }
            let token = match (keep_api_token, api_tokens_revoked) {
                (true, _) => "API token kept (--keep-api-token)".to_owned(),
                (false, 0) => "they had no API token".to_owned(),
                (false, n) => format!(
                    "API token revoked ({n}; `simpul-collector user token {name}` makes a new one)"
                ),
            };
            eprintln!("new password set for {name}; their sessions ended; {token}");
        }
        UserCommand::Disable { common, name } => {
            let conn = crate::open_store(&common)?;
            if !users::disable(&conn, &name, now)? {
                return Err(no_user(&name));
            }
            eprintln!("disabled {name}; their sessions and API token no longer work");
        }
        UserCommand::Token { common, name } => {
            let conn = crate::open_store(&common)?;
            let token = users::new_api_token(&conn, &name)?.ok_or_else(|| no_user(&name))?;
            println!("{token}");
            eprintln!(
                "API token of {name} printed above, shown once (send `Authorization: Bearer <token>`); any older one stops working"
            );
        }
    }
    Ok(())
}
