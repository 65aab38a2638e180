"""The second factor as a person with an authenticator app answers it (R6), for every test
that signs in an account whose role requires it: codes are computed from the device's secret,
as the app on the phone does.
"""

import base64
import time

from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from vanban.accounts.models import User

CODE_PAGE = "/tai-khoan/dang-nhap/ma-xac-thuc/"
ENROL_PAGE = "/tai-khoan/xac-thuc-hai-buoc/"


def code_from_secret(secret: str, *, last_used_step: int = -1, drift: int = 0) -> str:
    """What the app shows for the base32 `secret` typed or scanned from the enrolment page.

    A code is accepted once (django-otp refuses a time step already used) within one step of
    the device's clock (`drift` is what the device learnt of the phone's clock), so a test
    signing in the same person again within 30 seconds uses the next step; beyond that it waits
    for the clock like a person would.
    """
    key = base64.b32decode(secret.replace(" ", "").upper())
    totp = TOTP(key)
    now = time.time()
    totp.time = now
    current = totp.t()  # the phone's step
    wanted = max(current, current + drift - 1, last_used_step + 1)
    if wanted > current + drift + 1:
        time.sleep((current + 1) * totp.step - now + 0.1)
        return code_from_secret(secret, last_used_step=last_used_step, drift=drift)
    totp.time = now + (wanted - current) * totp.step
    return f"{totp.token():06d}"


def totp_code(device: TOTPDevice) -> str:
    """The next code the device accepts, from its secret."""
    device.refresh_from_db()
    assert (device.step, device.t0, device.digits) == (30, 0, 6)
    return code_from_secret(
        base64.b32encode(device.bin_key).decode(),
        last_used_step=device.last_t,
        drift=device.drift,
    )


def pending_device(user: User) -> TOTPDevice:
    return TOTPDevice.objects.get(user=user, confirmed=False)


def enrolled_device(user: User) -> TOTPDevice:
    return TOTPDevice.objects.get(user=user, confirmed=True)


def enrol(client: Client, user: User) -> list[str]:
    """Enrol through the page: open it, read the secret's device, confirm a first code."""
    page = client.get(ENROL_PAGE)
    assert page.status_code == 200, page.content.decode()[:500]
    response = client.post(ENROL_PAGE, {"code": totp_code(pending_device(user))})
    assert response.status_code == 200, response.content.decode()[:500]
    codes = response.context["codes"]
    assert len(codes) == 10
    return codes


def finish_login(client: Client, response, user: User) -> None:
    """After the password page: answer the code step, or enrol when the role requires it."""
    assert response.status_code == 302, response.content.decode()[:500]
    if response.headers["Location"] == CODE_PAGE:
        done = client.post(CODE_PAGE, {"code": totp_code(enrolled_device(user))})
        assert done.status_code == 302, done.content.decode()[:500]
        return
    probe = client.get("/")
    if probe.status_code == 302 and probe.headers["Location"] == ENROL_PAGE:
        enrol(client, user)
