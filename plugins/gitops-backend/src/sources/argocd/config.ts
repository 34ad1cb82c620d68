import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';

/** One Argo CD API server to collect Applications from. */
export interface ArgoCdInstanceConfig {
  name: string;
  /** Base URL of the API server (no trailing slash), e.g. `https://argocd.example.com`. */
  url: string;
  /** Bearer token (an Argo CD account / project token). */
  token?: string;
  /** With `password`: log in through `POST /api/v1/session` and reuse the session token. */
  username?: string;
  password?: string;
  /** Base URL of the Argo CD UI for links, when it differs from `url`. */
  frontendUrl?: string;
  /** CA bundle (PEM, or base64-encoded PEM as in kubeconfig `certificate-authority-data`). */
  caData?: string;
  skipTLSVerify: boolean;
  /** Apps-in-any-namespace: list only these namespaces (one request each, `appNamespace`). */
  namespaces: string[];
  /** List only Applications of these projects. */
  projects: string[];
  /**
   * The configured cluster this instance runs on: where its in-cluster destination
   * (`https://kubernetes.default.svc`, `in-cluster`) points. Defaults to the cluster whose
   * `argocdInstance` names this instance.
   */
  cluster?: string;
}

function readUrl(value: string, what: string): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new InputError(`${what}: "${value}" is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InputError(`${what}: "${value}" is not an http(s) URL`);
  }
  if (url.username || url.password) {
    throw new InputError(
      `${what}: put credentials in token or username/password, not in the URL`,
    );
  }
  if (url.search || url.hash) {
    throw new InputError(`${what}: "${value}" must not have a query or hash`);
  }
  return url.toString().replace(/\/+$/, '');
}

function readInstance(
  c: Config,
  origin: string,
  defaults: { username?: string; password?: string } = {},
): ArgoCdInstanceConfig {
  const name = c.getString('name');
  const what = `${origin} instance ${name}`;
  const token = c.getOptionalString('token') || undefined;
  const username = c.getOptionalString('username') ?? defaults.username;
  const password = c.getOptionalString('password') ?? defaults.password;
  if (!token && !(username && password)) {
    throw new InputError(`${what}: needs a token, or a username and password`);
  }
  const frontendUrl = c.getOptionalString('frontendUrl');
  return {
    name,
    url: readUrl(c.getString('url'), `${what}: url`),
    token,
    username: token ? undefined : username,
    password: token ? undefined : password,
    frontendUrl: frontendUrl
      ? readUrl(frontendUrl, `${what}: frontendUrl`)
      : undefined,
    caData: c.getOptionalString('caData'),
    skipTLSVerify: c.getOptionalBoolean('skipTLSVerify') ?? false,
    namespaces: c.getOptionalStringArray('namespaces') ?? [],
    projects: c.getOptionalStringArray('projects') ?? [],
    cluster: c.getOptionalString('cluster'),
  };
}

/**
 * Argo CD instances from `gitops.argocd.instances`, or — when `gitops.argocd` is absent — from the
 * Roadie / community Argo CD plugin's `argocd.appLocatorMethods` (type `config`), whose instances
 * fall back to `argocd.username` / `argocd.password`.
 */
export function readArgoCdInstances(config: Config): ArgoCdInstanceConfig[] {
  let instances: ArgoCdInstanceConfig[];
  if (config.has('gitops.argocd')) {
    instances = (
      config.getOptionalConfigArray('gitops.argocd.instances') ?? []
    ).map(c => readInstance(c, 'gitops.argocd'));
  } else {
    const defaults = {
      username: config.getOptionalString('argocd.username'),
      password: config.getOptionalString('argocd.password'),
    };
    instances = (
      config.getOptionalConfigArray('argocd.appLocatorMethods') ?? []
    )
      .filter(m => m.getString('type') === 'config')
      .flatMap(m =>
        (m.getOptionalConfigArray('instances') ?? []).map(c =>
          readInstance(c, 'argocd.appLocatorMethods', defaults),
        ),
      );
  }
  const seen = new Set<string>();
  for (const i of instances) {
    if (seen.has(i.name)) {
      throw new InputError(
        `Argo CD instance "${i.name}" is configured more than once`,
      );
    }
    seen.add(i.name);
  }
  return instances;
}
