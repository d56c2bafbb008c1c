#!/usr/bin/env node
// A tiny exporter on 127.0.0.1 for the staleness fixture: serves two series until
// /drop is requested, then one. Prints its port on stdout.
import { createServer } from 'node:http';

let both = true;
let n = 0;
const server = createServer((req, res) => {
  if (req.url === '/drop') {
    both = false;
    res.end('ok\n');
    return;
  }
  n++;
  let body = '# TYPE demo_up_counter counter\n';
  body += `demo_up_counter_total{kind="kept"} ${n}\n`;
  if (both) body += `demo_up_counter_total{kind="vanishing"} ${n * 2}\n`;
  body += '# EOF\n';
  res.setHeader('Content-Type', 'application/openmetrics-text; version=1.0.0; charset=utf-8');
  res.end(body);
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
