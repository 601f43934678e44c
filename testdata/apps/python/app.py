"""hello-python is the sample app of the python stack: it serves a page on
$PORT that names its stack and shows $GREETING, and answers /healthz."""

import os
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/healthz":
            self.reply(200, "ok\n")
        elif self.path == "/":
            body = "hello from python\n"
            greeting = os.environ.get("GREETING")
            if greeting:
                body += f"greeting: {greeting}\n"
            self.reply(200, body)
        else:
            self.reply(404, "not found\n")

    def reply(self, status, body):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def main():
    port = int(os.environ.get("PORT", "8080"))
    server = ThreadingHTTPServer(("", port), Handler)

    def stop(signum, frame):
        # shutdown waits for serve_forever, so it runs in another thread.
        threading.Thread(target=server.shutdown).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"hello-python listening on :{port}", flush=True)
    server.serve_forever()
    print("hello-python stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
