#!/usr/bin/python3
"""Drives a real headless Chromium over the DevTools protocol (--remote-debugging-pipe)
to check the map page vibectl wrote: what it drew, what search, a playlist
overlay and hover do, and that nothing failed. Used by map_chromium_test.sh.

  map_browser.py PAGE.html SCREENSHOT.png QUERY PLAYLIST

Prints one JSON object with what it saw; the shell test asserts on it.
Standard library only (playwright is not packaged for Debian).
"""
import base64
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1200,800", "--remote-debugging-pipe"]


class Browser:
    """One chromium process; commands go to fd 3, replies and events come from fd 4, NUL-separated."""

    def __init__(self, profile):
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()

        def wire():
            os.dup2(to_child_r, 3)
            os.dup2(from_child_w, 4)

        self.process = subprocess.Popen(["chromium", *FLAGS, "--user-data-dir=" + profile, "about:blank"],
                                        pass_fds=(to_child_r, from_child_w, 3, 4), preexec_fn=wire,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        os.close(to_child_r)
        os.close(from_child_w)
        self.buffer = b""
        self.next_id = 0
        self.events = []
        self.session = None

    def send(self, method, params=None, timeout=30):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if self.session:
            message["sessionId"] = self.session
        os.write(self.to_child, json.dumps(message).encode() + b"\0")
        deadline = time.time() + timeout
        while time.time() < deadline:
            reply = self.read_message()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]
            self.events.append(reply)
        raise RuntimeError(f"{method}: no reply in {timeout} s")

    def read_message(self):
        while b"\0" not in self.buffer:
            chunk = os.read(self.from_child, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the pipe")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def wait_event(self, method, timeout=30):
        deadline = time.time() + timeout
        for event in self.events:
            if event.get("method") == method:
                return event
        while time.time() < deadline:
            event = self.read_message()
            self.events.append(event)
            if event.get("method") == method:
                return event
        raise RuntimeError(f"no {method} in {timeout} s")

    def evaluate(self, expression):
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def click(self, x, y):
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1})

    def close(self):
        """Asks chromium to quit; its helper processes (its own process group) go with it."""
        try:
            self.session = None
            self.send("Browser.close", timeout=10)
        except (RuntimeError, OSError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(self.process.pid, 9)
        except ProcessLookupError:
            pass
        self.process.wait()


def status(browser):
    return browser.evaluate("({...document.getElementById('status').dataset,"
                            " errors: Number(document.getElementById('errors').dataset.count),"
                            " ready: document.body.dataset.ready === '1'})")


def console_errors(browser):
    errors = []
    for event in browser.events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.exceptionThrown":
            errors.append(params["exceptionDetails"].get("text", "exception"))
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            errors.append(" ".join(str(a.get("value", a.get("description"))) for a in params.get("args", [])))
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            errors.append(params["entry"]["text"])
    return errors


def hover_first_track(browser):
    """Moves the pointer onto track 0's point and returns the tooltip's lines."""
    x, y = browser.evaluate("(() => { const r = canvas.getBoundingClientRect(); const [x, y] = toScreen(0);"
                            " return [r.left + x, r.top + y]; })()")
    browser.send("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": x, "y": y})
    return browser.evaluate("document.getElementById('tip').hidden ? null :"
                            " [...document.getElementById('tip').children].map(e => e.textContent)")


def save_screenshot(browser, file):
    png = browser.send("Page.captureScreenshot", {"format": "png"})["data"]
    with open(file, "wb") as out:
        out.write(base64.b64decode(png))


def main():
    page, screenshot, query, playlist = sys.argv[1:5]
    seen = {}
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile:
        browser = Browser(profile)
        try:
            target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
            browser.session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            for domain in ("Page", "Runtime", "Log"):
                browser.send(domain + ".enable")
            browser.send("Page.navigate", {"url": "file://" + urllib.parse.quote(os.path.abspath(page))})
            browser.wait_event("Page.loadEventFired")
            seen["loaded"] = status(browser)
            seen["title"] = browser.evaluate("document.title")
            seen["scripts"] = browser.evaluate("document.scripts.length")
            seen["images"] = browser.evaluate("document.images.length")
            seen["hover"] = hover_first_track(browser)
            seen["first_title"] = browser.evaluate("data.tracks.titles[0]")
            save_screenshot(browser, screenshot)

            browser.evaluate("document.getElementById('search').focus()")
            browser.send("Input.insertText", {"text": query})
            seen["searched"] = status(browser)
            seen["address"] = browser.evaluate("location.hash")
            browser.evaluate("document.getElementById('search').select()")
            browser.send("Input.dispatchKeyEvent", {"type": "keyDown", "key": "Backspace", "code": "Backspace",
                                                    "windowsVirtualKeyCode": 8})
            browser.send("Input.dispatchKeyEvent", {"type": "keyUp", "key": "Backspace", "code": "Backspace",
                                                    "windowsVirtualKeyCode": 8})
            seen["cleared"] = status(browser)

            box = browser.evaluate(
                "(() => { const k = playlists.findIndex(p => p.name === " + json.dumps(playlist) + ");"
                " const r = document.querySelector('input[data-playlist=\"' + k + '\"]').getBoundingClientRect();"
                " return [r.left + r.width / 2, r.top + r.height / 2]; })()")
            browser.click(*box)
            seen["overlay"] = status(browser)
            save_screenshot(browser, screenshot.replace(".png", "-overlay.png"))
            seen["console_errors"] = console_errors(browser)
        finally:
            browser.close()
    print(json.dumps(seen))


if __name__ == "__main__":
    main()
