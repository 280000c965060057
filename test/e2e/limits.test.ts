/**
 * The limits over real HTTP: what the runtime refuses before the Worker sees the request (a URL
 * too long for it), against the Worker as `wrangler dev` runs it; and what the Worker refuses while
 * the request is still arriving (a chunked upload that never ends), against the bundled Worker in
 * workerd without wrangler dev's proxy in front. That proxy answers a request whose upload the Worker
 * cut short with its own 503 "Your worker restarted mid-request", which production does not have.
 */
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { bundleWorker, ROOT, type Server, startWorker, type TempDir } from './support';

const get = (p: string, init?: RequestInit) => fetch(`${inject('server')}${p}`, init);

interface RawReply {
  /** The status line and headers, as received. */
  head: string;
  status: number;
  body: string;
  /** Request body bytes the client managed to write before the answer or the end of the connection. */
  written: number;
}

/**
 * Sends `POST /add` with `Transfer-Encoding: chunked` and keeps writing chunks of `chunk` bytes
 * (up to `cap`) until the server answers or closes the connection. A raw socket, because fetch
 * clients stop reading the response while they are still sending.
 */
function chunkedUpload(origin: string, chunk: number, cap: number): Promise<RawReply> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    let written = 0;
    let received = '';
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      socket.destroy();
      const [head, body = ''] = received.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      if (status === 0) reject(new Error(`no HTTP answer after ${written} bytes: ${JSON.stringify(received.slice(0, 200))}`));
      else resolve({ head, status, body, written });
    };
    const frame = `${chunk.toString(16)}\r\n${'x'.repeat(chunk)}\r\n`;
    const pump = () => {
      while (!done && written < cap) {
        written += chunk;
        if (!socket.write(frame)) return socket.once('drain', pump);
      }
    };
    socket.on('connect', () => {
      socket.write(`POST /add HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`);
      const start = '{"queries":["1+1"],"padding":"';
      socket.write(`${start.length.toString(16)}\r\n${start}\r\n`);
      pump();
    });
    socket.on('data', (bytes) => {
      received += bytes.toString('latin1');
      // Enough once the headers and a short JSON body are in.
      if (/\r\n\r\n[^]*\}\}/.test(received)) finish();
    });
    socket.on('error', () => finish());
    socket.on('close', finish);
    socket.setTimeout(20_000, () => finish());
  });
}

describe('over HTTP, through wrangler dev', () => {
  it('answers a 16 KB q (the largest URL Cloudflare passes on) with the JSON 400 query_too_long', async () => {
    const response = await get(`/add?q=${'1'.repeat(16 * 1024)}`);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'query_too_long' } });
  });

  it('has a 100 KB q refused by the runtime with a 4xx before the Worker runs', async () => {
    // workerd answers 431 "header too large" (text/plain); Cloudflare's edge answers 414 for URLs
    // over 16 KB. Neither reaches the Worker, so neither is in the JSON error shape.
    const response = await get(`/add?q=${'1'.repeat(100 * 1024)}`);
    expect([414, 431]).toContain(response.status);
  });

  it('refuses a 1 MB body that declares its length with 413', async () => {
    const response = await get('/add', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: 'x'.repeat(1024 * 1024) });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: { code: 'body_too_large' } });
  });
});

describe('over HTTP, straight to workerd', () => {
  let bundle: TempDir;
  let server: Server;
  beforeAll(async () => {
    bundle = await bundleWorker();
    server = await startWorker(bundle.dir, path.join(ROOT, 'assets'));
  });
  afterAll(async () => {
    await server?.stop();
    bundle?.remove();
  });

  it('answers a chunked upload without Content-Length that goes on and on with 413, long before its end', async () => {
    const cap = 64 * 1024 * 1024;
    const reply = await chunkedUpload(server.url, 16 * 1024, cap);
    // What the client could write before the answer arrived includes the sockets' buffers; the
    // Worker itself stops reading just past the limit (test/worker/limits.test.ts).
    expect(reply.written).toBeLessThan(cap / 4);
    expect(reply.status).toBe(413);
    expect(reply.head).toMatch(/\r\nContent-Type: application\/json/i);
    expect(JSON.parse(reply.body)).toMatchObject({ error: { code: 'body_too_large' } });
  });
});
