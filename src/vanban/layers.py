"""The layers of vanban, declared once: an app may import only from apps in the layers below it.

From the bottom up. Each entry is one layer; apps in one layer do not import each other.
`tests/test_layers.py` walks every module (migrations left out) and fails on an import that
points up or sideways; docs/architecture.md ("Layers") says what each app is for and where a new
feature goes.

An app that needs something from an app above it asks for it through a registration the upper
app makes in `AppConfig.ready()` (`documents.files.file_source_register`,
`documents.receipt_checks.receipt_check_register`, `documents.intake.package_intake_register`,
`documents.share_rules.share_rule_register`, `documents.opened.document_opened_register`);
a page or a command that puts several apps together belongs to `portal`.

`benchmarks/` (the performance suite and the province it generates) sits above every layer: it
imports `vanban`, and no module of `vanban` imports it.
"""

LAYERS: tuple[tuple[str, ...], ...] = (
    ("core",),  # clock, text, errors, notifications, schedule, base template; HTTP answers
    ("audit",),  # the hash-chained audit trail
    ("accounts",),  # units, accounts, roles, login, policies
    ("reports",),  # PDF rendering and the account-change report
    ("scanning",),  # malware scan of uploads (ClamAV)
    ("documents",),  # the document record, registers, numbering, files, search
    ("signatures",),  # keys, certificates, signing and verifying PDF signatures
    ("interop",),  # only the migrations of the former partner-exchange app (tables interop_*)
    ("exchange",),  # electronic exchange inside the province and with partner systems
    ("paper",),  # paper documents at the scanner: upload, OCR queue, confirm and register
    ("workflow",),  # processing incoming documents
    ("drafting",),  # drafting, approving, signing and issuing outgoing documents
    ("agenda",),  # the leadership's weekly work calendar (lịch công tác tuần)
    ("records",),  # dossiers, retention, hand-over to the archive, archival packages
    ("oversight",),  # usage statistics, reform indicators, fault reports, release notes
    ("reorganisation",),  # merging, splitting, renaming, moving and closing units by a plan
    ("portal",),  # composition root: home page, quickstart, demo, backup
    ("api",),  # the REST API's assembly of routers and tokens
)

# Modules of `vanban` that are not apps: the project's settings, URLs and entry points sit on top.
TOP_MODULES = ("settings", "test_settings", "urls", "wsgi", "__main__", "layers")


def layer_of(app: str) -> int:
    for index, layer in enumerate(LAYERS):
        if app in layer:
            return index
    raise KeyError(app)
