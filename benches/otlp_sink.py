"""A local OTLP/HTTP receiver for benches/export.sh: answers every POST with 200
and an empty ExportTraceServiceResponse, and counts requests and bytes. Prints the
port it listens on (argument 0: any free port), then serves until killed."""
import http.server
import sys


class Sink(http.server.BaseHTTPRequestHandler):
    requests = 0
    received = 0

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
        Sink.requests += 1
        Sink.received += length
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Sink)
print(server.server_address[1], flush=True)
server.serve_forever()
