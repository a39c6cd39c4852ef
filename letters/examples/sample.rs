//! Writes a sample letter and a 1,000-letter batch, timing both:
//! `cargo run --release -p portico-letters --example sample -- /tmp/letter.pdf /tmp/batch.pdf`

use std::time::Instant;

use portico_letters::{Letter, Sender, render_batch, render_one};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut paths = std::env::args().skip(1);
    let one_path = paths.next().unwrap_or_else(|| "letter.pdf".to_owned());
    let batch_path = paths.next().unwrap_or_else(|| "batch.pdf".to_owned());
    let sender = Sender {
        organisation: "Leeds Teaching Hospitals NHS Trust".to_owned(),
        team: "Patient Records Team".to_owned(),
        return_address_lines: vec![
            "St James's University Hospital".to_owned(),
            "Beckett Street".to_owned(),
            "Leeds LS9 7TF".to_owned(),
        ],
        phone: Some("0113 243 3144".to_owned()),
    };
    let letter = Letter {
        reference: "PTC-7KQM2XRD".to_owned(),
        date: "27 November 2026".to_owned(),
        recipient_name: "Łukasz Wójcik".to_owned(),
        address_lines: vec!["Flat 3".to_owned(), "12 Harehills Lane".to_owned(), "Leeds".to_owned()],
        postcode: Some("LS8 4HQ".to_owned()),
        given_name: "Łukasz".to_owned(),
        code_grouped: "7KQM 2XRD 93TB".to_owned(),
        link: "https://portico.example/register?code=7KQM2XRD93TB".to_owned(),
        register_address: "portico.example/register".to_owned(),
        expires: "18 December 2026".to_owned(),
    };

    // The first render in a process also reads the font tables; later ones reuse them.
    for attempt in ["first", "second"] {
        let started = Instant::now();
        let one = render_one(&sender, &letter)?;
        println!("one letter ({attempt} in this process): {:?}, {} bytes", started.elapsed(), one.len());
    }
    let one = render_one(&sender, &letter)?;
    std::fs::write(&one_path, &one)?;

    let names = ["Siân Llŷr", "Zoë Brontë", "Ștefan Țurcanu", "Nguyễn Thị Ánh", "Jane Smith"];
    let batch: Vec<Letter> = (0..1000)
        .map(|i| Letter {
            reference: format!("PTC-{i:08}"),
            recipient_name: names[i % names.len()].to_owned(),
            code_grouped: format!("{:04} 2XRD 93TB", i),
            link: format!("https://portico.example/register?code={i:04}2XRD93TB"),
            ..letter.clone()
        })
        .collect();
    let started = Instant::now();
    let pdf = render_batch(&sender, &batch)?;
    let elapsed = started.elapsed();
    println!("1,000 letters: {elapsed:?} ({:.0} letters/s), {} bytes", 1000.0 / elapsed.as_secs_f64(), pdf.len());
    std::fs::write(&batch_path, &pdf)?;
    Ok(())
}
