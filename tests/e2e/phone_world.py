"""A Sở with a few weeks of work, for the browser tests of the pages on a phone and of the
screenshots (docs/deployment.md, "Phones"): the people of tests/support/drafting.Team (the
director Phạm Minh Đức signs with his personal certificate), two departments, registered incoming
documents (one urgent, one with a long subject), one presented to the director, one assigned to
the specialist, and a draft waiting for the director's approval. Everything goes through the
product's services, as in tests/e2e/test_whole_path.py.
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from tests import signing
from tests.e2e.login import open_menu, sign_in
from tests.support import shared
from tests.support.documents import DECLARED, incoming_input, scan
from tests.support.drafting import Team, create_draft, make_team, to_approving
from tests.support.province import Province, add_unit
from vanban.accounts.models import Unit, User
from vanban.documents import services as document_services
from vanban.documents.models import Document, Urgency
from vanban.drafting.models import Draft
from vanban.workflow import services as workflow_services

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}

PRESENTED_SUBJECT = "Đề nghị báo cáo tình hình ứng dụng công nghệ thông tin năm 2026"
LONG_SUBJECT = (
    "Kế hoạch triển khai Đề án phát triển ứng dụng dữ liệu về dân cư, định danh và xác thực "
    "điện tử phục vụ chuyển đổi số quốc gia giai đoạn 2022 - 2025, tầm nhìn đến năm 2030 trên "
    "địa bàn tỉnh Bến Tre"
)
ASSIGNED_SUBJECT = "Hướng dẫn bảo đảm an toàn thông tin cho hệ thống quản lý văn bản"


@dataclass
class World:
    team: Team
    plan: Unit  # Phòng Kế hoạch – Tài chính
    tech: Unit  # Phòng Công nghệ thông tin
    presented: Document  # waits for the director's direction
    assigned: Document  # directed, the specialist leads it
    draft: Draft  # waits for the director's approval

    @property
    def province(self) -> Province:
        return self.team.province


def build_world(settings) -> World:  # type: ignore[no-untyped-def]
    settings.VANBAN_TSA_URL = signing.pki().tsa_url  # signatures get a time stamp
    team = make_team(shared.province())
    stttt = team.province.stttt
    plan = add_unit("Phòng Kế hoạch – Tài chính", "KHTC", "khtcstttt", "001.00.12.H07", stttt)
    tech = add_unit("Phòng Công nghệ thông tin", "CNTT", "cnttstttt", "002.00.12.H07", stttt)
    today = timezone.localdate()

    def register(number: str, subject: str, **extra) -> Document:  # type: ignore[no-untyped-def]
        return document_services.incoming_register(
            actor=team.clerk,
            unit=stttt,
            data=incoming_input(code_number=number, subject=subject, **extra),
            refusals=DECLARED,
            main_file=scan(),
        )

    register("120", "Quyết định về việc ban hành Quy chế quản lý văn bản điện tử")
    register("131", LONG_SUBJECT, urgency=Urgency.URGENT)
    assigned = register("142", ASSIGNED_SUBJECT, due_date=today + dt.timedelta(days=10))
    presented = register(
        "245", PRESENTED_SUBJECT, urgency=Urgency.URGENT, due_date=today + dt.timedelta(days=5)
    )
    for document in (assigned, presented):
        workflow_services.processing_present(
            actor=team.clerk, document=document, leader=team.signer
        )
    workflow_services.processing_direct(
        actor=team.signer,
        document=assigned,
        direction="Giao đồng chí Phương chủ trì, Phòng Công nghệ thông tin phối hợp.",
        lead_user=team.drafter,
        co_units=[tech],
        deadline=today + dt.timedelta(days=7),
    )
    signing.personal(team.signer, label="ducpm")
    draft = create_draft(team)
    to_approving(team, draft)
    return World(team, plan, tech, presented, assigned, draft)


def open_window_for(browser: Browser, base_url: str, csp_violations: list[str]):  # type: ignore[no-untyped-def]
    """Opens browser windows, each signed in for one person at a given size (phones get touch);
    returns (open, close_all)."""
    contexts = []

    def open_window(user: User, viewport: dict[str, int] = PHONE) -> Page:
        phone = viewport["width"] < DESKTOP["width"]
        context = browser.new_context(
            locale="vi-VN", viewport=viewport, has_touch=phone, is_mobile=phone
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)

        def on_console(message) -> None:  # type: ignore[no-untyped-def]
            if message.type == "error" and "Content Security Policy" in message.text:
                csp_violations.append(f"{page.url}: {message.text}")

        context.on("console", on_console)
        sign_in(page, base_url, user)
        expect(page.get_by_role("heading", name=f"Xin chào, {user.full_name}")).to_be_visible()
        return page

    def close_all() -> None:
        for context in contexts:
            context.close()

    return open_window, close_all


def page_width(page: Page) -> int:
    """How wide the page is: more than the window means the page scrolls sideways."""
    width: int = page.evaluate("document.documentElement.scrollWidth")
    return width


def open_menu_link(page: Page, name: str) -> None:
    """Follow a link of the main menu, opening it first when it is folded (narrow screens),
    whatever count its badge shows ("Việc của tôi 2")."""
    open_menu(page)
    pattern = re.compile(rf"^{re.escape(name)}( \d+)?$")
    page.locator("nav.menu").get_by_role("link", name=pattern).click()
