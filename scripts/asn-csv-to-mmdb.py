#!/usr/bin/env python3
"""Converts ip-location-db's ASN CSV files into a MaxMind DB in the GeoLite2-ASN schema.

    asn-csv-to-mmdb.py [--only ADDR,ADDR,...] OUT.mmdb IN.csv [IN.csv ...]

Rows are `range_start,range_end,asn,organization` (inclusive ranges, IPv4 or IPv6 addresses), as
the npm package @ip-location-db/asn ships them. Each range becomes the smallest set of CIDR
blocks and is written with `{autonomous_system_number, autonomous_system_organization}`, the
keys of GeoLite2-ASN, into one IPv6 tree that holds IPv4 at ::/96 as MaxMind's own files do.

--only keeps the rows whose range holds one of the given addresses: the pure-Python writer
needs about 80 s of CPU and near 1 GB for all 515,000 rows (README, GeoIP data), while the demo
needs the ranges of a dozen addresses.
"""
import argparse
import csv
import ipaddress
import socket
import sys
import time

from mmdb_writer import MMDBWriter, MmdbU32
from netaddr import IPSet

DESCRIPTION = ('IP to ASN from @ip-location-db/asn (RouteViews, NRO, DB-IP ASN Lite; CC BY 4.0), '
               'converted by aws-log-indexer')


def address(text):
    """(IP version, integer) of an address: socket's parser, ten times quicker than ipaddress's on 1M addresses."""
    family, version = (socket.AF_INET6, 6) if ':' in text else (socket.AF_INET, 4)
    return version, int.from_bytes(socket.inet_pton(family, text), 'big')


def rows(paths):
    """(version, first, last, asn, organization) of every row of every file, addresses as integers."""
    for path in paths:
        with open(path, newline='', encoding='utf-8') as f:
            for line_no, row in enumerate(csv.reader(f), start=1):
                try:
                    start, end, asn, organization = row
                    (version, first), (_, last) = address(start), address(end)
                    yield version, first, last, int(asn), organization
                except (ValueError, OSError) as err:
                    sys.exit(f'{path} line {line_no}: not start,end,asn,organization ({err})')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--only', default='', help='comma-separated addresses: keep only the ranges holding them')
    parser.add_argument('out')
    parser.add_argument('csv', nargs='+')
    args = parser.parse_args()
    wanted = [address(a.strip()) for a in args.only.split(',') if a.strip()]

    started = time.monotonic()
    writer = MMDBWriter(ip_version=6, ipv4_compatible=True, database_type='ip-location-db-ASN',
                        languages=['en'], description=DESCRIPTION)
    kept = 0
    for version, first, last, asn, organization in rows(args.csv):
        if wanted and not any(v == version and first <= a <= last for v, a in wanted):
            continue
        ip = ipaddress.IPv6Address if version == 6 else ipaddress.IPv4Address
        cidrs = [str(net) for net in ipaddress.summarize_address_range(ip(first), ip(last))]
        # uint32, as GeoLite2-ASN stores the number (the writer would pick uint16 for small ones).
        writer.insert_network(IPSet(cidrs), {'autonomous_system_number': MmdbU32(asn),
                                              'autonomous_system_organization': organization})
        kept += 1
    if wanted and kept == 0:
        sys.exit('none of the --only addresses is in the CSV files')
    writer.to_db_file(args.out)
    print(f'asn-csv-to-mmdb: {kept} ranges written to {args.out} in {time.monotonic() - started:.1f} s', file=sys.stderr)


if __name__ == '__main__':
    main()
