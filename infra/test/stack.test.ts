import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { LogIndexerStack, SHUTDOWN_GRACE_SECONDS, STOP_TIMEOUT_SECONDS, TASK_CPU, TASK_MEMORY_MIB, type LogIndexerProps } from '../lib/log-indexer-stack.js';

const outdirs: string[] = [];
after(() => outdirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const DOMAIN_ARN = 'arn:aws:es:eu-west-1:123456789012:domain/logs';

function synth(props: Partial<LogIndexerProps> = {}): Template {
  const outdir = mkdtempSync(join(tmpdir(), 'cdk-'));
  outdirs.push(outdir);
  const app = new App({ outdir });
  const stack = new LogIndexerStack(app, 'Test', {
    imageDirectory: fileURLToPath(new URL('../../', import.meta.url)),
    logBucketName: 'org-flow-logs', logPrefixes: ['AWSLogs/111122223333/vpcflowlogs/'],
    opensearch: { auth: 'sigv4', domainArn: DOMAIN_ARN }, ...props,
  });
  return Template.fromStack(stack);
}

/** Every statement of every IAM policy in the template. */
function statements(template: Template): { Action: string | string[]; Resource: unknown; Sid?: string }[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => (p as { Properties: { PolicyDocument: { Statement: [] } } }).Properties.PolicyDocument.Statement);
}
const actions = (s: { Action: string | string[] }) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

