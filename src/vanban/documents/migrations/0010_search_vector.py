"""Search by whole words: `search_text` rebuilt in sections, and on PostgreSQL a weighted
full-text vector over it with a GIN index (search.py).

1. Every document's `search_text` is rebuilt from its fields and its files' text by the rules of
   `search.search_text_build`: four sections " A | B | C | D " (number-symbol; type and subject;
   issuing body, signer and recipients; description and file text), and a number-symbol broken
   across lines by a PDF's text layer joined again. It reads every file text once: on a large
   table this takes minutes (about the time of the documents' first registration in bulk).
2. PostgreSQL only: `search_vector`, a generated column (`GENERATED ALWAYS AS (...) STORED`, so
   every write of `search_text` keeps it up to date), is the `simple` configuration's vector of
   the section words made of letters and digits only, weighted A to D by section; its GIN index
   answers the words of a query. Number-symbols stay on the trigram index of `search_text`
   (migration 0003). Adding a stored column rewrites the table once.
"""

from django.db import migrations

TABLE = "documents_document"
WEIGHTS = "ABCD"
# Words with any character other than a-z and 0-9 (number-symbols "613/qd-pvhtt") are left out
# of the vector: the parser of PostgreSQL would split them its own way, and their parts are
# already words of the section ("613", "qd", "pvhtt").
PLAIN_WORDS = r"regexp_replace(split_part(search_text, '|', {n}), '\S*[^a-z0-9\s]\S*', ' ', 'g')"
VECTOR = " || ".join(
    f"setweight(to_tsvector('simple'::regconfig, {PLAIN_WORDS.format(n=n)}), '{weight}')"
    for n, weight in enumerate(WEIGHTS, start=1)
)
ADD_COLUMN = (
    f"ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS search_vector tsvector "
    f"GENERATED ALWAYS AS ({VECTOR}) STORED"
)
ADD_INDEX = (
    f"CREATE INDEX IF NOT EXISTS documents_document_search_vector ON {TABLE} "
    "USING gin (search_vector)"
)
DROP_INDEX = "DROP INDEX IF EXISTS documents_document_search_vector"
DROP_COLUMN = f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS search_vector"
BATCH = 500


def rebuild_search_text(apps, schema_editor):
    from vanban.documents.search import SearchFields, search_text_build

    Document = apps.get_model("documents", "Document")
    DocumentFile = apps.get_model("documents", "DocumentFile")
    ids = list(Document.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        texts: dict[int, list[str]] = {}
        for document_id, text in (
            DocumentFile.objects.filter(document_id__in=chunk)
            .order_by("pk")
            .values_list("document_id", "text")
        ):
            texts.setdefault(document_id, []).append(text)
        documents = list(Document.objects.filter(pk__in=chunk).select_related("document_type"))
        for d in documents:
            symbol = f"{d.code_number}/{d.code_notation}" if d.code_notation else d.code_number
            symbol = symbol if d.code_number else d.code_notation
            d.search_text = search_text_build(
                fields=SearchFields(
                    number=[symbol, d.code_number, d.code_notation, str(d.register_number)],
                    subject=[d.document_type.name, d.subject],
                    people=[
                        d.issuer_name,
                        d.issuer_code,
                        d.signer_name,
                        d.signer_position,
                        d.to_places,
                        d.recipients,
                    ],
                    other=[d.description],
                ),
                file_texts=texts.get(d.pk, []),
            )
        Document.objects.bulk_update(documents, ["search_text"])


def add_vector(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ADD_COLUMN)
        schema_editor.execute(ADD_INDEX)


def drop_vector(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_INDEX)
        schema_editor.execute(DROP_COLUMN)


class Migration(migrations.Migration):
    dependencies = [("documents", "0009_discussion_post")]

    operations = [
        migrations.RunPython(rebuild_search_text, migrations.RunPython.noop),
        migrations.RunPython(add_vector, drop_vector),
    ]
