import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dailyPrefixes, formatReport, noMatchMessage, readReport, reportQuery } from '../../../src/query/report.js';

describe('report', () => {
  it('asks for top sources by summed bytes and rejected flows by port in one request', () => {
    const q = reportQuery(3) as { aggs: { talkers: { terms: { size: number; order: unknown } }; rejected: { filter: unknown } } };
    assert.equal(q.aggs.talkers.terms.size, 3);
    assert.deepEqual(q.aggs.talkers.terms.order, { bytes: 'desc' });
    assert.deepEqual(q.aggs.rejected.filter, { term: { action: 'REJECT' } });
  });
  it('reads the answer into rows and prints them', () => {
    const report = readReport({
      hits: { total: { value: 12 } },
      aggregations: {
        talkers: { buckets: [{ key: '81.2.69.142', doc_count: 4, bytes: { value: 9000 }, country: { buckets: [{ key: 'GB', doc_count: 4 }] } }] },
        rejected: { ports: { buckets: [{ key: 22, doc_count: 3 }] } },
      },
    });
    assert.deepEqual(report, { documents: 12, topTalkers: [{ srcaddr: '81.2.69.142', bytes: 9000, country: 'GB' }], rejectedByPort: [{ dstport: 22, flows: 3 }] });
    assert.match(formatReport(report), /81\.2\.69\.142\s+9000 bytes\s+\(GB\)[\s\S]*port 22\s+3 flows/);
  });
  it('names the daily index prefixes there are when none matches', () => {
    const names = ['demo-vpcflowlogs-2026.11.30', 'demo-vpcflowlogs-2026.11.29', 'cloudtrail-2026.01.02', '.kibana_1', 'aws-log-indexer-deadletter', '.ds-x-2026.01.01'];
    assert.deepEqual(dailyPrefixes(names), ['cloudtrail', 'demo-vpcflowlogs']);
    assert.equal(noMatchMessage('vpcflowlogs-*', ['cloudtrail', 'demo-vpcflowlogs']),
      'no index matches vpcflowlogs-*; daily index prefixes there: cloudtrail, demo-vpcflowlogs (choose one with INDEX_PREFIX or --index-prefix)');
    assert.match(noMatchMessage('vpcflowlogs-*', []), /^no index matches vpcflowlogs-\*; OpenSearch holds no daily index yet/);
  });
});
