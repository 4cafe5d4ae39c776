/**
 * The VPC / Transit Gateway flow-log field catalogue: the single source the parser, the
 * OpenSearch index template and the README field table derive from.
 *
 * Source of truth: the AWS VPC user guide ("flow-log-records"). Transit Gateway fields come from the AWS Transit Gateway guide
 * ("Transit Gateway Flow Log records"), as recalled, not re-checked against the page.
 */

/** What a field holds, i.e. how it is parsed and indexed. */
export const FieldType = {
  /** 32-bit integer (ports, protocol, flags): OpenSearch `integer`. */
  int: 'int',
  /** 64-bit counter (packets, bytes): OpenSearch `long`. */
  long: 'long',
  /** IPv4 or IPv6 address: OpenSearch `ip`. */
  ip: 'ip',
  /** Opaque string (ids, enums, ARNs): OpenSearch `keyword`. */
  keyword: 'keyword',
  /** Unix seconds: kept as a number in the document, mapped as a date. */
  epochSeconds: 'epoch_seconds',
} as const;
export type FieldType = (typeof FieldType)[keyof typeof FieldType];

/** One catalogue entry. */
export interface FieldSpec {
  readonly type: FieldType;
  /** Flow-log version that introduced the field (a format's version is the highest of its fields). */
  readonly version: number;
  readonly description: string;
}

const { int, long, ip, keyword, epochSeconds } = FieldType;

/**
 * Every known field, keyed by the AWS name exactly as headers and format strings spell it.
 * Unknown names are still accepted by the parser (as keywords): AWS keeps adding fields.
 */
export const FIELDS = {
  // v2: the default format, in default order.
  version: { type: int, version: 2, description: 'Flow log version (highest version among the chosen fields)' },
  'account-id': { type: keyword, version: 2, description: 'Account owning the interface; `unknown` for ENIs of AWS services' },
  'interface-id': { type: keyword, version: 2, description: 'Network interface id (eni-…)' },
  srcaddr: { type: ip, version: 2, description: 'Source address (IPv4 or IPv6)' },
  dstaddr: { type: ip, version: 2, description: 'Destination address (IPv4 or IPv6)' },
  srcport: { type: int, version: 2, description: 'Source port (0 for ICMP)' },
  dstport: { type: int, version: 2, description: 'Destination port (0 for ICMP)' },
  protocol: { type: int, version: 2, description: 'IANA protocol number (6 tcp, 17 udp, 1 icmp, 58 ipv6-icmp)' },
  packets: { type: long, version: 2, description: 'Packets in the aggregation window' },
  bytes: { type: long, version: 2, description: 'Bytes in the aggregation window' },
  start: { type: epochSeconds, version: 2, description: 'Window start (first packet), Unix seconds' },
  end: { type: epochSeconds, version: 2, description: 'Window end (last packet), Unix seconds' },
  action: { type: keyword, version: 2, description: 'ACCEPT or REJECT' },
  'log-status': { type: keyword, version: 2, description: 'OK, NODATA (no traffic) or SKIPDATA (records skipped)' },
  // v3
  'vpc-id': { type: keyword, version: 3, description: 'VPC of the interface' },
  'subnet-id': { type: keyword, version: 3, description: 'Subnet of the interface' },
  'instance-id': { type: keyword, version: 3, description: 'Instance of the interface; absent for requester-managed ENIs' },
  'tcp-flags': { type: int, version: 3, description: 'TCP flags OR-ed over the window (FIN 1, SYN 2, RST 4, SYN-ACK 18)' },
  type: { type: keyword, version: 3, description: 'Traffic type: IPv4, IPv6 or EFA' },
  'pkt-srcaddr': { type: ip, version: 3, description: 'Packet-level source address' },
  'pkt-dstaddr': { type: ip, version: 3, description: 'Packet-level destination address' },
  // v4
  region: { type: keyword, version: 4, description: 'Region of the interface' },
  'az-id': { type: keyword, version: 4, description: 'Availability Zone id; absent for sublocations' },
  'sublocation-type': { type: keyword, version: 4, description: 'wavelength, outpost or localzone' },
  'sublocation-id': { type: keyword, version: 4, description: 'Id of the sublocation' },
  // v5
  'pkt-src-aws-service': { type: keyword, version: 5, description: 'AWS service of pkt-srcaddr (S3, EC2, …)' },
  'pkt-dst-aws-service': { type: keyword, version: 5, description: 'AWS service of pkt-dstaddr (S3, EC2, …)' },
  'flow-direction': { type: keyword, version: 5, description: 'ingress or egress, relative to the interface' },
  'traffic-path': { type: int, version: 5, description: 'Egress path: 1 same VPC … 8 internet gateway (Nitro)' },
  // v6: Transit Gateway flow logs (from the AWS Transit Gateway guide, not the VPC reference).
  'resource-type': { type: keyword, version: 6, description: 'TransitGateway or TransitGatewayAttachment' },
  'tgw-id': { type: keyword, version: 6, description: 'Transit gateway id' },
  'tgw-attachment-id': { type: keyword, version: 6, description: 'Transit gateway attachment id' },
  'tgw-src-vpc-account-id': { type: keyword, version: 6, description: 'Account of the source VPC' },
  'tgw-dst-vpc-account-id': { type: keyword, version: 6, description: 'Account of the destination VPC' },
  'tgw-src-vpc-id': { type: keyword, version: 6, description: 'Source VPC id' },
  'tgw-dst-vpc-id': { type: keyword, version: 6, description: 'Destination VPC id' },
  'tgw-src-subnet-id': { type: keyword, version: 6, description: 'Source subnet id' },
  'tgw-dst-subnet-id': { type: keyword, version: 6, description: 'Destination subnet id' },
  'tgw-src-eni': { type: keyword, version: 6, description: 'Source attachment ENI' },
  'tgw-dst-eni': { type: keyword, version: 6, description: 'Destination attachment ENI' },
  'tgw-src-az-id': { type: keyword, version: 6, description: 'Source Availability Zone id' },
  'tgw-dst-az-id': { type: keyword, version: 6, description: 'Destination Availability Zone id' },
  'tgw-pair-attachment-id': { type: keyword, version: 6, description: 'The other attachment of the flow' },
  'packets-lost-no-route': { type: long, version: 6, description: 'Packets dropped: no route' },
  'packets-lost-blackhole': { type: long, version: 6, description: 'Packets dropped: blackhole route' },
  'packets-lost-mtu-exceeded': { type: long, version: 6, description: 'Packets dropped: MTU exceeded' },
  'packets-lost-ttl-expired': { type: long, version: 6, description: 'Packets dropped: TTL expired' },
  // v7: ECS (container-instance fields are absent on Fargate).
  'ecs-cluster-arn': { type: keyword, version: 7, description: 'ECS cluster ARN' },
  'ecs-cluster-name': { type: keyword, version: 7, description: 'ECS cluster name' },
  'ecs-container-instance-arn': { type: keyword, version: 7, description: 'ECS container instance ARN' },
  'ecs-container-instance-id': { type: keyword, version: 7, description: 'ECS container instance id' },
  'ecs-container-id': { type: keyword, version: 7, description: 'Docker id of the first container of the task' },
  'ecs-second-container-id': { type: keyword, version: 7, description: 'Docker id of the second container' },
  'ecs-service-name': { type: keyword, version: 7, description: 'ECS service name' },
  'ecs-task-definition-arn': { type: keyword, version: 7, description: 'ECS task definition ARN' },
  'ecs-task-arn': { type: keyword, version: 7, description: 'ECS task ARN' },
  'ecs-task-id': { type: keyword, version: 7, description: 'ECS task id' },
  // v8 (label from a third party, unconfirmed in AWS text).
  'reject-reason': { type: keyword, version: 8, description: 'Why traffic was rejected (BPA: VPC Block Public Access)' },
  // Version unconfirmed in AWS text: 8 is a lower bound (both appeared after reject-reason).
  'resource-id': { type: keyword, version: 8, description: 'Id of the resource the flow was recorded for' },
  'encryption-status': { type: int, version: 8, description: '0 clear, 1 Nitro-encrypted, 2 application-encrypted, 3 both' },
} as const satisfies Record<string, FieldSpec>;

