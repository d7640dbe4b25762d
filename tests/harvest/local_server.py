"""A real HTTP server on 127.0.0.1 that plays a (hostile) harvest source."""
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Source:
    """Routes: path -> (status, headers, body | callable(handler))."""

    def __init__(self):
        self.routes, self.requests = {}, []
        source = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                source.requests.append(self.path)
                status, headers, body = source.routes.get(self.path, (404, {}, b""))
                if callable(body):
                    return body(self)
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                if "Content-Length" not in headers:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def add(self, path, body, media="text/turtle", status=200, **headers):
        self.routes[path] = (status, {"Content-Type": media, **headers}, body)
