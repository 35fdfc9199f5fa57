"""Key-value stores for rendezvous and small messages (as ``torch.distributed.TCPStore``).

The rank-0 process serves a ``TCPStore`` at MASTER_ADDR:MASTER_PORT (a thread with one
connection per client); every rank is a client.  jtorch uses it where PyTorch uses its store:
the init rendezvous (all ranks present, within the timeout, or a ``DistStoreError`` naming the
address), barriers, ``send``/``recv`` and the object collectives.  Tensor collectives do not go
through it: they are XLA programs over JAX's distributed runtime (see ``_runtime``).

Why a store of our own and not JAX's coordination service: a failed JAX rendezvous aborts the
process from C++ (no Python exception, no address in the message); our store raises PyTorch's
errors, and only when every rank is known to be present does jtorch start JAX's runtime.
"""
from __future__ import annotations

import pickle
import socket
import struct
import threading
import time
from datetime import timedelta

from .errors import DistNetworkError, DistStoreError

__all__ = ["Store", "TCPStore", "HashStore", "PrefixStore"]

_LEN = struct.Struct("!Q")


def _ms(timeout):
    return int(timeout.total_seconds() * 1000)


def _send(sock, obj):
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    sock.sendall(_LEN.pack(len(data)) + data)


def _recv_exact(sock, n):
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(min(n - len(buf), 1 << 20))
        if not chunk:
            raise ConnectionResetError("connection closed by peer")
        buf += chunk
    return bytes(buf)


def _recv(sock):
    (n,) = _LEN.unpack(_recv_exact(sock, _LEN.size))
    return pickle.loads(_recv_exact(sock, n))


def _as_bytes(value):
    if isinstance(value, str):
        return value.encode()
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    raise TypeError(f"store values must be str or bytes, not {type(value).__name__}")


class Store:
    """Base class of the key-value stores (``torch.distributed.Store``)."""

    def __init__(self, timeout=timedelta(seconds=300)):
        self._timeout = timeout

    @property
    def timeout(self):
        return self._timeout

    def set_timeout(self, timeout):
        self._timeout = timeout


class _Table:
    """The data of a store and the condition its waiters sleep on (server side)."""

    def __init__(self):
        self.data = {}
        self.cond = threading.Condition()

    def call(self, cmd, args):
        data, cond = self.data, self.cond
        with cond:
            if cmd == "set":
                data[args[0]] = args[1]
                cond.notify_all()
                return None
            if cmd == "add":
                v = int(data.get(args[0], b"0")) + args[1]
                data[args[0]] = str(v).encode()
                cond.notify_all()
                return v
            if cmd == "compare_set":
                key, expected, desired = args
                cur = data.get(key)
                if (cur is None and expected == b"") or cur == expected:
                    data[key] = desired
                    cond.notify_all()
                    return desired
                return expected if cur is None else cur
            if cmd == "wait":
                keys, timeout_s = args
                deadline = time.monotonic() + timeout_s
                while not all(k in data for k in keys):
                    left = deadline - time.monotonic()
                    if left <= 0:
                        return False
                    cond.wait(left)
                return True
            if cmd == "get":
                return data.get(args[0])
            if cmd == "check":
                return all(k in data for k in args[0])
            if cmd == "delete":
                return data.pop(args[0], None) is not None
            if cmd == "num_keys":
                return len(data)
        raise ValueError(f"unknown store command {cmd!r}")


