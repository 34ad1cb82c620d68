/**
 * Frontend plugin: Flux and Argo CD GitOps status on entity pages.
 * @packageDocumentation
 */
export {
  gitopsPlugin,
  EntityGitOpsCard,
  EntityGitOpsContent,
  GitOpsDeploymentsPage,
  rootRouteRef,
  deploymentsRouteRef,
} from './plugin';
export {
  DeploymentsPage,
  type DeploymentsPageProps,
} from './components/DeploymentsPage/DeploymentsPage';
export {
  gitopsApiRef,
  GitOpsClient,
  type GitOpsApi,
  type DeploymentsRequest,
} from './api/GitOpsApi';
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
