/**
 * Response headers over real HTTP, against the Worker as `wrangler dev` runs it (the static assets
 * and their `_headers` are served there, not through `SELF`): the page's Content-Security-Policy,
 * nosniff everywhere, CORS on the API. And the page in Chromium under that policy: it works, and
 * the policy really blocks inline script.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium } from './support';

const get = (p: string, init?: RequestInit) => fetch(`${inject('server')}${p}`, { redirect: 'manual', ...init });

/** Parses a policy into its directives, `{"default-src": ["'self'"], ...}`. */
function directives(policy: string | null): Record<string, string[]> {
  return Object.fromEntries(
    (policy ?? '')
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter(([name]) => name !== '')
      .map(([name, ...values]) => [name, values]),
  );
}

describe('the page', () => {
  it.each(['/', '/app.js', '/app.css'])("serves %s with a policy that allows only this origin and nothing inline", async (p) => {
    const response = await get(p);
    expect(response.status).toBe(200);
    expect(response.headers.get('X-Content-Type-Options')).toBe('nosniff');
    const policy = response.headers.get('Content-Security-Policy');
    expect(directives(policy)).toMatchObject({
      'default-src': ["'self'"],
      'object-src': ["'none'"],
      'base-uri': ["'none'"],
      'frame-ancestors': ["'none'"],
    });
    expect(policy).not.toMatch(/unsafe-|\*|data:|https?:/);
  });

  it('has no inline script, style or event handler, and loads its script and styles from this origin', async () => {
    const html = await (await get('/')).text();
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    expect(html).toContain('<script src="/app.js" defer></script>');
    expect(html).toContain('<link rel="stylesheet" href="/app.css">');
    expect((await get('/app.js')).headers.get('Content-Type')).toMatch(/^(text|application)\/javascript/);
    expect((await get('/app.css')).headers.get('Content-Type')).toMatch(/^text\/css/);
  });

  it('sends /index.html to / with the same headers', async () => {
    const response = await get('/index.html');
    if (response.status === 200) {
      expect(response.headers.get('Content-Security-Policy')).toBe((await get('/')).headers.get('Content-Security-Policy'));
    } else {
      expect([301, 307, 308]).toContain(response.status);
      expect(response.headers.get('Location')).toBe('/');
    }
    expect(response.headers.get('Content-Security-Policy')).toMatch(/^default-src 'self'/);
  });

  it('serves the model files with nosniff and the policy, so that an SVG opened alone cannot run script', async () => {
    for (const p of ['/model/model.json', '/model/weights.bin', '/model/model.svg', '/model/MODEL_CARD.md']) {
      const response = await get(p);
      expect(response.status, p).toBe(200);
      expect(response.headers.get('X-Content-Type-Options'), p).toBe('nosniff');
      expect(response.headers.get('Content-Security-Policy'), p).toMatch(/^default-src 'self'/);
    }
  });
});

describe('the API', () => {
  const origin = 'https://elsewhere.example';

  it('allows GET and POST from any origin', async () => {
    const answers = [
      await get('/add?q=535+61', { headers: { Origin: origin } }),
      await get('/add', { method: 'POST', headers: { Origin: origin, 'Content-Type': 'application/json' }, body: '{"queries":["7+5"]}' }),
      await get('/model', { headers: { Origin: 'null' } }),
      await get('/health', { headers: { Origin: origin } }),
    ];
    for (const response of answers) {
      expect(response.status).toBe(200);
      expect(response.headers.get('Access-Control-Allow-Origin')).toBe('*');
      expect(response.headers.get('X-Content-Type-Options')).toBe('nosniff');
    }
  });

  it('allows any origin to read its errors too', async () => {
    for (const response of [await get('/add?q=5-3', { headers: { Origin: origin } }), await get('/add', { method: 'POST', headers: { Origin: origin }, body: 'x' })]) {
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.headers.get('Access-Control-Allow-Origin')).toBe('*');
      expect(response.headers.get('X-Content-Type-Options')).toBe('nosniff');
    }
  });

  it.each(['/add', '/model', '/health'])('answers a preflight on %s with the methods and the Content-Type header', async (p) => {
    const response = await get(p, {
      method: 'OPTIONS',
      headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('Access-Control-Allow-Origin')).toBe('*');
    const methods = (response.headers.get('Access-Control-Allow-Methods') ?? '').split(/\s*,\s*/);
    expect(methods).toEqual(expect.arrayContaining(['GET', 'HEAD', 'POST', 'OPTIONS']));
    expect(response.headers.get('Access-Control-Allow-Headers')?.toLowerCase().split(/\s*,\s*/)).toContain('content-type');
    expect(Number(response.headers.get('Access-Control-Max-Age'))).toBeGreaterThan(0);
  });
});

describe('the page in Chromium under its policy', () => {
  let browser: Browser;
  let page: Page;
  const violations: string[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    page = await browser.newPage();
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('works without a single violation', async () => {
    await page.goto(inject('server'));
    await page.waitForSelector('#model:has-text("held-out")');
    await page.fill('#query', '535+61');
    await page.press('#query', 'Enter');
    await page.waitForSelector('#sum:text-is("535 + 61")');
    expect(await page.textContent('#answer')).not.toBe('');
    expect(await page.locator('#digits .digit').count()).toBeGreaterThan(0);
    // The confidence bars are sized through the CSSOM, which the policy allows.
    expect(await page.locator('#digits .bar span').first().getAttribute('style')).toMatch(/width: \d/);
    expect(violations).toEqual([]);
  });

  it('refuses to run an injected inline script', async () => {
    await page.evaluate(`{
      const script = document.createElement('script');
      script.textContent = 'window.injected = true';
      document.body.append(script);
    }`);
    expect(await page.evaluate('window.injected === true')).toBe(false);
    await expect.poll(() => violations.length).toBeGreaterThan(0);
    expect(violations[0]).toMatch(/inline script/i);
  });
});
