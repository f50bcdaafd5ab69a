"""A job's port report (`POST /hub/api/batchspawner`, as batchspawner-singleuser sends it)."""
import json
import sys

import requests

from conftest import VENV_BIN

REPORTER = r'''
import json, os, sys, requests
url = os.environ["JUPYTERHUB_API_URL"] + "/batchspawner"
headers = {"Authorization": "token " + os.environ["JUPYTERHUB_API_TOKEN"]}
first = requests.post(url, headers=headers, json={"port": 51234})
second = requests.post(url, headers=headers, json={"port": 51235, "ip": "evil.example"})
bad = requests.post(url, headers=headers, json={"port": "0"})
json.dump({"first": [first.status_code, first.json()], "second": second.status_code, "bad": bad.status_code},
          open(sys.argv[1], "w"))
os.execv(sys.argv[2], sys.argv[2:])
'''


def test_port_report_with_the_servers_own_token(hub_factory, tmp_path):
    result = tmp_path / "report.json"
    hub = hub_factory(extra={"spawner": {"local": {"cmd": [
        sys.executable, "-c", REPORTER, str(result), str(VENV_BIN / "jupyterhub-singleuser"), "--allow-root"]}}})
    hub.start_server("alice")
    report = json.loads(result.read_text())
    assert report["first"] == [200, {"message": "BatchSpawner data configured"}]
    assert report["second"] == 409, "only the first report counts"
    assert report["bad"] == 400
    # Other credentials cannot report ports: a user token is not a server token.
    response = requests.post(hub.api + "/hub/api/batchspawner", headers=hub.api_headers(), json={"port": 5000})
    assert response.status_code == 404
    response = requests.post(hub.api + "/hub/api/batchspawner", json={"port": 5000})
    assert response.status_code == 403
