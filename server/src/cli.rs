//! Administration from the command line: create users, make admins, list accounts, back up and
//! restore.
use app::{
    backend::{
        accounts,
        store::{access::System, mongo::users},
        AppState,
    },
    domain::{
        error::AppError,
        user::{check_new_password, parse_name, Email, Role},
    },
};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "server", about = "Insta-Clerky server and administration")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Serve the app (the default).
    Serve,
    /// Apply database migrations and indexes, then exit.
    Migrate,
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Write a backup of PostgreSQL and MongoDB into a new directory under `--to`.
    Backup {
        #[arg(long)]
        to: std::path::PathBuf,
    },
    /// Restore a backup directory into the (empty) databases of the configuration.
    Restore {
        #[arg(long)]
        from: std::path::PathBuf,
    },
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create an account.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Read from the environment so it stays out of shell history and `ps`.
        #[arg(long, env = "NEW_USER_PASSWORD", hide_env_values = true)]
        password: String,
        #[arg(long)]
        admin: bool,
        #[arg(long)]
        premium: bool,
        /// Succeed without changes when the email already has an account.
        #[arg(long)]
        if_missing: bool,
    },
    /// Give an existing account the admin role.
    MakeAdmin { email: String },
    /// List every account.
    List,
}

pub async fn run(state: &AppState, command: UserCommand) -> Result<(), String> {
    match command {
        UserCommand::Create { email, name, password, admin, premium, if_missing } => {
            let email = Email::parse(&email).map_err(|e| format!("email: {}", e.code.as_str()))?;
            let name = parse_name(&name).map_err(|e| format!("name: {}", e.code.as_str()))?;
            check_new_password(&password).map_err(|e| format!("password: {}", e.code.as_str()))?;
            let role = if admin { Role::Admin } else { Role::User };
            match accounts::create(state, &email, &name, &password, role, premium).await.map_err(AppError::from) {
                Ok(user) => {
                    println!("created {} ({})", user.email, user.id.to_hex());
                    Ok(())
                }
                Err(AppError::Invalid(_)) if if_missing => {
                    println!("{} already exists", email.as_str());
                    Ok(())
                }
                Err(AppError::Invalid(_)) => Err(format!("{} already has an account", email.as_str())),
                Err(error) => Err(error.to_string()),
            }
        }
        UserCommand::MakeAdmin { email } => {
            let email = Email::parse(&email).map_err(|e| format!("email: {}", e.code.as_str()))?;
            users::set_role(&state.mongo, &email, Role::Admin).await.map_err(|e| e.to_string())?;
            println!("{} is now an admin", email.as_str());
            Ok(())
        }
        UserCommand::List => {
            for user in users::list(&state.mongo, &System::ACTING.everyone()).await.map_err(|e| e.to_string())? {
                let role = if user.role == Role::Admin { "admin" } else { "user" };
                let plan = if user.premium { "premium" } else { "free" };
                println!("{}\t{}\t{role}\t{plan}\t{}", user.id.to_hex(), user.email, user.name);
            }
            Ok(())
        }
    }
}
