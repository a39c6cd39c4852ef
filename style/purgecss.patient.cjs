// The patient side's stylesheet: as purgecss.config.cjs, with class names read
// from the patient pages and the shared modules only, not the staff console.
const staff = require('./purgecss.config.cjs');
module.exports = {
  ...staff,
  content: ['app/src/*.rs', 'app/src/api/**/*.rs', 'app/src/forms/**/*.rs', 'app/src/patient/**/*.rs',
    'frontend/web/*.html', 'frontend/web/*.js'],
};
