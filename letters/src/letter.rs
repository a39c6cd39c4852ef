//! The invitation letter's layout and wording: one A4 page.
//!
//! Wording follows the NHS letter conventions: plain English, sentence case,
//! body text 12 point in a sans serif face, black on white, one idea per step.
//! Everything that comes from data (names, addresses, the sender's details) is
//! fitted: shrunk to a floor and then shortened with an ellipsis, so no value
//! can push text off the page, out of the envelope window or over another block.

use crate::canvas::{Block, Canvas, Colour, PAGE_WIDTH, mm};
use crate::fonts::Typeface;
use crate::qr::{QUIET_ZONE_MODULES, QrSymbol};
use crate::text::{Span, clean, fit_line, shorten, wrap};
use crate::{Letter, Sender};

const LEFT: f32 = mm(20.0);
const RIGHT: f32 = PAGE_WIDTH - mm(20.0);
const TEXT_WIDTH: f32 = RIGHT - LEFT;

const BODY_SIZE: f32 = 12.0;
const BODY_LEADING: f32 = 16.0;
const SMALLEST_SIZE: f32 = 10.0;

/// The envelope window. Portico's letters go in DL (110 × 220 mm) or C5
/// left-window envelopes made to the common UK layout, the window 90 × 35 mm
/// and 20 mm from the left, which on the folded A4 page lands 47–82 mm from
/// the top (the address field of DIN 5008 form B, 45–90 mm from the top, is
/// the same place). The address keeps 3 mm clear of every edge of the window
/// so it still shows when the letter slides in the envelope.
const WINDOW_LEFT: f32 = mm(20.0);
const WINDOW_TOP: f32 = mm(47.0);
const WINDOW_WIDTH: f32 = mm(90.0);
const WINDOW_HEIGHT: f32 = mm(35.0);
const WINDOW_CLEARANCE: f32 = mm(3.0);
pub(crate) const ADDRESS_LEFT: f32 = WINDOW_LEFT + WINDOW_CLEARANCE;
pub(crate) const ADDRESS_TOP: f32 = WINDOW_TOP + WINDOW_CLEARANCE;
pub(crate) const ADDRESS_RIGHT: f32 = WINDOW_LEFT + WINDOW_WIDTH - WINDOW_CLEARANCE;
pub(crate) const ADDRESS_BOTTOM: f32 = WINDOW_TOP + WINDOW_HEIGHT - WINDOW_CLEARANCE;
/// The address may shrink to 10 point, still comfortable for Royal Mail's
/// readers and people, before lines are merged and shortened.
const ADDRESS_SIZES: [f32; 5] = [12.0, 11.5, 11.0, 10.5, 10.0];
const ADDRESS_LEADING: f32 = 1.15;

/// The sender's block at the top right, clear of the window to its left.
pub(crate) const SENDER_LEFT: f32 = mm(118.0);
const SENDER_FIRST_BASELINE: f32 = mm(20.0);
const SENDER_RETURN_ADDRESS_LINES: usize = 4;

/// Body text starts under the window; the reference sits at the foot.
const BODY_TOP: f32 = mm(97.0);
/// The lowest body text may reach, clear of the reference; tests hold the layout to it.
#[cfg(test)]
pub(crate) const BODY_BOTTOM: f32 = mm(280.0);
const FOOTER_BASELINE: f32 = mm(287.0);

const NHS_BLUE: Colour = Colour(0.0, 94.0 / 255.0, 184.0 / 255.0);
const PALE_GREY: Colour = Colour(240.0 / 255.0, 244.0 / 255.0, 245.0 / 255.0);
const WHITE: Colour = Colour(1.0, 1.0, 1.0);

/// The QR code's printed size, quiet zone included: a version 4 symbol
/// comes out about 34 mm across, modules about 1 mm.
const QR_SQUARE: f32 = mm(42.0);

/// Lays out one letter on the canvas.
pub(crate) fn draw(canvas: &mut Canvas<'_>, sender: &Sender, letter: &Letter, qr: &QrSymbol) {
    draw_sender(canvas, sender, &clean(&letter.date));
    draw_address(canvas, letter);
    let mut y = BODY_TOP;
    draw_body(canvas, sender, letter, qr, &mut y);
    let reference = format!("Reference: {}", clean(&letter.reference));
    let reference = shorten(canvas.fonts(), Typeface::Regular, &reference, 10.0, TEXT_WIDTH);
    canvas.text(Block::Footer, LEFT, FOOTER_BASELINE, Typeface::Regular, 10.0, &reference);
}

