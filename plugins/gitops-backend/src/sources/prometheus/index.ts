export {
  PrometheusSource,
  type PrometheusSourceOptions,
} from './PrometheusSource';
export { readPrometheusConfig, type PrometheusConfig } from './config';
export type { FetchLike } from './client';
