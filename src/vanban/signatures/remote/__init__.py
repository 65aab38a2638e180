"""Remote signing: the signer's key is held by a trust service (NĐ 23/2025/NĐ-CP; signing
software requirements of TT 15/2025/TT-BKHCN) and vanban sends it only the hash to sign. `csc`
speaks the Cloud Signature Consortium API v2; `services.remote.remote_personal_sign` makes the
competent signer's PAdES signature with it. `asynchronous` speaks to the services where the
person confirms a signing transaction on their phone; `remote_personal_sign_start` and
`remote_personal_sign_finish` make the same signature with them in two steps.
"""
