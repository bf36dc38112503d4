import { Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import type * as elbv2 from "aws-cdk-lib/aws-elasticloadbalancingv2";
import * as iam from "aws-cdk-lib/aws-iam";
import * as logs from "aws-cdk-lib/aws-logs";
import * as s3 from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";
import { elbLogDeliveryPrincipal } from "./elbLogDelivery.js";

/** Days the load balancer's access logs are kept before S3 expires them. */
export const ACCESS_LOG_RETENTION_DAYS = 30;

/** The optional network logs; each costs money per month (docs/deploy.md#security), so each can be turned off. */
export interface NetworkLogOptions {
  /**
   * VPC flow logs (all traffic, every ENI) into a CloudWatch log group kept a week (`-c vpcFlowLogs=false`).
   * @defaultValue true
   */
  readonly vpcFlowLogs?: boolean;
  /**
   * The load balancer's access logs into a private S3 bucket (`-c albAccessLogs=false`).
   * @defaultValue true
   */
  readonly albAccessLogs?: boolean;
}

/** Props of {@link NetworkLogs}. */
export interface NetworkLogsProps extends NetworkLogOptions {
  readonly vpc: ec2.Vpc;
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
}

/**
 * Who talked to what, for an investigation after the fact: the VPC's flow logs (accepted and rejected
 * connections of every task and load balancer node) and the load balancer's access logs (every request, with
 * client address, path, status and latencies). Neither is read by the pipeline itself.
 */
export class NetworkLogs extends Construct {
  readonly flowLogGroup?: logs.LogGroup;
  readonly accessLogBucket?: s3.Bucket;

  constructor(scope: Construct, id: string, props: NetworkLogsProps) {
    super(scope, id);
    if (props.vpcFlowLogs ?? true) {
      this.flowLogGroup = new logs.LogGroup(this, "FlowLogs", {
        retention: logs.RetentionDays.ONE_WEEK,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      // The CDK adds the delivery role, allowed to write to this log group only.
      props.vpc.addFlowLog("FlowLog", {
        destination: ec2.FlowLogDestination.toCloudWatchLogs(this.flowLogGroup),
        trafficType: ec2.FlowLogTrafficType.ALL,
      });
    }
    if (props.albAccessLogs ?? true) {
      this.accessLogBucket = this.#accessLogs(props.loadBalancer);
    }
  }

  #accessLogs(loadBalancer: elbv2.ApplicationLoadBalancer): s3.Bucket {
    const bucket = new s3.Bucket(this, "AccessLogs", {
      // ALB log delivery supports SSE-S3 only (not KMS).
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(ACCESS_LOG_RETENTION_DAYS) }],
      // CloudFormation cannot delete a bucket that holds objects; emptying it on delete would take a custom
      // resource (a Lambda function with a broad role). The bucket stays behind and empties itself by expiry.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // What `loadBalancer.logAccessLogs(bucket)` does, without its synth-time Region lookup: only ELB's log
    // delivery may write, and only under this account's AWSLogs/ prefix.
    const policy = new iam.PolicyStatement({
      actions: ["s3:PutObject"],
      principals: [elbLogDeliveryPrincipal(this)],
      resources: [bucket.arnForObjects(`AWSLogs/${Stack.of(this).account}/*`)],
    });
    bucket.addToResourcePolicy(policy);
    loadBalancer.setAttribute("access_logs.s3.enabled", "true");
    loadBalancer.setAttribute("access_logs.s3.bucket", bucket.bucketName);
    // ELB checks that it can write when the attribute is set: the policy must exist first.
    if (bucket.policy) loadBalancer.node.addDependency(bucket.policy);
    return bucket;
  }
}
