// hello-node is the sample app of the node stack: it serves a page on $PORT
// that names its stack and shows $GREETING, and answers /healthz.
'use strict';
const http = require('http');

const port = Number(process.env.PORT || 8080);

const server = http.createServer((req, res) => {
  if (req.url === '/healthz') {
    res.end('ok\n');
    return;
  }
  if (req.url !== '/') {
    res.statusCode = 404;
    res.end('not found\n');
    return;
  }
  let body = 'hello from node\n';
  if (process.env.GREETING) {
    body += `greeting: ${process.env.GREETING}\n`;
  }
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.end(body);
});

server.listen(port, () => console.log(`hello-node listening on :${port}`));

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close(() => {
      console.log('hello-node stopped');
      process.exit(0);
    });
  });
}
