/**
 * A broken deployment, served for real: the bundled Worker in workerd (`./support.ts`) over copies
 * of `assets/` with the model files missing, truncated or contradicting each other. Every model
 * route answers 503 `model_unavailable` with a message that names the problem, `/health` says why,
 * and the page says the model is unavailable. The same Worker, without a restart, tries again on
 * each later request, and once the files are right the model loads and stays loaded. Assets are
 * read from disk on each request, so one Worker can be broken in several ways in turn; a file
 * missing from the start is missing from the assets manifest, so that case needs its own Worker.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SumResult } from '../../src/api';
import { bundleWorker, copyAssets, launchChromium, type Server, startWorker, type TempDir } from './support';

interface ErrorReply {
  error: { code: string; message: string };
}
interface HealthReply {
  status: string;
  model: boolean;
  error?: { code: string; message: string };
}

const temporary: TempDir[] = [];
let noModel: Server;
let noWeights: Server;
let mutable: Server;
let mutableDir: string;
let goodModel: { json: string; weights: Buffer; metrics: string };
let browser: Browser;

beforeAll(async () => {
  const bundle = await bundleWorker();
  temporary.push(bundle);
  const withoutModel = copyAssets('no-model');
  rmSync(path.join(withoutModel.dir, 'model'), { recursive: true });
  const withoutWeights = copyAssets('no-weights');
  rmSync(path.join(withoutWeights.dir, 'model/weights.bin'));
  const broken = copyAssets('mutable');
  temporary.push(withoutModel, withoutWeights, broken);
  mutableDir = path.join(broken.dir, 'model');
  goodModel = {
    json: readFileSync(path.join(mutableDir, 'model.json'), 'utf8'),
    weights: readFileSync(path.join(mutableDir, 'weights.bin')),
    metrics: readFileSync(path.join(mutableDir, 'metrics.json'), 'utf8'),
  };
  // Broken before its first request, so that no good model is ever loaded before the repair test.
  writeFileSync(path.join(mutableDir, 'weights.bin'), goodModel.weights.subarray(0, 1000));
  [noModel, noWeights, mutable, browser] = await Promise.all([
    startWorker(bundle.dir, withoutModel.dir),
    startWorker(bundle.dir, withoutWeights.dir),
    startWorker(bundle.dir, broken.dir),
    launchChromium(),
  ]);
});

afterAll(async () => {
  await Promise.all([noModel, noWeights, mutable].map((server) => server?.stop()));
  await browser?.close();
  for (const dir of temporary) dir.remove();
});

/** Every model route answers 503 model_unavailable with a message that matches `problem`, and so does /health. */
async function expectUnavailable(server: Server, problem: RegExp): Promise<void> {
  const requests: [string, RequestInit?][] = [
    ['/add?q=535+61'],
    ['/add', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"queries":["535+61"]}' }],
    ['/model'],
  ];
  for (const [p, init] of requests) {
    const response = await server.get(p, init);
    const what = `${init?.method ?? 'GET'} ${p}`;
    expect(response.status, what).toBe(503);
    expect(response.headers.get('Content-Type'), what).toMatch(/^application\/json/);
    const body = (await response.json()) as ErrorReply;
    expect(Object.keys(body), what).toEqual(['error']);
    expect(body.error.code, what).toBe('model_unavailable');
    expect(body.error.message, what).toMatch(/^The model could not be loaded: /);
    expect(body.error.message, what).toMatch(problem);
    expect(body.error.message, what).not.toMatch(/\bat .*:\d+:\d+/); // no stack trace
  }
  const health = await server.get('/health');
  expect(health.status).toBe(503);
  const status = (await health.json()) as HealthReply;
  expect(status).toMatchObject({ status: 'unavailable', model: false, error: { code: 'model_unavailable' } });
  expect(status.error?.message).toMatch(problem);
}

