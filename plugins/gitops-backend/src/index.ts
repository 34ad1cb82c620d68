/**
 * Backstage backend plugin collecting Flux, Argo CD and Azure GitOps status from every cluster.
 * @packageDocumentation
 */
export { gitopsPlugin as default } from './plugin';
