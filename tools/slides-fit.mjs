// Checks that every slide fits Marp's 1280x720 page: opens each deck (Marp's
// HTML, "bare" template) in headless chromium and reports, by deck and slide
// number, every slide where an element leaves the page, content is cut off
// inside a box, or an image does not load. Run by tools/slides.sh.
//
// usage: node tools/slides-fit.mjs CHROMIUM DECKS_DIR [--control NAME.html] [--screenshots DIR]
//   DECKS_DIR  NN-topic.html files rendered from slides/NN-topic.md
//   --control  a deck every slide of which overflows on purpose: if the check
//              misses one, the check itself is broken, and it says so
//   --screenshots  also write DIR/NN-topic-SS.png, one per slide, to look at
// Exit status: 0 all fit, 1 some slide does not fit, 2 the check could not run.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer from 'puppeteer-core';

const WIDTH = 1280, HEIGHT = 720, TOLERANCE_PX = 1;

function parseArgs(argv) {
  const args = { positional: [], control: null, screenshots: null };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--control') args.control = argv[++i];
    else if (argv[i] === '--screenshots') args.screenshots = argv[++i];
    else args.positional.push(argv[i]);
  }
  if (args.positional.length !== 2 || args.control === undefined || args.screenshots === undefined) {
    console.error('usage: node tools/slides-fit.mjs CHROMIUM DECKS_DIR [--control NAME.html] [--screenshots DIR]');
    process.exit(2);
  }
  return args;
}

// Runs in the page: one entry per slide, with what is wrong with it (if anything).
function measureSlides(tolerance) {
  const describe = (el) => {
    const image = el.tagName === 'IMG' ? el : el.querySelector('img');
    const text = (el.textContent.trim() || (image && image.getAttribute('src')) || '').replace(/\s+/g, ' ').trim();
    return `<${el.tagName.toLowerCase()}>` + (text ? ` "${text.length > 40 ? text.slice(0, 40) + '…' : text}"` : '');
  };
  const sections = document.querySelectorAll('svg[data-marpit-svg] > foreignObject > section');
  return Array.from(sections, (section) => {
    const box = section.getBoundingClientRect();
    const scale = box.width / section.offsetWidth;  // the svg may scale the page
    const problems = [];
    const reported = new Set();  // report the outermost element only, not its children too
    for (const el of section.querySelectorAll('*')) {
      if (el.parentElement && reported.has(el.parentElement)) { reported.add(el); continue; }
      const r = el.getBoundingClientRect();
      if (el.tagName === 'IMG' && (!el.complete || el.naturalWidth === 0)) {
        problems.push(`${describe(el)} did not load`);
        reported.add(el);
        continue;
      }
      if (r.width === 0 && r.height === 0) continue;
      const out = [
        ['below the bottom edge', (r.bottom - box.bottom) / scale],
        ['above the top edge', (box.top - r.top) / scale],
        ['past the right edge', (r.right - box.right) / scale],
        ['past the left edge', (box.left - r.left) / scale],
      ].filter(([, px]) => px > tolerance);
      if (out.length > 0) {
        problems.push(`${describe(el)} reaches ${out.map(([where, px]) => `${Math.ceil(px)} px ${where}`).join(' and ')}`);
        reported.add(el);
        continue;
      }
      const style = getComputedStyle(el);
      if (el !== section && (style.overflowX !== 'visible' || style.overflowY !== 'visible') &&
          (el.scrollHeight > el.clientHeight + tolerance || el.scrollWidth > el.clientWidth + tolerance)) {
        problems.push(`${describe(el)} cuts off its own content (${el.scrollWidth}x${el.scrollHeight} px in a ` +
                      `${el.clientWidth}x${el.clientHeight} px box)`);
        reported.add(el);
      }
    }
    const heading = section.querySelector('h1, h2, h3');
    return { title: heading ? heading.textContent.trim() : '', width: section.offsetWidth,
             height: section.offsetHeight, problems };
  });
}

async function checkDeck(browser, file, screenshots) {
  const page = await browser.newPage();
  try {
    await page.setViewport({ width: WIDTH, height: HEIGHT });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load', timeout: 60_000 });
    await page.evaluate(async () => {
      await document.fonts.ready;
      await Promise.all(Array.from(document.images, (img) => img.decode().catch(() => {})));
    });
    const slides = await page.evaluate(measureSlides, TOLERANCE_PX);
    if (screenshots) {
      const svgs = await page.$$('svg[data-marpit-svg]');
      for (const [i, svg] of svgs.entries()) {
        const name = `${path.basename(file, '.html')}-${String(i + 1).padStart(2, '0')}.png`;
        await svg.screenshot({ path: path.join(screenshots, name) });
      }
    }
    return slides;
  } finally {
    await page.close();
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const [chromium, dir] = args.positional;
  const decks = fs.readdirSync(dir).filter((f) => f.endsWith('.html')).sort();
  if (args.control && !decks.includes(args.control)) {
    console.error(`slides fit: the control deck ${args.control} is not in ${dir}`);
    return 2;
  }
  if (args.screenshots) fs.mkdirSync(args.screenshots, { recursive: true });
  // No sandbox: it fails as root and in many containers, and the pages are our
  // own slides, rendered from this repository a moment ago.
  const browser = await puppeteer.launch({
    executablePath: chromium, headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
  let failures = 0, checked = 0, broken = false;
  try {
    for (const deck of decks) {
      const slides = await checkDeck(browser, path.join(dir, deck), args.screenshots);
      const source = `slides/${deck.replace(/\.html$/, '.md')}`;
      if (slides.length === 0) {
        console.error(`slides fit: found no slides in ${deck}; has Marp's HTML changed? (tools/slides-fit.mjs)`);
        broken = true;
        continue;
      }
      for (const [i, slide] of slides.entries()) {
        if (slide.width !== WIDTH || slide.height !== HEIGHT) {
          console.error(`slides fit: ${source} slide ${i + 1} is ${slide.width}x${slide.height}, not ${WIDTH}x${HEIGHT}`);
          broken = true;
        }
        if (deck === args.control) {
          if (slide.problems.length === 0) {
            console.error(`slides fit: the control slide ${i + 1} (made to overflow) was not caught: ` +
                          'the check is broken (tools/slides-fit.mjs)');
            broken = true;
          }
          continue;
        }
        checked++;
        if (slide.problems.length > 0) {
          failures++;
          console.log(`${source}: slide ${i + 1} "${slide.title}" does not fit ${WIDTH}x${HEIGHT}:`);
          for (const problem of slide.problems) console.log(`  ${problem}`);
        }
      }
    }
  } finally {
    await browser.close();
  }
  if (broken) return 2;
  if (failures > 0) {
    console.log(`slides fit: ${failures} of ${checked} slides do not fit: split the slide, shorten it, ` +
                'or give a dense table the class "dense" (<!-- _class: dense -->)');
    return 1;
  }
  console.log(`slides fit: all ${checked} slides of ${decks.length - (args.control ? 1 : 0)} decks fit ${WIDTH}x${HEIGHT}`);
  return 0;
}

main().then((status) => process.exit(status), (error) => {
  console.error(`slides fit: could not run the check: ${error.message}`);
  process.exit(2);
});
