//! The vendored typefaces: measuring text, encoding it as glyphs, and embedding
//! the glyphs a document used as subset TrueType fonts.
//!
//! Liberation Sans has Arial's metrics (Arial is what NHS letters are set in)
//! and covers Latin, Greek, Cyrillic, Hebrew and Vietnamese, so names like
//! Łukasz Wójcik, Ștefan or Nguyễn print as written. Liberation Mono Bold sets
//! the registration code, where equal-width characters keep the groups of four
//! lined up. All three are under the SIL Open Font License 1.1, which allows
//! embedding and redistribution (see `fonts/OFL.txt`).
//!
//! Fonts are written as Type0/CIDFontType2 with Identity-H encoding: each glyph
//! is two bytes of subset glyph id, and a ToUnicode map per font turns glyphs
//! back into text, so the code and names can be copied or extracted from the PDF.

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Filter, Name, Pdf, Rect, Ref, Str};
use std::sync::OnceLock;
use subsetter::GlyphRemapper;

use ttf_parser::{Face, GlyphId};

use crate::LetterError;
use crate::compress::Deflater;

/// What prints in place of a character the font has no glyph for (an emoji,
/// Arabic, Chinese): visible, so a letter never silently drops part of a name,
/// and it reads back from the PDF as the same `?`.
pub(crate) const MISSING_GLYPH_STAND_IN: char = '?';

/// The three typefaces a letter uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Typeface {
    Regular,
    Bold,
    /// Liberation Mono Bold, for the registration code.
    Mono,
}

impl Typeface {
    pub(crate) const ALL: [Typeface; 3] = [Typeface::Regular, Typeface::Bold, Typeface::Mono];

    fn file(self) -> &'static [u8] {
        match self {
            Typeface::Regular => include_bytes!("../fonts/LiberationSans-Regular.ttf"),
            Typeface::Bold => include_bytes!("../fonts/LiberationSans-Bold.ttf"),
            Typeface::Mono => include_bytes!("../fonts/LiberationMono-Bold.ttf"),
        }
    }

    fn postscript_name(self) -> &'static str {
        match self {
            Typeface::Regular => "LiberationSans",
            Typeface::Bold => "LiberationSans-Bold",
            Typeface::Mono => "LiberationMono-Bold",
        }
    }

    /// The name content streams use for this font in the page resources.
    pub(crate) fn resource_name(self) -> Name<'static> {
        match self {
            Typeface::Regular => Name(b"F1"),
            Typeface::Bold => Name(b"F2"),
            Typeface::Mono => Name(b"F3"),
        }
    }

    /// Where this typeface sits in `ALL` and in per-typeface arrays.
    pub(crate) fn index(self) -> usize {
        match self {
            Typeface::Regular => 0,
            Typeface::Bold => 1,
            Typeface::Mono => 2,
        }
    }
}

/// A typeface's parsed tables, read once per process: every document shares them.
struct FaceTables {
    face: Face<'static>,
    units_per_em: f32,
    /// Glyph, the character it prints as, and advance in ems for U+0000 to
    /// U+024F (Latin-1 and Latin Extended-A and B: nearly every character of
    /// a UK letter), so layout rarely searches the font's cmap.
    common: Vec<Glyph>,
    stand_in: Glyph,
}

/// A character's glyph, what it reads back as, and its advance in ems.
#[derive(Debug, Clone, Copy)]
struct Glyph {
    id: GlyphId,
    stands_for: char,
    advance: f32,
}

const COMMON_CHARS: u32 = 0x250;

impl FaceTables {
    fn read(typeface: Typeface) -> Option<Self> {
        let face = Face::parse(typeface.file(), 0).ok()?;
        let units_per_em = f32::from(face.units_per_em());
        let advance = |id: GlyphId| f32::from(face.glyph_hor_advance(id).unwrap_or(0)) / units_per_em;
        let stand_in_id = face.glyph_index(MISSING_GLYPH_STAND_IN)?;
        let stand_in = Glyph { id: stand_in_id, stands_for: MISSING_GLYPH_STAND_IN, advance: advance(stand_in_id) };
        let common = (0..COMMON_CHARS)
            .map(|code| {
                let c = char::from_u32(code).unwrap_or(MISSING_GLYPH_STAND_IN);
                match face.glyph_index(c) {
                    Some(id) if id.0 != 0 => Glyph { id, stands_for: c, advance: advance(id) },
                    _ => stand_in,
                }
            })
            .collect();
        Some(FaceTables { face, units_per_em, common, stand_in })
    }

    /// The glyph for `c`, or the stand-in when the font lacks one.
    fn glyph(&self, c: char) -> Glyph {
        if let Some(glyph) = self.common.get(c as usize) {
            return *glyph;
        }
        match self.face.glyph_index(c) {
            Some(id) if id.0 != 0 => Glyph { id, stands_for: c, advance: self.advance(id) },
            _ => self.stand_in,
        }
    }

