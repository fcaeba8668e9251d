import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { ERROR_CODES } from '../../../common/errors.js';
import { startTestHub } from '../../helpers/hub.js';

describe('OpenAPI document and /docs', () => {
  it('lists every route the hub serves, with its method', async () => {
    const hub = await startTestHub();
    try {
      const doc = await (await fetch(`${hub.url}/openapi.json`)).json();
      const missing = hub.hub.routes
        .map((r) => ({ method: r.method.toLowerCase(), path: r.path.replace(/:(\w+)/g, '{$1}') }))
        .filter((r) => !r.path.startsWith('/docs/') && !r.path.startsWith('/assets') && r.path !== '/' && !doc.paths[r.path]?.[r.method]);
      expect(missing, 'routes missing from hub/api/openapi.ts').to.deep.equal([]);
      expect(doc.components.schemas.StoreEvent.properties.timestamp.format).to.equal('date-time');
      const docs = await fetch(`${hub.url}/docs`);
      expect(docs.headers.get('content-type')).to.match(/html/);
      expect(await docs.text()).to.include('/docs/docs.js');
    } finally {
      await hub.close();
    }
  });

  it('documents every error code in docs/DESIGN.md', () => {
    const design = readFileSync('docs/DESIGN.md', 'utf8');
    const undocumented = Object.keys(ERROR_CODES).filter((c) => !design.includes(`\`${c}\``));
    expect(undocumented).to.deep.equal([]);
  });
});
