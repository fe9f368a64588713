#!/usr/bin/env python3
"""Drives the explorer in a real browser (Debian's headless Chromium through chromedriver and selenium).

    python3 Tools/checks/explorer.py path/to/assent [--artifacts DIR]

Runs the demo, serves its ledger with `assent serve --public-explorer` on 127.0.0.1, and goes through
every page as a person would: the overview, the log and an entry with its checked inclusion proof,
the stale models (the demo's withdrawn model is marked STALE in words), a model's lineage (the SVG's
nodes, the stale one marked), /verify with the model's own bundle (verified) and a tampered copy
(failed at step checkpoint), keyboard navigation, a phone-width window without sideways scrolling,
and the data subject's page: their token in the form, their samples in the current model, and a
confirmed withdrawal that turns that model stale. Screenshots of each page go to DIR (default
artifacts/explorer), for CI to keep.
"""
import argparse
import base64
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

ROOT = pathlib.Path(__file__).resolve().parents[2]
parser = argparse.ArgumentParser()
parser.add_argument("assent", nargs="?", default=str(ROOT / ".build/debug/assent"))
parser.add_argument("--artifacts", default=str(ROOT / "artifacts/explorer"))
arguments = parser.parse_args()
artifacts = pathlib.Path(arguments.artifacts)
artifacts.mkdir(parents=True, exist_ok=True)
failures = []


def check(condition, what):
    print(("ok    " if condition else "FAIL  ") + what)
    if not condition:
        failures.append(what)


def run(*args):
    return subprocess.run([arguments.assent, *args], capture_output=True, text=True, check=True).stdout


def submitted(driver, button, title):
    """Clicks a form's button and waits until the page it leads to (whose title holds `title`) is shown."""
    button.click()
    try:
        WebDriverWait(driver, 30).until(lambda d: title in d.title)
    except Exception:
        pass


def shoot(driver, name):
    driver.save_screenshot(str(artifacts / f"{name}.png"))


with tempfile.TemporaryDirectory() as work:
    work = pathlib.Path(work)
    run("demo", "--dir", str(work / "demo"), "--data", str(ROOT / "Tools/datasets/digits"))
    ledger = str(work / "demo" / "ledger")
    receipt = json.loads(run("consent", "receipt", "writer-02@digits.example", "--ledger", ledger))
    token = receipt["withdraw_token"]
    models = json.loads(run("models", "--json", "--ledger", ledger))["models"]
    stale = next(m for m in models if m["stale"] and m["trainer"] == "logistic")
    current = next(m for m in models if not m["stale"] and m["trainer"] == "logistic")
    server = subprocess.Popen([arguments.assent, "serve", "--ledger", ledger, "--listen", "127.0.0.1:0", "--public-explorer"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900"):
        options.add_argument(flag)
    driver = None
    try:
        url = server.stdout.readline().strip().removeprefix("listening on ")
        check(url.startswith("http://127.0.0.1:"), f"assent serve listens at {url}")
        driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        driver.get(url + "/")
        check("Ledger overview" in driver.title, "the overview opens")
        check(len(driver.find_elements(By.CSS_SELECTOR, "svg[aria-labelledby='timeline-title'] rect")) >= 2,
              "the overview draws samples ingested and revoked over time")
        shoot(driver, "overview")
        driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
        check(driver.switch_to.active_element.text == "Skip to content", "Tab reaches the skip link first")

        driver.get(url + "/log")
        first = driver.find_element(By.CSS_SELECTOR, "tbody tr td a")
        index = first.text
        shoot(driver, "log")
        submitted(driver, first, f"Entry {index}")
        check(f"Entry {index}" in driver.title and "✓ verified" in driver.page_source,
              "an entry page shows its inclusion proof checked against the checkpoint")
        shoot(driver, "entry")

        driver.get(url + "/models?stale=1")
        page = driver.page_source
        check(stale["model"][:19] in page and driver.find_elements(By.CSS_SELECTOR, "span.stale"),
              "the stale model is listed and marked STALE in words")
        check("successor:" in page, "its successor is named")
        shoot(driver, "stale-models")

        driver.get(url + "/models/" + stale["model"])
        nodes = driver.find_elements(By.CSS_SELECTOR, "svg g[data-node]")
        marked = [n.get_attribute("data-node") for n in driver.find_elements(By.CSS_SELECTOR, "svg g.node.marked")]
        check(len(nodes) >= 4 and f"model:{stale['model']}" in marked, f"the lineage draws {len(nodes)} nodes, the stale model marked")
        check(any("revoked" in n.text for n in nodes), "the group that lost samples says how many were revoked")
        shoot(driver, "lineage")

        bundle = urllib.request.urlopen(f"{url}/models/{current['model']}/proof").read()
        files = json.loads(bundle)["files"]
        checkpoint = base64.b64decode(files["checkpoint"]).decode()
        files["checkpoint"] = base64.b64encode(checkpoint.replace("\n", "\n\n", 1).encode()).decode()
        tampered = json.dumps({"format": "assent.proof-bundle/v1", "files": files})
        for name, content, expected in [("bundle", bundle.decode(), "verified"),
                                        ("tampered", tampered, "verification failed at step checkpoint")]:
            path = work / f"{name}.json"
            path.write_text(content)
            driver.get(url + "/verify")
            driver.find_element(By.ID, "bundle").send_keys(str(path))
            submitted(driver, driver.find_element(By.CSS_SELECTOR, "form button"), "Verification result")
            check(driver.find_element(By.ID, "verdict").text == expected, f"/verify on the {name}: {expected}")
            shoot(driver, f"verify-{name}")

        driver.get(url + "/subject")
        check(token not in driver.current_url, "the subject page does not put the token in the address")
        driver.find_element(By.ID, "token").send_keys(token)
        submitted(driver, driver.find_element(By.CSS_SELECTOR, "form button"), "Your data")
        WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.ID, "withdraw"))
        check("used" in driver.page_source and current["model"][:19] in driver.page_source,
              "the subject sees their samples used by the current model")
        check(token not in driver.current_url, "the token never reaches the address")
        shoot(driver, "subject")
        driver.find_element(By.ID, "withdraw").click()
        check("Your consent is withdrawn" not in driver.title, "the withdrawal waits for the confirmation box")
        driver.find_element(By.ID, "confirm").click()
        submitted(driver, driver.find_element(By.ID, "withdraw"), "Your consent is withdrawn")
        check("Your consent is withdrawn" in driver.title and current["model"] in driver.page_source,
              "the withdrawal names the model it made stale")
        shoot(driver, "withdrawn")
        driver.get(url + "/models?stale=1")
        check(current["model"][:19] in driver.page_source and "not reproduced yet" in driver.page_source,
              "the model is now among the stale ones, not reproduced yet")

        driver.set_window_size(390, 844)
        for path in ("/", "/models/" + stale["model"], "/log"):
            driver.get(url + path)
            wide = driver.execute_script("return document.documentElement.scrollWidth > window.innerWidth + 1")
            check(not wide, f"{path} fits a phone's width without scrolling sideways")
        shoot(driver, "phone-lineage")
    finally:
        if driver is not None:
            driver.quit()
        server.terminate()
        server.wait(timeout=30)

print(f"explorer: {len(failures)} failures; screenshots in {artifacts}")
sys.exit(1 if failures else 0)
