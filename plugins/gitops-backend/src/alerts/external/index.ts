export {
  readExternalAlertEndpoints,
  type ExternalAlertEndpoint,
} from './config';
export {
  fetchActiveAlerts,
  parseAlertmanagerAlerts,
  parsePrometheusAlerts,
  ExternalAlertsError,
  type FetchedAlert,
} from './client';
export { toExternalAlert, prometheusAlertId, alertLink } from './externalAlert';
export {
  RecordMatcher,
  isArgoCdAlert,
  type MatchableRecord,
} from './matchRecords';
export {
  refreshExternalAlerts,
  type ExternalAlertsRefreshResult,
  type RefreshExternalAlertsOptions,
} from './refreshExternalAlerts';
export {
  ExternalAlertStore,
  type ExternalAlertQuery,
} from '../../store/ExternalAlertStore';
