"""Keys on a PKCS#11 token or HSM (R11), and on the signer's own token for
`vanban-sign`.

`Pkcs11Key` is a `pdfsign.KeyHolder`: it knows the certificate registered for the key and signs
with pyHanko's `PKCS11Signer`. Every operation opens its own session, logs in with the PIN and
closes the session (logging out) before returning, also on failure: nothing stays logged in on
the token between two signatures. The PKCS#11 login state belongs to the whole process, so the
sessions of one process are taken one at a time (`_LOCK`).

This module does not need Django (`vanban-sign` uses it on the signer's computer); only
`pkcs11_holder` reads the settings and the registered certificate.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any

from asn1crypto import keys, x509

from .pdfsign import SigningFailed, certificate_store

if TYPE_CHECKING:
    from .models import Certificate

_LOCK = threading.Lock()

MSG_NOT_CONFIGURED = (
    "Máy chủ chưa được cấu hình thiết bị ký PKCS#11/HSM (thiết lập VANBAN_PKCS11_MODULE); "
    "liên hệ quản trị hệ thống."
)
MSG_PIN_EMPTY = "Cần nhập mã PIN của thiết bị ký."
MSG_PIN_WRONG = "Mã PIN của thiết bị ký không đúng."
MSG_PIN_LOCKED = "Mã PIN của thiết bị ký đã bị khóa do nhập sai nhiều lần."
MSG_MISMATCH = "Khóa trên thiết bị ký không khớp với chứng thư số đã đăng ký."


class Pkcs11Key:
    """The private key labelled `key_label` on the token labelled `token_label` (or the only
    token of the module) of the PKCS#11 module `module`, for `certificate`."""

    def __init__(
        self,
        *,
        module: str,
        token_label: str,
        key_label: str,
        pin: str,
        certificate: x509.Certificate,
        chain: list[x509.Certificate] | None = None,
        not_configured: str = MSG_NOT_CONFIGURED,
    ) -> None:
        self.module = module.strip()
        self.token_label = token_label.strip()
        self.key_label = key_label.strip()
        self.pin = pin
        self.signing_cert = certificate
        self.chain = list(chain or [])
        self.cert_registry: Any = certificate_store([certificate, *self.chain])
        self.not_configured = not_configured

    # ------------------------------------------------------------ sessions

    @contextmanager
    def session(self) -> Iterator[Any]:
        """An open, logged-in session on the token, closed (and logged out) on leaving."""
        if not self.module:
            raise SigningFailed(self.not_configured)
        if not self.pin:
            raise SigningFailed(MSG_PIN_EMPTY)
        with _LOCK:
            session = self._open()
            try:
                yield session
            finally:
                with suppress(Exception):  # a removed token has nothing left to close
                    session.close()

    def _open(self) -> Any:
        import pkcs11
        from pyhanko.config.pkcs11 import TokenCriteria
        from pyhanko.sign.pkcs11 import open_pkcs11_session

        try:
            library = pkcs11.lib(self.module)
        except Exception as exc:
            raise SigningFailed(
                f"Không nạp được thư viện PKCS#11 “{self.module}” của thiết bị ký: {exc}"
            ) from exc
        criteria = TokenCriteria(label=self.token_label) if self.token_label else None
        for attempt in (1, 2):
            try:
                return open_pkcs11_session(self.module, token_criteria=criteria, user_pin=self.pin)
            except (pkcs11.PinIncorrect, pkcs11.PinLenRange, pkcs11.PinInvalid) as exc:
                _drop_sessions(library)
                raise SigningFailed(MSG_PIN_WRONG) from exc
            except pkcs11.PinLocked as exc:
                _drop_sessions(library)
                raise SigningFailed(MSG_PIN_LOCKED) from exc
            except pkcs11.PinExpired as exc:
                _drop_sessions(library)
                raise SigningFailed(
                    "Mã PIN của thiết bị ký đã hết hạn; hãy đổi mã PIN bằng phần mềm của thiết bị."
                ) from exc
            except pkcs11.PKCS11Error as exc:
                message = str(exc)
                if message.startswith("No token"):
                    if attempt == 1:
                        # A token plugged in (or initialised) after the module was loaded is
                        # seen only after the module is initialised again.
                        _drop_sessions(library)
                        continue
                    raise SigningFailed(
                        f"Không tìm thấy thiết bị ký có nhãn “{self.token_label}” "
                        "(thiết bị chưa được cắm hoặc sai nhãn)."
                    ) from exc
                if message.startswith("Module has more than 1 slot"):
                    raise SigningFailed(
                        "Thư viện PKCS#11 không có thiết bị ký nào hoặc có nhiều thiết bị; hãy "
                        "chỉ rõ nhãn thiết bị ký."
                    ) from exc
                _drop_sessions(library)
                reason = f"{type(exc).__name__} {message}".strip()
                raise SigningFailed(
                    f"Thiết bị ký báo lỗi khi mở phiên làm việc ({reason})."
                ) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    # ------------------------------------------------------------ the key

    def find_key(self, session: Any) -> Any:
        """The private key object, after checking that it (and the certificate kept next to it
        on the token, if any) belongs to `signing_cert`."""
        from pkcs11 import Attribute, ObjectClass

        if not self.key_label:
            raise SigningFailed("Chưa có nhãn khóa trên thiết bị ký.")
        found = list(
            session.get_objects(
                {Attribute.CLASS: ObjectClass.PRIVATE_KEY, Attribute.LABEL: self.key_label}
            )
        )
        if not found:
            raise SigningFailed(
                f"Không tìm thấy khóa bí mật có nhãn “{self.key_label}” trên thiết bị ký."
            )
        if len(found) > 1:
            raise SigningFailed(
                f"Thiết bị ký có nhiều khóa bí mật cùng nhãn “{self.key_label}”; hãy đặt nhãn "
                "riêng cho từng khóa."
            )
        key = found[0]
        for cert_object in session.get_objects(
            {Attribute.CLASS: ObjectClass.CERTIFICATE, Attribute.LABEL: self.key_label}
        ):
            stored = x509.Certificate.load(bytes(cert_object[Attribute.VALUE]))
            if stored.public_key.dump() != self.signing_cert.public_key.dump():
                raise SigningFailed(MSG_MISMATCH)
        if not _same_public_key(session, key, self.key_label, self.signing_cert.public_key):
            raise SigningFailed(MSG_MISMATCH)
        return key

    def check(self) -> None:
        """Opens the token with the PIN and finds the key (wrong PIN, missing or foreign key
        raise SigningFailed)."""
        with self.session() as session:
            self.find_key(session)

    async def async_sign_raw(
        self, data: bytes, digest_algorithm: str, dry_run: bool = False
    ) -> bytes:
        if dry_run:
            return bytes(512)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, self._sign, data, digest_algorithm)

    def _sign(self, data: bytes, digest_algorithm: str) -> bytes:
        from pyhanko.sign.pkcs11 import PKCS11Signer

        with self.session() as session:
            self.find_key(session)
            signer = PKCS11Signer(
                session,
                signing_cert=self.signing_cert,
                ca_chain=self.chain,
                key_label=self.key_label,
                other_certs_to_pull=(),
            )
            # pyHanko's signer is asynchronous: run it in a private loop of this thread, while
            # the session is open.
            try:
                return asyncio.run(signer.async_sign_raw(data, digest_algorithm))
            except Exception as exc:
                reason = f"{type(exc).__name__} {exc}".strip()
                raise SigningFailed(f"Thiết bị ký từ chối thao tác ký ({reason}).") from exc


