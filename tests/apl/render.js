#!/usr/bin/env node
/*
 * Renders APL documents in the system chromium (through puppeteer-core) and screenshots them.
 *
 * stdin: {"chromium": path, "profile": empty dir, "shots": [{"name", "document", "datasources",
 *          "viewport": {"width", "height", "dpi", "shape", "mode", "theme"}, "png": path}]}
 * stdout: one JSON object: {"shots": [measurement per shot]}; each measurement gives, in dp:
 *   texts: [{role, text, fontSize, rect, lines, ink: {left, top, right, bottom, maxRadius,
 *            firstLineHeight}}]  (ink: the screenshot's pixels that differ from the background)
 *   sequences: [{id, scrollHeight, clientHeight}]
 *   outsideCircle: non-black pixels outside the round screen's circle (round only)
 *   levelPixels: pixels of exactly the level colour
 * The page is viewport.width x viewport.height CSS px at a device scale of dpi / 160, so the
 * screenshot has the device's real pixel size (a TV: 960 x 540 dp -> 1920 x 1080 px).
 */
'use strict';

const fs = require('fs');
const path = require('path');
const puppeteer = require('puppeteer-core');

const RENDERER = fs.readFileSync(path.join(__dirname, 'renderer.js'), 'utf8');
const PAGE = `<!doctype html><html><head><meta charset="utf-8"><style>
  html, body { margin: 0; padding: 0; background: #000; overflow: hidden; }
  ::-webkit-scrollbar { display: none; }
</style></head><body></body></html>`;

function readStdin() {
  return new Promise((resolve, reject) => {
    let data = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (chunk) => { data += chunk; });
    process.stdin.on('end', () => resolve(data));
    process.stdin.on('error', reject);
  });
}

async function layout(page, shot) {
  return page.evaluate(async (doc, datasources, viewport) => {
    document.body.innerHTML = '';
    document.body.appendChild(window.renderApl(doc, datasources, viewport));
    await document.fonts.ready;
    const box = (r) => ({left: r.left, top: r.top, right: r.right, bottom: r.bottom});
    const texts = [...document.querySelectorAll('[data-apl-type="Text"]')].map((element) => {
      const sequence = element.parentElement.closest('[data-apl-type="Sequence"]');
      const role = element.dataset.aplId || (sequence ? `${sequence.dataset.aplId}[]` : 'text');
      const range = document.createRange();
      range.selectNodeContents(element);
      const lines = [...range.getClientRects()].filter((r) => r.width > 0 && r.height > 0).map(box);
      return {role, text: element.textContent, fontSize: parseFloat(getComputedStyle(element).fontSize),
        rect: box(element.getBoundingClientRect()), lines};
    });
    const sequences = [...document.querySelectorAll('[data-apl-type="Sequence"]')].map((element) => ({
      id: element.dataset.aplId || null, scrollHeight: element.scrollHeight, clientHeight: element.clientHeight,
      rect: box(element.getBoundingClientRect())}));
    return {texts, sequences};
  }, shot.document, shot.datasources, shot.viewport);
}

async function analyse(page, png, shot, measured) {
  const scale = shot.viewport.dpi / 160;
  const color = (shot.datasources.answer || {}).color || null;
  return page.evaluate(async (b64, scale, viewport, texts, color) => {
    const image = new Image();
    image.src = `data:image/png;base64,${b64}`;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = image.naturalWidth;
    canvas.height = image.naturalHeight;
    const g = canvas.getContext('2d', {willReadFrequently: true});
    g.drawImage(image, 0, 0);
    const {data, width, height} = g.getImageData(0, 0, canvas.width, canvas.height);
    const at = (x, y) => (y * width + x) * 4;
    const bg = [0x10, 0x14, 0x18];
    const ink = (i) => Math.abs(data[i] - bg[0]) + Math.abs(data[i + 1] - bg[1]) + Math.abs(data[i + 2] - bg[2]) > 90;
    const cx = (viewport.width * scale) / 2;
    const cy = (viewport.height * scale) / 2;
    const inkOf = (rect, firstLine) => {
      let left = Infinity; let top = Infinity; let right = -Infinity; let bottom = -Infinity; let maxRadius = 0;
      let lineTop = Infinity; let lineBottom = -Infinity;
      const x0 = Math.max(0, Math.floor(rect.left * scale)); const x1 = Math.min(width, Math.ceil(rect.right * scale));
      const y0 = Math.max(0, Math.floor(rect.top * scale)); const y1 = Math.min(height, Math.ceil(rect.bottom * scale));
      for (let y = y0; y < y1; y += 1) {
        for (let x = x0; x < x1; x += 1) {
          if (!ink(at(x, y))) continue;
          left = Math.min(left, x); right = Math.max(right, x + 1);
          top = Math.min(top, y); bottom = Math.max(bottom, y + 1);
          maxRadius = Math.max(maxRadius, Math.hypot(x + 0.5 - cx, y + 0.5 - cy));
          if (firstLine && y >= firstLine.top * scale && y < firstLine.bottom * scale) {
            lineTop = Math.min(lineTop, y); lineBottom = Math.max(lineBottom, y + 1);
          }
        }
      }
      if (left === Infinity) return null;
      return {left: left / scale, top: top / scale, right: right / scale, bottom: bottom / scale,
        maxRadius: maxRadius / scale, firstLineHeight: lineTop === Infinity ? 0 : (lineBottom - lineTop) / scale};
    };
    const inks = texts.map((t) => inkOf(t.rect, t.lines[0]));
    let outsideCircle = 0;
    if (viewport.shape === 'round') {
      const radius = Math.min(cx, cy);
      for (let y = 0; y < height; y += 1) {
        for (let x = 0; x < width; x += 1) {
          if (Math.hypot(x + 0.5 - cx, y + 0.5 - cy) <= radius + 1) continue;
          const i = at(x, y);
          if (data[i] + data[i + 1] + data[i + 2] > 24) outsideCircle += 1;
        }
      }
    }
    let levelPixels = 0;
    if (color) {
      const want = [1, 3, 5].map((k) => parseInt(color.slice(k, k + 2), 16));
      for (let i = 0; i < data.length; i += 4) {
        if (data[i] === want[0] && data[i + 1] === want[1] && data[i + 2] === want[2]) levelPixels += 1;
      }
      levelPixels /= scale * scale;
    }
    return {inks, outsideCircle, levelPixels, size: [width, height]};
  }, png.toString('base64'), scale, shot.viewport, measured.texts, color);
}

async function main() {
  const job = JSON.parse(await readStdin());
  const browser = await puppeteer.launch({
    executablePath: job.chromium,
    headless: true,
    protocolTimeout: 30000,
    userDataDir: job.profile,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--hide-scrollbars', '--font-render-hinting=none'],
  });
  try {
    const page = await browser.newPage();
    const results = [];
    for (const shot of job.shots) {
      const scale = shot.viewport.dpi / 160;
      await page.setViewport({width: shot.viewport.width, height: shot.viewport.height, deviceScaleFactor: scale});
      await page.setContent(PAGE);
      await page.addScriptTag({content: RENDERER});
      const measured = await layout(page, shot);
      const png = await page.screenshot({path: shot.png, type: 'png'});
      const analysed = await analyse(page, Buffer.from(png), shot, measured);
      measured.texts.forEach((text, i) => { text.ink = analysed.inks[i]; });
      results.push({name: shot.name, ...measured, outsideCircle: analysed.outsideCircle,
        levelPixels: analysed.levelPixels, size: analysed.size});
    }
    process.stdout.write(`${JSON.stringify({shots: results})}\n`);
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