fn draw_sender(canvas: &mut Canvas<'_>, sender: &Sender, date: &str) {
    let width = RIGHT - SENDER_LEFT;
    let return_address: Vec<String> = sender.return_address_lines.iter().map(|line| clean(line)).collect();
    let mut lines: Vec<(Typeface, String)> = vec![(Typeface::Bold, clean(&sender.organisation))];
    lines.push((Typeface::Regular, clean(&sender.team)));
    for line in merge_lines(&return_address, SENDER_RETURN_ADDRESS_LINES) {
        lines.push((Typeface::Regular, line));
    }
    if let Some(phone) = sender.phone.as_deref().map(clean).filter(|phone| !phone.is_empty()) {
        lines.push((Typeface::Regular, format!("Phone: {phone}")));
    }
    lines.push((Typeface::Regular, String::new()));
    lines.push((Typeface::Regular, date.to_owned()));

    // One size for the whole block, the largest every line fits at; lines
    // still too wide at the smallest are shortened.
    let fonts = canvas.fonts();
    let size = lines
        .iter()
        .map(|(typeface, text)| fit_line(fonts, *typeface, text, BODY_SIZE, SMALLEST_SIZE, width).size)
        .fold(BODY_SIZE, f32::min);
    let lines: Vec<(Typeface, String)> =
        lines.into_iter().map(|(typeface, text)| (typeface, shorten(fonts, typeface, &text, size, width))).collect();
    let mut baseline = SENDER_FIRST_BASELINE;
    for (typeface, text) in lines {
        canvas.text_right(Block::Sender, RIGHT, baseline, typeface, size, &text);
        baseline += size * BODY_LEADING / BODY_SIZE;
    }
}

/// Joins the first lines with commas until at most `most` are left, keeping
/// the last lines (town, county) as they are; empty lines are dropped.
fn merge_lines(lines: &[String], most: usize) -> Vec<String> {
    let lines: Vec<&String> = lines.iter().filter(|line| !line.is_empty()).collect();
    if most == 0 {
        return Vec::new();
    }
    if lines.len() <= most {
        return lines.into_iter().cloned().collect();
    }
    let merged_count = lines.len() - most + 1;
    let merged = lines[..merged_count].iter().map(|line| line.as_str()).collect::<Vec<_>>().join(", ");
    std::iter::once(merged).chain(lines[merged_count..].iter().map(|line| (*line).clone())).collect()
}

/// The recipient's name and address in the envelope window: at the largest
/// size from 12 down to 10 point at which every line fits; if none does, at
/// 10 point with the first address lines merged (name, town and postcode
/// stay on lines of their own, the postcode last as Royal Mail asks) and any
/// line still too wide shortened with an ellipsis.
fn draw_address(canvas: &mut Canvas<'_>, letter: &Letter) {
    let fonts = canvas.fonts();
    let name = clean(&letter.recipient_name);
    let address: Vec<String> = letter.address_lines.iter().map(|line| clean(line)).collect();
    let postcode = letter.postcode.as_deref().map(clean).filter(|postcode| !postcode.is_empty());
    let width = ADDRESS_RIGHT - ADDRESS_LEFT;
    let (ascent, descent) = fonts.vertical_metrics(Typeface::Regular);
    let capacity = |size: f32| {
        let mut bottom = (ascent - descent) * size;
        let mut lines = 1;
        while bottom + size * ADDRESS_LEADING <= ADDRESS_BOTTOM - ADDRESS_TOP {
            bottom += size * ADDRESS_LEADING;
            lines += 1;
        }
        lines
    };
    let mut all: Vec<String> = std::iter::once(name.clone())
        .chain(address.iter().cloned())
        .chain(postcode.clone())
        .filter(|line| !line.is_empty())
        .collect();

    let fits = |size: f32, lines: &[String]| {
        lines.len() <= capacity(size) && lines.iter().all(|line| fonts.width(Typeface::Regular, line, size) <= width)
    };
    let size = match ADDRESS_SIZES.iter().copied().find(|&size| fits(size, &all)) {
        Some(size) => size,
        None => {
            let size = SMALLEST_SIZE;
            let address_slots = capacity(size).saturating_sub(1 + usize::from(postcode.is_some()));
            all = std::iter::once(name)
                .filter(|name| !name.is_empty())
                .chain(merge_lines(&address, address_slots))
                .chain(postcode)
                .collect();
            all = all.iter().map(|line| shorten(fonts, Typeface::Regular, line, size, width)).collect();
            size
        }
    };
    let mut baseline = ADDRESS_TOP + ascent * size;
    for line in &all {
        canvas.text(Block::Address, ADDRESS_LEFT, baseline, Typeface::Regular, size, line);
        baseline += size * ADDRESS_LEADING;
    }
}

