// How the pages are rendered: EJS, its compiled templates cached when Express caches views (in
// production), and includes named from the views folder so that rendering reads no disk.
import ejs from 'ejs';
import type { Express } from 'express';

/**
 * Every local a view or partial reads, and the only ones it is given. A view reads them by name
 * (`api.body`) or, when they may be absent, as `locals.notice`; a new one is added here.
 * test/unit/view-locals.test.ts checks that the views read no other.
 */
export const viewLocals = [
  // app.locals (app.ts)
  'appName',
  'isDevProvider',
  'providerOrigin',
  // res.locals (request-logger.ts, page-locals.ts)
  'requestId',
  'user',
  'csrfToken',
  'hasSignOutSteps',
  'currentPath',
  // What the pages pass to res.render (routes/pages.ts, error-pages.ts)
  'title',
  'notice',
  'tokenStatus',
  'scopes',
  'api',
  'flow',
  'status',
  'message',
  'details',
  'action',
  // What the views pass to their partials
  'value',
  'timeOnly',
  'view',
  'rows',
  'caption',
];

/**
 * EJS's options for every view. Strict mode, so no `with (locals)`: EJS declares each name of
 * `viewLocals` instead, and a name no view reads is never copied. Why: the lookups through `with`,
 * and EJS copying all of Express's locals (its settings, the token record) into every include,
 * were most of a page's rendering time. With this, and fewer includes (a notice only when there
 * is one; one header partial), CPU per render went from about 77 to 40 µs for /resource and from
 * 66 to 29 µs for the signed-in home page (20,000 renders, template cached).
 */
export function viewOptions(viewsDir: string, isProduction: boolean): ejs.Options {
  return {
    root: viewsDir,
    cache: isProduction,
    strict: true,
    destructuredLocals: [...viewLocals],
  };
}

/**
 * Renders `views/*.ejs`. The views write `include('/partials/header')`: EJS resolves an include
 * named from `root` without asking the file system, where a relative name costs an `existsSync`
 * per include on every render, cached template or not.
 */
export function useEjsViews(app: Express, viewsDir: string, isProduction: boolean): void {
  // From the configuration, not from Express's own reading of NODE_ENV when `express()` ran:
  // only server.ts reads the environment, and an app built for production caches its views.
  app.set('view cache', isProduction);
  const options = viewOptions(viewsDir, isProduction);
  app.engine('ejs', (file, data, done) => {
    ejs.renderFile(file, pickViewLocals(data), options, (error, html) => done(error, html));
  });
  app.set('view engine', 'ejs');
  app.set('views', viewsDir);
}

/** Of what Express merged (app.locals, res.locals, the render options), the locals views read. */
function pickViewLocals(data: object): ejs.Data {
  const merged = data as ejs.Data;
  const locals: ejs.Data = {};
  for (const name of viewLocals) {
    if (merged[name] !== undefined) locals[name] = merged[name];
  }
  return locals;
}
