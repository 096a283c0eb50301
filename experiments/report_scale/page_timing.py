#!/usr/bin/python3
"""Times the losslab report page in headless Chromium, driven over the DevTools protocol on pipes
(--remote-debugging-pipe: commands on Chromium's fd 3, answers on its fd 4, each JSON text ended by
a NUL byte; tests/report/devtools_browser.hpp does the same in C++).

  page_timing.py load PAGE            one fresh load of PAGE (a file or a URL): the page's own timing
  page_timing.py live URL -- CMD...   open URL (losslab-report serve), run CMD (it records a trial),
                                      and time the update that brings the trial onto the open page

Standard library only; prints one line of `name value` pairs.
"""
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time

CHROMIUM = "/usr/bin/chromium"
TIMEOUT = 300


class Browser:
    def __init__(self):
        self.profile = tempfile.mkdtemp(prefix="losslab-timing-")
        commands_read, self.commands = os.pipe()
        self.answers, answers_write = os.pipe()

        def on_fds_3_and_4():
            # dup before dup2: one of the pipe's own fds may be 3 or 4
            read_end, write_end = os.dup(commands_read), os.dup(answers_write)
            os.dup2(read_end, 3)
            os.dup2(write_end, 4)

        self.process = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
             "--disable-background-networking", "--disable-component-update", "--user-data-dir=" + self.profile,
             "--window-size=1400,3000", "--remote-debugging-pipe", "about:blank"],
            preexec_fn=on_fds_3_and_4, close_fds=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(commands_read)
        os.close(answers_write)
        self.buffer = b""
        self.last_id = 0
        self.session = None
        self.loaded = False
        targets = self.command("Target.getTargets", {}, to_page=False)
        page = next(t["targetId"] for t in targets["targetInfos"] if t["type"] == "page")
        self.session = self.command("Target.attachToTarget", {"targetId": page, "flatten": True}, to_page=False)["sessionId"]
        self.command("Page.enable")

    def close(self):
        try:
            self.send("Browser.close", {}, to_page=False)
            self.process.wait(timeout=10)
        except Exception:
            self.process.kill()
        shutil.rmtree(self.profile, ignore_errors=True)

    def send(self, method, params, to_page=True):
        self.last_id += 1
        message = {"id": self.last_id, "method": method, "params": params}
        if to_page:
            message["sessionId"] = self.session
        os.write(self.commands, json.dumps(message).encode() + b"\0")
        return self.last_id

    def read_message(self, deadline):
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.answers], [], [], left)[0]:
                raise TimeoutError("chromium did not answer in time")
            chunk = os.read(self.answers, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self.buffer += chunk
        text, self.buffer = self.buffer.split(b"\0", 1)
        message = json.loads(text)
        if message.get("method") == "Page.loadEventFired":
            self.loaded = True
        return message

    def command(self, method, params=None, to_page=True):
        wanted = self.send(method, params or {}, to_page)
        deadline = time.monotonic() + TIMEOUT
        while True:
            message = self.read_message(deadline)
            if message.get("id") == wanted:
                if "error" in message:
                    raise RuntimeError(method + ": " + json.dumps(message["error"]))
                return message["result"]

    def navigate(self, url):
        self.loaded = False
        self.command("Page.navigate", {"url": url})
        deadline = time.monotonic() + TIMEOUT
        while not self.loaded:
            self.read_message(deadline)

    def evaluate(self, expression):
        answer = self.command("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in answer:
            raise RuntimeError(json.dumps(answer["exceptionDetails"]))
        return answer["result"].get("value")


# Milliseconds from the start of navigation: the HTML parsed and the report's script done drawing
# (the script runs inline, so DOMContentLoaded waits for it), the first paint with content, and the
# first frame after the load event (layout and paint of everything drawn).
PAGE_TIMING = """(async () => {
  await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
  const navigation = performance.getEntriesByType("navigation")[0];
  const paint = performance.getEntriesByName("first-contentful-paint")[0];
  return {
    dom_content_loaded_ms: navigation.domContentLoadedEventEnd, first_contentful_paint_ms: paint ? paint.startTime : null,
    load_ms: navigation.loadEventEnd, painted_ms: performance.now(), html_bytes: navigation.decodedBodySize,
    elements: document.getElementsByTagName("*").length, rendered: document.body.dataset.rendered,
    errors: document.body.dataset.errors,
  };
})()"""

# Resolves when the first experiment's trial count (its header) changes, with the time the redraw
# that changed it ended and the api/updates request that brought the change.
WATCH = """const counted = () => document.querySelector(".experiment .meta b").textContent;
const before = counted();
window.losslabTiming = new Promise((resolve) => {
  const check = () => {
    if (counted() === before) return false;
    const done = performance.now();
    const fetches = performance.getEntriesByType("resource").filter((e) => e.name.includes("api/updates") && e.responseEnd <= done);
    const last = fetches[fetches.length - 1];
    requestAnimationFrame(() => setTimeout(() => resolve({
      update_request_ms: last.responseEnd - last.startTime, update_bytes: last.encodedBodySize,
      update_decoded_bytes: last.decodedBodySize, redraw_ms: done - last.responseEnd,
      redraw_and_paint_ms: performance.now() - last.responseEnd, errors: document.body.dataset.errors,
    }), 0));
    return true;
  };
  const observer = new MutationObserver(() => { if (check()) observer.disconnect(); });
  observer.observe(document.getElementById("report"), { childList: true, subtree: true });
});
before;"""


def show(values):
    print("  ".join("%s %s" % (name, round(value, 1) if isinstance(value, float) else value) for name, value in values.items()))


def main(argv):
    if len(argv) >= 2 and argv[0] == "load":
        page = argv[1]
        url = page if "://" in page else "file://" + os.path.abspath(page)
        browser = Browser()
        try:
            browser.navigate(url)
            show(browser.evaluate(PAGE_TIMING))
        finally:
            browser.close()
    elif len(argv) >= 4 and argv[0] == "live" and argv[2] == "--":
        browser = Browser()
        try:
            browser.navigate(argv[1])
            trials = browser.evaluate(WATCH)
            start = time.monotonic()
            subprocess.run(argv[3:], check=True, stdout=subprocess.DEVNULL)
            recorded = time.monotonic() - start
            result = browser.evaluate("window.losslabTiming")
            show(dict(before=repr(trials), record_s=recorded, **result))
        finally:
            browser.close()
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
