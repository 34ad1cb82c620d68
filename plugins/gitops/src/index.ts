/**
 * Frontend plugin: Flux and Argo CD GitOps status on entity pages.
 * @packageDocumentation
 */
export {
  gitopsPlugin,
  EntityGitOpsCard,
  EntityGitOpsContent,
  rootRouteRef,
} from './plugin';
export { gitopsApiRef, GitOpsClient, type GitOpsApi } from './api/GitOpsApi';
export {
  isGitOpsAvailable,
  isGitOpsAggregate,
  isGitOpsStatusAvailable,
} from './isGitOpsAvailable';
export { GitOpsStatusCardContent } from './components/EntityGitOpsCard/EntityGitOpsCard';
export { GitOpsObjectsTable } from './components/EntityGitOpsContent/EntityGitOpsContent';
export { StateLabel, stateLabel } from './components/StateLabel/StateLabel';
export { EnvironmentMatrix } from './components/EnvironmentMatrix/EnvironmentMatrix';
export { SourceHealthList } from './components/SourceHealthList/SourceHealthList';
