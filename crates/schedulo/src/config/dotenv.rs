//! `.env` errors, said without quoting the line (it may hold a token).

/// A `.env` that does not parse, said without quoting the line (it may hold a token).
pub fn describe_dotenv_error(e: &dotenvy::Error) -> String {
    match e {
        dotenvy::Error::LineParse(line, index) => {
            let name = line.split('=').next().unwrap_or("").trim();
            let name = if name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                name
            } else {
                "?"
            };
            format!(
                ".env cannot be read: the line setting {name} does not parse at character {index} (check its quotes)"
            )
        }
        dotenvy::Error::Io(io) => format!(".env cannot be read: {io}"),
        other => format!(
            ".env cannot be read: {}",
            other.to_string().chars().take(80).collect::<String>()
        ),
    }
}