    fn advance(&self, id: GlyphId) -> f32 {
        f32::from(self.face.glyph_hor_advance(id).unwrap_or(0)) / self.units_per_em
    }

    /// Scales a font-unit measure to PDF glyph space (thousandths of an em).
    fn to_glyph_space(&self, units: i16) -> f32 {
        f32::from(units) * 1000.0 / self.units_per_em
    }
}

fn tables(typeface: Typeface) -> Result<&'static FaceTables, LetterError> {
    static TABLES: [OnceLock<Option<FaceTables>>; 3] = [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    TABLES[typeface.index()]
        .get_or_init(|| FaceTables::read(typeface))
        .as_ref()
        .ok_or(LetterError::FontUnreadable { font: typeface.postscript_name() })
}

/// One typeface and the glyphs a document has used from it so far.
struct FontInUse {
    typeface: Typeface,
    tables: &'static FaceTables,
    remapper: GlyphRemapper,
    /// The character each subset glyph id stands for: the ToUnicode map.
    chars_by_subset_glyph: Vec<Option<char>>,
}

impl FontInUse {
    fn load(typeface: Typeface) -> Result<Self, LetterError> {
        Ok(FontInUse {
            typeface,
            tables: tables(typeface)?,
            remapper: GlyphRemapper::new(),
            chars_by_subset_glyph: vec![None],
        })
    }
}

/// The typefaces of one document, collecting the glyphs its pages use.
pub(crate) struct Fonts {
    fonts: [FontInUse; 3],
}

/// The indirect objects one embedded font occupies.
pub(crate) struct FontRefs {
    pub(crate) type0: Ref,
    cid_font: Ref,
    descriptor: Ref,
    font_file: Ref,
    to_unicode: Ref,
}

impl FontRefs {
    /// Takes five consecutive object ids starting at `next`, advancing it.
    pub(crate) fn allocate(next: &mut i32) -> Self {
        let mut take = || {
            let id = Ref::new(*next);
            *next += 1;
            id
        };
        FontRefs { type0: take(), cid_font: take(), descriptor: take(), font_file: take(), to_unicode: take() }
    }
}

impl Fonts {
    pub(crate) fn load() -> Result<Self, LetterError> {
        Ok(Fonts {
            fonts: [
                FontInUse::load(Typeface::Regular)?,
                FontInUse::load(Typeface::Bold)?,
                FontInUse::load(Typeface::Mono)?,
            ],
        })
    }

    fn font(&self, typeface: Typeface) -> &FontInUse {
        &self.fonts[typeface.index()]
    }

    /// The advance width of `text` in points at `size`, without kerning (the
    /// letter is set without kerning too).
    pub(crate) fn width(&self, typeface: Typeface, text: &str, size: f32) -> f32 {
        let tables = self.font(typeface).tables;
        text.chars().map(|c| tables.glyph(c).advance).sum::<f32>() * size
    }

    pub(crate) fn char_width(&self, typeface: Typeface, c: char, size: f32) -> f32 {
        self.font(typeface).tables.glyph(c).advance * size
    }

    /// The font's ascent and descent (negative) as fractions of the size.
    pub(crate) fn vertical_metrics(&self, typeface: Typeface) -> (f32, f32) {
        let tables = self.font(typeface).tables;
        (
            f32::from(tables.face.ascender()) / tables.units_per_em,
            f32::from(tables.face.descender()) / tables.units_per_em,
        )
    }

    /// Appends `text` to `out` as two-byte subset glyph ids (Identity-H),
    /// keeping the glyphs and what they stand for to embed later.
    pub(crate) fn encode(&mut self, typeface: Typeface, text: &str, out: &mut Vec<u8>) {
        let font = &mut self.fonts[typeface.index()];
        for c in text.chars() {
            let glyph = font.tables.glyph(c);
            let subset_glyph = font.remapper.remap(glyph.id.0);
            let slot = usize::from(subset_glyph);
            if font.chars_by_subset_glyph.len() <= slot {
                font.chars_by_subset_glyph.resize(slot + 1, None);
            }
            // Two characters can share a glyph; the first one seen is what copies out.
            font.chars_by_subset_glyph[slot].get_or_insert(glyph.stands_for);
            out.extend_from_slice(&subset_glyph.to_be_bytes());
        }
    }

    /// Writes every typeface as a subset font, with the ids in `refs`.
    pub(crate) fn write(
        &self,
        pdf: &mut Pdf,
        refs: &[FontRefs; 3],
        deflater: &mut Deflater,
    ) -> Result<(), LetterError> {
        for typeface in Typeface::ALL {
            write_font(pdf, self.font(typeface), &refs[typeface.index()], deflater)?;
        }
        Ok(())
    }
}

const IDENTITY: SystemInfo<'static> = SystemInfo { registry: Str(b"Adobe"), ordering: Str(b"Identity"), supplement: 0 };

