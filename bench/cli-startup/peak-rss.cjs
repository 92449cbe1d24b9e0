// Preloaded with `node --require` into a measured process: writes its peak RSS (KB) to the file
// named by FERRY_BENCH_RSS_FILE when it exits, since a parent cannot read a child's peak itself.
'use strict';
const fs = require('node:fs');

const file = process.env.FERRY_BENCH_RSS_FILE;
if (file) process.on('exit', () => fs.writeFileSync(file, String(process.resourceUsage().maxRSS)));
