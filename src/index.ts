/**
 * The Worker: the API of `src/api.ts` with the one error shape of `src/errors.ts`. The page and the
 * model files in `assets/` are served by Workers Static Assets before the Worker is involved
 * (`wrangler.toml`); their `nosniff` header comes from `assets/_headers`.
 */
import { Hono } from 'hono';
import { type AdderSource, lazyAdder } from './adder';
import { createApi } from './api';
import type { AppEnv } from './bindings';
import { notFound, onError } from './errors';

/** The whole app around a source of the model; tests pass their own to see it fail. */
export function createApp(adders: AdderSource = lazyAdder()): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', async (c, next) => {
    await next();
    c.header('X-Content-Type-Options', 'nosniff');
  });
  app.route('/', createApi(adders));
  app.notFound(notFound);
  app.onError(onError);
  return app;
}

export default createApp();