describe('a deployment without the model files', () => {
  it('answers 503 on every model route and says which file is missing', async () => {
    await expectUnavailable(noModel, /model\.json.*404/);
  });

  it('still refuses a bad query with its own 400, as the query is checked before the model is needed', async () => {
    const response = await noModel.get('/add?q=5-3');
    expect(response.status).toBe(400);
    expect(((await response.json()) as ErrorReply).error.code).toBe('invalid_character');
  });

  it('still serves the page, which says the model is unavailable', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(noModel.url);
      await page.waitForSelector('#problem:not([hidden])');
      expect(await page.textContent('#model')).toMatch(/^The model is unavailable: The model could not be loaded: .*model\.json/);
      expect(await page.textContent('#problem')).toContain('cannot be answered right now');
      // Asking anyway shows the API's reason too.
      await page.fill('#query', '7+5');
      await page.press('#query', 'Enter');
      await page.waitForSelector('#model:text-is("The model is unavailable right now.")');
      expect(await page.textContent('#problem')).toContain('could not be loaded');
      expect(await page.isHidden('#result')).toBe(true);
    } finally {
      await page.close();
    }
  });
});

describe('a deployment without the weights file', () => {
  it('answers 503 and names the weights file', async () => {
    await expectUnavailable(noWeights, /weights\.bin.*404/);
  });
});

describe('a deployment whose model files are broken, then repaired', () => {
  const write = (file: string, content: string | Buffer) => writeFileSync(path.join(mutableDir, file), content);
  type Manifest = { weightsManifest: { paths: string[]; weights: { name: string; shape: number[] }[] }[] };
  const withManifest = (change: (m: Manifest) => void) => {
    const json = JSON.parse(goodModel.json) as Manifest;
    change(json);
    return JSON.stringify(json);
  };

  it('refuses a truncated weights file', async () => {
    await expectUnavailable(mutable, /truncated|too short|bytes/i);
  });

  it('tries again on the next request, and refuses a weights file longer than model.json says', async () => {
    write('weights.bin', Buffer.concat([goodModel.weights, Buffer.alloc(64)]));
    await expectUnavailable(mutable, /bytes/);
  });

  it('refuses a manifest whose shapes do not match the weights', async () => {
    write('weights.bin', goodModel.weights);
    // Same number of values, transposed: only a shape check notices.
    write(
      'model.json',
      withManifest((m) => {
        const kernel = m.weightsManifest[0].weights[0];
        kernel.shape = [...kernel.shape].reverse();
      }),
    );
    await expectUnavailable(mutable, /shape/);
    write(
      'model.json',
      withManifest((m) => {
        m.weightsManifest[0].weights[0].shape = [12, 256];
      }),
    );
    await expectUnavailable(mutable, /bytes|shape/);
  });

  it('refuses a manifest that lists a weight the model lacks, or a weights file that does not exist', async () => {
    write(
      'model.json',
      withManifest((m) => {
        const last = m.weightsManifest[0].weights.at(-1)!;
        last.name = `${last.name}_renamed`;
      }),
    );
    await expectUnavailable(mutable, /weight/);
    write(
      'model.json',
      withManifest((m) => {
        m.weightsManifest[0].paths = ['weights-v2.bin'];
      }),
    );
    await expectUnavailable(mutable, /weights-v2\.bin.*404/);
  });

  it('refuses a model.json that is not JSON, and a metrics.json without the test results', async () => {
    write('model.json', goodModel.json.slice(0, 100));
    await expectUnavailable(mutable, /model\.json.*JSON/);
    write('model.json', goodModel.json);
    write('metrics.json', '{"epochsDone": 3}');
    await expectUnavailable(mutable, /metrics\.json/);
  });

  it('loads the model once the files are right: concurrent first requests all succeed', async () => {
    write('metrics.json', goodModel.metrics);
    const post = { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"queries":["535+61","7+5"]}' };
    const requests: [string, RequestInit?][] = [
      ...Array.from({ length: 8 }, (_, i): [string] => [`/add?q=${i}+${i}`]),
      ['/add', post],
      ['/add', post],
      ['/model'],
      ['/health'],
    ];
    const responses = await Promise.all(requests.map(([p, init]) => mutable.get(p, init)));
    expect(responses.map((r) => r.status)).toEqual(requests.map(() => 200));
    const answers = (await Promise.all(responses.slice(0, 8).map((r) => r.json()))) as SumResult[];
    expect(answers.map((a) => a.q)).toEqual(Array.from({ length: 8 }, (_, i) => `${i}+${i}`));
    expect(await responses.at(-1)!.json()).toMatchObject({ status: 'ok', model: true });
  });

  it('keeps the loaded model when the files break afterwards', async () => {
    write('weights.bin', goodModel.weights.subarray(0, 1000));
    expect((await mutable.get('/add?q=535+61')).status).toBe(200);
    expect((await mutable.get('/health')).status).toBe(200);
  });
});
