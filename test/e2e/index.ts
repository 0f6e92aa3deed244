// The entry scripts/e2e.mjs builds (esbuild, into out/e2e-run/) and loads: the scenarios and the
// DashScope stand-in the runner serves them from, in one CommonJS bundle for plain Node.
export { scenarios, UI, type E2EContext, type E2EScenario } from './scenarios';
export { DashScopeStandIn } from '../support/dashscopeStandIn';
export { waitForActivity, waitForWorkbench } from './workbench';
