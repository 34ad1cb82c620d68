export {
  readAzureConfig,
  createAzureCredential,
  type AzureConfig,
} from './config';
export {
  AzureResourceGraphSource,
  AzureSourceError,
  attachExtension,
  FLUX_CONFIGURATIONS_QUERY,
  FLUX_EXTENSIONS_QUERY,
  type AzureResourceGraphSourceOptions,
} from './AzureResourceGraphSource';
