"""A one-stop system's connector to the National Public Service Portal, as an integrator writes it.

It is deliberately plain (the standard library only): the point of the example is the test file next
to it, which runs this code against an ngsp-sim hub with the ``ngsp_hub`` fixture.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

SYNC = "/r1/VN/GOV/000.00.00.G22/DVCQG/DongBoHoSoMC"


class ConnectorError(Exception):
    def __init__(self, status: int, error_type: str | None, body: Any) -> None:
        self.status, self.error_type, self.body = status, error_type, body
        super().__init__(f"{status} {error_type}: {body}")


class OneStopConnector:
    def __init__(self, platform_url: str, client: str = "VN/GOV/000.00.00.H29/MOTCUA") -> None:
        self.platform_url = platform_url.rstrip("/")
        self.client = client

    def sync_dossier(self, dossier: dict[str, Any], updating: bool = False) -> dict[str, Any]:
        """DongBoHoSoMC: report one dossier to DVCQG; returns the portal's answer."""
        body = json.dumps({"isUpdating": updating, "data": [dossier]}).encode()
        request = urllib.request.Request(
            self.platform_url + SYNC,
            data=body,
            method="POST",
            headers={"X-Road-Client": self.client, "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return json.loads(answer.read())
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            raise ConnectorError(exc.code, exc.headers.get("X-Road-Error"), json.loads(raw or b"null")) from None
