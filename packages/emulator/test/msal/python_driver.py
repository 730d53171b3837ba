"""The MSAL Python side of msal-python.test.ts: Debian's python3-msal, used as its docs show.

One JSON request per stdin line, one JSON answer per stdout line. The emulator's local CA is trusted through
REQUESTS_CA_BUNDLE (set by the test), so MSAL reaches the https authority with nothing patched. Answers carry
decoded, non-secret claims and outcomes, never a token.
"""
import base64
import json
import sys
import urllib.parse

import msal
import requests

apps = {}
last_token = {}


def claims_of(jwt):
    payload = jwt.split(".")[1]
    payload += "=" * (-len(payload) % 4)
    return json.loads(base64.urlsafe_b64decode(payload))


def summary(name, result):
    """What a test may look at: the error fields MSAL returns, or the access token's audience and scopes."""
    if result is None:
        return {"none": True}
    if "error" in result:
        return {
            "error": result.get("error"),
            "error_codes": result.get("error_codes"),
            "suberror": result.get("suberror"),
            "description": (result.get("error_description") or "").split("\r\n")[0],
        }
    token = result["access_token"]
    claims = claims_of(token)
    same = last_token.get(name) == token
    last_token[name] = token
    return {
        "aud": claims.get("aud"),
        "scp": claims.get("scp"),
        "oid": claims.get("oid"),
        "same_token_as_before": same,
        "has_refresh_token": "refresh_token" in result,
    }


class AuthorityPortSession(requests.Session):
    """A plain requests session (MSAL's documented http_client) that keeps the authority's port.

    MSAL Python's username/password flow first asks https://HOST/common/userrealm/USER, built from the
    authority's host name without its port, which reaches the authority only on port 443. The emulator runs
    on a free port, so URLs for the authority's host that name no port get the authority's port back.
    """

    def __init__(self, authority):
        super().__init__()
        parts = urllib.parse.urlsplit(authority)
        self._host, self._netloc = parts.hostname, parts.netloc

    def request(self, method, url, *args, **kwargs):
        parts = urllib.parse.urlsplit(url)
        if parts.hostname == self._host and parts.port is None:
            url = urllib.parse.urlunsplit(parts._replace(netloc=self._netloc))
        return super().request(method, url, *args, **kwargs)


def create_app(req):
    # instance_discovery=False: the authority is not a Microsoft host, so MSAL must not ask Microsoft about it.
    apps[req["name"]] = msal.PublicClientApplication(
        req["clientId"],
        authority=req["authority"],
        instance_discovery=False,
        http_client=AuthorityPortSession(req["authority"]),
    )
    return {"created": req["name"]}


def sign_in(req):
    app = apps[req["name"]]
    scopes = req["scopes"]
    flow = req["flow"]
    if flow == "ropc":
        result = app.acquire_token_by_username_password(req["username"], req["password"], scopes=scopes)
    elif flow == "device_code":
        device = app.initiate_device_flow(scopes=scopes)
        if "user_code" not in device:
            return {"error": "device flow not started", "details": device.get("error")}
        result = app.acquire_token_by_device_flow(device)
    elif flow == "auth_code":
        # The auto-login emulator answers the authorize request with a redirect that carries the code.
        code_flow = app.initiate_auth_code_flow(scopes, redirect_uri=req["redirectUri"])
        answer = requests.get(code_flow["auth_uri"], allow_redirects=False, timeout=10)
        location = answer.headers.get("Location", "")
        params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
        result = app.acquire_token_by_auth_code_flow(code_flow, params)
    else:
        raise ValueError("unknown flow " + flow)
    return summary(req["name"], result)


def silent(req):
    app = apps[req["name"]]
    accounts = app.get_accounts(username=req["username"])
    if not accounts:
        return {"error": "no account in MSAL's cache"}
    # The seeds' own code path: acquire_token_silent with the scopes the app asked for at sign-in.
    return summary(req["name"], app.acquire_token_silent(req["scopes"], account=accounts[0]))


OPS = {"createApp": create_app, "signIn": sign_in, "silent": silent}

for line in sys.stdin:
    request = json.loads(line)
    try:
        answer = {"ok": True, "value": OPS[request["op"]](request)}
    except Exception as err:  # reported to the test, which fails with it
        answer = {"ok": False, "error": type(err).__name__ + ": " + str(err)}
    sys.stdout.write(json.dumps(answer) + "\n")
    sys.stdout.flush()