fn draw_body(canvas: &mut Canvas<'_>, sender: &Sender, letter: &Letter, qr: &QrSymbol, y: &mut f32) {
    let fonts = canvas.fonts();
    // Values from data go into sentences at most one line long each, so the
    // page cannot overflow whatever they hold.
    let one_line = |text: &str, typeface: Typeface, most: f32| shorten(fonts, typeface, &clean(text), BODY_SIZE, most);
    let given_name = one_line(&letter.given_name, Typeface::Regular, TEXT_WIDTH / 2.0);
    let organisation = one_line(&sender.organisation, Typeface::Regular, TEXT_WIDTH * 0.6);
    let team = one_line(&sender.team, Typeface::Bold, TEXT_WIDTH * 0.6);
    let phone = sender.phone.as_deref().map(|phone| one_line(phone, Typeface::Bold, mm(60.0)));
    let register_address = one_line(&letter.register_address, Typeface::Bold, mm(100.0));
    let expires = one_line(&letter.expires, Typeface::Bold, mm(60.0));

    let salutation = if given_name.is_empty() { "Dear patient".to_owned() } else { format!("Dear {given_name}") };
    canvas.text(Block::Body, LEFT, *y, Typeface::Regular, BODY_SIZE, &salutation);
    *y += mm(12.0);
    canvas.text(Block::Body, LEFT, *y, Typeface::Bold, 18.0, "Register for your online health record");
    *y += mm(9.0);
    paragraph(
        canvas,
        y,
        &[Span::regular(format!(
            "{organisation} has set up an online health record for you. You can use it to see your health \
             information on a phone, tablet or computer. To register, you need the code in this letter."
        ))],
    );

    draw_code_panel(canvas, y, &letter.code_grouped, &expires, qr);

    *y += mm(3.0);
    canvas.text(Block::Body, LEFT, *y, Typeface::Bold, 14.0, "How to register");
    *y += mm(8.0);
    let steps: [Vec<Span>; 5] = [
        vec![
            Span::regular("Go to "),
            Span::bold(register_address),
            Span::regular(" on a phone, tablet or computer, or scan the QR code with your phone camera."),
        ],
        vec![Span::regular("Enter your registration code. If you scanned the QR code, it is already filled in.")],
        vec![Span::regular("Enter your date of birth.")],
        vec![Span::regular("Enter your email address, then confirm it with the code or link we email you.")],
        vec![Span::regular("Choose a password.")],
    ];
    for (number, step) in steps.iter().enumerate() {
        canvas.text(Block::Body, LEFT, *y, Typeface::Regular, BODY_SIZE, &format!("{}.", number + 1));
        for line in wrap(canvas.fonts(), step, BODY_SIZE, TEXT_WIDTH - mm(8.0)) {
            canvas.line(Block::Body, LEFT + mm(8.0), *y, BODY_SIZE, &line);
            *y += BODY_LEADING;
        }
        *y += mm(1.5);
    }

    *y += mm(3.0);
    paragraph(
        canvas,
        y,
        &[
            Span::regular(
                "If you did not expect this letter, or you do not want to register, you can ignore it. The code stops working on ",
            ),
            Span::bold(expires),
            Span::regular("."),
        ],
    );
    let mut help = vec![Span::regular("If you need help, contact "), Span::bold(team)];
    match phone.filter(|phone| !phone.is_empty()) {
        Some(phone) => help.extend([Span::regular(" on "), Span::bold(phone), Span::regular(".")]),
        None => help.push(Span::regular(format!(" at {organisation}."))),
    }
    help.push(Span::regular(" Tell them the reference at the bottom of this letter."));
    paragraph(canvas, y, &help);
}

