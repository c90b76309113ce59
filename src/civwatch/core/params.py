"""Bounded integers for the API's query and path parameters.

An integer beyond what the database stores (PostgreSQL's bigint, SQLite's 64-bit integer)
makes the query fail with a database error, a 500. Every integer the API reads is bounded
here instead, so pydantic refuses it with a 422 naming the parameter.
"""

from typing import Annotated

from ninja import Field

MAX_DB_INT = 2**63 - 1
# Offsets beyond this are no page of any real list; `offset + limit` stays far below MAX_DB_INT.
MAX_OFFSET = 1_000_000_000
MAX_LIMIT = 500

Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET)]
Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT)]
DbId = Annotated[int, Field(ge=1, le=MAX_DB_INT)]
# A count stored in an ordinary integer column (PostgreSQL `integer`).
Count = Annotated[int, Field(ge=0, le=2**31 - 1)]
