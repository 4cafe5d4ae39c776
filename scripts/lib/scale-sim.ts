/**
 * A small discrete-time model of the deployment (infra/): an SQS queue of S3 objects, Fargate
 * tasks that each hold up to `window` messages and share their CPU among them, and the target
 * tracking policy on backlog per task (one-minute metrics, alarms over consecutive datapoints,
 * cooldowns, task start-up time). OpenSearch is assumed to keep up: only the workers are modelled.
 */

/** How messages arrive: `rate(t)` objects per second at second t, each of `recordsPerObject` records. */
export interface Workload {
  readonly name: string;
  readonly recordsPerObject: number;
  /** Objects enqueued during second t. */
  readonly arrivals: (t: number) => number;
  /** Simulated seconds (the run also ends once everything arrived has been indexed). */
  readonly horizonSeconds: number;
}

export interface Policy {
  /** Visible messages per running task the policy aims for. */
  readonly target: number;
  readonly minTasks: number;
  readonly maxTasks: number;
  readonly scaleOutCooldownS: number;
  readonly scaleInCooldownS: number;
  /** Datapoints above target before scale-out, below 90 % of it before scale-in (AWS's alarms: 3 and 15). */
  readonly outDatapoints: number;
  readonly inDatapoints: number;
  /** Seconds from a task's launch to its first poll (image pull, start). */
  readonly taskStartS: number;
}

export interface TaskModel {
  /** Records per second one task indexes: the benchmark's figure per vCPU × vCPUs per task. */
  readonly recordsPerSecond: number;
  readonly vcpu: number;
  /** Messages a task holds at once (WORKER_POLLERS × SQS_BATCH_SIZE). */
  readonly window: number;
  /** SHUTDOWN_GRACE_SECONDS: a task stopped by scale-in finishes what it can in this time. */
  readonly graceS: number;
}

export interface SimResult {
  readonly objects: number;
  /** Seconds from enqueue to indexed: the lag a user sees. */
  readonly meanLagS: number;
  readonly p99LagS: number;
  readonly maxLagS: number;
  readonly peakTasks: number;
  readonly vcpuHours: number;
  /** Second at which the last object was indexed. */
  readonly drainedAtS: number;
}

interface Message { readonly enqueuedAt: number; left: number }
interface Task { readyAt: number; stopAt?: number; readonly held: Message[] }

const SECONDS_PER_DATAPOINT = 60;

/** Runs one workload under one policy, second by second. */
export function simulate(workload: Workload, policy: Policy, task: TaskModel): SimResult {
  const visible: Message[] = [];
  let head = 0; // visible[head..] are waiting: a queue without O(n) shifts
  let tasks: Task[] = Array.from({ length: policy.minTasks }, () => ({ readyAt: 0, held: [] }));
  const lags: number[] = [];
  const datapoints: number[] = [];
  let arrived = 0;
  let carry = 0;
  let lastOut = -Infinity;
  let lastIn = -Infinity;
  let peak = tasks.length;
  let taskSeconds = 0;
  let t = 0;
  for (; t < workload.horizonSeconds || lags.length < arrived; t++) {
    carry += workload.arrivals(t);
    for (; carry >= 1; carry--, arrived++) visible.push({ enqueuedAt: t, left: workload.recordsPerObject });
    for (const w of tasks) {
      if (w.readyAt > t) continue;
      // Long polling: a running task fills its window at once; a stopping one takes nothing.
      while (w.stopAt === undefined && w.held.length < task.window && head < visible.length) w.held.push(visible[head++] as Message);
      work(w, task.recordsPerSecond, t, lags);
    }
    // Scale-in's stopping tasks hand back what is unfinished after the grace period (from the start).
    tasks = tasks.filter((w) => {
      if (w.stopAt === undefined || t < w.stopAt + task.graceS) return true;
      for (const m of w.held) visible.push({ enqueuedAt: m.enqueuedAt, left: workload.recordsPerObject });
      return false;
    });
    taskSeconds += tasks.length;
    if (head > 100_000) {
      visible.splice(0, head);
      head = 0;
    }
    if (t % SECONDS_PER_DATAPOINT === SECONDS_PER_DATAPOINT - 1) {
      const running = tasks.filter((w) => w.readyAt <= t && w.stopAt === undefined).length;
      datapoints.push((visible.length - head) / Math.max(running, 1));
      const desired = decide(datapoints, policy, tasks.filter((w) => w.stopAt === undefined).length, t, { lastOut, lastIn });
      if (desired.out !== undefined) {
        for (let i = 0; i < desired.out; i++) tasks.push({ readyAt: t + policy.taskStartS, held: [] });
        lastOut = t;
      }
      if (desired.in !== undefined) {
        // Stop the tasks holding the least work.
        const active = tasks.filter((w) => w.stopAt === undefined).sort((a, b) => a.held.length - b.held.length);
        for (const w of active.slice(0, desired.in)) w.stopAt = t;
        lastIn = t;
      }
      peak = Math.max(peak, tasks.length);
    }
    if (t > 400 * 24 * 3600) throw new Error(`${workload.name}: not drained after 400 days`);
  }
  lags.sort((a, b) => a - b);
  const mean = lags.reduce((s, x) => s + x, 0) / Math.max(lags.length, 1);
  return {
    objects: lags.length, meanLagS: mean, p99LagS: lags[Math.floor(lags.length * 0.99)] ?? 0, maxLagS: lags[lags.length - 1] ?? 0,
    peakTasks: peak, vcpuHours: (taskSeconds * task.vcpu) / 3600, drainedAtS: t,
  };
}

/** One second of a task's CPU, shared equally among the messages it holds. */
function work(w: Task, recordsPerSecond: number, t: number, lags: number[]): void {
  let budget = recordsPerSecond;
  while (budget > 1e-9 && w.held.length > 0) {
    const share = budget / w.held.length;
    const smallest = Math.min(...w.held.map((m) => m.left));
    const step = Math.min(share, smallest);
    for (const m of w.held) m.left -= step;
    budget -= step * w.held.length;
    for (let i = w.held.length - 1; i >= 0; i--) {
      if ((w.held[i] as Message).left <= 1e-9) {
        lags.push(t + 1 - (w.held[i] as Message).enqueuedAt);
        w.held.splice(i, 1);
      }
    }
  }
}

/**
 * Target tracking as Application Auto Scaling does it: capacity proportional to metric / target,
 * out after `outDatapoints` datapoints above target, in after `inDatapoints` below 90 % of it,
 * each direction after its cooldown.
 */
export function decide(datapoints: readonly number[], policy: Policy, current: number, t: number, last: { lastOut: number; lastIn: number }): { out?: number; in?: number } {
  const recent = (n: number) => (datapoints.length >= n ? datapoints.slice(-n) : undefined);
  const metric = datapoints[datapoints.length - 1] ?? 0;
  const wanted = Math.min(policy.maxTasks, Math.max(policy.minTasks, Math.ceil((current * metric) / policy.target)));
  const high = recent(policy.outDatapoints);
  if (high?.every((d) => d > policy.target) && wanted > current && t - last.lastOut >= policy.scaleOutCooldownS) return { out: wanted - current };
  const low = recent(policy.inDatapoints);
  if (low?.every((d) => d < 0.9 * policy.target) && wanted < current && t - last.lastIn >= policy.scaleInCooldownS && t - last.lastOut >= policy.scaleOutCooldownS) {
    return { in: current - wanted };
  }
  return {};
}
