// memlab (a benchmark peer, devDependency) depends on puppeteer. perfloop never uses puppeteer's browser, and
// this machine cannot download one: puppeteer's install reads this file (searched up from its own folder).
module.exports = { skipDownload: true };
