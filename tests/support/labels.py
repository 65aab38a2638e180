"""Every element id on a page is unique and every form control has a label (WCAG 2.1 1.3.1,
4.1.1, 4.1.2): a control a label points at with `for`, or one named by `aria-label` or
`aria-labelledby`. Hidden inputs and buttons need none."""

from html.parser import HTMLParser

UNLABELLED_TYPES = {"hidden", "submit", "button", "reset", "image"}


class _Scan(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.label_for: set[str] = set()
        self.controls: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if "id" in values:
            self.ids.append(values["id"])
        if tag == "label" and values.get("for"):
            self.label_for.add(values["for"])
        if tag in ("select", "textarea") or (
            tag == "input" and values.get("type", "text").lower() not in UNLABELLED_TYPES
        ):
            self.controls.append((tag, values))


def label_problems(html: str) -> list[str]:
    """What is wrong on the page, one line each; empty when nothing is."""
    scan = _Scan()
    scan.feed(html)
    scan.close()
    problems = sorted({f"duplicate id “{i}”" for i in scan.ids if scan.ids.count(i) > 1})
    for tag, attrs in scan.controls:
        if attrs.get("aria-label") or attrs.get("aria-labelledby"):
            continue
        if attrs.get("id") and attrs["id"] in scan.label_for:
            continue
        problems.append(
            f"<{tag} name={attrs.get('name', '')!r} id={attrs.get('id', '')!r}> has no label"
        )
    return problems
