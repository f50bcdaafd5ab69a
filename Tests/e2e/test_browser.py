"""The pages in a real browser (headless Chromium through chromedriver): login, home, the spawn form
with the Slurm partitions and their availability, the pending page, JupyterLab, tokens, admin and
error pages. A screenshot of each page goes to test-artifacts/screenshots/."""
import re

import pytest
import requests
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

import slurm_support as slurm
from conftest import ARTIFACTS, wait_for
from form_support import form_hub  # noqa: F401 (fixture)
from oidc_support import oauth_hub, oidc  # noqa: F401 (oidc is a fixture)

SCREENSHOTS = ARTIFACTS / "screenshots"
LAB_DOM = "#jp-main-dock-panel, .jp-LabShell"


@pytest.fixture
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900",
                     "--disable-gpu", "--no-first-run"]:
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def shot(driver, name):
    """A screenshot of the whole page (the window grows for it, then is 1280x900 again)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    if height > 900:
        driver.set_window_size(1280, height + 140)  # the window's own chrome takes part of it
    driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))
    if height > 900:
        driver.set_window_size(1280, 900)


def wait(driver, selector, timeout=30):
    return WebDriverWait(driver, timeout).until(EC.presence_of_element_located((By.CSS_SELECTOR, selector)))


def wait_lab(driver, timeout):
    """JupyterLab's DOM, then (for the screenshot) its splash screen gone."""
    wait(driver, LAB_DOM, timeout=timeout)
    WebDriverWait(driver, 60).until(EC.invisibility_of_element_located((By.ID, "jupyterlab-splash")))


def login(driver, hub, user, screenshot=None):
    driver.delete_all_cookies()
    driver.get(hub.public + "/hub/login")
    wait(driver, "#username").send_keys(user)
    driver.find_element(By.ID, "password").send_keys(hub.password)
    if screenshot:
        shot(driver, screenshot)
    driver.find_element(By.ID, "login_submit").click()
    wait(driver, "body[data-page=home]")


def login_through_provider(driver, hub, sub, screenshot=None):
    """The login page's provider button, the provider's own form (oidc-provider-mock), back to the hub."""
    driver.delete_all_cookies()
    driver.get(hub.public + "/hub/login")
    if screenshot:
        shot(driver, screenshot)
    wait(driver, "#oauth_login").click()
    field = wait(driver, "input[name=sub][type=text]")
    field.send_keys(sub)
    if screenshot:
        shot(driver, screenshot + "-provider")
    field.submit()
    wait(driver, "body[data-page=home]")


def test_home_pending_lab_token_admin_and_errors_with_the_local_spawner(hub, browser):
    login(browser, hub, "alice", screenshot="01-login")
    shot(browser, "02-home")
    assert "Servers of alice" in browser.find_element(By.TAG_NAME, "h1").text
    browser.find_element(By.CSS_SELECTOR, "tr[data-server=''] button.start").click()
    wait(browser, "body[data-page=spawn_pending], " + LAB_DOM)
    if browser.find_elements(By.CSS_SELECTOR, "body[data-page=spawn_pending]"):
        shot(browser, "03-pending-local")
    wait_lab(browser, timeout=120)
    assert browser.current_url.startswith(hub.public + "/user/alice/")
    shot(browser, "04-lab-local")

    browser.get(hub.public + "/hub/home")
    assert browser.find_element(By.CSS_SELECTOR, "tr[data-server=''] a.open").get_attribute("href").endswith("/user/alice/")

    browser.get(hub.public + "/hub/token")
    browser.find_element(By.ID, "token-note").send_keys("browser test")
    browser.find_element(By.ID, "token-submit").click()
    token = wait(browser, "#new-token").text
    assert re.fullmatch(r"[0-9a-f]{32,}", token), token
    shot(browser, "05-token")
    assert requests.get(hub.api + "/hub/api/user", headers={"Authorization": f"token {token}"}, timeout=10).status_code == 200

    browser.get(hub.public + "/hub/no-such-page")
    assert wait(browser, "#error-title").text.startswith("404")
    shot(browser, "06-error-404")
    browser.get(hub.public + "/hub/error/503?url=/user/alice/gone/")
    assert wait(browser, "#error-title").text.startswith("503")
    shot(browser, "07-error-503")

    # bob's server, stopped by an admin from the admin page; bob himself gets 403 there.
    hub.start_server("bob")
    login(browser, hub, "bob")
    browser.get(hub.public + "/hub/admin")
    assert wait(browser, "#error-title").text.startswith("403")
    shot(browser, "08-error-403-admin-as-bob")
    login(browser, hub, "admin")
    browser.get(hub.public + "/hub/admin")
    row = wait(browser, "tr[data-user=bob]")
    shot(browser, "09-admin")
    row.find_element(By.CSS_SELECTOR, "button.stop").click()
    wait(browser, "body[data-page=admin]")
    wait_for(lambda: not hub.api_get("/users/bob").json()["servers"], timeout=30, what="bob's server stopped")
    browser.get(hub.public + "/hub/admin")
    assert not wait(browser, "tr[data-user=bob]").find_elements(By.CSS_SELECTOR, "button.stop")


