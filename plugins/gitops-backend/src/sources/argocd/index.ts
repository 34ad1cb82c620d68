export { readArgoCdInstances, type ArgoCdInstanceConfig } from './config';
export {
  ArgoCdApiSource,
  ArgoCdError,
  APPLICATION_FIELDS,
  LIST_FIELDS,
  type ArgoCdApiSourceOptions,
} from './ArgoCdApiSource';
export {
  createHttpsFetch,
  type FetchLike,
  type HttpsFetchOptions,
} from './http';
export type { RetryOptions } from '../resilience';
