"""A headless chromium driven over the DevTools protocol on a pipe, with the standard
library only (no websocket client, no selenium), and a PNG decoder for its screenshots.
"""
import base64
import fcntl
import json
import os
import select
import shutil
import struct
import subprocess
import tempfile
import time
import zlib

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--remote-debugging-pipe")


def find_chromium():
    """The first chromium-like browser on PATH, or None."""
    for name in NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


class Chromium:
    """One headless browser with one page; `with Chromium(path) as page: page.open(url)`.

    `--remote-debugging-pipe` makes chromium read DevTools commands from fd 3 and write
    replies to fd 4, each JSON message ended by a NUL byte.
    """

    def __init__(self, executable, width=1200, height=2000, timeout=30.0):
        self.executable, self.width, self.height, self.timeout = executable, width, height, timeout

    def __enter__(self):
        self._profile = tempfile.mkdtemp(prefix="dedup-chromium-")
        commands_read, self._commands = os.pipe()
        self._replies, replies_write = os.pipe()
        # Park both ends above fd 10 first, so that moving them to 3 and 4 in the child
        # cannot overwrite one with the other.
        high_read = fcntl.fcntl(commands_read, fcntl.F_DUPFD, 10)
        high_write = fcntl.fcntl(replies_write, fcntl.F_DUPFD, 10)
        os.close(commands_read)
        os.close(replies_write)

        def to_fds_3_and_4():
            os.dup2(high_read, 3)
            os.dup2(high_write, 4)

        self.process = subprocess.Popen(
            [self.executable, *FLAGS, f"--user-data-dir={self._profile}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=to_fds_3_and_4, pass_fds=(3, 4, high_read, high_write))
        os.close(high_read)
        os.close(high_write)
        self._buffer, self._next_id, self._events = b"", 0, []
        try:
            target = self._send("Target.createTarget", url="about:blank")["targetId"]
            self._session = self._send("Target.attachToTarget", targetId=target,
                                       flatten=True)["sessionId"]
            self.command("Page.enable")
            self.command("Emulation.setDeviceMetricsOverride", width=self.width,
                         height=self.height, deviceScaleFactor=1, mobile=False)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc):
        try:
            if self.process.poll() is None:
                try:
                    self._send("Browser.close")
                    self.process.wait(10)
                except Exception:
                    self.process.kill()
                    self.process.wait(10)
        finally:
            os.close(self._commands)
            os.close(self._replies)
            shutil.rmtree(self._profile, ignore_errors=True)

    def open(self, url):
        """Load `url` and wait for its load event (scripts have run)."""
        self._events.clear()
        self.command("Page.navigate", url=url)
        self._wait_for("Page.loadEventFired")

    def evaluate(self, expression):
        """The value of a JavaScript expression in the page (JSON-serialisable)."""
        reply = self.command("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in reply:
            raise RuntimeError(f"script failed: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def screenshot(self, clip=None):
        """PNG bytes of the viewport, or of `clip` = {"x", "y", "width", "height"} (CSS px)."""
        params = {"format": "png"}
        if clip:
            params["clip"] = dict(clip, scale=1)
        return base64.b64decode(self.command("Page.captureScreenshot", **params)["data"])

    def command(self, method, **params):
        return self._send(method, self._session, **params)

    def _send(self, method, session=None, **params):
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._commands, json.dumps(message).encode("utf-8") + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self._events.append(reply)

    def _wait_for(self, event):
        while not any(e.get("method") == event for e in self._events):
            self._events.append(self._read())

    def _read(self):
        deadline = time.monotonic() + self.timeout
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._replies], [], [], left)[0]:
                raise TimeoutError(f"chromium did not answer within {self.timeout} s")
            chunk = os.read(self._replies, 1 << 20)
            if not chunk:
                raise EOFError("chromium closed the DevTools pipe (did it crash?)")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)


def png_size(data):
    """(width, height) of an 8-bit RGB or RGBA PNG, after checking that its image data
    is complete (it inflates to exactly one filter byte and one row per line)."""
    width, height, step, raw = _inflate(data)
    assert len(raw) == height * (width * step + 1), "PNG image data is truncated"
    return width, height


def decode_png(data):
    """(width, height, rows) of an 8-bit RGB or RGBA PNG; rows[y][x] is an (r, g, b).

    Pure Python, so meant for small clips (a few hundred thousand pixels at most).
    """
    width, height, step, raw = _inflate(data)
    stride = width * step
    previous = bytearray(stride)
    rows = []
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - step] if i >= step else 0
            up = previous[i]
            corner = previous[i - step] if i >= step else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                guess = left + up - corner
                near = min((abs(guess - left), 0, left), (abs(guess - up), 1, up),
                           (abs(guess - corner), 2, corner))
                line[i] = (line[i] + near[2]) & 255
        rows.append([tuple(line[x:x + 3]) for x in range(0, stride, step)])
        previous = line
    return width, height, rows


def _inflate(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    position, chunks, header = 8, [], None
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            chunks.append(body)
        position += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in (2, 6) and not interlace, f"unsupported PNG {header}"
    return width, height, 3 if colour == 2 else 4, zlib.decompress(b"".join(chunks))
