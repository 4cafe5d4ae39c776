import {
  CfnOutput, CfnParameter, Duration, RemovalPolicy, Stack, type StackProps,
  aws_cloudwatch as cloudwatch, aws_ec2 as ec2, aws_ecr_assets as assets, aws_ecs as ecs, aws_logs as logs,
  aws_opensearchservice as opensearch, aws_s3 as s3, aws_s3_notifications as s3n, aws_secretsmanager as secrets,
  aws_sns as sns, aws_sns_subscriptions as subs, aws_sqs as sqs,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { workerStatements, type OpenSearchAccess } from './access.js';
import { BacklogScaling } from './scaling.js';

/**
 * Task size from BENCHMARKS.md: one Node process parses on one core (≈57k records/s per vCPU on
 * the object path) and peaks near 300 MiB per object; 2 GiB leaves room for the messages a task
 * holds at once (WORKER_POLLERS × SQS_BATCH_SIZE) and the bulk bodies in flight.
 */
export const TASK_CPU = 1024;
export const TASK_MEMORY_MIB = 2048;
/**
 * PARSE_THREADS for the task's vCPUs, as the worker's own default chooses for a machine of that
 * many cores (one thread per vCPU, none on one): set outright, since the worker's default counts
 * the CPUs it sees (`os.availableParallelism()`), which need not be the task's CPU units.
 */
export const TASK_PARSE_THREADS = TASK_CPU / 1024 > 1 ? Math.floor(TASK_CPU / 1024) : 0;
/** The worker's SHUTDOWN_GRACE_SECONDS; ECS waits longer before SIGKILL (Fargate allows 120 s). */
export const SHUTDOWN_GRACE_SECONDS = 30;
export const STOP_TIMEOUT_SECONDS = 60;
/** SQS_VISIBILITY_TIMEOUT, and the receives before a message goes to the DLQ (as `setup` does). */
const VISIBILITY_TIMEOUT_SECONDS = 300;
const MAX_RECEIVE_COUNT = 5;
const HEALTH_PORT = 9464;
/** The target chosen from the simulation (README, "Scale on paper"). */
export const DEFAULT_BACKLOG_PER_TASK = 20;

export interface LogIndexerProps extends StackProps {
  /** The folder with the Dockerfile (the repository root). */
  readonly imageDirectory: string;
  /** An existing log bucket by name (the common case); absent: a new bucket. */
  readonly logBucketName?: string;
  /** Key prefixes the workers may read and the notification announces. */
  readonly logPrefixes?: readonly string[];
  /** Graviton (linux/arm64) tasks. */
  readonly arm64?: boolean;
  /** sigv4 on an existing domain (ARN), a new small domain (`newDomain`), Serverless (`aoss`), or basic auth. */
  readonly opensearch: { readonly auth: 'basic'; readonly secretArn?: string } | { readonly auth: 'sigv4'; readonly domainArn?: string; readonly newDomain?: boolean } | { readonly auth: 'aoss'; readonly collectionArn: string };
}

/** SNS → SQS (+DLQ) → Fargate workers → OpenSearch, scaled on backlog per task, with alarms. */
export class LogIndexerStack extends Stack {
  constructor(scope: Construct, id: string, props: LogIndexerProps) {
    super(scope, id, props);
    const prefixes = props.logPrefixes ?? ['AWSLogs/'];
    const param = (name: string, p: { type: string; default: string | number; description: string; minValue?: number }) =>
      new CfnParameter(this, name, p);
    const minTasks = param('MinTasks', { type: 'Number', default: 1, minValue: 1, description: 'fewest worker tasks (at least 1: backlog per task divides by the running count)' });
    const maxTasks = param('MaxTasks', { type: 'Number', default: 50, minValue: 1, description: 'most worker tasks' });
    const target = param('BacklogPerTaskTarget', { type: 'Number', default: DEFAULT_BACKLOG_PER_TASK, minValue: 1, description: 'visible messages per running task that scaling aims for' });
    const oldestAlarm = param('OldestMessageAlarmSeconds', { type: 'Number', default: 900, minValue: 60, description: 'alarm when the oldest message is older than this (the lag)' });

    const bucket = props.logBucketName
      ? s3.Bucket.fromBucketName(this, 'LogBucket', props.logBucketName)
      : new s3.Bucket(this, 'LogBucket', { encryption: s3.BucketEncryption.S3_MANAGED, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL, enforceSSL: true, removalPolicy: RemovalPolicy.RETAIN });
    const dlq = new sqs.Queue(this, 'DeadLetterQueue', { retentionPeriod: Duration.days(14), enforceSSL: true });
    const queue = new sqs.Queue(this, 'Queue', {
      visibilityTimeout: Duration.seconds(VISIBILITY_TIMEOUT_SECONDS), retentionPeriod: Duration.days(14), enforceSSL: true,
      deadLetterQueue: { queue: dlq, maxReceiveCount: MAX_RECEIVE_COUNT },
    });
    const topic = new sns.Topic(this, 'ObjectsTopic', { enforceSSL: true });
    topic.addSubscription(new subs.SqsSubscription(queue));
    for (const prefix of prefixes) bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SnsDestination(topic), { prefix });

    const { access, url, env, secretsForTask } = this.opensearchFor(props.opensearch);
    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2, natGateways: 1,
      // S3 reads skip the NAT gateway (and its per-GB charge): the bulk of the traffic.
      gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
    });
    const cluster = new ecs.Cluster(this, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
    const arm64 = props.arm64 ?? false;
    const task = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: TASK_CPU, memoryLimitMiB: TASK_MEMORY_MIB,
      runtimePlatform: { cpuArchitecture: arm64 ? ecs.CpuArchitecture.ARM64 : ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });
    for (const statement of workerStatements(bucket.bucketName, prefixes, queue, access)) task.addToTaskRolePolicy(statement);
    const logGroup = new logs.LogGroup(this, 'WorkerLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    task.addContainer('worker', {
      image: ecs.ContainerImage.fromAsset(props.imageDirectory, { platform: arm64 ? assets.Platform.LINUX_ARM64 : assets.Platform.LINUX_AMD64 }),
      command: ['worker'],
      environment: {
        QUEUE_URL: queue.queueUrl, ALLOWED_BUCKETS: bucket.bucketName, OPENSEARCH_URL: url, AWS_REGION: this.region,
        HEALTH_HOST: '0.0.0.0', HEALTH_PORT: String(HEALTH_PORT), SHUTDOWN_GRACE_SECONDS: String(SHUTDOWN_GRACE_SECONDS),
        SQS_VISIBILITY_TIMEOUT: String(VISIBILITY_TIMEOUT_SECONDS), PARSE_THREADS: String(TASK_PARSE_THREADS), LOG_LEVEL: 'info', ...env,
      },
      secrets: secretsForTask,
      stopTimeout: Duration.seconds(STOP_TIMEOUT_SECONDS),
      portMappings: [{ containerPort: HEALTH_PORT }],
      healthCheck: {
        command: ['CMD', 'node', '-e', `fetch('http://127.0.0.1:${HEALTH_PORT}/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`],
        interval: Duration.seconds(15), timeout: Duration.seconds(5), retries: 3, startPeriod: Duration.seconds(30),
      },
      logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: 'worker' }),
    });
    const service = new ecs.FargateService(this, 'Service', {
      cluster, taskDefinition: task, desiredCount: minTasks.valueAsNumber, minHealthyPercent: 100, maxHealthyPercent: 200,
      circuitBreaker: { rollback: true },
    });
    new BacklogScaling(this, 'Scaling', { service, cluster, queue, minTasks: minTasks.valueAsNumber, maxTasks: maxTasks.valueAsNumber, backlogPerTask: target.valueAsNumber });

    new cloudwatch.Alarm(this, 'DeadLetterQueueNotEmpty', {
      alarmDescription: 'messages reached the dead-letter queue: see `aws-log-indexer redrive` and the dead-letter index',
      metric: dlq.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
      threshold: 0, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD, evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    new cloudwatch.Alarm(this, 'OldestMessageTooOld', {
      alarmDescription: 'the workers lag: the oldest message waits longer than OldestMessageAlarmSeconds',
      metric: queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1), statistic: 'Maximum' }),
      threshold: oldestAlarm.valueAsNumber, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD, evaluationPeriods: 5,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    new CfnOutput(this, 'QueueUrl', { value: queue.queueUrl });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: dlq.queueUrl });
    new CfnOutput(this, 'TopicArn', { value: topic.topicArn });
    new CfnOutput(this, 'ClusterName', { value: cluster.clusterName });
    new CfnOutput(this, 'ServiceName', { value: service.serviceName });
  }

  /** The endpoint, the task role's OpenSearch access, and the variables and secrets for the task. */
  private opensearchFor(o: LogIndexerProps['opensearch']): { access: OpenSearchAccess; url: string; env: Record<string, string>; secretsForTask: Record<string, ecs.Secret> } {
    const urlParam = () => new CfnParameter(this, 'OpenSearchUrl', { type: 'String', allowedPattern: '^https://.+', description: 'OpenSearch endpoint (https://…)' }).valueAsString;
    if (o.auth === 'basic') {
      // Secrets Manager holds {"username","password"}; ECS injects them, they never enter the template.
      const secret = o.secretArn
        ? secrets.Secret.fromSecretCompleteArn(this, 'OpenSearchCredentials', o.secretArn)
        : new secrets.Secret(this, 'OpenSearchCredentials', { generateSecretString: { secretStringTemplate: '{"username":"aws-log-indexer"}', generateStringKey: 'password', excludePunctuation: true } });
      return {
        access: { auth: 'basic' }, url: urlParam(), env: { OPENSEARCH_AUTH: 'basic' },
        secretsForTask: { OPENSEARCH_USERNAME: ecs.Secret.fromSecretsManager(secret, 'username'), OPENSEARCH_PASSWORD: ecs.Secret.fromSecretsManager(secret, 'password') },
      };
    }
    if (o.auth === 'aoss') return { access: { auth: 'aoss', collectionArn: o.collectionArn }, url: urlParam(), env: { OPENSEARCH_AUTH: 'sigv4', OPENSEARCH_SIGV4_SERVICE: 'aoss' }, secretsForTask: {} };
    if (o.newDomain) {
      const domain = new opensearch.Domain(this, 'Domain', {
        version: opensearch.EngineVersion.OPENSEARCH_2_19,
        capacity: { dataNodes: 1, dataNodeInstanceType: 't3.small.search', multiAzWithStandbyEnabled: false },
        ebs: { volumeSize: 20 }, enforceHttps: true, nodeToNodeEncryption: true, encryptionAtRest: { enabled: true },
        removalPolicy: RemovalPolicy.RETAIN,
      });
      return { access: { auth: 'sigv4', domainArn: domain.domainArn }, url: `https://${domain.domainEndpoint}`, env: { OPENSEARCH_AUTH: 'sigv4' }, secretsForTask: {} };
    }
    if (!o.domainArn) throw new Error('opensearch sigv4: give the domain ARN (context opensearchDomainArn) or newDomain=true');
    return { access: { auth: 'sigv4', domainArn: o.domainArn }, url: urlParam(), env: { OPENSEARCH_AUTH: 'sigv4' }, secretsForTask: {} };
  }
}
