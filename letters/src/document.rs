//! One PDF file of letters, a page each, written as it goes.
//!
//! Each page's content stream is compressed and appended to the file as soon
//! as the letter is laid out; only the glyph sets of the three fonts are kept
//! until the end, when the fonts are subset once for the whole batch. Memory
//! therefore grows with the finished file and nothing else.

use pdf_writer::{Filter, Finish, Pdf, Rect, Ref, TextStr};

use crate::canvas::{Canvas, PAGE_HEIGHT, PAGE_WIDTH, TextBox};
use crate::compress::Deflater;
use crate::fonts::{FontRefs, Fonts, Typeface};
use crate::{Letter, LetterError, Sender, letter, qr};

pub(crate) struct Document {
    pdf: Pdf,
    fonts: Fonts,
    deflater: Deflater,
    font_refs: [FontRefs; 3],
    catalog: Ref,
    page_tree: Ref,
    info: Ref,
    next_id: i32,
    pages: Vec<Ref>,
}

impl Document {
    pub(crate) fn new(letters: usize) -> Result<Self, LetterError> {
        let mut next_id = 1;
        let mut take = || {
            let id = Ref::new(next_id);
            next_id += 1;
            id
        };
        let (catalog, page_tree, info) = (take(), take(), take());
        let font_refs =
            [FontRefs::allocate(&mut next_id), FontRefs::allocate(&mut next_id), FontRefs::allocate(&mut next_id)];
        // A page comes to about 3.5 KB compressed, the fonts to about 30 KB.
        let mut pdf = Pdf::with_capacity(letters.saturating_mul(4 * 1024).saturating_add(64 * 1024));
        pdf.set_version(1, 7);
        Ok(Document {
            pdf,
            fonts: Fonts::load()?,
            deflater: Deflater::new(),
            font_refs,
            catalog,
            page_tree,
            info,
            next_id,
            pages: Vec::new(),
        })
    }

    fn take_id(&mut self) -> Ref {
        let id = Ref::new(self.next_id);
        self.next_id += 1;
        id
    }

    /// Lays out `letter` on a new page, returning where its text went.
    pub(crate) fn add(&mut self, sender: &Sender, letter: &Letter) -> Result<Vec<TextBox>, LetterError> {
        let qr = qr::encode(&letter.reference, &letter.link)?;
        let mut canvas = Canvas::new(&mut self.fonts);
        letter::draw(&mut canvas, sender, letter, &qr);
        let (content, placed) = canvas.finish();

        let (page, content_id) = (self.take_id(), self.take_id());
        let mut page_writer = self.pdf.page(page);
        page_writer.parent(self.page_tree).media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT)).contents(content_id);
        let mut resources = page_writer.resources();
        let mut fonts = resources.fonts();
        for typeface in Typeface::ALL {
            fonts.pair(typeface.resource_name(), self.font_refs[typeface.index()].type0);
        }
        fonts.finish();
        resources.finish();
        page_writer.finish();
        let content = self.deflater.deflate(&content)?;
        self.pdf.stream(content_id, &content).filter(Filter::FlateDecode);
        self.pages.push(page);
        Ok(placed)
    }

    /// Writes the fonts, page tree and catalog and returns the file.
    pub(crate) fn finish(mut self) -> Result<Vec<u8>, LetterError> {
        self.fonts.write(&mut self.pdf, &self.font_refs, &mut self.deflater)?;
        let count = i32::try_from(self.pages.len()).unwrap_or(i32::MAX);
        self.pdf.pages(self.page_tree).kids(self.pages.iter().copied()).count(count);
        self.pdf.catalog(self.catalog).pages(self.page_tree).lang(TextStr("en-GB"));
        self.pdf.document_info(self.info).title(TextStr("Registration letters")).producer(TextStr("Portico"));
        Ok(self.pdf.finish())
    }
}
