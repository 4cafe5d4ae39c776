import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { markers, readSection, withSection } from '../../../scripts/lib/readme-section.js';

describe('withSection', () => {
  const [open, close] = markers('t');
  const readme = `# x\n\n${open}\nold\n${close}\n\nafter\n`;

  it('replaces only what is between the markers, and reads back what it wrote', () => {
    const updated = withSection(readme, 't', '| a |');
    assert.equal(updated, `# x\n\n${open}\n| a |\n${close}\n\nafter\n`);
    assert.equal(readSection(updated, 't'), '| a |');
    assert.equal(withSection(updated, 't', '| a |'), updated);
  });

  it('refuses a README without markers, or with another section\'s', () => {
    assert.equal(readSection('# x\n', 't'), undefined);
    assert.equal(readSection(readme, 'u'), undefined);
    assert.throws(() => withSection('# x\n', 't', '| a |'), /<!-- t:start --> … <!-- t:end --> markers/);
  });
});
