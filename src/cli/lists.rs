//! `consentgate lists`: the collection and sharing lists of a policy, as JSON (for tools),
//! Markdown or a standalone HTML page (for publishing). The rows come from `crate::lists`,
//! the same code the app's screens show.

use std::path::Path;

use super::{Output, EXIT_OK};
use crate::lists::{lists, policy_locales, Lists, Words};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Format {
    Markdown,
    Html,
    Json,
}

impl Format {
    pub(super) fn parse(name: &str) -> Option<Format> {
        match name {
            "md" | "markdown" => Some(Format::Markdown),
            "html" => Some(Format::Html),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}

pub(super) fn run(policy_path: &Path, locale: Option<&str>, format: Format) -> Output {
    const ME: &str = "consentgate lists";
    let policy = match super::load_policy(policy_path, ME) {
        Ok(p) => p,
        Err(out) => return out,
    };
    let locales = match locale {
        Some(tag) => vec![tag.to_string()],
        None => policy_locales(&policy),
    };
    let all: Vec<Lists> = locales.iter().map(|l| lists(&policy, l)).collect();
    let stdout = match format {
        Format::Json => {
            let doc = serde_json::json!({
                "format": "consentgate-lists",
                "version": 1,
                "policy_version": policy.policy_version,
                "lists": all,
            });
            serde_json::to_string_pretty(&doc).expect("lists serialize") + "\n"
        }
        Format::Markdown => all.iter().map(markdown).collect::<Vec<_>>().join("\n"),
        Format::Html => html(&all),
    };
    let mut out = Output { code: EXIT_OK, stdout, stderr: String::new() };
    let rows: usize = all.iter().map(|l| l.collection.len() + l.sharing.len()).sum();
    out.err_line(format!("{ME}: {} locale(s), {rows} row(s)", all.len()));
    out
}

/// One list as a table: title, column headings, rows of cells.
struct Table {
    title: &'static str,
    head: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

/// The table cells of both lists, in the list's language.
fn tables(l: &Lists) -> [Table; 2] {
    let w = Words::for_locale(&l.locale);
    let or_none = |s: &Option<String>| s.clone().unwrap_or_else(|| w.none.to_string());
    let collection = l
        .collection
        .iter()
        .map(|r| {
            let perms = if r.permissions.is_empty() {
                w.none.to_string()
            } else {
                r.permissions.iter().map(|p| format!("{} ({})", p.label, p.name)).collect::<Vec<_>>().join(w.separator)
            };
            vec![r.information.clone(), r.purpose.clone(), r.when.clone(), perms]
        })
        .collect();
    let sharing = l
        .sharing
        .iter()
        .map(|r| {
            vec![
                r.recipient.clone(),
                or_none(&r.company),
                r.information.clone(),
                r.purpose.clone(),
                r.when.clone(),
                or_none(&r.link),
            ]
        })
        .collect();
    [
        Table {
            title: w.collection_title,
            head: vec![w.information, w.purpose, w.when, w.permission],
            rows: collection,
        },
        Table {
            title: w.sharing_title,
            head: vec![w.recipient, w.company, w.information, w.purpose, w.when, w.link],
            rows: sharing,
        },
    ]
}

fn md_cell(text: &str) -> String {
    text.replace('\\', "\\\\").replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn markdown(l: &Lists) -> String {
    let w = Words::for_locale(&l.locale);
    let mut out = String::new();
    for Table { title, head, rows } in tables(l) {
        out.push_str(&format!("## {title} ({})\n\n", l.locale));
        out.push_str(&format!("{}: {}\n\n", w.policy_version, md_cell(&l.policy_version)));
        out.push_str(&format!("| {} |\n", head.join(" | ")));
        out.push_str(&format!("|{}\n", "---|".repeat(head.len())));
        if rows.is_empty() {
            out.push_str(&format!("| {} |{}\n", w.none, " |".repeat(head.len() - 1)));
        }
        for row in rows {
            let cells: Vec<String> = row.iter().map(|c| md_cell(c)).collect();
            out.push_str(&format!("| {} |\n", cells.join(" | ")));
        }
        out.push('\n');
    }
    out
}

fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn html(all: &[Lists]) -> String {
    let lang = all.first().map_or("und", |l| l.locale.as_str());
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>body{{font-family:sans-serif;margin:1em}}table{{border-collapse:collapse;margin-bottom:2em}}th,td{{border:1px solid #999;padding:.4em;text-align:left;vertical-align:top}}</style>\n</head>\n<body>\n",
        esc(lang),
        esc(Words::for_locale(lang).collection_title)
    );
    for l in all {
        let w = Words::for_locale(&l.locale);
        out.push_str(&format!("<section lang=\"{}\">\n", esc(&l.locale)));
        for Table { title, head, rows } in tables(l) {
            out.push_str(&format!("<h2>{}</h2>\n", esc(title)));
            out.push_str(&format!("<p>{}: {}</p>\n<table>\n<tr>", esc(w.policy_version), esc(&l.policy_version)));
            for h in &head {
                out.push_str(&format!("<th>{}</th>", esc(h)));
            }
            out.push_str("</tr>\n");
            if rows.is_empty() {
                out.push_str(&format!("<tr><td colspan=\"{}\">{}</td></tr>\n", head.len(), esc(w.none)));
            }
            for row in rows {
                out.push_str("<tr>");
                for cell in row {
                    if cell.starts_with("https://") || cell.starts_with("http://") {
                        out.push_str(&format!("<td><a href=\"{0}\">{0}</a></td>", esc(&cell)));
                    } else {
                        out.push_str(&format!("<td>{}</td>", esc(&cell)));
                    }
                }
                out.push_str("</tr>\n");
            }
            out.push_str("</table>\n");
        }
        out.push_str("</section>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// `--locale` must be a language tag like the ones a policy uses.
pub(super) fn check_locale(tag: &str) -> Result<(), String> {
    if crate::policy::is_valid_locale(tag) {
        Ok(())
    } else {
        Err(format!("--locale expects a language tag like zh-CN or en (got '{tag}')"))
    }
}
