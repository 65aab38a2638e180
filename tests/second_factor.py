"""The second factor as a person with an authenticator app answers it (R6), for every test
that signs in an account whose role requires it: codes are computed from the device's secret,
as the app on the phone does.
"""

import time

from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from vanban.accounts.models import User

CODE_PAGE = "/tai-khoan/dang-nhap/ma-xac-thuc/"
ENROL_PAGE = "/tai-khoan/xac-thuc-hai-buoc/"


def totp_code(device: TOTPDevice) -> str:
    """The app's current code, or the next one when the current was already used.

    A code is accepted once (django-otp refuses a time step already used), so a test signing in
    the same person again within 30 seconds uses the next step, as the device's tolerance allows;
    beyond that it waits for the clock like a person would.
    """
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    now = time.time()
    totp.time = now
    current = totp.t()
    wanted = max(current, device.last_t + 1)
    if wanted > current + device.tolerance:
        time.sleep((wanted - device.tolerance) * device.step + device.t0 - now + 0.1)
        return totp_code(device)
    totp.time = now + (wanted - current) * device.step
    return f"{totp.token():0{device.digits}d}"


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
