//! Link flags for the shared library, and the header generator.
//!
//! - SONAME `libtenios.so.<major>` (docs/versions.md), so that programs linked
//!   against one major version never load another.
//! - `-z nodelete`: `dlclose` never unmaps libtenios (docs/host-process.md). Its threads,
//!   thread-local destructors and panic hook point into its code, and a host that reloads a
//!   module keeps one copy instead of leaking one per reload.
//! - `include/tenios.h` is written by cbindgen only when `TENIOS_HEADER_OUT` names a file
//!   (`make header`, `make header-check`): a plain `cargo build` never writes into the source
//!   tree.

use std::path::PathBuf;

fn main() {
    let major = std::env::var("CARGO_PKG_VERSION_MAJOR").expect("set by cargo");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libtenios.so.{major}");
        println!("cargo:rustc-cdylib-link-arg=-Wl,-z,nodelete");
    }

    println!("cargo:rerun-if-env-changed=TENIOS_HEADER_OUT");
    let Some(out) = std::env::var_os("TENIOS_HEADER_OUT") else {
        return;
    };
    for input in ["src", "cbindgen.toml"] {
        println!("cargo:rerun-if-changed={input}");
    }
    let crate_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let mut config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))
        .expect("cbindgen.toml is valid");
    config.after_includes = Some(version_macros());
    cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen generates the header")
        .write_to_file(PathBuf::from(out));
}

/// The compile-time version macros, from Cargo.toml's version.
fn version_macros() -> String {
    let part = |name: &str| -> u32 {
        std::env::var(name)
            .expect("set by cargo")
            .parse()
            .expect("a number")
    };
    let (major, minor, patch) = (
        part("CARGO_PKG_VERSION_MAJOR"),
        part("CARGO_PKG_VERSION_MINOR"),
        part("CARGO_PKG_VERSION_PATCH"),
    );
    let version = std::env::var("CARGO_PKG_VERSION").expect("set by cargo");
    format!(
        r#"
/** The version of this header: major (incompatible changes), minor (additions), patch. */
#define TENIOS_VERSION_MAJOR {major}
#define TENIOS_VERSION_MINOR {minor}
#define TENIOS_VERSION_PATCH {patch}
/** The version as a string, e.g. "1.0.0"; tenios_version() gives the library's at run time. */
#define TENIOS_VERSION_STRING "{version}"
/** The version as one comparable number, 0xXXYYZZ (major, minor, patch), like libcurl's. */
#define TENIOS_VERSION_NUM 0x{major:02x}{minor:02x}{patch:02x}
/** True when this header is version x.y.z or later: `#if TENIOS_AT_LEAST_VERSION(1, 1, 0)`. */
#define TENIOS_AT_LEAST_VERSION(x, y, z) \
  (TENIOS_VERSION_NUM >= (((x) << 16) | ((y) << 8) | (z)))
"#
    )
}
