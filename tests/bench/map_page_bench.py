#!/usr/bin/python3
"""Times the map page (vibectl map) in headless chromium over the DevTools pipe:
load, redraw, search, hover lookup, a playlist overlay. Not a test.

  tests/bench/map_page_bench.py PAGE.html SCREENSHOT.png
"""
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
import map_browser as mb  # noqa: E402  (the DevTools client the map test uses)
page, shot = sys.argv[1], sys.argv[2]
with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile:
    b = mb.Browser(profile)
    try:
        t = b.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        b.session = b.send("Target.attachToTarget", {"targetId": t, "flatten": True})["sessionId"]
        for d in ("Page", "Runtime", "Log"): b.send(d + ".enable")
        start = time.time()
        b.send("Page.navigate", {"url": "file://" + os.path.abspath(page)})
        b.wait_event("Page.loadEventFired", timeout=120)
        print("navigate to load event (decode + first draw), s:", round(time.time() - start, 2))
        print(mb.status(b))
        timed = lambda js: b.evaluate("(() => { const t = performance.now(); " + js + "; return performance.now() - t; })()")
        print("redraw, median of 5, ms:", sorted(timed("draw()") for _ in range(5))[2])
        print("search 'track01' + redraw, ms:", timed("state.query='track01'; applyFilters(); draw()"), mb.status(b)["visible"])
        print("hover lookup, ms:", timed("for (let k = 0; k < 100; k++) nearest(300 + k, 300)") / 100)
        print("overlay + redraw, ms:", timed("state.query=''; playlists[1].selected=true; applyFilters(); draw()"), mb.status(b)["visible"])
        b.evaluate("playlists[1].selected=false; applyFilters(); draw()")
        mb.save_screenshot(b, shot)
        print("console errors:", mb.console_errors(b))
    finally:
        b.close()