class _Server:
    """The rank-0 side of a TCPStore: accepts clients, one thread each."""

    def __init__(self, host, port):
        self.table = _Table()
        self.sock = socket.create_server((host, port), reuse_port=False)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.closed = False
        self.conns = []
        self.thread = threading.Thread(target=self._accept, name="jtorch-TCPStore", daemon=True)
        self.thread.start()

    def _accept(self):
        while not self.closed:
            try:
                conn, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            conn.settimeout(None)
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.conns.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        try:
            while True:
                cmd, args = _recv(conn)
                _send(conn, self.table.call(cmd, args))
        except (OSError, EOFError, ConnectionError):
            pass
        finally:
            conn.close()

    def close(self):
        self.closed = True
        self.sock.close()
        for c in self.conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class TCPStore(Store):
    """A TCP key-value store; the process with ``is_master=True`` serves it.

    Args:
        host_name: address of the server.
        port: its port (0 on the master picks a free one; see ``port``).
        world_size: number of clients; with ``wait_for_workers`` the master waits for all.
        is_master: serve the store in this process.
        timeout: how long connecting and ``get``/``wait`` may take.
    """

    def __init__(self, host_name, port, world_size=None, is_master=False,
                 timeout=timedelta(seconds=300), wait_for_workers=True, multi_tenant=False,
                 master_listen_fd=None, use_libuv=True):
        super().__init__(timeout)
        self.host = host_name
        self._server = _Server(host_name, port) if is_master else None
        self.port = self._server.port if is_master else port
        self._world_size = world_size
        self._lock = threading.Lock()
        self._sock = self._connect()
        self._call("add", ("/jtorch/joined", 1))
        if is_master and wait_for_workers and world_size:
            self._wait_workers(world_size)

    @property
    def libuvBackend(self):
        return False

    def _connect(self):
        ms = _ms(self._timeout)
        deadline = time.monotonic() + self._timeout.total_seconds()
        while True:
            try:
                sock = socket.create_connection(
                    (self.host, self.port), timeout=max(0.05, deadline - time.monotonic()))
                sock.settimeout(None)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                return sock
            except OSError:
                if time.monotonic() >= deadline:
                    raise DistNetworkError(
                        f"The client socket has timed out after {ms}ms while trying to connect "
                        f"to ({self.host}, {self.port}).") from None
                time.sleep(0.05)

    def _wait_workers(self, world_size):
        start = time.monotonic()
        deadline = start + self._timeout.total_seconds()
        while True:
            joined = int(self._call("get", ("/jtorch/joined",)) or 0)
            if joined >= world_size:
                return
            if time.monotonic() >= deadline:
                secs = int(round(time.monotonic() - start))
                raise DistStoreError(
                    f"Timed out after {secs} seconds waiting for clients. "
                    f"{joined}/{world_size} clients joined. (store at {self.host}:{self.port})")
            time.sleep(0.02)

    def _call(self, cmd, args):
        with self._lock:
            try:
                _send(self._sock, (cmd, args))
                return _recv(self._sock)
            except (OSError, EOFError, ConnectionError) as e:
                raise DistNetworkError(
                    f"The store at {self.host}:{self.port} is unreachable (its process may have "
                    f"exited): {e}") from None

    # torch.distributed.Store's methods ----------------------------------------------------

    def set(self, key, value):
        self._call("set", (key, _as_bytes(value)))

    def get(self, key):
        """The value of ``key`` (bytes), waiting up to the timeout for it to be set."""
        self.wait([key])
        return self._call("get", (key,))

    def add(self, key, amount):
        return self._call("add", (key, int(amount)))

    def compare_set(self, key, expected_value, desired_value):
        return self._call("compare_set", (key, _as_bytes(expected_value),
                                          _as_bytes(desired_value)))

    def wait(self, keys, timeout=None):
        timeout = self._timeout if timeout is None else timeout
        if not self._call("wait", (list(keys), timeout.total_seconds())):
            raise DistStoreError(f"wait timeout after {_ms(timeout)}ms, keys: "
                                 f"{', '.join(keys)} (store at {self.host}:{self.port})")

    def check(self, keys):
        return self._call("check", (list(keys),))

    def delete_key(self, key):
        return self._call("delete", (key,))

    def num_keys(self):
        return self._call("num_keys", ())

    def close(self):
        try:
            self._sock.close()
        finally:
            if self._server is not None:
                self._server.close()


class HashStore(Store):
    """An in-process store (``torch.distributed.HashStore``), for a world of one process."""

    def __init__(self):
        super().__init__()
        self._table = _Table()

    def set(self, key, value):
        self._table.call("set", (key, _as_bytes(value)))

    def get(self, key):
        self.wait([key])
        return self._table.call("get", (key,))

    def add(self, key, amount):
        return self._table.call("add", (key, int(amount)))

    def compare_set(self, key, expected_value, desired_value):
        return self._table.call("compare_set", (key, _as_bytes(expected_value),
                                                _as_bytes(desired_value)))

    def wait(self, keys, timeout=None):
        timeout = self._timeout if timeout is None else timeout
        if not self._table.call("wait", (list(keys), timeout.total_seconds())):
            raise DistStoreError(f"wait timeout after {_ms(timeout)}ms, keys: {', '.join(keys)}")

    def check(self, keys):
        return self._table.call("check", (list(keys),))

    def delete_key(self, key):
        return self._table.call("delete", (key,))

    def num_keys(self):
        return self._table.call("num_keys", ())

    def close(self):
        pass


class PrefixStore(Store):
    """A view of ``store`` whose keys all start with ``prefix + '/'``."""

    def __init__(self, prefix, store):
        super().__init__(store.timeout)
        self.prefix = prefix
        self.underlying_store = store

    def _k(self, key):
        return f"{self.prefix}/{key}"

    def set(self, key, value):
        self.underlying_store.set(self._k(key), value)

    def get(self, key):
        return self.underlying_store.get(self._k(key))

    def add(self, key, amount):
        return self.underlying_store.add(self._k(key), amount)

    def compare_set(self, key, expected_value, desired_value):
        return self.underlying_store.compare_set(self._k(key), expected_value, desired_value)

    def wait(self, keys, timeout=None):
        self.underlying_store.wait([self._k(k) for k in keys], timeout)

    def check(self, keys):
        return self.underlying_store.check([self._k(k) for k in keys])

    def delete_key(self, key):
        return self.underlying_store.delete_key(self._k(key))

    def num_keys(self):
        return self.underlying_store.num_keys()
