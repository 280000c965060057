/** The page in headless Chromium (Debian's `chromium`), against the Worker started by `wrangler dev`. */
import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';

const CHROMIUM = '/usr/bin/chromium';
const LAUNCH_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--headless',
];

let browser: Browser;
let page: Page;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install it with "apt-get install -y chromium"`);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
});

afterAll(async () => {
  await browser?.close();
});

beforeEach(async () => {
  page = await browser.newPage();
  return () => page.close();
});

/** The page's rendering of a probability, as its `percent` helper writes it. */
function percent(p: number): string {
  return p > 0 && p < 0.001 ? '<0.1%' : `${(100 * p).toFixed(1)}%`;
}

async function ask(q: string): Promise<void> {
  await page.fill('#query', q);
  await page.press('#query', 'Enter');
}

async function expectShownAnswer(q: string): Promise<void> {
  const reference = inject('reference').predictions[q];
  const [a, b] = q.split('+');
  await page.waitForSelector(`#sum:text-is("${a} + ${b}")`);
  expect(await page.textContent('#answer')).toBe(reference.answer === '' ? '(nothing)' : reference.answer);
  const expected = String(Number(a) + Number(b));
  const right = reference.answer === expected;
  expect(await page.textContent('#verdict')).toBe(`${right ? '✓ Correct' : '✗ Wrong'}: ${a} + ${b} = ${expected}`);
  expect(await page.textContent('#confidence')).toBe(percent(reference.confidence));
  const boxes = page.locator('#digits .digit');
  expect(await boxes.count()).toBe(reference.chars.length);
  for (const [i, char] of reference.chars.entries()) {
    expect(await boxes.nth(i).locator('.char').textContent()).toBe(char === ' ' ? '␣' : char);
    expect(await boxes.nth(i).locator('.p').textContent()).toBe(percent(reference.probabilities[i]));
  }
}

describe('the page', () => {
  it('shows the model answer, its confidence per digit and whether it is right', async () => {
    await page.goto(inject('server'));
    await page.waitForSelector('#model:has-text("held-out")');
    await ask('535+61');
    await expectShownAnswer('535+61');
    await ask('99999 + 99999');
    await expectShownAnswer('99999+99999');
  });

  it('answers the example buttons', async () => {
    await page.goto(inject('server'));
    await page.click('button[data-q="7+5"]');
    await expectShownAnswer('7+5');
  });

  it("shows the API's message for a bad sum", async () => {
    await page.goto(inject('server'));
    await ask('5-3');
    await page.waitForSelector('#problem:not([hidden])');
    expect(await page.textContent('#problem')).toContain('minus sign');
    expect(await page.isHidden('#result')).toBe(true);
  });

  it('says so when the model is unavailable', async () => {
    const message = 'The model could not be loaded: /model/model.json answered HTTP 500';
    await page.route('**/health', (route) =>
      route.fulfill({
        status: 503,
        contentType: 'application/json',
        body: JSON.stringify({ status: 'unavailable', backend: 'wasm', model: false, tensors: 0, error: { code: 'model_unavailable', message } }),
      }),
    );
    await page.goto(inject('server'));
    await page.waitForSelector('#problem:not([hidden])');
    expect(await page.textContent('#model')).toBe(`The model is unavailable: ${message}`);
    expect(await page.textContent('#problem')).toContain('cannot be answered right now');
  });

  it('fits a phone screen', async () => {
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto(inject('server'));
    await ask('12345+678');
    await expectShownAnswer('12345+678');
    // A string, because this file is type-checked without the DOM library.
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow).toBe(0);
  });
});
