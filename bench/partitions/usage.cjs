// Preloaded with `node --require` into a measured `ferry` process: writes its peak RSS (KB) and
// the CPU time it used (µs, user + system) to the file named by FERRY_BENCH_USAGE_FILE when it
// exits, since a parent can read neither of a child's figures itself.
'use strict';
const fs = require('node:fs');

const file = process.env.FERRY_BENCH_USAGE_FILE;
if (file) {
  process.on('exit', () => {
    const u = process.resourceUsage();
    fs.writeFileSync(file, JSON.stringify({ maxRssKb: u.maxRSS, cpuUs: u.userCPUTime + u.systemCPUTime }));
  });
}
