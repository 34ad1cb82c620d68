import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  EXTERNAL_ALERT_ORIGINS,
  type ExternalAlertOrigin,
} from '@gitops-status/plugin-gitops-common';

/** One Prometheus or Alertmanager whose firing alerts are shown beside the objects they name. */
export interface ExternalAlertEndpoint {
  /** Unique among the endpoints; stored with every alert read from it. */
  name: string;
  type: ExternalAlertOrigin;
  /** Base URL without a trailing slash and without credentials; the API path is appended. */
  url: string;
  /**
   * The Authorization header value: `Bearer <token>`, or Basic from credentials written in the URL.
   * A secret: never in errors, logs or responses.
   */
  authorization?: string;
  /** A Prometheus inside one cluster: alerts without a `cluster` label belong to this cluster. */
  cluster?: string;
  /** Base URL of the UI links point to; defaults to `url`. */
  linkUrl: string;
}

const KEY = 'gitops.alerts.external';

function httpUrl(raw: string, origin: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InputError(`${origin} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InputError(`${origin} must be an http or https URL`);
  }
  if (url.search || url.hash) {
    throw new InputError(`${origin} must not have a query or fragment`);
  }
  return url;
}

const withoutTrailingSlash = (url: URL) => url.toString().replace(/\/+$/, '');

function readEndpoint(c: Config, origin: string): ExternalAlertEndpoint {
  const name = c.getString('name');
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(name)) {
    throw new InputError(
      `${origin}.name "${name}" must be 1-63 letters, digits, '.', '_' or '-'`,
    );
  }
  const type = c.getString('type');
  if (!(EXTERNAL_ALERT_ORIGINS as readonly string[]).includes(type)) {
    throw new InputError(
      `${origin} (${name}): type "${type}" is not supported (use ${EXTERNAL_ALERT_ORIGINS.join(
        ' or ',
      )})`,
    );
  }
  // Never echo the value: it may carry credentials.
  const url = httpUrl(c.getString('url'), `${origin}.url (${name})`);
  const token = c.getOptionalString('token');
  if (token !== undefined && (!token.trim() || /[\r\n\0]/.test(token))) {
    throw new InputError(
      `${origin}.token (${name}) is empty or contains a line break or NUL`,
    );
  }
  let authorization = token ? `Bearer ${token.trim()}` : undefined;
  // Credentials in the URL (https://user:pass@host) become Basic auth unless a token is set; either
  // way they leave the URL, so no message, log or link can show them.
  if (url.username || url.password) {
    if (!authorization) {
      const user = decodeURIComponent(url.username);
      const pass = decodeURIComponent(url.password);
      authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString(
        'base64',
      )}`;
    }
    url.username = '';
    url.password = '';
  }
  const rawLink = c.getOptionalString('linkUrl');
  const linkUrl = rawLink
    ? httpUrl(rawLink, `${origin}.linkUrl (${name})`)
    : url;
  if (linkUrl.username || linkUrl.password) {
    throw new InputError(
      `${origin}.linkUrl (${name}) must not contain credentials`,
    );
  }
  const cluster = c.getOptionalString('cluster')?.trim() || undefined;
  return {
    name,
    type: type as ExternalAlertOrigin,
    url: withoutTrailingSlash(url),
    authorization,
    cluster,
    linkUrl: withoutTrailingSlash(linkUrl),
  };
}

/** `gitops.alerts.external`: the Prometheus and Alertmanager instances to read alerts from; [] when absent. */
export function readExternalAlertEndpoints(
  config: Config,
): ExternalAlertEndpoint[] {
  const seen = new Set<string>();
  return (config.getOptionalConfigArray(KEY) ?? []).map((c, i) => {
    const origin = `${KEY}[${i}]`;
    const endpoint = readEndpoint(c, origin);
    if (seen.has(endpoint.name)) {
      throw new InputError(
        `${origin}: duplicate endpoint name "${endpoint.name}"`,
      );
    }
    seen.add(endpoint.name);
    return endpoint;
  });
}
