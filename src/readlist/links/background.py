"""Checking while the URLs are still being found.

``start(settings, on_result)`` returns a checker fed with ``submit(url)`` as
each readings file validates; ``finish()`` returns {url: Result}. The first
requests leave after the first file is read instead of after the last, and
loading overlaps the network wait.

Where ``os.fork`` exists the checker is a child process forked before the
heavy imports: it imports asyncio and the engine while the parent imports
pydantic and loads, on the other core, and the parent's loading never holds
a GIL the event loop needs. Elsewhere it is a thread of this process.
"""

from __future__ import annotations

import os
import struct
import sys

_FRAME = struct.Struct("!I")


def start(on_result=None, in_process: bool = False):
    """A checker, started before the settings are known (see ``configure``)."""
    if hasattr(os, "fork") and not in_process:
        return Forked(on_result)
    return Threaded(on_result)


class Threaded:
    """The engine in a thread of this process; ``submit`` from any thread."""

    def __init__(self, on_result=None) -> None:
        self.on_result = on_result

    def configure(self, settings) -> None:
        import threading

        from .check import Engine

        self.engine = Engine(settings, self.on_result)
        self.error: BaseException | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._main, name="check-links", daemon=True)
        self._thread.start()
        self._ready.wait()

    def _main(self) -> None:
        import asyncio

        try:
            asyncio.run(self._run())
        except BaseException as exc:  # noqa: BLE001 - handed to finish()
            self.error = exc
            self._ready.set()

    async def _run(self) -> None:
        import asyncio

        self.loop = asyncio.get_running_loop()
        self.engine.start()
        self._ready.set()
        await self.engine.wait()

    def submit(self, url: str) -> None:
        self.loop.call_soon_threadsafe(self.engine.add, url)

    def also(self, callback) -> None:
        """Call `callback(result)` too for the results still to come (in the loop's thread)."""
        first = self.engine.on_result

        def both(result) -> None:
            if first:
                first(result)
            callback(result)

        self.loop.call_soon_threadsafe(setattr, self.engine, "on_result", both)

    def finish(self) -> dict:
        if self.error is None:
            try:
                self.loop.call_soon_threadsafe(self.engine.close)
            except RuntimeError:  # the loop already ended: self.error says why
                pass
        self._thread.join()
        if self.error is not None:
            raise self.error
        return self.engine.results

    def abandon(self) -> None:
        """Stop without waiting (an error or Ctrl-C in the caller); nothing once finished."""
        thread = getattr(self, "_thread", None)
        if thread is not None and thread.is_alive():
            try:
                self.loop.call_soon_threadsafe(self.loop.stop)
            except (AttributeError, RuntimeError):
                pass


class Forked:
    """The engine in a child process. URLs go down one pipe as UTF-8 frames,
    results come back up another as pickled frames (length-prefixed both ways).
    The child never blocks on the parent: its writes are buffered by asyncio."""

    def __init__(self, on_result=None) -> None:
        self.on_result = on_result
        self.extra = None
        down_r, down_w = os.pipe()
        up_r, up_w = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child
            import signal

            signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C: the parent stops us
            os.close(down_w)
            os.close(up_r)
            code = 1
            try:
                _child(down_r, up_w)
                code = 0
            except BaseException:  # noqa: BLE001
                import traceback

                traceback.print_exc()
            finally:
                os._exit(code)
        os.close(down_r)
        os.close(up_w)
        self.pid, self.down, self.up = pid, down_w, up_r

    def configure(self, settings) -> None:
        """The first frame down the pipe: the settings, pickled."""
        import pickle

        data = pickle.dumps(settings, protocol=pickle.HIGHEST_PROTOCOL)
        _write_all(self.down, _FRAME.pack(len(data)) + data)

    def also(self, callback) -> None:
        """Call `callback(result)` too for the results still to come."""
        self.extra = callback

    def submit(self, url: str) -> None:
        data = url.encode("utf-8")
        try:
            _write_all(self.down, _FRAME.pack(len(data)) + data)
        except BrokenPipeError:
            raise RuntimeError("the link-checking process failed (see its message above)") from None

    def finish(self) -> dict:
        import pickle

        down, up_fd, self.down, self.up = self.down, self.up, None, None
        os.close(down)  # end of URLs
        results, buffer = {}, bytearray()
        with os.fdopen(up_fd, "rb", buffering=0) as up:
            while chunk := up.read(1 << 16):
                buffer += chunk
                start = 0
                while len(buffer) - start >= 4:
                    (size,) = _FRAME.unpack_from(buffer, start)
                    if len(buffer) - start - 4 < size:
                        break
                    result = pickle.loads(buffer[start + 4:start + 4 + size])
                    start += 4 + size
                    results[result.url] = result
                    if self.on_result:
                        self.on_result(result)
                    if self.extra:
                        self.extra(result)
                del buffer[:start]
        _, status = os.waitpid(self.pid, 0)
        self.pid = None
        if status != 0 or buffer:
            raise RuntimeError("the link-checking process failed (see its message above)")
        return results


    def abandon(self) -> None:
        """Stop the child without waiting for its checks (an error or Ctrl-C
        here, or a usage error found after it started); nothing once finished."""
        import signal

        if self.pid is None:
            return
        try:
            os.kill(self.pid, signal.SIGTERM)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        self.pid = None
        for fd in (self.down, self.up):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self.down = self.up = None


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _read_frame(fd: int) -> bytes:
    def exactly(count: int) -> bytes:
        data = b""
        while len(data) < count:
            chunk = os.read(fd, count - len(data))
            if not chunk:
                raise EOFError("the parent went away")
            data += chunk
        return data

    (size,) = _FRAME.unpack(exactly(4))
    return exactly(size)


def _child(down: int, up: int) -> None:  # pragma: no cover - runs in the child
    # The imports first: they run while the parent still works out the settings.
    import asyncio
    import pickle

    from .check import Engine

    settings = pickle.loads(_read_frame(down))

    async def main() -> None:
        loop = asyncio.get_running_loop()
        os.set_blocking(up, False)
        writer, _ = await loop.connect_write_pipe(asyncio.Protocol, os.fdopen(up, "wb", buffering=0))

        batch: list[bytes] = []

        def flush() -> None:
            writer.write(b"".join(batch))
            batch.clear()

        def send(result) -> None:
            # Answers come in bursts: one write per loop turn, not one per result.
            data = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
            if not batch:
                loop.call_soon(flush)
            batch.append(_FRAME.pack(len(data)) + data)

        engine = Engine(settings, send, keep=False)
        engine.start()
        os.set_blocking(down, False)
        buffer = bytearray()

        def readable() -> None:
            try:
                chunk = os.read(down, 1 << 16)
            except BlockingIOError:
                return
            if not chunk:
                loop.remove_reader(down)
                engine.close()
                return
            buffer.extend(chunk)
            start = 0
            while len(buffer) - start >= 4:
                (size,) = _FRAME.unpack_from(buffer, start)
                if len(buffer) - start - 4 < size:
                    break
                engine.add(buffer[start + 4:start + 4 + size].decode("utf-8"))
                start += 4 + size
            del buffer[:start]

        loop.add_reader(down, readable)
        await engine.wait()
        await asyncio.sleep(0)  # the last flush
        while writer.get_write_buffer_size():  # let the parent have every result
            await asyncio.sleep(0.001)
        # Done: leave now rather than tear the loop down; the parent is
        # waiting for this exit before it writes the report.
        os._exit(0)

    asyncio.run(main())
