//! The crate's public Rust API is a contract (docs/compatibility.md): `tests/golden/public-api.txt`
//! lists every item reachable from outside the crate (modules, types with their derives, public
//! fields and variants, functions and methods with their signatures, traits, trait impls of
//! public types, constants, re-exports), read from the source with `syn`. This test compares
//! it with the source as it is now: a removed or changed item fails, and so does an addition,
//! so that every change to the API is a visible diff in review. After an intended change:
//!
//!     scripts/update-api.sh        (or CONSENTGATE_BLESS=1 cargo test --all-features --test public_api)
//!
//! Items behind a feature are listed with it (`[cfg(feature = "cli")]`); `#[cfg(test)]` code
//! and private modules (the JNI bridge) are not API.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use quote::ToTokens;
use syn::{Attribute, Fields, ImplItem, Item, TraitItem, Visibility};

const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/public-api.txt");

#[test]
fn public_api_matches_the_committed_listing() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs");
    let listing = listing(&root);
    assert!(listing.contains("consentgate::engine::Engine"), "the walk found no Engine:\n{listing}");
    compare_with_golden(GOLDEN, &listing);
}

#[test]
fn private_modules_and_restricted_items_are_not_listed() {
    let listing = listing(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs"));
    assert!(!listing.contains("consentgate::jni"), "the private JNI bridge is not API");
    assert!(!listing.contains("json_locate"));
    assert!(!listing.contains("pub(crate)"));
}

/// Compares `actual` with the committed file, or rewrites it when CONSENTGATE_BLESS=1.
fn compare_with_golden(path: &str, actual: &str) {
    if std::env::var("CONSENTGATE_BLESS").as_deref() == Ok("1") {
        std::fs::create_dir_all(Path::new(path).parent().unwrap()).unwrap();
        std::fs::write(path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(path).unwrap_or_default();
    if expected != actual {
        let old: BTreeSet<&str> = expected.lines().collect();
        let new: BTreeSet<&str> = actual.lines().collect();
        let mut diff = String::new();
        for line in old.difference(&new) {
            diff += &format!("- {line}\n");
        }
        for line in new.difference(&old) {
            diff += &format!("+ {line}\n");
        }
        panic!(
            "the public Rust API differs from {path} (- listed only, + in the source only):\n{diff}\
             If the change is intended and compatible (docs/compatibility.md), run scripts/update-api.sh \
             and commit the listing with a CHANGELOG line."
        );
    }
}

fn listing(lib_rs: &Path) -> String {
    let file = parse(lib_rs);
    let mut out = BTreeSet::new();
    let mut public_types = BTreeSet::new();
    collect_crate_type_names(lib_rs.parent().unwrap(), &mut public_types);
    walk_module(&file.items, "consentgate", lib_rs.parent().unwrap(), "", &public_types, &mut out);
    // Sorted by path; a feature condition goes at the end of its line.
    let mut lines: Vec<String> = out
        .into_iter()
        .map(|line| {
            let mut rest = line.as_str();
            let mut cfgs = String::new();
            while rest.starts_with("[cfg(") {
                let end = rest.find("] ").map(|i| i + 2).unwrap_or(rest.len());
                cfgs = format!("{cfgs} {}", rest[..end].trim_end());
                rest = &rest[end..];
            }
            format!("{rest}{cfgs}")
        })
        .collect();
    lines.sort();
    lines.into_iter().map(|l| l + "\n").collect()
}

fn parse(path: &Path) -> syn::File {
    let src = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    syn::parse_file(&src).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn is_pub(vis: &Visibility) -> bool {
    matches!(vis, Visibility::Public(_))
}

fn is_cfg_test(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|a| a.path().is_ident("cfg") && tokens(&a.meta).contains("test"))
}

/// `[cfg(...)] ` for items behind a feature, so that the listing says what needs it.
fn cfg_prefix(attrs: &[Attribute]) -> String {
    attrs.iter().filter(|a| a.path().is_ident("cfg")).map(|a| format!("[{}] ", tokens(&a.meta))).collect()
}

fn derives(attrs: &[Attribute]) -> String {
    let mut names = Vec::new();
    for a in attrs.iter().filter(|a| a.path().is_ident("derive")) {
        if let syn::Meta::List(list) = &a.meta {
            names.extend(list.tokens.to_string().split(',').map(|s| s.trim().replace(' ', "")));
        }
    }
    names.retain(|n| !n.is_empty());
    if names.is_empty() {
        String::new()
    } else {
        format!(" #[derive({})]", names.join(", "))
    }
}

/// Token text with the spaces a reader expects (`Result<(), E>` rather than `Result < () , E >`).
fn tokens(t: &impl ToTokens) -> String {
    let mut s = t.to_token_stream().to_string();
    for (from, to) in [
        (" :: ", "::"),
        (":: ", "::"),
        (" ,", ","),
        (" ;", ";"),
        (" : ", ": "),
        (" < ", "<"),
        ("< ", "<"),
        (" <", "<"),
        (" >", ">"),
        ("& ", "&"),
        (" (", "("),
        ("( ", "("),
        (" )", ")"),
        (" [", "["),
        ("[ ", "["),
        (" ]", "]"),
        ("# [", "#["),
        (" ?", "?"),
        ("' ", "'"),
    ] {
        while s.contains(from) {
            s = s.replace(from, to);
        }
    }
    // `->` and `=>` lost their left space through " >"; `dyn`/`impl` keep theirs.
    s.replace("->", " -> ").replace("  ", " ").replace("=>", " => ")
}

/// Names of the `pub` types in every source file, to tell impls of public types from others.
fn collect_crate_type_names(dir: &Path, names: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect_crate_type_names(&path, names);
        } else if path.extension().is_some_and(|e| e == "rs") {
            collect_type_names(&parse(&path).items, names);
        }
    }
}

fn collect_type_names(items: &[Item], names: &mut BTreeSet<String>) {
    for item in items {
        match item {
            Item::Struct(s) if is_pub(&s.vis) => {
                names.insert(s.ident.to_string());
            }
            Item::Enum(e) if is_pub(&e.vis) => {
                names.insert(e.ident.to_string());
            }
            Item::Type(t) if is_pub(&t.vis) => {
                names.insert(t.ident.to_string());
            }
            Item::Mod(m) => {
                if let Some((_, inner)) = &m.content {
                    collect_type_names(inner, names);
                }
            }
            _ => {}
        }
    }
}

fn module_file(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let flat = dir.join(format!("{name}.rs"));
    if flat.is_file() {
        (flat, dir.join(name))
    } else {
        (dir.join(name).join("mod.rs"), dir.join(name))
    }
}

fn walk_module(
    items: &[Item],
    path: &str,
    dir: &Path,
    cfg: &str,
    public_types: &BTreeSet<String>,
    out: &mut BTreeSet<String>,
) {
    for item in items {
        match item {
            Item::Mod(m) if is_pub(&m.vis) && !is_cfg_test(&m.attrs) => {
                let name = m.ident.to_string();
                let cfg = format!("{cfg}{}", cfg_prefix(&m.attrs));
                let inner_path = format!("{path}::{name}");
                out.insert(format!("{cfg}pub mod {inner_path}"));
                match &m.content {
                    Some((_, inner)) => walk_module(inner, &inner_path, &dir.join(&name), &cfg, public_types, out),
                    None => {
                        let (file, sub_dir) = module_file(dir, &name);
                        let parsed = parse(&file);
                        walk_module(&parsed.items, &inner_path, &sub_dir, &cfg, public_types, out);
                    }
                }
            }
            _ => list_item(item, path, cfg, public_types, out),
        }
    }
}

fn list_item(item: &Item, path: &str, cfg: &str, public_types: &BTreeSet<String>, out: &mut BTreeSet<String>) {
    let attrs: &[Attribute] = match item {
        Item::Fn(i) => &i.attrs,
        Item::Struct(i) => &i.attrs,
        Item::Enum(i) => &i.attrs,
        Item::Trait(i) => &i.attrs,
        Item::Type(i) => &i.attrs,
        Item::Const(i) => &i.attrs,
        Item::Static(i) => &i.attrs,
        Item::Use(i) => &i.attrs,
        Item::Impl(i) => &i.attrs,
        _ => return,
    };
    if is_cfg_test(attrs) {
        return;
    }
    let cfg = format!("{cfg}{}", cfg_prefix(attrs));
    match item {
        Item::Fn(f) if is_pub(&f.vis) => {
            out.insert(format!("{cfg}{path}::{}: pub {}", f.sig.ident, tokens(&f.sig)));
        }
        Item::Struct(s) if is_pub(&s.vis) => {
            let name = format!("{path}::{}", s.ident);
            let shape = match &s.fields {
                Fields::Named(_) => "",
                Fields::Unnamed(_) => "(..)",
                Fields::Unit => ";",
            };
            let private_fields = s.fields.iter().any(|f| !is_pub(&f.vis));
            let note = if private_fields && !matches!(s.fields, Fields::Unit) { " (has private fields)" } else { "" };
            out.insert(format!(
                "{cfg}{name}: pub struct {}{}{shape}{}{note}",
                s.ident,
                tokens(&s.generics),
                derives(&s.attrs)
            ));
            for (i, f) in s.fields.iter().enumerate().filter(|(_, f)| is_pub(&f.vis)) {
                let field = f.ident.as_ref().map(|id| id.to_string()).unwrap_or_else(|| i.to_string());
                out.insert(format!("{cfg}{name}.{field}: {}", tokens(&f.ty)));
            }
        }
        Item::Enum(e) if is_pub(&e.vis) => {
            let name = format!("{path}::{}", e.ident);
            let non_exhaustive = e.attrs.iter().any(|a| a.path().is_ident("non_exhaustive"));
            out.insert(format!(
                "{cfg}{name}: pub enum {}{}{}{}",
                e.ident,
                tokens(&e.generics),
                derives(&e.attrs),
                if non_exhaustive { " #[non_exhaustive]" } else { "" }
            ));
            for v in &e.variants {
                let mut variant = v.clone();
                variant.attrs.clear();
                out.insert(format!("{cfg}{name}::{}", tokens(&variant)));
            }
        }
        Item::Trait(t) if is_pub(&t.vis) => {
            let name = format!("{path}::{}", t.ident);
            let mut header = t.clone();
            header.items.clear();
            header.attrs.clear();
            out.insert(format!("{cfg}{name}: {}", tokens(&header).replace(" {}", "")));
            for ti in &t.items {
                match ti {
                    TraitItem::Fn(f) => out.insert(format!("{cfg}{name}::{}: {}", f.sig.ident, tokens(&f.sig))),
                    TraitItem::Type(ty) => out.insert(format!("{cfg}{name}::{}: type", ty.ident)),
                    TraitItem::Const(c) => out.insert(format!("{cfg}{name}::{}: const {}", c.ident, tokens(&c.ty))),
                    _ => false,
                };
            }
        }
        Item::Type(t) if is_pub(&t.vis) => {
            let (name, generics, ty) = (&t.ident, tokens(&t.generics), tokens(&t.ty));
            out.insert(format!("{cfg}{path}::{name}: pub type {name}{generics} = {ty}"));
        }
        Item::Const(c) if is_pub(&c.vis) => {
            let listed = pub_const(&c.ident, &c.ty, &c.expr);
            out.insert(format!("{cfg}{path}::{}: {listed}", c.ident));
        }
        Item::Static(s) if is_pub(&s.vis) => {
            out.insert(format!("{cfg}{path}::{}: pub static {}: {}", s.ident, s.ident, tokens(&s.ty)));
        }
        Item::Use(u) if is_pub(&u.vis) => {
            out.insert(format!("{cfg}{path}: pub use {}", tokens(&u.tree)));
        }
        Item::Impl(imp) => {
            let self_ty = tokens(&imp.self_ty);
            let base = self_ty.split('<').next().unwrap_or(&self_ty).rsplit("::").next().unwrap_or("").to_string();
            if !public_types.contains(&base) {
                return;
            }
            let generics = tokens(&imp.generics);
            match &imp.trait_ {
                Some((bang, trait_path, _)) => {
                    let not = if bang.is_some() { "!" } else { "" };
                    out.insert(format!("{cfg}{path}: impl{generics} {not}{} for {self_ty}", tokens(trait_path)));
                }
                None => {
                    for ii in &imp.items {
                        match ii {
                            ImplItem::Fn(f) if is_pub(&f.vis) && !is_cfg_test(&f.attrs) => {
                                out.insert(format!(
                                    "{cfg}{path}::{base}::{}: impl{generics} {self_ty} {{ pub {} }}",
                                    f.sig.ident,
                                    tokens(&f.sig)
                                ));
                            }
                            ImplItem::Const(c) if is_pub(&c.vis) => {
                                let listed = pub_const(&c.ident, &c.ty, &c.expr);
                                out.insert(format!("{cfg}{path}::{base}::{}: {listed}", c.ident));
                            }
                            _ => {}
                        }
                    }
                }
            }
        }
        _ => {}
    }
}

/// A constant as listed, in a module or an impl: `pub const NAME: TYPE = VALUE`.
fn pub_const(name: &syn::Ident, ty: &syn::Type, value: &syn::Expr) -> String {
    format!("pub const {name}: {} = {}", tokens(ty), tokens(value))
}
