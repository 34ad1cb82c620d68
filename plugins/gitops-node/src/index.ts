/**
 * Node library for the GitOps status backend: the extension point through which modules add sources.
 * @packageDocumentation
 */
export * from './source';
export * from './extensionPoint';
