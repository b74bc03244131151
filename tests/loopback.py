"""A base for the small servers tests run in a thread on 127.0.0.1 (fault proxies, caches, proxies)."""

from __future__ import annotations

import socketserver
import threading


class LoopbackServer:
    """Holds a started ``socketserver`` server: :attr:`port`, :meth:`close`."""

    server: socketserver.BaseServer

    def serve(self, server: socketserver.BaseServer) -> None:
        """Start ``server`` in a daemon thread (call once, from ``__init__``)."""
        self.server = server
        self.port = server.server_address[1]
        self.thread = threading.Thread(target=server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
