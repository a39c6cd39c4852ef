//! Letters rendered into print-ready PDFs (one PDF per batch of 1,000, as
//! the campaigns print them): the rate on one core and on two, against the
//! floor measured in the same run: the same words and the same QR codes on
//! plain, compressed PDF pages (pdf-writer, a built-in font, nothing
//! embedded, no layout), i.e. the letter without its fonts and typesetting.

use std::time::{Duration, Instant};

use pdf_writer::{Content, Filter, Finish as _, Name, Pdf, Rect, Ref, Str};
use portico_letters::{Letter, Sender, render_batch};

const BATCH: usize = 1_000;
const RUNS: usize = 3;

pub fn report() -> anyhow::Result<()> {
    let sender = Sender {
        organisation: "Portico Demo NHS Foundation Trust".into(),
        team: "Diabetes Clinic".into(),
        return_address_lines: vec!["1 Infirmary Street".into(), "Leeds".into(), "LS1 3EX".into()],
        phone: Some("0113 496 0000".into()),
    };
    let batches: Vec<Vec<Letter>> = (0..2).map(|b| letters(b * BATCH)).collect();

    let (raw, raw_bytes) = best_of(|| Ok(plain_pages(&batches[0]).len()))?;
    let (one, one_bytes) = best_of(|| Ok(render_batch(&sender, &batches[0])?.len()))?;
    let (two, _) = best_of(|| {
        std::thread::scope(|scope| {
            let runs: Vec<_> =
                batches.iter().map(|batch| scope.spawn(|| render_batch(&sender, batch).map(|pdf| pdf.len()))).collect();
            let mut bytes = 0;
            for run in runs {
                bytes += run.join().map_err(|_| anyhow::anyhow!("a render thread panicked"))??;
            }
            Ok(bytes)
        })
    })?;
    let rate = |letters: usize, took: Duration| letters as f64 / took.as_secs_f64();
    let (raw_rate, one_rate, two_rate) = (rate(BATCH, raw), rate(BATCH, one), rate(2 * BATCH, two));
    println!("\n## Letters into PDFs (batches of {BATCH}, best of {RUNS})\n");
    println!("| run | letters/s | ratio to the plain-page floor | bytes a page |");
    println!("| --- | ---: | ---: | ---: |");
    println!("| plain pages, same words and QR codes (floor) | {raw_rate:.0} | 1.00 | {} |", raw_bytes / BATCH);
    println!("| letters, one core | {one_rate:.0} | {:.3} | {} |", one_rate / raw_rate, one_bytes / BATCH);
    println!("| letters, two cores (two batches at once) | {two_rate:.0} | {:.3} | |", two_rate / raw_rate);
    println!("\nTwo cores against one: {:.2}x.", two_rate / one_rate);
    Ok(())
}

/// The fastest of `RUNS` runs of `run`, and the bytes it made.
fn best_of(mut run: impl FnMut() -> anyhow::Result<usize>) -> anyhow::Result<(Duration, usize)> {
    let mut best = (Duration::MAX, 0);
    for _ in 0..RUNS {
        let started = Instant::now();
        let bytes = run()?;
        best = best.min((started.elapsed(), bytes));
    }
    Ok(best)
}

/// `BATCH` letters with different names, addresses and codes, from `first`.
fn letters(first: usize) -> Vec<Letter> {
    const GIVEN: [&str; 6] = ["Olivia", "Łukasz", "Siân", "Muhammad", "Zoë", "Kwame"];
    const FAMILY: [&str; 6] = ["Smith", "Wójcik", "Llŷr", "Khan", "O'Brien", "Mensah"];
    (first..first + BATCH)
        .map(|i| {
            let code = portico_types::InvitationCode::from_random_bits(i as u64 * 7_919 + 1).grouped();
            let given = GIVEN[i % GIVEN.len()];
            Letter {
                reference: format!("PTC-{i:08}"),
                date: "27 November 2026".into(),
                recipient_name: format!("{given} {}", FAMILY[(i / 6) % FAMILY.len()]),
                address_lines: vec![format!("{} Station Road", i % 200 + 1), "Headingley".into(), "Leeds".into()],
                postcode: Some("LS6 3HU".into()),
                given_name: given.into(),
                link: format!("https://portico.example/register?code={code}"),
                code_grouped: code,
                register_address: "portico.example/register".into(),
                expires: "18 December 2026".into(),
            }
        })
        .collect()
}

/// The same words and QR codes on plain pages: the floor of a letter.
fn plain_pages(letters: &[Letter]) -> Vec<u8> {
    let mut pdf = Pdf::new();
    let (catalog, tree, font) = (Ref::new(1), Ref::new(2), Ref::new(3));
    pdf.type1_font(font).base_font(Name(b"Helvetica"));
    let mut kids = Vec::with_capacity(letters.len());
    for (i, letter) in letters.iter().enumerate() {
        let (page, content) = (Ref::new(4 + 2 * i as i32), Ref::new(5 + 2 * i as i32));
        kids.push(page);
        let mut writer = pdf.page(page);
        writer.parent(tree).media_box(Rect::new(0.0, 0.0, 595.0, 842.0)).contents(content);
        writer.resources().fonts().pair(Name(b"F1"), font);
        writer.finish();
        let mut text = Content::new();
        text.begin_text().set_font(Name(b"F1"), 12.0).next_line(72.0, 770.0);
        let lines = [&letter.recipient_name, &letter.date, &letter.code_grouped, &letter.link, &letter.expires];
        for line in lines.into_iter().chain(&letter.address_lines) {
            text.show(Str(line.as_bytes())).next_line(0.0, -16.0);
        }
        text.end_text();
        if let Ok(qr) = qrcode::QrCode::with_error_correction_level(letter.link.as_bytes(), qrcode::EcLevel::M) {
            let width = qr.width();
            for (n, dark) in qr.to_colors().into_iter().enumerate() {
                if dark == qrcode::Color::Dark {
                    let (x, y) = ((n % width) as f32, (n / width) as f32);
                    text.rect(420.0 + 3.0 * x, 700.0 - 3.0 * y, 3.0, 3.0);
                }
            }
            text.fill_nonzero();
        }
        let compressed = miniz_oxide::deflate::compress_to_vec_zlib(&text.finish().into_vec(), 2);
        pdf.stream(content, &compressed).filter(Filter::FlateDecode);
    }
    pdf.pages(tree).kids(kids.iter().copied()).count(kids.len() as i32);
    pdf.catalog(catalog).pages(tree);
    pdf.finish()
}