fn write_font(pdf: &mut Pdf, font: &FontInUse, refs: &FontRefs, deflater: &mut Deflater) -> Result<(), LetterError> {
    let postscript_name = font.typeface.postscript_name();
    let subset = subsetter::subset(font.typeface.file(), 0, &font.remapper)
        .map_err(|source| LetterError::FontSubset { font: postscript_name, source })?;
    let base_font = format!("{}+{postscript_name}", subset_tag(&font.remapper));
    let base_font = Name(base_font.as_bytes());

    pdf.type0_font(refs.type0)
        .base_font(base_font)
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(refs.cid_font)
        .to_unicode(refs.to_unicode);

    // The subsetter numbers glyphs in the order they were first used, and the
    // content streams already use those numbers, so CIDs are glyph ids.
    let widths: Vec<f32> =
        font.remapper.remapped_gids().map(|glyph| font.tables.advance(GlyphId(glyph)) * 1000.0).collect();
    let mut cid_font = pdf.cid_font(refs.cid_font);
    cid_font
        .subtype(CidFontType::Type2)
        .base_font(base_font)
        .system_info(IDENTITY)
        .font_descriptor(refs.descriptor)
        .cid_to_gid_map_predefined(Name(b"Identity"));
    cid_font.widths().consecutive(0, widths);
    drop(cid_font);

    let tables = font.tables;
    let face = &tables.face;
    let bbox = face.global_bounding_box();
    let bold = font.typeface != Typeface::Regular;
    let mut flags = FontFlags::SYMBOLIC;
    if font.typeface == Typeface::Mono {
        flags |= FontFlags::FIXED_PITCH;
    }
    pdf.font_descriptor(refs.descriptor)
        .name(base_font)
        .flags(flags)
        .bbox(Rect::new(
            tables.to_glyph_space(bbox.x_min),
            tables.to_glyph_space(bbox.y_min),
            tables.to_glyph_space(bbox.x_max),
            tables.to_glyph_space(bbox.y_max),
        ))
        .italic_angle(0.0)
        .ascent(tables.to_glyph_space(face.ascender()))
        .descent(tables.to_glyph_space(face.descender()))
        .cap_height(tables.to_glyph_space(face.capital_height().unwrap_or(face.ascender())))
        // Only used by readers that substitute the font; these are typical stems for the weights.
        .stem_v(if bold { 140.0 } else { 80.0 })
        .font_file2(refs.font_file);

    let compressed = deflater.deflate(&subset)?;
    pdf.stream(refs.font_file, &compressed)
        .filter(Filter::FlateDecode)
        .pair(Name(b"Length1"), i32::try_from(subset.len()).unwrap_or(i32::MAX));

    let mut cmap = UnicodeCmap::new(Name(b"Custom"), IDENTITY);
    for (subset_glyph, c) in font.chars_by_subset_glyph.iter().enumerate() {
        if let (Some(c), Ok(subset_glyph)) = (c, u16::try_from(subset_glyph)) {
            cmap.pair(subset_glyph, *c);
        }
    }
    let cmap = deflater.deflate(cmap.finish().as_slice())?;
    pdf.stream(refs.to_unicode, &cmap).filter(Filter::FlateDecode);
    Ok(())
}

/// The six capital letters PDF puts before a subset font's name; they differ
/// between different subsets so a reader never mixes two up.
fn subset_tag(remapper: &GlyphRemapper) -> String {
    // FNV-1a over the glyph list: stable across runs and builds.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for glyph in remapper.remapped_gids() {
        for byte in glyph.to_be_bytes() {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    (0..6)
        .map(|i| {
            let letter = (hash >> (i * 5)) % 26;
            char::from(b'A' + letter as u8)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_vendored_font_allows_embedding_and_subsetting() {
        for typeface in Typeface::ALL {
            let face = Face::parse(typeface.file(), 0).unwrap();
            assert_eq!(face.permissions(), Some(ttf_parser::Permissions::Installable), "{typeface:?}");
            assert!(face.is_subsetting_allowed(), "{typeface:?}");
        }
    }

    #[test]
    fn polish_romanian_welsh_and_vietnamese_letters_have_glyphs() {
        let fonts = Fonts::load().unwrap();
        for typeface in Typeface::ALL {
            for c in "ŁłóśćżźęąŞșȘțȚâîŵŷÿëïüöäåøæœßñçğİıễộướ€£…".chars() {
                assert_eq!(fonts.font(typeface).tables.glyph(c).stands_for, c, "{typeface:?} lacks {c}");
            }
        }
    }

    #[test]
    fn a_character_without_a_glyph_prints_as_the_stand_in() {
        let mut fonts = Fonts::load().unwrap();
        let mut encoded = Vec::new();
        fonts.encode(Typeface::Regular, "a😀b", &mut encoded);
        assert_eq!(encoded.len(), 6);
        let stand_in = u16::from_be_bytes([encoded[2], encoded[3]]);
        assert_eq!(fonts.fonts[0].chars_by_subset_glyph[usize::from(stand_in)], Some('?'));
    }
}
