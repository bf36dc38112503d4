/**
 * The shapes of the Lambda events and context this package reads and builds, as AWS
 * documents them. Declared here (structurally compatible with `@types/aws-lambda`) so
 * the package has no dependency on that types package.
 */

/** One SQS message attribute as Lambda delivers it. */
export interface SqsMessageAttribute {
  stringValue?: string;
  binaryValue?: string;
  /** Reserved by AWS; always an empty array today. */
  stringListValues?: string[];
  /** Reserved by AWS; always an empty array today. */
  binaryListValues?: string[];
  dataType: string;
}

/** The system attributes of an SQS record (`ApproximateReceiveCount`, `MessageGroupId`, ...), as strings. */
export interface SqsRecordAttributes {
  AWSTraceHeader?: string;
  ApproximateReceiveCount: string;
  SentTimestamp: string;
  SenderId: string;
  ApproximateFirstReceiveTimestamp: string;
  SequenceNumber?: string;
  MessageGroupId?: string;
  MessageDeduplicationId?: string;
  DeadLetterQueueSourceArn?: string;
}

/** One record of an SQS event. */
export interface SqsRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: SqsRecordAttributes;
  messageAttributes: Record<string, SqsMessageAttribute>;
  md5OfBody: string;
  md5OfMessageAttributes?: string;
  eventSource: string;
  eventSourceARN: string;
  awsRegion: string;
}

/** The event Lambda's SQS event source mapping invokes a function with. */
export interface SqsEvent {
  Records: SqsRecord[];
}

/** The partial batch response: the records SQS must deliver again. Needs `ReportBatchItemFailures` on the mapping. */
export interface SqsBatchResponse {
  batchItemFailures: Array<{ itemIdentifier: string }>;
}

/** One SNS message attribute as Lambda delivers it. */
export interface SnsMessageAttribute {
  Type: string;
  Value: string;
}

/** The SNS notification inside an SNS event record. */
export interface SnsNotification {
  SignatureVersion: string;
  Timestamp: string;
  Signature: string;
  SigningCertUrl: string;
  MessageId: string;
  Message: string;
  MessageAttributes: Record<string, SnsMessageAttribute>;
  Type: string;
  UnsubscribeUrl: string;
  TopicArn: string;
  Subject?: string | null;
  Token?: string;
}

/** One record of an SNS event. */
export interface SnsEventRecord {
  EventVersion: string;
  EventSubscriptionArn: string;
  EventSource: string;
  Sns: SnsNotification;
}

/** The event SNS invokes a subscribed function with (asynchronous invocation; one record in practice). */
export interface SnsEvent {
  Records: SnsEventRecord[];
}

/** The parts of the Lambda context object this package uses. The real context has more. */
export interface LambdaContext {
  awsRequestId: string;
  functionName: string;
  /** Milliseconds left before Lambda stops the invocation. */
  getRemainingTimeInMillis(): number;
}