describe('the CDK app (synthesised offline)', () => {
  const template = synth();

  it('creates the topic, the queue with its DLQ and redrive, the subscription and the notification on the existing bucket', () => {
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.resourceCountIs('AWS::SQS::Queue', 2);
    template.hasResourceProperties('AWS::SQS::Queue', { RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: 5 }, VisibilityTimeout: 300 });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'sqs' });
    template.resourceCountIs('AWS::S3::Bucket', 0);
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: 'org-flow-logs',
      NotificationConfiguration: { TopicConfigurations: [Match.objectLike({ Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'AWSLogs/111122223333/vpcflowlogs/' }] } } })] },
    });
  });

  it('runs the image on Fargate, sized from the benchmark, stopping later than the worker\'s grace period', () => {
    assert.ok(STOP_TIMEOUT_SECONDS > SHUTDOWN_GRACE_SECONDS && STOP_TIMEOUT_SECONDS <= 120);
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Cpu: String(TASK_CPU), Memory: String(TASK_MEMORY_MIB), RequiresCompatibilities: ['FARGATE'],
      RuntimePlatform: { CpuArchitecture: 'X86_64' },
      ContainerDefinitions: [Match.objectLike({
        Command: ['worker'], StopTimeout: STOP_TIMEOUT_SECONDS,
        HealthCheck: Match.objectLike({ Command: Match.arrayWith([Match.stringLikeRegexp('/healthz')]) }),
        Environment: Match.arrayWith([
          { Name: 'SHUTDOWN_GRACE_SECONDS', Value: String(SHUTDOWN_GRACE_SECONDS) },
          // One vCPU: the worker parses on its main thread, whatever CPUs the task's machine shows.
          { Name: 'PARSE_THREADS', Value: '0' },
          { Name: 'OPENSEARCH_AUTH', Value: 'sigv4' },
        ]),
        LogConfiguration: Match.objectLike({ LogDriver: 'awslogs' }),
      })],
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    template.hasResourceProperties('AWS::ECS::Cluster', { ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }] });
  });

  it('grants the task role least privilege: no wildcard action, objects under the allowed prefixes only', () => {
    const all = statements(template);
    for (const s of all) for (const action of actions(s)) assert.ok(!/^(s3|sqs|es|aoss):.*\*/.test(action) && action !== '*', `wildcard action ${action}`);
    const read = all.find((s) => s.Sid === 'ReadLogObjects');
    assert.deepEqual(actions(read!), ['s3:GetObject']);
    assert.deepEqual(read!.Resource, { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::org-flow-logs/AWSLogs/111122223333/vpcflowlogs/*']] });
    const consume = all.find((s) => s.Sid === 'ConsumeQueue');
    assert.deepEqual(actions(consume!).sort(), ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage']);
    assert.match(JSON.stringify(consume!.Resource), /^\{"Fn::GetAtt":\["Queue[0-9A-F]+","Arn"\]\}$/, 'this queue only, not its DLQ');
    const write = all.find((s) => s.Sid === 'WriteOpenSearch');
    assert.deepEqual(actions(write!).sort(), ['es:ESHttpGet', 'es:ESHttpPost', 'es:ESHttpPut']);
    assert.deepEqual(write!.Resource, [DOMAIN_ARN, `${DOMAIN_ARN}/*`]);
  });

  it('scales on backlog per task by metric math (visible messages / running tasks), between parameters', () => {
    template.hasParameter('MinTasks', { Type: 'Number', MinValue: 1 });
    template.hasParameter('MaxTasks', { Type: 'Number' });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: { Ref: 'MinTasks' }, MaxCapacity: { Ref: 'MaxTasks' }, ScalableDimension: 'ecs:service:DesiredCount', ServiceNamespace: 'ecs',
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: {
        TargetValue: { Ref: 'BacklogPerTaskTarget' }, ScaleOutCooldown: 60, ScaleInCooldown: 300,
        CustomizedMetricSpecification: {
          Metrics: [
            Match.objectLike({ Id: 'm1', ReturnData: false, MetricStat: Match.objectLike({ Stat: 'Sum', Metric: Match.objectLike({ Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible' }) }) }),
            Match.objectLike({ Id: 'm2', ReturnData: false, MetricStat: Match.objectLike({ Metric: Match.objectLike({ Namespace: 'ECS/ContainerInsights', MetricName: 'RunningTaskCount' }) }) }),
            { Id: 'e1', Label: 'backlog per task', Expression: 'm1 / m2', ReturnData: true },
          ],
        },
      },
    });
  });

  it('stages the image\'s folder as .dockerignore says (sources, no node_modules), building nothing', () => {
    const outdir = outdirs[0] as string;
    const staged = readdirSync(outdir).filter((name) => name.startsWith('asset.')).map((name) => join(outdir, name)).filter((dir) => existsSync(join(dir, 'Dockerfile')));
    assert.equal(staged.length, 1);
    const files = readdirSync(staged[0] as string).sort();
    assert.deepEqual(files, ['.dockerignore', 'Dockerfile', 'bin', 'dashboards', 'package-lock.json', 'package.json', 'src', 'tsconfig.build.json', 'tsconfig.json', 'types']);
  });

  it('alarms when the DLQ is not empty and when the oldest message is too old', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateAgeOfOldestMessage', Threshold: { Ref: 'OldestMessageAlarmSeconds' } });
  });
});

describe('the CDK app\'s options', () => {
  it('basic auth: credentials come from Secrets Manager, never the template, and the role gets no OpenSearch action', () => {
    const template = synth({ opensearch: { auth: 'basic' } });
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({ Secrets: [Match.objectLike({ Name: 'OPENSEARCH_USERNAME' }), Match.objectLike({ Name: 'OPENSEARCH_PASSWORD' })] })],
    });
    assert.ok(!JSON.stringify(template.toJSON()).includes('"OPENSEARCH_PASSWORD","Value":'), 'no password in the environment');
    assert.ok(statements(template).every((s) => actions(s).every((a) => !a.startsWith('es:'))));
  });

  it('Serverless: aoss:APIAccessAll on the collection only; Graviton; a new bucket', () => {
    const collectionArn = 'arn:aws:aoss:eu-west-1:123456789012:collection/abc';
    const template = synth({ opensearch: { auth: 'aoss', collectionArn }, arm64: true, logBucketName: undefined });
    const use = statements(template).find((s) => s.Sid === 'UseCollection');
    assert.deepEqual(use?.Resource, collectionArn);
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { RuntimePlatform: { CpuArchitecture: 'ARM64' } });
    template.resourceCountIs('AWS::S3::Bucket', 1);
  });

  it('a small new domain on request', () => {
    const template = synth({ opensearch: { auth: 'sigv4', newDomain: true } });
    template.hasResourceProperties('AWS::OpenSearchService::Domain', { EngineVersion: 'OpenSearch_2.19', ClusterConfig: Match.objectLike({ InstanceCount: 1 }) });
  });
});
