//! Bytes the browser downloads on first load, raw and gzip-compressed.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use portico_types::bundle::Bundle;

const BUDGET_GZIP: usize = 200 * 1024;

struct Sizes {
    raw: usize,
    gzip: usize,
}

fn sizes(path: &Path) -> anyhow::Result<Sizes> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(&bytes)?;
    Ok(Sizes { raw: bytes.len(), gzip: encoder.finish()?.len() })
}

/// The files a shell page loads: itself, its scripts and styles, and the wasm
/// its boot script imports (named like the boot script: boot-patient.js ->
/// patient_bg.wasm / patient.js).
fn first_load(site: &Path, shell: &str) -> anyhow::Result<Vec<PathBuf>> {
    let html = std::fs::read_to_string(site.join(shell)).with_context(|| format!("{shell}: run scripts/build-web"))?;
    let mut files = vec![site.join(shell)];
    for attr in ["src=\"", "href=\""] {
        for piece in html.split(attr).skip(1) {
            let Some(link) = piece.split('"').next() else { continue };
            if link.starts_with('/') && (link.ends_with(".js") || link.ends_with(".css")) {
                files.push(site.join(link.trim_start_matches('/')));
            }
        }
    }
    let boots: Vec<PathBuf> = files.iter().filter(|f| f.to_string_lossy().contains("boot-")).cloned().collect();
    for boot in boots {
        let text = std::fs::read_to_string(&boot)?;
        let dir = boot.parent().unwrap_or(site);
        for piece in text.split(['\'', '"']) {
            if piece.starts_with("./") && (piece.ends_with(".js") || piece.ends_with(".wasm")) {
                let path = dir.join(piece.trim_start_matches("./"));
                if !files.contains(&path) {
                    files.push(path);
                }
                if let Some(stem) = piece.strip_suffix(".js") {
                    let wasm = dir.join(format!("{}_bg.wasm", stem.trim_start_matches("./")));
                    if wasm.exists() && !files.contains(&wasm) {
                        files.push(wasm);
                    }
                }
            }
        }
    }
    Ok(files)
}

pub fn report(site: &Path) -> anyhow::Result<()> {
    println!("\n## First load: bytes the browser downloads (gzip -9)\n");
    println!("| page | file | raw bytes | gzip bytes |");
    println!("| --- | --- | ---: | ---: |");
    for bundle in Bundle::ALL {
        let (page, shell) = (bundle.name(), bundle.shell());
        let (mut raw, mut gzip) = (0, 0);
        for file in first_load(site, shell)? {
            let s = sizes(&file)?;
            let name = file.strip_prefix(site).unwrap_or(&file).display().to_string();
            println!("| {page} | {name} | {} | {} |", s.raw, s.gzip);
            raw += s.raw;
            gzip += s.gzip;
        }
        // The budget is the patient's (every patient-side bundle is a first
        // load for someone: the start page, an invitation's link, a sign-in);
        // the staff console loads on clinic machines.
        let budget = if bundle != Bundle::Staff {
            format!(" ({:.2} of the {} KB budget)", gzip as f64 / BUDGET_GZIP as f64, BUDGET_GZIP / 1024)
        } else {
            String::new()
        };
        println!("| **{page} total** | | **{raw}** | **{gzip}**{budget} |");
    }
    Ok(())
}
