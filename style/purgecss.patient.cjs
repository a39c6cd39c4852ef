// A patient-side bundle's stylesheet: as purgecss.config.cjs, with class
// names read from the shared modules and that bundle's own pages only
// (PORTICO_PURGE_PAGES: space-separated globs under app/src/patient/, set by
// scripts/build-web), never the staff console or another bundle's pages.
const staff = require('./purgecss.config.cjs');
const pages = (process.env.PORTICO_PURGE_PAGES || '**/*.rs').split(/\s+/).filter(Boolean).map((glob) => `app/src/patient/${glob}`);
module.exports = {
  ...staff,
  content: ['app/src/*.rs', 'app/src/api/**/*.rs', 'app/src/forms/**/*.rs',
    'app/src/patient/{mod,router,session,query}.rs', ...pages,
    'frontend/web/*.html', 'frontend/web/*.js'],
};
