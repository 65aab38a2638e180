"""The processing of generated incoming documents (benchmarks/benchdata.py): presented to a
leader, directed to a lead with co-handlers and people for information, completed or still open,
with the trail entries and the documents given to the people concerned."""

import datetime as dt
import random
from typing import Any
from zoneinfo import ZoneInfo

from benchmarks.benchdata_province import Person, UnitInfo
from benchmarks.benchdata_rows import Ids
from benchmarks.benchdata_words import DIRECTIONS, RESULTS
from django.utils import timezone

from vanban.accounts.models import User
from vanban.documents.models import Document, DocumentShare
from vanban.workflow import models as wf
from vanban.workflow.services import Plan


class ProcessingBuilder:
    """The rows of the processing of incoming documents, one document at a time. Every step draws
    from the generator's `rng` and takes keys in the same order as one pass would, so a seed gives
    the same province whatever the steps are called."""

    def __init__(
        self,
        *,
        rng: random.Random,
        now: dt.datetime,
        tz: ZoneInfo,
        ids: dict[Any, Ids],
        infos: list[UnitInfo],
        leaders_by_unit: dict[int, list[Person]],
        clerks_by_unit: dict[int, list[Person]],
    ) -> None:
        self.rng = rng
        self.now = now
        self.today = timezone.localdate(now)
        self.tz = tz
        self.ids = ids
        self.leaders_by_unit = leaders_by_unit
        self.clerks_by_unit = clerks_by_unit
        self.users: dict[int, User] = {}
        self.names = {p.pk: p.full_name for i in infos for p in (*i.clerks, *i.handlers)}
        self.names.update((p.pk, p.full_name) for ps in leaders_by_unit.values() for p in ps)

    def processing(self, document: Document, info: UnitInfo, rows: dict[str, list[Any]]) -> None:
        """Present the document, maybe direct it, maybe complete it; rows go to `rows`."""
        rng = self.rng
        if not info.leaders:
            return
        age = (self.today - document.registered_at.date()).days
        if rng.random() < (0.6 if age <= 1 else 0.3 if age <= 7 else 0.25):
            return  # for information or filing only: never presented
        processing, leader, presented_at = self.processing_present(document, info, rows)
        shares = {leader.pk: (document.registered_by_id, presented_at)}
        directed_at = presented_at + dt.timedelta(minutes=rng.randint(60, 2 * 24 * 60))
        waiting = 0.5 if age <= 3 else 0.1 if age <= 14 else 0.0
        if rng.random() < waiting or directed_at > self.now:
            self.share_rows(document, shares, rows)
            return
        directed_day = timezone.localtime(directed_at, self.tz).date()
        deadline = document.due_date
        if deadline is None or deadline < directed_day:
            deadline = directed_day + dt.timedelta(days=info.policy_days[document.urgency])
        plan = self.processing_plan(info, leader)
        processing.status = wf.ProcessingStatus.IN_PROGRESS
        processing.direction = rng.choice(DIRECTIONS).format(lead=plan.lead_label)
        processing.directed_by_id = leader.pk
        processing.directed_at = directed_at
        processing.deadline = deadline
        completed_at = self.processing_completion(age, deadline, directed_day, directed_at)
        done = completed_at is not None
        assignments = self.processing_assignments(
            processing, info, leader, plan, deadline, directed_at
        )
        lead_row = assignments[0]
        finisher = self.processing_assignments_close(
            assignments, plan, leader, directed_at, completed_at, shares
        )
        rows["assignment"].extend(assignments)
        rows["trail"].append(
            wf.TrailEntry(
                pk=self.ids[wf.TrailEntry].take(),
                processing_id=processing.pk,
                document_id=document.pk,
                assignment_id=lead_row.pk,
                action=wf.TrailAction.DIRECTED,
                actor_id=leader.pk,
                actor_name=leader.full_name,
                summary=plan.summary(deadline)[:1000],
                text=processing.direction,
                at=directed_at,
            )
        )
        if done and completed_at is not None:
            self.processing_complete(processing, lead_row, plan, finisher, completed_at, rows)
        self.share_rows(document, shares, rows)

    def processing_present(
        self, document: Document, info: UnitInfo, rows: dict[str, list[Any]]
    ) -> tuple[wf.Processing, Person, dt.datetime]:
        """The clerk presents the document to one of the unit's leaders."""
        rng = self.rng
        leader = rng.choice(info.leaders)
        clerk_id = document.registered_by_id
        presented_at = min(
            document.registered_at + dt.timedelta(minutes=rng.randint(10, 240)), self.now
        )
        document.awaiting_presentation = False
        processing = wf.Processing(
            pk=self.ids[wf.Processing].take(),
            document_id=document.pk,
            unit_id=info.unit.pk,
            status=wf.ProcessingStatus.PRESENTED,
            presented_to_id=leader.pk,
            presented_by_id=clerk_id,
            presented_at=presented_at,
            created_at=presented_at,
        )
        rows["processing"].append(processing)
        rows["trail"].append(
            wf.TrailEntry(
                pk=self.ids[wf.TrailEntry].take(),
                processing_id=processing.pk,
                document_id=document.pk,
                action=wf.TrailAction.PRESENTED,
                actor_id=clerk_id,
                actor_name=self.name_of(clerk_id),
                summary=f"Trình lãnh đạo {leader.full_name}.",
                at=presented_at,
            )
        )
        return processing, leader, presented_at

    def processing_plan(self, info: UnitInfo, leader: Person) -> Plan:
        """Who the leader gives the work to: a lead (a unit or a person), maybe a co-handler
        and a person for information."""
        rng = self.rng
        # A commune has no staff: its clerk, or the chairman himself, handles the document.
        candidates = [p for p in info.handlers if p.pk != leader.pk] or info.clerks or [leader]
        plan = Plan()
        if info.lead_units and rng.random() < 0.25:
            plan.lead_unit = rng.choice(info.lead_units)
        else:
            lead = rng.choice(candidates)
            plan.lead_user = self.user(lead)
        others = [p for p in candidates if plan.lead_user is None or p.pk != plan.lead_user.pk]
        rng.shuffle(others)
        if others and rng.random() < 0.3:
            person = others.pop()
            plan.co_users.append(self.user(person))
        if others and rng.random() < 0.2:
            person = others.pop()
            plan.info_users.append(self.user(person))
        return plan

    def processing_completion(
        self, age: int, deadline: dt.date, directed_day: dt.date, directed_at: dt.datetime
    ) -> dt.datetime | None:
        """When the work was completed, or None while it is still open."""
        rng = self.rng
        # Most work ends by its deadline; what is still open is mostly not yet due, with a tail
        # of overdue work (older the rarer).
        late = (self.today - deadline).days
        done_share = 0.3 if late <= 0 else 0.85 if late < 7 else 0.95 if late < 60 else 0.999
        done = age >= 2 and rng.random() < done_share
        completed_at = None
        if done:
            span = (deadline - directed_day).days + 1
            completed_at = directed_at + dt.timedelta(days=rng.uniform(0.1, 1.3) * span)
            completed_at = min(completed_at, self.now)
        return completed_at

    def processing_assignments(
        self,
        processing: wf.Processing,
        info: UnitInfo,
        leader: Person,
        plan: Plan,
        deadline: dt.date,
        directed_at: dt.datetime,
    ) -> list[wf.Assignment]:
        """The lead's assignment first, then the co-handlers' and those for information."""
        common = {
            "processing_id": processing.pk,
            "document_id": processing.document_id,
            "assigner_unit_id": info.unit.pk,
            "assigned_by_id": leader.pk,
            "assigned_at": directed_at,
        }
        lead_row = wf.Assignment(
            pk=self.ids[wf.Assignment].take(),
            role=wf.AssignmentRole.LEAD,
            assignee_unit=plan.lead_unit,
            assignee_user_id=plan.lead_user.pk if plan.lead_user else None,
            deadline=deadline,
            **common,
        )
        assignments = [lead_row]
        assignments += [
            wf.Assignment(
                pk=self.ids[wf.Assignment].take(),
                role=wf.AssignmentRole.CO,
                assignee_user_id=u.pk,
                deadline=deadline,
                **common,
            )
            for u in plan.co_users
        ]
        assignments += [
            wf.Assignment(
                pk=self.ids[wf.Assignment].take(),
                role=wf.AssignmentRole.INFO,
                assignee_user_id=u.pk,
                **common,
            )
            for u in plan.info_users
        ]
        return assignments

    def processing_assignments_close(
        self,
        assignments: list[wf.Assignment],
        plan: Plan,
        leader: Person,
        directed_at: dt.datetime,
        completed_at: dt.datetime | None,
        shares: dict[int, tuple[int, dt.datetime]],
    ) -> int:
        """Give the document to everyone assigned, close the other assignments as the work
        went, and return who completes the lead's part."""
        rng = self.rng
        done = completed_at is not None
        lead_row = assignments[0]
        if plan.lead_unit is not None:
            unit_leaders = self.leaders_by_unit[plan.lead_unit.pk]
            finisher = rng.choice(unit_leaders).pk
            for person in (*unit_leaders, *self.clerks_by_unit[plan.lead_unit.pk]):
                shares.setdefault(person.pk, (leader.pk, directed_at))
        else:
            assert lead_row.assignee_user_id is not None  # no unit leads, so a person does
            finisher = lead_row.assignee_user_id
        for row in assignments:
            if row.assignee_user_id:
                shares.setdefault(row.assignee_user_id, (leader.pk, directed_at))
            if row is not lead_row and rng.random() < (0.8 if done else 0.4):
                row.status = wf.AssignmentStatus.DONE
                row.completed_by_id = row.assignee_user_id
                row.completed_at = min(
                    directed_at + dt.timedelta(hours=rng.randint(1, 72)), self.now
                )
            elif done:
                row.status = wf.AssignmentStatus.CLOSED
                row.completed_at = completed_at
        return finisher

    def processing_complete(
        self,
        processing: wf.Processing,
        lead_row: wf.Assignment,
        plan: Plan,
        finisher: int,
        completed_at: dt.datetime,
        rows: dict[str, list[Any]],
    ) -> None:
        """The lead completes its part, and with it the processing of the document."""
        result = self.rng.choice(RESULTS)
        lead_row.status = wf.AssignmentStatus.DONE
        lead_row.completed_at = completed_at
        lead_row.completed_by_id = finisher
        lead_row.result = result
        processing.status = wf.ProcessingStatus.DONE
        processing.completed_at = completed_at
        processing.completed_by_id = finisher
        processing.result = result
        rows["trail"].append(
            wf.TrailEntry(
                pk=self.ids[wf.TrailEntry].take(),
                processing_id=processing.pk,
                document_id=processing.document_id,
                assignment_id=lead_row.pk,
                action=wf.TrailAction.COMPLETED,
                actor_id=finisher,
                actor_name=self.name_of(finisher),
                summary=f"Hoàn thành phần chủ trì ({plan.lead_label}); văn bản hoàn thành xử lý.",
                text=result,
                at=completed_at,
            )
        )

    def user(self, person: Person) -> User:
        """An unsaved stand-in with the fields `Plan.summary` reads."""
        if person.pk not in self.users:
            self.users[person.pk] = User(pk=person.pk, full_name=person.full_name)
        return self.users[person.pk]

    def name_of(self, user_id: int | None) -> str:
        return self.names.get(user_id or 0, "")

    def share_rows(
        self,
        document: Document,
        shares: dict[int, tuple[int, dt.datetime]],
        rows: dict[str, list[Any]],
    ) -> None:
        rows["share"].extend(
            DocumentShare(
                pk=self.ids[DocumentShare].take(),
                document_id=document.pk,
                document_unit_id=document.unit_id,
                user_id=user_id,
                granted_by_id=by,
                granted_at=at,
            )
            for user_id, (by, at) in shares.items()
        )
