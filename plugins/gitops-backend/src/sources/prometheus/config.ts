import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';

/** One Prometheus-compatible query API (Prometheus, Thanos Query, Mimir, VictoriaMetrics…). */
export interface PrometheusConfig {
  /** Names the target (`prometheus:<name>`); `default` when there is one instance without a name. */
  name: string;
  /** Base URL without a trailing slash; `/api/v1/query` is appended. */
  url: string;
  /** Sent with every query (Authorization, X-Scope-OrgID…). Values are secrets: never logged. */
  headers: Record<string, string>;
  /** The series label naming the cluster. Default `cluster`. */
  clusterLabel: string;
  /** Cluster of series without that label (a Prometheus inside one cluster). */
  defaultCluster?: string;
  /** PEM of the CA that signed the server certificate (config: PEM or base64 of PEM). */
  caData?: string;
  caFile?: string;
  skipTLSVerify: boolean;
}

const KEY = 'gitops.prometheus';
/** RFC 9110 token: what a header name may contain. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function pemOf(caData: string, origin: string): string {
  const pem = caData.includes('-----BEGIN')
    ? caData
    : Buffer.from(caData, 'base64').toString('utf8');
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new InputError(
      `${origin}.caData is neither a PEM certificate nor base64 of one`,
    );
  }
  return pem;
}

function readOne(c: Config, origin: string, name: string): PrometheusConfig {
  const rawUrl = c.getString('url');
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new InputError(`${origin}.url is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InputError(`${origin}.url must be http or https`);
  }

  const headers: Record<string, string> = {};
  const headersConfig = c.getOptionalConfig('headers');
  for (const header of headersConfig?.keys() ?? []) {
    if (!HEADER_NAME.test(header)) {
      throw new InputError(
        `${origin}.headers: "${header}" is not a valid header name`,
      );
    }
    const value = headersConfig!.getString(header);
    // The value is a secret: say which header is wrong, never what it contains.
    if (/[\r\n\0]/.test(value)) {
      throw new InputError(
        `${origin}.headers.${header} contains a line break or NUL`,
      );
    }
    headers[header] = value;
  }
  // Credentials in the URL (https://user:pass@host) become Basic auth, unless a header already
  // authenticates; either way they leave the URL so no message or log can show them.
  if (url.username || url.password) {
    const hasAuth = Object.keys(headers).some(
      h => h.toLowerCase() === 'authorization',
    );
    if (!hasAuth) {
      const user = decodeURIComponent(url.username);
      const pass = decodeURIComponent(url.password);
      headers.Authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString(
        'base64',
      )}`;
    }
    url.username = '';
    url.password = '';
  }

  const caData = c.getOptionalString('caData');
  const clusterLabel = c.getOptionalString('clusterLabel') ?? 'cluster';
  if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(clusterLabel)) {
    throw new InputError(
      `${origin}.clusterLabel "${clusterLabel}" is not a Prometheus label name`,
    );
  }
  return {
    name,
    url: url.toString().replace(/\/+$/, ''),
    headers,
    clusterLabel,
    defaultCluster: c.getOptionalString('defaultCluster'),
    caData: caData ? pemOf(caData, origin) : undefined,
    caFile: c.getOptionalString('caFile'),
    skipTLSVerify: c.getOptionalBoolean('skipTLSVerify') ?? false,
  };
}

/**
 * `gitops.prometheus`: one object, or an array of them (each with a distinct `name`).
 * Returns [] when the key is absent.
 */
export function readPrometheusConfig(config: Config): PrometheusConfig[] {
  if (!config.has(KEY)) return [];
  if (!Array.isArray(config.get(KEY))) {
    const c = config.getConfig(KEY);
    return [readOne(c, KEY, c.getOptionalString('name') ?? 'default')];
  }
  const entries = config.getConfigArray(KEY);
  const seen = new Set<string>();
  return entries.map((c, i) => {
    const origin = `${KEY}[${i}]`;
    const name =
      c.getOptionalString('name') ?? (entries.length === 1 ? 'default' : '');
    if (!name) {
      throw new InputError(
        `${origin}.name is required when several Prometheus instances are configured`,
      );
    }
    if (seen.has(name)) {
      throw new InputError(`${origin}: duplicate Prometheus name "${name}"`);
    }
    seen.add(name);
    return readOne(c, origin, name);
  });
}
