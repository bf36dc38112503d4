import { Stack } from "aws-cdk-lib";
import * as appscaling from "aws-cdk-lib/aws-applicationautoscaling";
import type * as ecs from "aws-cdk-lib/aws-ecs";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import type { ProcessorScaling } from "../processorSizing.js";

/** Props of {@link BacklogScaling}. */
export interface BacklogScalingProps {
  readonly cluster: ecs.ICluster;
  readonly service: ecs.FargateService;
  /** The queue whose visible messages make the backlog. */
  readonly queue: sqs.IQueue;
  readonly scaling: ProcessorScaling;
}

/**
 * Target tracking on backlog per task: ApproximateNumberOfMessagesVisible / RunningTaskCount, held at
 * `backlogPerTaskTarget` (the workers' throughput times the acceptable wait). Depth alone would be the wrong
 * metric: target tracking scales capacity in proportion to metric / target, which is only right for a
 * per-task figure. The CDK's L2 accepts no metric math here, so this is the CloudFormation resource.
 */
export class BacklogScaling extends Construct {
  readonly target: appscaling.ScalableTarget;

  constructor(scope: Construct, id: string, props: BacklogScalingProps) {
    super(scope, id);
    const { cluster, service, queue, scaling } = props;
    const stack = Stack.of(this);
    this.target = new appscaling.ScalableTarget(this, "Target", {
      serviceNamespace: appscaling.ServiceNamespace.ECS,
      scalableDimension: "ecs:service:DesiredCount",
      resourceId: `service/${cluster.clusterName}/${service.serviceName}`,
      minCapacity: scaling.minTasks,
      maxCapacity: scaling.maxTasks,
      // The service-linked role Application Auto Scaling creates for ECS, as the CDK's autoScaleTaskCount uses.
      role: iam.Role.fromRoleArn(
        this,
        "ServiceLinkedRole",
        stack.formatArn({
          service: "iam",
          region: "",
          resource: "role/aws-service-role/ecs.application-autoscaling.amazonaws.com",
          resourceName: "AWSServiceRoleForApplicationAutoScaling_ECSService",
        }),
      ),
    });
    new appscaling.CfnScalingPolicy(this, "BacklogPerTask", {
      policyName: `${stack.stackName}-processor-backlog-per-task`,
      policyType: "TargetTrackingScaling",
      scalingTargetId: this.target.scalableTargetId,
      targetTrackingScalingPolicyConfiguration: {
        targetValue: scaling.backlogPerTaskTarget,
        // Out fast (a flash sale), in slowly (a lull between bursts should not stop half the workers).
        scaleOutCooldown: 60,
        scaleInCooldown: 300,
        customizedMetricSpecification: {
          metrics: [
            {
              id: "visible",
              metricStat: {
                metric: {
                  namespace: "AWS/SQS",
                  metricName: "ApproximateNumberOfMessagesVisible",
                  dimensions: [{ name: "QueueName", value: queue.queueName }],
                },
                stat: "Average",
              },
              returnData: false,
            },
            {
              id: "tasks",
              metricStat: {
                metric: {
                  namespace: "ECS/ContainerInsights",
                  metricName: "RunningTaskCount",
                  dimensions: [
                    { name: "ClusterName", value: cluster.clusterName },
                    { name: "ServiceName", value: service.serviceName },
                  ],
                },
                stat: "Average",
              },
              returnData: false,
            },
            {
              id: "backlogPerTask",
              label: "Visible messages per running task",
              // minTasks >= 1 keeps the divisor above zero once the service runs; IF covers the start.
              expression: "visible / IF(tasks > 0, tasks, 1)",
              returnData: true,
            },
          ],
        },
      },
    });
  }
}
