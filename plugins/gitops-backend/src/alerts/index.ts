export { evaluateAlerts, mayRaiseAlert, RULES } from './rules';
export type { EvaluateAlertsInput, EvaluateAlertsResult } from './rules';
export {
  readAlertRulesConfig,
  defaultAlertRulesConfig,
  type AlertRuleConfig,
  type AlertRulesConfig,
} from './config';
export {
  AlertStore,
  type AlertQuery,
  type AppliedAlerts,
} from '../store/AlertStore';
export { AlertEvaluator, type AlertEvaluatorOptions } from './AlertEvaluator';
export { createAlertEvaluator } from './createAlertEvaluator';
export {
  AlertInputReader,
  type AlertInputs,
  type AlertInputStore,
} from './alertInputs';
export * from './types';
