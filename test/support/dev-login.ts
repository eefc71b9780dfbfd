// Browser simulation for integration tests: follows redirects across origins with a cookie jar and
// fills in the dev provider's pages (its sign-in and consent pages, and RP-initiated logout).
import type { CookieJar } from './cookie-jar.ts';
import type { RunningApp } from './run-app.ts';

// More redirects than any sign-in takes: a loop fails the test instead of hanging it.
const maxRequests = 20;

export interface BrowseOptions {
  /**
   * Stop before requesting a URL that starts with this prefix (or for which this returns true):
   * the redirect to it is returned instead of being followed.
   */
  stopAt?: string | ((url: URL) => boolean);
}

export interface SignInOptions extends BrowseOptions {
  /** Any login is accepted by the dev provider and becomes the subject; default 'alice'. */
  login?: string;
  /** 'deny' cancels at the consent page (the client then gets error=access_denied). */
  consent?: 'grant' | 'deny';
}

export interface HtmlForm {
  action: URL;
  fields: URLSearchParams;
}

/**
 * Requests `url` and follows redirects like a browser, across origins. Returns the first response
 * that is not a redirect, or the redirect whose target matches `options.stopAt`.
 */
export async function followRedirects(
  url: string | URL,
  jar: CookieJar,
  init: RequestInit = {},
  options: BrowseOptions = {},
): Promise<Response> {
  let target = new URL(url);
  let request = init;
  for (let count = 0; count < maxRequests; count++) {
    const response = await jar.fetch(target, request);
    const location = response.headers.get('location');
    if (response.status < 300 || response.status > 399 || location === null) return response;
    target = new URL(location, target);
    if (isStopAt(target, options.stopAt)) return response;
    // 307 and 308 repeat the request as it was; the others turn it into a GET.
    if (response.status !== 307 && response.status !== 308) request = {};
  }
  throw new Error(`Still redirecting after ${maxRequests} requests, at ${target.href}`);
}

/**
 * Starts at `startUrl` (the app's /login, or a provider authorization URL), signs in at the dev
 * provider with `login`, grants consent, and returns as `followRedirects` does.
 */
export async function signInThroughProvider(
  startUrl: string | URL,
  jar: CookieJar,
  options: SignInOptions = {},
): Promise<Response> {
  let response = await followRedirects(startUrl, jar, {}, options);
  for (let page = 0; page < 5; page++) {
    const form = await readFormOf(response);
    const prompt = form?.fields.get('prompt');
    if (!form || (prompt !== 'login' && prompt !== 'consent')) return response;

    if (prompt === 'consent' && options.consent === 'deny') {
      return followRedirects(`${form.action.href}/abort`, jar, {}, options);
    }
    if (prompt === 'login') {
      form.fields.set('login', options.login ?? 'alice');
      form.fields.set('password', 'any password works');
    }
    response = await followRedirects(form.action, jar, post(form.fields), options);
  }
  throw new Error('The provider kept asking for sign-in or consent');
}

/**
 * Opens an RP-initiated logout URL (the provider's end_session endpoint, or an app route that
 * redirects there), confirms "Yes, sign out of the provider", and returns as `followRedirects` does.
 */
export async function confirmLogoutAtProvider(
  logoutUrl: string | URL,
  jar: CookieJar,
  options: BrowseOptions = {},
): Promise<Response> {
  const page = await followRedirects(logoutUrl, jar, {}, options);
  const form = await readFormOf(page);
  if (!form?.fields.has('xsrf')) return page;
  form.fields.set('logout', 'yes');
  return followRedirects(form.action, jar, post(form.fields), options);
}

/**
 * Signs out as a user does: the sign-out form's CSRF token from the home page, POST /logout, "Yes"
 * at the provider's end-session page, back to the app. Returns the app's answer to the post (the
 * redirect to the provider) and the page the browser ends on.
 */
export async function signOutThroughProvider(
  app: Pick<RunningApp, 'csrfTokenOf' | 'postLogout'>,
  jar: CookieJar,
): Promise<{ logout: Response; back: Response }> {
  const csrf = await app.csrfTokenOf(jar);
  const logout = await app.postLogout(jar, { csrf });
  const back = await confirmLogoutAtProvider(logout.headers.get('location') ?? '', jar);
  return { logout, back };
}

/** The first form of an HTML response: its action and the values of its inputs. */
export async function readFormOf(response: Response): Promise<HtmlForm | undefined> {
  if (response.status !== 200 || !response.headers.get('content-type')?.includes('html')) {
    return undefined;
  }
  const html = await response.clone().text();
  const form = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) return undefined;
  const fields = new URLSearchParams();
  for (const input of (form[2] ?? '').match(/<input\b[^>]*>/gi) ?? []) {
    const name = attribute(input, 'name');
    if (name !== undefined) fields.append(name, attribute(input, 'value') ?? '');
  }
  return { action: new URL(attribute(form[1] ?? '', 'action') ?? '', response.url), fields };
}

function isStopAt(url: URL, stopAt: BrowseOptions['stopAt']): boolean {
  if (typeof stopAt === 'function') return stopAt(url);
  return stopAt !== undefined && url.href.startsWith(stopAt);
}

function post(fields: URLSearchParams): RequestInit {
  return { method: 'POST', body: fields };
}

function attribute(tag: string, name: string): string | undefined {
  const value = new RegExp(`\\b${name}="([^"]*)"`, 'i').exec(tag)?.[1];
  return value === undefined ? undefined : decodeEntities(value);
}

function decodeEntities(text: string): string {
  return text
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}
