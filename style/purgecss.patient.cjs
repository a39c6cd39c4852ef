// A patient-side bundle's stylesheet: as purgecss.config.cjs, with class
// names read from the shared modules and that bundle's own pages only
// (PORTICO_PURGE_PAGES: space-separated globs under app/src/patient/, or under
// app/src/ when they start with ../, set by scripts/build-web), never the staff
// console or another bundle's pages. Shared pages that only some bundles show
// (the second factor's, in app/src/second_factor/) sit outside app/src/*.rs,
// so their classes reach only the bundles that list them.
const staff = require('./purgecss.config.cjs');
const under = (glob) => (glob.startsWith('../') ? `app/src/${glob.slice(3)}` : `app/src/patient/${glob}`);
const pages = (process.env.PORTICO_PURGE_PAGES || '**/*.rs').split(/\s+/).filter(Boolean).map(under);
module.exports = {
  ...staff,
  content: ['app/src/*.rs', 'app/src/api/**/*.rs', 'app/src/forms/**/*.rs',
    'app/src/patient/{mod,router,session,query}.rs', ...pages,
    'frontend/web/*.html', 'frontend/web/*.js'],
};
