//! Drawing on one page in points measured from the top-left corner, as a
//! letter is laid out, rather than PDF's bottom-left. Every line of text drawn
//! is remembered as a box, so tests can check nothing leaves its area.

use pdf_writer::{Content, Str};

use crate::fonts::{Fonts, Typeface};
use crate::text::Span;

/// A4 portrait, in points.
pub(crate) const PAGE_WIDTH: f32 = mm(210.0);
pub(crate) const PAGE_HEIGHT: f32 = mm(297.0);

/// Millimetres to points.
pub(crate) const fn mm(millimetres: f32) -> f32 {
    millimetres * 72.0 / 25.4
}

/// Which part of the letter a box of text belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Block {
    Sender,
    Address,
    Body,
    Footer,
}

/// Where a line of text ended up, in points from the top-left corner.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct TextBox {
    pub(crate) block: Block,
    pub(crate) left: f32,
    pub(crate) top: f32,
    pub(crate) right: f32,
    pub(crate) bottom: f32,
}

/// An sRGB colour, components 0 to 1.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Colour(pub(crate) f32, pub(crate) f32, pub(crate) f32);

pub(crate) struct Canvas<'f> {
    content: Content,
    fonts: &'f mut Fonts,
    glyphs: Vec<u8>,
    placed: Vec<TextBox>,
}

impl<'f> Canvas<'f> {
    pub(crate) fn new(fonts: &'f mut Fonts) -> Self {
        Canvas { content: Content::new(), fonts, glyphs: Vec::new(), placed: Vec::new() }
    }

    pub(crate) fn fonts(&self) -> &Fonts {
        self.fonts
    }

    /// Draws spans on one line starting at `left`, with the baseline `baseline` points from the top.
    pub(crate) fn line(&mut self, block: Block, left: f32, baseline: f32, size: f32, spans: &[Span]) {
        if spans.iter().all(|span| span.text.is_empty()) {
            return;
        }
        self.content.begin_text();
        self.content.set_text_matrix([1.0, 0.0, 0.0, 1.0, left, PAGE_HEIGHT - baseline]);
        let mut right = left;
        let (mut ascent, mut descent) = (0.0_f32, 0.0_f32);
        for span in spans {
            self.glyphs.clear();
            self.fonts.encode(span.typeface, &span.text, &mut self.glyphs);
            self.content.set_font(span.typeface.resource_name(), size);
            self.content.show(Str(&self.glyphs));
            right += self.fonts.width(span.typeface, &span.text, size);
            let (span_ascent, span_descent) = self.fonts.vertical_metrics(span.typeface);
            ascent = ascent.max(span_ascent);
            descent = descent.min(span_descent);
        }
        self.content.end_text();
        self.placed.push(TextBox {
            block,
            left,
            top: baseline - ascent * size,
            right,
            bottom: baseline - descent * size,
        });
    }

    /// Draws `text` in one typeface with its left edge at `left`.
    pub(crate) fn text(&mut self, block: Block, left: f32, baseline: f32, typeface: Typeface, size: f32, text: &str) {
        self.line(block, left, baseline, size, &[Span { typeface, text: text.to_owned() }]);
    }

    /// Draws `text` in one typeface with its right edge at `right`.
    pub(crate) fn text_right(
        &mut self,
        block: Block,
        right: f32,
        baseline: f32,
        typeface: Typeface,
        size: f32,
        text: &str,
    ) {
        let width = self.fonts.width(typeface, text, size);
        self.text(block, right - width, baseline, typeface, size, text);
    }

    /// Draws `text` centred on `centre`.
    pub(crate) fn text_centred(
        &mut self,
        block: Block,
        centre: f32,
        baseline: f32,
        typeface: Typeface,
        size: f32,
        text: &str,
    ) {
        let width = self.fonts.width(typeface, text, size);
        self.text(block, centre - width / 2.0, baseline, typeface, size, text);
    }

    /// Fills a rectangle given by its top-left corner and size.
    pub(crate) fn fill_rect(&mut self, left: f32, top: f32, width: f32, height: f32, colour: Colour) {
        self.content.save_state();
        self.content.set_fill_rgb(colour.0, colour.1, colour.2);
        self.content.rect(left, PAGE_HEIGHT - top - height, width, height);
        self.content.fill_nonzero();
        self.content.restore_state();
    }

    /// Fills black cells of a grid whose cells are `cell` points square and
    /// whose top-left corner is at `left`, `top`, as one path. Each rectangle
    /// is (column, row, columns wide): small whole numbers in the grid's own
    /// coordinates keep a QR code's hundreds of rectangles compact.
    pub(crate) fn fill_grid_runs(
        &mut self,
        left: f32,
        top: f32,
        cell: f32,
        runs: impl Iterator<Item = (usize, usize, usize)>,
    ) {
        self.content.save_state();
        self.content.transform([cell, 0.0, 0.0, -cell, left, PAGE_HEIGHT - top]);
        let mut any = false;
        for (column, row, width) in runs {
            self.content.rect(column as f32, row as f32, width as f32, 1.0);
            any = true;
        }
        if any {
            self.content.fill_nonzero();
        }
        self.content.restore_state();
    }

    /// The finished content stream and the boxes of text drawn on it.
    pub(crate) fn finish(self) -> (Vec<u8>, Vec<TextBox>) {
        (self.content.finish().into_vec(), self.placed)
    }
}