def _drop_sessions(library: Any) -> None:
    """Initialises the module again: this closes a session that a failed login left open and
    lets the module see tokens added since it was loaded. Called with `_LOCK` held."""
    with suppress(Exception):  # the next open reports what is wrong
        library.reinitialize()


def _same_public_key(session: Any, key: Any, label: str, public_key: keys.PublicKeyInfo) -> bool:
    """Whether the private key on the token is the one of `public_key`: the RSA modulus of the
    private key object, or the public key object stored next to it."""
    from pkcs11 import Attribute, KeyType, ObjectClass
    from pkcs11.util.ec import encode_ec_public_key

    algorithm = public_key.algorithm
    expected = public_key["public_key"]
    try:
        if algorithm == "rsa" and key.key_type == KeyType.RSA:
            modulus = int.from_bytes(bytes(key[Attribute.MODULUS]), "big")
            return bool(modulus == expected.parsed["modulus"].native)
    except Exception:  # noqa: S110  (attribute not readable: look at the public key object)
        pass
    try:
        for public in session.get_objects(
            {Attribute.CLASS: ObjectClass.PUBLIC_KEY, Attribute.LABEL: label}
        ):
            if algorithm == "rsa" and public.key_type == KeyType.RSA:
                modulus = int.from_bytes(bytes(public[Attribute.MODULUS]), "big")
                return bool(modulus == expected.parsed["modulus"].native)
            if algorithm == "ec" and public.key_type == KeyType.EC:
                info = keys.PublicKeyInfo.load(encode_ec_public_key(public))
                return bool(info["public_key"].native == expected.native)
    except Exception:  # noqa: S110  (nothing to compare: the signature is checked afterwards)
        pass
    # Nothing on the token tells which public key goes with the private key: accepted here;
    # the signature value is checked against the certificate before it is used.
    return True


def pkcs11_holder(certificate: Certificate, pin: str) -> Pkcs11Key:
    """The key of `certificate` on the server's token or HSM (settings VANBAN_PKCS11_MODULE,
    VANBAN_PKCS11_TOKEN), checked with the signer's PIN."""
    from django.conf import settings

    from . import services

    holder = Pkcs11Key(
        module=settings.VANBAN_PKCS11_MODULE,
        token_label=settings.VANBAN_PKCS11_TOKEN,
        key_label=certificate.pkcs11_key_label,
        pin=pin,
        certificate=services.certificate_x509(certificate),
        chain=services.certificate_chain(certificate),
    )
    holder.check()
    return holder
