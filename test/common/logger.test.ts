import { expect } from 'chai';
import { captureLogger } from '../helpers/hub.js';

describe('common/logger', () => {
  it('keeps a log line bounded whatever a field or message carries', () => {
    const { logger, lines } = captureLogger();
    const huge = 'x'.repeat(1_000_000);
    logger.warn({ event: 'hostile', reason: huge, nested: { ok: 1 } }, huge);
    expect(lines).to.have.length(1);
    expect(JSON.stringify(lines[0]).length).to.be.below(5000);
    expect(lines[0]!.reason).to.match(/more characters\)$/);
    expect(lines[0]!.nested).to.deep.equal({ ok: 1 });
  });
});
