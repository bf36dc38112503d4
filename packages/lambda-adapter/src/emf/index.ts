// @resilient-jobs/lambda-adapter/emf: CloudWatch Embedded Metric Format, one line per invocation. No dependency;
// the package root does not load it. Each export is listed by name.
export type { EmfMetricsOptions } from "./emfMetrics.js";
export { EMF_METRICS, withEmfMetrics } from "./emfMetrics.js";
