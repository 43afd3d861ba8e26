//! Regenerates include/tenios.h from the Rust source with cbindgen. The header is committed;
//! `make header-check` fails when a build leaves it different from what is in git.

use std::path::PathBuf;

fn main() {
    let crate_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    for input in ["src", "cbindgen.toml"] {
        println!("cargo:rerun-if-changed={input}");
    }
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))
        .expect("cbindgen.toml is valid");
    cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen generates the header")
        .write_to_file(crate_dir.join("include/tenios.h"));
}
