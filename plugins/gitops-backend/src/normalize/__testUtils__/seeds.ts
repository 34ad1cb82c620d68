/*
 * Test-only: every Flux, Argo CD and Azure object the fixture tests load, as seeds for property and
 * fuzz tests, each with the entry point that reads it. Parsed once per test file.
 */
import { parse as parseYaml } from 'yaml';
import {
  fluxDocsObject,
  jsonFixture,
  listFixtures,
  readFixture,
  yamlDocs,
} from './fixtures';

/**
 * Which exported normalizer a seed is for: `object` = normalizeObject (Kubernetes objects, Argo CD
 * API bodies, ARM fluxConfigurations), `list` = normalizeAll (list envelopes), `fluxConfiguration`
 * = normalizeFluxConfiguration, `extension` = normalizeFluxExtension.
 */
export type SeedEntry = 'object' | 'list' | 'fluxConfiguration' | 'extension';

export interface Seed {
  /** Fixture file (and item) it comes from. */
  label: string;
  entry: SeedEntry;
  raw: unknown;
}

const isGitOpsObject = (doc: any) =>
  typeof doc?.apiVersion === 'string' &&
  /fluxcd\.io|argoproj\.io/.test(doc.apiVersion);

/** `responses.200.body` of an ARM / Resource Graph example, or the file itself. */
const armBody = (file: string) => {
  const json = jsonFixture(file);
  return json.responses?.['200']?.body ?? json;
};

function fluxSeeds(): Seed[] {
  const out: Seed[] = [];
  for (const dir of [
    'argo-cd-resource-customizations',
    'flux2-cli-testdata',
    'flux2-rfcs',
  ]) {
    for (const file of listFixtures(`flux/${dir}`, /\.ya?ml$/)) {
      yamlDocs(`flux/${dir}/${file}`)
        .filter(isGitOpsObject)
        .forEach((raw, i) =>
          out.push({ label: `flux/${dir}/${file}#${i}`, entry: 'object', raw }),
        );
    }
  }
  // As flux.fixtures.test.ts reads them: status excerpts and describe output wrapped in objects.
  for (const dir of [
    'kustomize-controller-docs',
    'helm-controller-docs',
    'source-controller-docs',
  ]) {
    for (const file of listFixtures(`flux/${dir}`, /\.(ya?ml|txt)$/)) {
      if (file === 'v2_event.yaml') continue; // an Event, not an object's status
      out.push({
        label: `flux/${dir}/${file}`,
        entry: 'object',
        raw: fluxDocsObject(dir, file),
      });
    }
  }
  return out;
}

function argoCdSeeds(): Seed[] {
  const out: Seed[] = [];
  for (const dir of [
    'roadie-backstage-plugins',
    'backstage-community-plugins',
  ]) {
    for (const file of listFixtures(`argocd/${dir}`, /\.json$/)) {
      const body = jsonFixture(`argocd/${dir}/${file}`);
      if ('items' in body) {
        out.push({ label: `argocd/${dir}/${file}`, entry: 'list', raw: body });
      }
      const items: unknown[] = 'items' in body ? body.items ?? [] : [body];
      items.forEach((raw, i) =>
        out.push({ label: `argocd/${dir}/${file}#${i}`, entry: 'object', raw }),
      );
    }
  }
  for (const file of listFixtures('argocd/argo-cd-testdata', /\.yaml$/)) {
    yamlDocs(`argocd/argo-cd-testdata/${file}`).forEach((raw, i) =>
      out.push({
        label: `argocd/argo-cd-testdata/${file}#${i}`,
        entry: 'object',
        raw,
      }),
    );
  }
  // As argocd.fixtures.test.ts reads them: documentation excerpts of `status` in an Application.
  for (const file of listFixtures('argocd/argo-cd-docs', /\.(yaml|txt)$/)) {
    const text = readFixture(`argocd/argo-cd-docs/${file}`)
      .split('\n')
      .filter(l => !l.startsWith('$') && l.trim() !== '...')
      .join('\n');
    out.push({
      label: `argocd/argo-cd-docs/${file}`,
      entry: 'object',
      raw: {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        metadata: { name: 'docs', namespace: 'argocd' },
        ...parseYaml(text),
      },
    });
  }
  return out;
}

function azureSeeds(): Seed[] {
  const out: Seed[] = [];
  const configurations: Array<[string, any]> = [
    [
      'GetFluxConfiguration',
      armBody('azure/arm-examples-2023-05-01/GetFluxConfiguration.json'),
    ],
    ...armBody(
      'azure/arm-examples-2023-05-01/ListFluxConfigurations.json',
    ).value.map((v: any, i: number) => [`ListFluxConfigurations#${i}`, v]),
    [
      'CreateFluxConfigurationWithOCIRepository',
      armBody(
        'azure/arm-examples-2025-04-01/CreateFluxConfigurationWithOCIRepository_response-200-body.json',
      ),
    ],
  ];
  for (const [label, arm] of configurations) {
    out.push({ label: `azure/${label}`, entry: 'object', raw: arm });
    out.push({ label: `azure/${label}`, entry: 'fluxConfiguration', raw: arm });
    // The FluxConfig object the agent keeps in the cluster (azure.fixtures.test.ts): the ARM
    // properties split between spec and status.
    const specKeys = [
      'scope',
      'namespace',
      'sourceKind',
      'suspend',
      'gitRepository',
      'ociRepository',
      'kustomizations',
    ];
    const p = arm.properties ?? {};
    out.push({
      label: `azure/${label} as FluxConfig`,
      entry: 'object',
      raw: {
        apiVersion: 'clusterconfig.azure.com/v1',
        kind: 'FluxConfig',
        metadata: { name: arm.name, namespace: p.namespace },
        spec: Object.fromEntries(
          Object.entries(p).filter(([k]) => specKeys.includes(k)),
        ),
        status: Object.fromEntries(
          Object.entries(p).filter(([k]) => !specKeys.includes(k)),
        ),
      },
    });
  }
  for (const file of [
    'arm-examples-2023-05-01/ListFluxConfigurations.json',
    'resource-graph/ResourcesBasicQuery.json',
    'resource-graph/ResourcesPropertiesQuery.json',
  ]) {
    out.push({
      label: `azure/${file}`,
      entry: 'list',
      raw: armBody(`azure/${file}`),
    });
  }
  const extension = armBody('azure/arm-examples-2023-05-01/GetExtension.json');
  const flux = {
    ...extension,
    name: 'flux',
    properties: { ...extension.properties, extensionType: 'microsoft.flux' },
  };
  // Resource Graph returns extension properties PascalCase.
  const pascal = {
    ...flux,
    properties: Object.fromEntries(
      Object.entries(flux.properties).map(([k, v]) => [
        k[0].toUpperCase() + k.slice(1),
        v,
      ]),
    ),
  };
  out.push(
    { label: 'azure/GetExtension', entry: 'extension', raw: extension },
    {
      label: 'azure/GetExtension as microsoft.flux',
      entry: 'extension',
      raw: flux,
    },
    { label: 'azure/GetExtension PascalCase', entry: 'extension', raw: pascal },
  );
  return out;
}

/** Every seed, in a stable order. */
export function fixtureSeeds(): Seed[] {
  return [...fluxSeeds(), ...argoCdSeeds(), ...azureSeeds()];
}
