// Accessibility check of rendered HTML pages in a real browser, for tests/test_book.py.
//
//   node tests/browser/axe.mjs --root DIR --out results.json [--chromium PATH]
//        [--width 1280] PAGE.html [PAGE.html ...]
//
// Serves DIR on a loopback port (node:http), opens each page in headless Chromium (driven
// by puppeteer-core) at the given width and runs axe-core's WCAG 2.0, 2.1 and 2.2 level A
// and AA rules on it. Requests to any other host are refused, so a page that needs the
// network shows up as a failed request. Writes the violations of each page as JSON, with
// the names of the tables that scroll sideways in their region (too wide for the page).
// Exit code: 0 no violation, 1 violations, 2 a page did not load.
// The packages are pinned in package.json beside this file: `npm ci --prefix tests/browser`.

import { createRequire } from "node:module";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";

const require = createRequire(import.meta.url);
const puppeteer = require("puppeteer-core");
const axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];
const TYPES = { ".html": "text/html", ".css": "text/css", ".js": "text/javascript",
  ".json": "application/json", ".svg": "image/svg+xml", ".png": "image/png",
  ".woff": "font/woff", ".woff2": "font/woff2", ".pdf": "application/pdf" };

const args = { width: 1280, chromium: "/usr/bin/chromium", pages: [] };
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === "--root") args.root = path.resolve(process.argv[++i]);
  else if (a === "--out") args.out = process.argv[++i];
  else if (a === "--chromium") args.chromium = process.argv[++i];
  else if (a === "--width") args.width = Number(process.argv[++i]);
  else args.pages.push(a);
}

const server = http.createServer((req, res) => {
  const file = path.join(args.root, decodeURIComponent(new URL(req.url, "http://x").pathname));
  if (!file.startsWith(args.root) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { "Content-Type": TYPES[path.extname(file)] || "application/octet-stream" });
  fs.createReadStream(file).pipe(res);
});
await new Promise((done) => server.listen(0, "127.0.0.1", done));
const base = `http://127.0.0.1:${server.address().port}/`;

const browser = await puppeteer.launch({
  executablePath: args.chromium,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions", "--no-proxy-server"],
});
const results = { width: args.width, tags: TAGS, pages: [] };
let failed = 0;
try {
  for (const name of args.pages) {
    const page = await browser.newPage();
    await page.setViewport({ width: args.width, height: 900 });
    const refused = [];
    await page.setRequestInterception(true);
    page.on("request", (r) => {
      const url = new URL(r.url());
      if (url.protocol === "data:" || url.hostname === "127.0.0.1") r.continue();
      else { refused.push(r.url()); r.abort("blockedbyclient"); }
    });
    const record = { page: name, violations: [], refused };
    try {
      await page.goto(base + name, { waitUntil: "networkidle0", timeout: 60000 });
      await page.evaluate(axeSource);
      const found = await page.evaluate(async (tags) => {
        // eslint-disable-next-line no-undef
        const r = await axe.run(document, { runOnly: { type: "tag", values: tags } });
        return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
          nodeCount: v.nodes.length, examples: v.nodes.slice(0, 3).map((n) => n.html.slice(0, 300)) }));
      }, TAGS);
      record.violations = found;
      // the tables that do not fit the page's width and scroll inside their region
      record.scrolling = await page.evaluate(() => [...document.querySelectorAll(
        '[role="region"][tabindex="0"]')].filter((e) => e.scrollWidth > e.clientWidth + 1)
        .map((e) => e.getAttribute("aria-label")));
    } catch (error) {
      record.error = String(error.message || error);
      failed++;
    }
    results.pages.push(record);
    await page.close();
  }
} finally {
  await browser.close();
  server.close();
}
fs.writeFileSync(args.out, JSON.stringify(results, null, 1));
const count = results.pages.reduce((n, p) => n + p.violations.length, 0);
console.log(`axe: ${results.pages.length} page(s) at ${args.width}px, ${count} violation(s)`);
process.exit(failed ? 2 : count ? 1 : 0);
