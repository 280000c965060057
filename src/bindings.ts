/** The Worker's bindings, as configured in `wrangler.toml`. */
export interface Env {
  /** Workers Static Assets: the page and the model files in `assets/`. */
  ASSETS: Fetcher;
}

/** Hono's environment type for every app and route of the Worker. */
export interface AppEnv {
  Bindings: Env;
}
