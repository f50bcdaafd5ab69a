"""A minimal Jupyter kernel client over the server's WebSocket, for end-to-end tests."""
import json
import uuid

import websocket


def create_kernel(session, base_url):
    """POST /api/kernels with the server's cookie and XSRF token; returns the kernel id."""
    host = base_url.split("://", 1)[1].split("/", 1)[0].split(":", 1)[0]
    # The server's own _xsrf: path /user/… on a shared origin, or `__Host-`-named on the server's own host.
    shared = [c.value for c in session.cookies if c.name == "_xsrf" and c.path.startswith("/user/")]
    own = [c.value for c in session.cookies if c.name.endswith("_xsrf") and c.domain == host]
    xsrf = (shared or own or [None])[0]
    headers = {"X-XSRFToken": xsrf} if xsrf else {}
    response = session.post(base_url + "api/kernels", json={"name": "python3"}, headers=headers)
    assert response.status_code == 201, (response.status_code, response.text)
    return response.json()["id"]


class KernelChannel:
    """One open channels WebSocket to a kernel, kept open across several executions."""

    def __init__(self, session, ws_base, kernel_id, timeout=60, ca_file=None):
        cookie = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
        origin = ws_base.replace("wss://", "https://").replace("ws://", "http://").split("/user/")[0]
        sslopt = {"ca_certs": str(ca_file)} if ca_file else None
        self.ws = websocket.create_connection(f"{ws_base}api/kernels/{kernel_id}/channels", timeout=timeout,
                                              header=[f"Cookie: {cookie}"], origin=origin, sslopt=sslopt)
        self.session_id = uuid.uuid4().hex

    def run(self, code):
        """Runs `code` and returns the text/plain result."""
        msg_id = uuid.uuid4().hex
        self.ws.send(json.dumps({
            "header": {"msg_id": msg_id, "username": "test", "session": self.session_id,
                       "msg_type": "execute_request", "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell",
            "content": {"code": code, "silent": False, "store_history": False,
                        "user_expressions": {}, "allow_stdin": False},
        }))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if message["msg_type"] == "execute_result":
                return message["content"]["data"]["text/plain"]
            if message["msg_type"] == "error":
                raise AssertionError(f"kernel error: {message['content']}")

    def close(self):
        self.ws.close()


def execute(session, ws_base, kernel_id, code, timeout=60, ca_file=None):
    """Runs `code` over a new channels WebSocket and returns the text/plain result."""
    channel = KernelChannel(session, ws_base, kernel_id, timeout, ca_file)
    try:
        return channel.run(code)
    finally:
        channel.close()