/** A field name the catalogue knows. */
export type KnownField = keyof typeof FIELDS;

/** The default format's fields (the 14 v2 fields), in AWS's order. */
export const DEFAULT_FORMAT_FIELDS = [
  'version', 'account-id', 'interface-id', 'srcaddr', 'dstaddr', 'srcport', 'dstport',
  'protocol', 'packets', 'bytes', 'start', 'end', 'action', 'log-status',
] as const satisfies readonly KnownField[];

/** The default format as AWS writes it (`${version} ${account-id} …`). */
export const DEFAULT_FORMAT_STRING = DEFAULT_FORMAT_FIELDS.map((f) => `\${${f}}`).join(' ');

/** The catalogue entry for a name, or undefined for a field AWS added after this list. */
export function fieldSpec(name: string): FieldSpec | undefined {
  // hasOwn, not `in`: a header token like `constructor` must not hit Object.prototype.
  return Object.hasOwn(FIELDS, name) ? FIELDS[name as KnownField] : undefined;
}

/** An OpenSearch field mapping. */
export type FieldMapping =
  | { readonly type: 'integer' | 'long' | 'ip' | 'keyword' }
  | { readonly type: 'date'; readonly format: 'epoch_second' };

/** The OpenSearch mapping for a field type. */
export function fieldMapping(type: FieldType): FieldMapping {
  switch (type) {
    case 'int': return { type: 'integer' };
    case 'long': return { type: 'long' };
    case 'ip': return { type: 'ip' };
    case 'keyword': return { type: 'keyword' };
    // The document keeps the number; OpenSearch reads it as a date, so range queries work on it.
    case 'epoch_seconds': return { type: 'date', format: 'epoch_second' };
  }
}
