"""The partner-system tables of the former interop app are adopted by exchange (migration
exchange 0002): a database made before the move keeps its rows, and nothing is recreated."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("exchange", "0001_initial"), ("interop", "0001_initial")]
AFTER = [("exchange", "0002_adopt_partner_models"), ("interop", "0002_models_moved_to_exchange")]


@pytest.mark.django_db(transaction=True)
def test_rows_written_before_the_move_are_read_after_it():
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
    partner = old.get_model("interop", "Partner").objects.create(
        name="Hệ thống quản lý văn bản của Bộ",
        endpoint="https://bo.example/edxml",
        created_at=timezone.now(),
    )
    old.get_model("interop", "PartnerCode").objects.create(
        partner=partner, agency_code="000.00.00.G12", name="Bộ Nội vụ"
    )
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = MigrationExecutor(connection).loader.project_state(AFTER).apps
    moved = new.get_model("exchange", "Partner").objects.get()
    assert moved.pk == partner.pk
    assert moved.name == "Hệ thống quản lý văn bản của Bộ"
    assert list(moved.codes.values_list("agency_code", flat=True)) == ["000.00.00.G12"]
    assert new.get_model("exchange", "Partner")._meta.db_table == "interop_partner"
    MigrationExecutor(connection).migrate(leaves)
