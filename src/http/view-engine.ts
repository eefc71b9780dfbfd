// How the pages are rendered: EJS, its compiled templates cached when Express caches views (in
// production), and includes named from the views folder so that rendering reads no disk.
import ejs from 'ejs';
import type { Express } from 'express';

/**
 * Renders `views/*.ejs`. The views write `include('/partials/head')`: EJS resolves an include
 * named from `root` without asking the file system, where a relative name costs an `existsSync`
 * per include on every render, cached template or not.
 */
export function useEjsViews(app: Express, viewsDir: string, isProduction: boolean): void {
  // From the configuration, not from Express's own reading of NODE_ENV when `express()` ran:
  // only server.ts reads the environment, and an app built for production caches its views.
  app.set('view cache', isProduction);
  app.engine('ejs', (file, data, done) => {
    ejs.renderFile(file, data as ejs.Data, { root: viewsDir, cache: isProduction }, (error, html) =>
      done(error, html),
    );
  });
  app.set('view engine', 'ejs');
  app.set('views', viewsDir);
}
