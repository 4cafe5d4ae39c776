import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';

/** A value per bucket, with an optional one for every other bucket (`*`, or a value given alone). */
export interface PerBucket {
  readonly fallback?: string;
  readonly buckets: Readonly<Record<string, string>>;
}

/** The value for `bucket`: its own, else the fallback. */
export function valueFor(map: PerBucket | undefined, bucket: string): string | undefined {
  return map === undefined ? undefined : (Object.hasOwn(map.buckets, bucket) ? map.buckets[bucket] : map.fallback);
}

/** How the worker reaches each bucket (S3_EXPECTED_BUCKET_OWNER, S3_ROLE_ARN). */
export interface BucketAccess {
  /** Account id that must own the bucket: sent as ExpectedBucketOwner on every request. */
  readonly owners?: PerBucket;
  /** Role to assume for the bucket (a log-archive account's reader role). */
  readonly roles?: PerBucket;
}

type Sendable = Parameters<S3Client['send']>[0];
/** Middleware for a client's stack, as the SDK types it. */
export type S3Pluggable = Parameters<S3Client['middlewareStack']['use']>[0];
type SendOptions = Parameters<S3Client['send']>[1];

/**
 * An S3 client that sends each request as its bucket needs: with the role assumed for it (STS
 * credentials cached by the SDK and refreshed before they expire, one session per role and
 * region), in the bucket's own region (as an S3 event's `awsRegion` said, else found by the
 * SDK's region redirects), and with `ExpectedBucketOwner`, so a bucket deleted and re-created
 * under the same name by another account is refused by S3 itself (403) instead of feeding us.
 * The rest of the code keeps using it as one S3Client.
 */
export class BucketRoutedS3 extends S3Client {
  private readonly clients = new Map<string, S3Client>();
  private readonly regions = new Map<string, string>();
  private readonly everywhere: S3Pluggable[] = [];

  constructor(
    private readonly base: S3ClientConfig & { region: string },
    private readonly access: BucketAccess,
  ) {
    super({ ...base, followRegionRedirects: true });
    // send's overloads cannot be overridden as a method; the instance property takes its place.
    this.send = ((command: Sendable, options?: SendOptions) => this.route(command, options)) as S3Client['send'];
  }

  /**
   * Adds middleware to every client that sends for this one, those made later included (the
   * per-bucket clients do not share this client's own middleware stack).
   */
  useEverywhere(pluggable: S3Pluggable): void {
    this.everywhere.push(pluggable);
    this.middlewareStack.use(pluggable);
    for (const client of this.clients.values()) client.middlewareStack.use(pluggable);
  }

  /** Remembers the region an event gave for a bucket (S3 events carry `awsRegion`). */
  noteRegion(bucket: string, region: string | undefined): void {
    if (region) this.regions.set(bucket, region);
  }

  private route(command: Sendable, options?: SendOptions): Promise<unknown> {
    const input = command.input as { Bucket?: string; ExpectedBucketOwner?: string };
    const bucket = input.Bucket;
    if (bucket === undefined) return super.send(command, options);
    const owner = valueFor(this.access.owners, bucket);
    if (owner !== undefined) input.ExpectedBucketOwner ??= owner;
    return this.clientFor(bucket).send(command, options);
  }

  private clientFor(bucket: string): S3Client {
    const region = this.regions.get(bucket) ?? this.base.region;
    const role = valueFor(this.access.roles, bucket);
    const id = `${role ?? ''}\u0000${region}`;
    let client = this.clients.get(id);
    if (client === undefined) {
      const credentials = role === undefined ? {} : {
        credentials: fromTemporaryCredentials({
          params: { RoleArn: role, RoleSessionName: 'aws-log-indexer', DurationSeconds: 3600 },
          clientConfig: { region, ...(this.base.endpoint ? { endpoint: this.base.endpoint } : {}) },
        }),
      };
      client = new S3Client({ ...this.base, region, followRegionRedirects: true, ...credentials });
      for (const pluggable of this.everywhere) client.middlewareStack.use(pluggable);
      this.clients.set(id, client);
    }
    return client;
  }
}
