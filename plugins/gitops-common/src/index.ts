/**
 * Common types, status model, annotations and permissions for the GitOps status plugins.
 * @packageDocumentation
 */
export * from './model';
export * from './state';
export * from './annotations';
export * from './api';
export * from './permissions';
export * from './revision';
export * from './alerts';
export * from './history';
export * from './externalAlerts';