def test_spawn_form_without_javascript_shows_errors_next_to_fields(form_hub, browser):
    """The form (Slurm spawner, no cluster answering): tabs work by CSS alone, errors come back next to the field."""
    login(browser, form_hub, "alice")
    browser.get(form_hub.public + "/hub/spawn")
    wait(browser, "#simple-form")
    assert browser.find_element(By.ID, "availability-unknown").is_displayed()
    assert browser.find_element(By.ID, "site-logo").get_attribute("naturalWidth") != "0", "the data: logo loads under the CSP"
    shot(browser, "15-spawn-form-availability-unknown")
    browser.find_element(By.CSS_SELECTOR, "label[for=tab-advanced]").click()
    cpus = browser.find_element(By.ID, "advanced-cpus")
    assert cpus.is_displayed() and not browser.find_element(By.ID, "simple-partition").is_displayed()
    browser.execute_script("arguments[0].removeAttribute('max')", cpus)  # let the server do the checking
    cpus.send_keys("64")
    browser.find_element(By.ID, "advanced-submit").click()
    error = wait(browser, "#advanced-cpus-error")
    assert "between 1 and 8" in error.text and error.is_displayed()
    assert browser.find_element(By.ID, "advanced-cpus").get_attribute("value") == "64"
    shot(browser, "16-spawn-form-error")
    assert form_hub.api_get("/users/alice").json()["pending"] is None


def test_oidc_login_spawn_form_on_the_slurm_cluster_to_jupyterlab(hub_factory, oidc, browser):
    """alice signs in at the identity provider (oidc-provider-mock), fills the form, lands in JupyterLab
    running as her Slurm job."""
    slurm.require_cluster()
    oidc.set_user("alice", preferred_username="alice", groups=["hpc"])
    spawner = slurm.slurm_config(sinfo_cache_seconds=5)
    spawner["slurm"]["partitions"][0].update(simple=True, description="Interactive work")
    hub = oauth_hub(hub_factory, oidc, "slurmbrowser", extra={
        "spawner": spawner, "ui": {"site_name": "Test HPC Jupyter", "docs_url": "https://docs.example.org/jupyter"}})
    try:
        login_through_provider(browser, hub, "alice", screenshot="00-login-oidc")
        browser.get(hub.public + "/hub/spawn")
        wait(browser, "#simple-form")
        # The first view may come before sinfo answers (at most ~2 s are waited); the table then fills from the cache.
        for _ in range(20):
            if browser.find_elements(By.CSS_SELECTOR, "#availability tr[data-partition=debug]"):
                break
            browser.refresh()
            wait(browser, "#simple-form")
        rows = {row.get_attribute("data-partition"): row.text
                for row in browser.find_elements(By.CSS_SELECTOR, "#availability tbody tr")}
        assert set(rows) == {"debug", "long"}, rows
        assert "Test HPC Jupyter" in browser.title and browser.find_element(By.ID, "docs-link")
        simple_partitions = [o.get_attribute("value") for o in Select(browser.find_element(By.ID, "simple-partition")).options]
        assert simple_partitions == ["debug"]
        shot(browser, "10-spawn-simple")
        browser.find_element(By.CSS_SELECTOR, "label[for=tab-advanced]").click()
        advanced = [o.get_attribute("value") for o in Select(browser.find_element(By.ID, "advanced-partition")).options]
        assert advanced == ["debug", "long"]
        shot(browser, "11-spawn-advanced")

        # A bad runtime on the advanced tab comes back next to the field; nothing was submitted.
        browser.find_element(By.ID, "advanced-runtime").send_keys("25:00")
        browser.find_element(By.ID, "advanced-submit").click()
        assert "at most" in wait(browser, "#advanced-runtime-error").text
        shot(browser, "12-spawn-error")
        assert hub.api_get("/users/alice").json()["pending"] is None

        browser.find_element(By.CSS_SELECTOR, "label[for=tab-simple]").click()
        Select(browser.find_element(By.ID, "simple-partition")).select_by_value("debug")
        browser.find_element(By.CSS_SELECTOR, "label[for=simple-cpus-1]").click()
        Select(browser.find_element(By.ID, "simple-runtime")).select_by_value("1")
        Select(browser.find_element(By.ID, "simple-environment")).select_by_value("venv")
        browser.find_element(By.ID, "simple-submit").click()
        wait(browser, "body[data-page=spawn_pending], " + LAB_DOM, timeout=60)
        if browser.find_elements(By.CSS_SELECTOR, "body[data-page=spawn_pending]"):
            shot(browser, "13-pending-slurm")
        wait_lab(browser, timeout=300)
        shot(browser, "14-lab-slurm")
        job_id = slurm.server_job_id(hub, "alice")
        assert job_id and any(j["id"] == job_id and j["user"] == "alice" for j in slurm.jobs())
        options = hub.api_get("/users/alice").json()["servers"][""]["user_options"]
        assert options == {"partition": "debug", "cpus": "1", "runtime": "1", "environment": "venv"}, options

        # The form remembers the last choice.
        browser.get(hub.public + "/hub/home")
        browser.find_element(By.CSS_SELECTOR, "tr[data-server=''] button.stop").click()
        wait_for(lambda: not hub.api_get("/users/alice").json()["servers"], timeout=60, what="alice's server stopped")
        browser.get(hub.public + "/hub/spawn")
        assert wait(browser, "#tab-simple").is_selected()
        assert Select(browser.find_element(By.ID, "simple-environment")).first_selected_option.get_attribute("value") == "venv"
    finally:
        # Only this test's job; other users of the test cluster keep theirs.
        job_id = slurm.server_job_id(hub, "alice")
        requests.delete(hub.api + "/hub/api/users/alice/server", headers=hub.api_headers(), timeout=60)
        if job_id:
            slurm.run("scancel", job_id, check=False)
