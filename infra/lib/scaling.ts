import { Duration, aws_applicationautoscaling as appscaling, type aws_ecs as ecs, type aws_sqs as sqs } from 'aws-cdk-lib';
import { Construct } from 'constructs';

export interface BacklogScalingProps {
  readonly service: ecs.FargateService;
  readonly cluster: ecs.ICluster;
  readonly queue: sqs.IQueue;
  /** Task count bounds (CloudFormation parameters, hence numbers that may be tokens). */
  readonly minTasks: number;
  readonly maxTasks: number;
  /** Visible messages each task should have waiting: the target of the tracking policy. */
  readonly backlogPerTask: number;
  /** Scale-out reacts at once; scale-in waits, so that a burst's tail is not cut short. */
  readonly scaleOutCooldown?: Duration;
  readonly scaleInCooldown?: Duration;
}

/**
 * Target tracking on backlog per task, as AWS recommends for queue workers:
 * `ApproximateNumberOfMessagesVisible / RunningTaskCount` by metric math. CDK's
 * `scaleToTrackCustomMetric` takes one metric only, so this is the L1 policy with a customised
 * metric specification. RunningTaskCount comes from Container Insights (enabled on the cluster);
 * the minimum stays at least 1, so the divisor is never 0.
 */
export class BacklogScaling extends Construct {
  readonly target: appscaling.CfnScalableTarget;
  readonly policy: appscaling.CfnScalingPolicy;

  constructor(scope: Construct, id: string, props: BacklogScalingProps) {
    super(scope, id);
    const { service, cluster, queue } = props;
    this.target = new appscaling.CfnScalableTarget(this, 'Target', {
      serviceNamespace: 'ecs',
      scalableDimension: 'ecs:service:DesiredCount',
      resourceId: `service/${cluster.clusterName}/${service.serviceName}`,
      minCapacity: props.minTasks,
      maxCapacity: props.maxTasks,
    });
    this.policy = new appscaling.CfnScalingPolicy(this, 'BacklogPerTask', {
      policyName: 'backlog-per-task',
      policyType: 'TargetTrackingScaling',
      scalingTargetId: this.target.ref,
      targetTrackingScalingPolicyConfiguration: {
        targetValue: props.backlogPerTask,
        scaleOutCooldown: (props.scaleOutCooldown ?? Duration.seconds(60)).toSeconds(),
        scaleInCooldown: (props.scaleInCooldown ?? Duration.seconds(300)).toSeconds(),
        customizedMetricSpecification: {
          metrics: [
            {
              id: 'm1', label: 'visible messages', returnData: false,
              metricStat: {
                stat: 'Sum',
                metric: { namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesVisible', dimensions: [{ name: 'QueueName', value: queue.queueName }] },
              },
            },
            {
              id: 'm2', label: 'running tasks', returnData: false,
              metricStat: {
                stat: 'Average',
                metric: {
                  namespace: 'ECS/ContainerInsights', metricName: 'RunningTaskCount',
                  dimensions: [{ name: 'ClusterName', value: cluster.clusterName }, { name: 'ServiceName', value: service.serviceName }],
                },
              },
            },
            { id: 'e1', label: 'backlog per task', expression: 'm1 / m2', returnData: true },
          ],
        },
      },
    });
  }
}
