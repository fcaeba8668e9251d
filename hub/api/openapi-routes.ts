import { readFileSync } from 'node:fs';
import { Router } from '@koa/router';
import { buildOpenApi } from './openapi.js';

const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

// A dependency-free reference page: the script is a separate same-origin file because the CSP forbids inline scripts.
const DOCS_HTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Store Intelligence API</title><style>body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#1d2733}
code,pre{font:13px ui-monospace,monospace;background:#f2f4f7;border-radius:4px}pre{padding:.75rem;overflow:auto}h2{margin-top:2rem}
.m{display:inline-block;min-width:4.5em;font-weight:600;text-transform:uppercase}</style></head>
<body><h1>Store Intelligence API</h1><p>Generated from <a href="/openapi.json">/openapi.json</a>.</p><main id="api">Loading…</main>
<script src="/docs/docs.js"></script></body></html>`;

const DOCS_JS = `fetch('/openapi.json').then(r=>r.json()).then(doc=>{const m=document.getElementById('api');m.textContent='';
for(const [path,ops] of Object.entries(doc.paths)){for(const [method,op] of Object.entries(ops)){const h=document.createElement('h2');
const s=document.createElement('span');s.className='m';s.textContent=method;h.append(s,' ',path);const p=document.createElement('p');p.textContent=op.summary||'';
m.append(h,p);if(op.requestBody){const pre=document.createElement('pre');pre.textContent=JSON.stringify(op.requestBody.content,null,1).slice(0,1500);m.append(pre);}}}
const h=document.createElement('h2');h.textContent='Schemas';const pre=document.createElement('pre');pre.textContent=JSON.stringify(doc.components.schemas,null,1);m.append(h,pre);});`;

/** GET /openapi.json and the /docs page. */
export function openApiRoutes(): Router {
  const router = new Router();
  const doc = buildOpenApi(version);
  router.get('/openapi.json', (ctx) => {
    ctx.body = doc;
  });
  router.get('/docs', (ctx) => {
    ctx.type = 'html';
    ctx.body = DOCS_HTML;
  });
  router.get('/docs/docs.js', (ctx) => {
    ctx.type = 'application/javascript';
    ctx.body = DOCS_JS;
  });
  return router;
}
