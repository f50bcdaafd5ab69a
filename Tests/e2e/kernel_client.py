"""A minimal Jupyter kernel client over the server's WebSocket, for end-to-end tests."""
import json
import uuid

import websocket


def create_kernel(session, base_url):
    """POST /api/kernels with the server's cookie and XSRF token; returns the kernel id."""
    xsrf = next((c.value for c in session.cookies if c.name == "_xsrf" and c.path.startswith("/user/")), None)
    headers = {"X-XSRFToken": xsrf} if xsrf else {}
    response = session.post(base_url + "api/kernels", json={"name": "python3"}, headers=headers)
    assert response.status_code == 201, (response.status_code, response.text)
    return response.json()["id"]


def execute(session, ws_base, kernel_id, code, timeout=60):
    """Runs `code` over the kernel's channels WebSocket and returns the text/plain result."""
    cookie = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
    origin = ws_base.replace("ws://", "http://").split("/user/")[0]
    ws = websocket.create_connection(f"{ws_base}api/kernels/{kernel_id}/channels", timeout=timeout,
                                     header=[f"Cookie: {cookie}"], origin=origin)
    try:
        msg_id = uuid.uuid4().hex
        ws.send(json.dumps({
            "header": {"msg_id": msg_id, "username": "test", "session": uuid.uuid4().hex,
                       "msg_type": "execute_request", "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell",
            "content": {"code": code, "silent": False, "store_history": False,
                        "user_expressions": {}, "allow_stdin": False},
        }))
        while True:
            message = json.loads(ws.recv())
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if message["msg_type"] == "execute_result":
                return message["content"]["data"]["text/plain"]
            if message["msg_type"] == "error":
                raise AssertionError(f"kernel error: {message['content']}")
    finally:
        ws.close()
