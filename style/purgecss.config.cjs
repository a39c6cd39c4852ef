// Keeps only the nhsuk-frontend rules whose classes and elements Portico's
// pages use: the whole stylesheet is 30 KB gzip of every first load, most of
// it components Portico never shows. Class names are read from the Rust
// sources (the `view!` markup and its string literals) and the page shell;
// the two classes built by format! from a suffix are kept by pattern.
module.exports = {
  content: ['app/src/**/*.rs', 'frontend/web/*.html', 'frontend/web/*.js'],
  safelist: {
    standard: [/^nhsuk-icon--/, /^nhsuk-input--width-/],
  },
  keyframes: true,
  fontFace: true,
};
