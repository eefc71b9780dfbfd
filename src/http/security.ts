// Response headers that make the browser enforce what the app promises; each with its reason.
import type { RequestHandler } from 'express';
import helmet from 'helmet';

export interface SecurityOptions {
  isHttps: boolean;
  /** Origins a form may lead to: sign-out ends with a redirect to the provider's end-session page. */
  formActionOrigins: () => readonly string[];
}

// Powerful features the app never uses, denied to its pages and anything they could embed; only
// names browsers know (Chromium warns about others in the console). `browsing-topics` and the
// retired `interest-cohort` opt out of interest-based ad tracking. https://www.w3.org/TR/permissions-policy/
const permissionsPolicy = [
  'accelerometer',
  'autoplay',
  'browsing-topics',
  'camera',
  'display-capture',
  'encrypted-media',
  'fullscreen',
  'geolocation',
  'gyroscope',
  'hid',
  'idle-detection',
  'interest-cohort',
  'magnetometer',
  'microphone',
  'midi',
  'payment',
  'picture-in-picture',
  'publickey-credentials-get',
  'screen-wake-lock',
  'serial',
  'usb',
  'xr-spatial-tracking',
]
  .map((feature) => `${feature}=()`)
  .join(', ');

/** helmet with a strict Content Security Policy (no inline script or style), and a Permissions-Policy. */
export function securityHeaders(options: SecurityOptions): RequestHandler {
  // The provider's origins change only when discovery does: helmet is built again then, so the
  // policy is a fixed string the rest of the time instead of being assembled on every answer.
  // The origins' list is the same array until discovery changes: compared by identity.
  let built: { origins: readonly string[]; headers: RequestHandler } | undefined;
  return (req, res, next) => {
    // helmet 8 has no Permissions-Policy option: the header is set here, on every answer.
    res.setHeader('Permissions-Policy', permissionsPolicy);
    const origins = options.formActionOrigins();
    if (built?.origins !== origins) {
      built = { origins, headers: helmetFor(origins.join(' '), options.isHttps) };
    }
    built.headers(req, res, next);
  };
}

function helmetFor(formActionOrigins: string, isHttps: boolean): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        // Chromium applies form-action to the redirects that follow a form post (sign-out).
        formAction: ["'self'", ...(formActionOrigins ? [formActionOrigins] : [])],
        // Clickjacking: no site may frame these pages (replaces X-Frame-Options).
        frameAncestors: ["'none'"],
        ...(isHttps && { upgradeInsecureRequests: [] }),
      },
    },
    // For browsers that predate frame-ancestors: the same answer, no framing at all.
    xFrameOptions: { action: 'deny' },
    // Cross-origin requests get the origin only; same-origin ones the path (see noReferrer for /callback).
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    // HSTS only means something over https; on http://localhost it would pin the dev host.
    strictTransportSecurity: isHttps ? { maxAge: 31536000, includeSubDomains: true } : false,
  });
}

/** Pages with personal data are never stored by the browser or a proxy cache. */
export function noStore(): RequestHandler {
  return (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  };
}

/** The callback URL carries the authorization code: no request from its page may send it on. */
export function noReferrer(): RequestHandler {
  return (_req, res, next) => {
    res.setHeader('Referrer-Policy', 'no-referrer');
    next();
  };
}
