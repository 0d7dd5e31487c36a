// apache-arrow as @databricks/sql itself loads it (`require`, the CommonJS build): one copy of Arrow in the bundle,
// shared with the driver, rather than a second one for `import`.
module.exports = require('apache-arrow');
