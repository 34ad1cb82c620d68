/**
 * A simulated fleet of Kubernetes clusters running Flux and Argo CD, plus
 * Argo CD's API, Prometheus metrics and Azure Resource Graph, all on one
 * HTTPS server on loopback. Used by the demo app, tests and benchmarks.
 *
 * @packageDocumentation
 */

export { startDemoFleet, DEFAULT_TOKEN } from './fleet';
export { fleetSha, appsSha, fluxRevision } from './scenario/timeline';
export type {
  ClusterProvider,
  DemoFleet,
  DemoFleetCluster,
  DemoFleetClusterSpec,
  DemoFleetOptions,
  Fault,
  FaultType,
  FleetScenario,
  FluxMetricsGeneration,
  RequestEndpoint,
  RequestFilter,
  ScenarioClusterRollout,
  ScenarioObject,
} from './types';
