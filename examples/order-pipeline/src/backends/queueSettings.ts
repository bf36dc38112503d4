import { pipelineConfig } from "../config.js";
import type { QueueName } from "./Backend.js";

/**
 * A queue's visibility timeout in study seconds. The payment queue consumed by Lambda needs at least 6x the
 * function timeout (AWS's rule for event source mappings); the others use the shared setting.
 */
export function queueVisibilitySeconds(queue: QueueName, processor: "ecs" | "lambda"): number {
  return queue === "payment" && processor === "lambda"
    ? pipelineConfig.lambda.queueVisibilityTimeoutSeconds
    : pipelineConfig.visibilityTimeoutSeconds;
}