/// A wrapped paragraph of body text, leaving `y` at the next paragraph's first baseline.
fn paragraph(canvas: &mut Canvas<'_>, y: &mut f32, spans: &[Span]) {
    for line in wrap(canvas.fonts(), spans, BODY_SIZE, TEXT_WIDTH) {
        canvas.line(Block::Body, LEFT, *y, BODY_SIZE, &line);
        *y += BODY_LEADING;
    }
    *y += mm(3.0);
}

/// The code, large and in groups, beside the QR code, on a pale panel with
/// the NHS blue edge used for important information.
fn draw_code_panel(canvas: &mut Canvas<'_>, y: &mut f32, code_grouped: &str, expires: &str, qr: &QrSymbol) {
    const PADDING: f32 = mm(5.0);
    let top = *y - BODY_SIZE;
    let height = PADDING + QR_SQUARE + mm(6.0) + PADDING / 2.0;
    canvas.fill_rect(LEFT, top, TEXT_WIDTH, height, PALE_GREY);
    canvas.fill_rect(LEFT, top, mm(2.0), height, NHS_BLUE);

    let qr_left = RIGHT - PADDING - QR_SQUARE;
    let qr_top = top + PADDING;
    draw_qr(canvas, qr, qr_left, qr_top);
    canvas.text_centred(
        Block::Body,
        qr_left + QR_SQUARE / 2.0,
        qr_top + QR_SQUARE + mm(5.0),
        Typeface::Regular,
        BODY_SIZE,
        "Scan to register",
    );

    let left = LEFT + mm(8.0);
    let width = qr_left - mm(6.0) - left;
    let mut baseline = top + PADDING + mm(6.0);
    canvas.text(Block::Body, left, baseline, Typeface::Bold, 14.0, "Your registration code");
    baseline += mm(14.0);
    let code = fit_line(canvas.fonts(), Typeface::Mono, &clean(code_grouped), 30.0, 14.0, width);
    canvas.text(Block::Body, left, baseline, Typeface::Mono, code.size, &code.text);
    baseline += mm(11.0);
    let note = [Span::regular("This code works once. It expires on "), Span::bold(expires), Span::regular(".")];
    for line in wrap(canvas.fonts(), &note, BODY_SIZE, width).into_iter().take(2) {
        canvas.line(Block::Body, left, baseline, BODY_SIZE, &line);
        baseline += BODY_LEADING;
    }
    *y = top + height + mm(8.0);
}

/// The symbol on a white square that includes its quiet zone, modules sized
/// to fill the square whatever the version.
fn draw_qr(canvas: &mut Canvas<'_>, qr: &QrSymbol, left: f32, top: f32) {
    canvas.fill_rect(left, top, QR_SQUARE, QR_SQUARE, WHITE);
    let modules = qr.width() + 2 * QUIET_ZONE_MODULES;
    let module = QR_SQUARE / modules as f32;
    let origin_left = left + module * QUIET_ZONE_MODULES as f32;
    let origin_top = top + module * QUIET_ZONE_MODULES as f32;
    canvas.fill_grid_runs(
        origin_left,
        origin_top,
        module,
        qr.dark_runs().map(|(row, column, length)| (column, row, length)),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(lines: &[&str]) -> Vec<String> {
        lines.iter().map(|line| (*line).to_owned()).collect()
    }

    #[test]
    fn merging_keeps_the_last_lines_and_joins_the_first() {
        let lines = strings(&["Flat 2", "", "10 High Street", "Headingley", "Leeds", "West Yorkshire"]);
        assert_eq!(merge_lines(&lines, 3), strings(&["Flat 2, 10 High Street, Headingley", "Leeds", "West Yorkshire"]));
        assert_eq!(
            merge_lines(&lines, 9),
            strings(&["Flat 2", "10 High Street", "Headingley", "Leeds", "West Yorkshire"])
        );
    }
}
